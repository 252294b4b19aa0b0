"""The challenge baselines' runs, kept in the database so that every process shares one copy.

`grading.apps` installs `DatabaseBaselineStore` as the store of `grading.challenge.baselines`;
a grading worker warms it as it starts, and `manage.py challenge_baselines` does it on demand
(deploys can run it after `migrate`). Any process that finds no row for the current digest
computes the runs itself (about 1 s of CPU, logged) and saves them for the others.
"""

import logging

from django.db import IntegrityError, transaction

from grading.challenge import baselines
from grading.models import ChallengeBaselineRuns

logger = logging.getLogger("grading.challenge")


class DatabaseBaselineStore:
    def load(self, digest: str) -> object | None:
        try:
            row = ChallengeBaselineRuns.objects.filter(digest=digest).values_list("runs", flat=True).first()
        except Exception as error:  # any failure means "not stored": the caller computes them
            logger.warning("could not read the challenge baselines: %s", error)
            return None
        return row

    def save(self, digest: str, payload: object) -> None:
        try:
            # Replaces a row that could not be read back (the runs are the same for one digest).
            with transaction.atomic():
                ChallengeBaselineRuns.objects.update_or_create(digest=digest, defaults={"runs": payload})
        except IntegrityError:
            pass  # another process stored the same runs first
        except Exception as error:  # the runs stay in this process; the next one tries again
            logger.warning("could not store the challenge baselines: %s", error)


def warm(*, prune: bool = False) -> bool:
    """Store the current runs unless they are there already; True when they were computed now.
    With `prune`, drop the rows of other digests (older suites or code)."""
    computed = baselines.warm_baseline_runs()
    if prune:
        ChallengeBaselineRuns.objects.exclude(digest=baselines.baseline_digest()).delete()
    return computed
