"""`manage.py challenge_baselines`: compute the optimizer challenge's baseline runs and store them
for every process (a grading worker also does it as it starts). Idempotent: nothing is computed
when the current suite's runs are stored already. `--check` only says whether they are."""

import time

from django.core.management.base import BaseCommand, CommandError

from grading.challenge.baselines import baseline_digest, stored_baseline_runs
from grading.services.challenge_baselines import warm


class Command(BaseCommand):
    help = "Compute and store the challenge baselines' runs (once per suite and code version)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Exit 1 when they are not stored; compute nothing."
        )
        parser.add_argument("--prune", action="store_true", help="Also delete the runs of other digests.")

    def handle(self, *, check: bool, prune: bool, **options) -> None:
        digest = baseline_digest()
        if check:
            if stored_baseline_runs() is None:
                raise CommandError(f"challenge baselines {digest[:12]} are not stored", returncode=1)
            self.stdout.write(f"challenge baselines {digest[:12]} are stored")
            return
        started = time.process_time()
        computed = warm(prune=prune)
        if computed:
            self.stdout.write(
                f"challenge baselines {digest[:12]} computed and stored "
                f"({time.process_time() - started:.2f} s of CPU)"
            )
        else:
            self.stdout.write(f"challenge baselines {digest[:12]} were stored already")
