"""`manage.py queue_status [--json]`: the grading queue and its workers, as /readyz reports them."""

import json

from django.core.management.base import BaseCommand

from grading.services import queue_status


class Command(BaseCommand):
    help = "Show the grading queue: depth, age of the oldest queued submission, workers."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print the JSON that /readyz reports")

    def handle(self, *, json: bool = False, **options) -> None:
        status = queue_status()
        if json:
            self.stdout.write(_dumps(status))
            return
        oldest = status["oldest_queued_seconds"]
        self.stdout.write(
            f"queued: {status['queued']}   running: {status['running']}   "
            f"oldest queued: {'-' if oldest is None else f'{oldest:.1f} s'}"
        )
        self.stdout.write(
            f"authors' validations and previews: {status['authoring_queued']} queued, "
            f"{status['authoring_running']} running"
        )
        self.stdout.write(
            f"live workers: {status['live_workers']} "
            f"({status['live_workers_with_sandbox']} with a passing sandbox self-test)"
        )
        for worker in status["workers"]:
            state = "live" if worker["live"] else "NOT BEATING"
            job = worker["current_submission"]
            sandbox = "sandbox ok" if worker["sandbox_ok"] else f"SANDBOX FAILED: {worker['sandbox_detail']}"
            self.stdout.write(
                f"  {worker['worker_id']:<40} {state:<11} last beat {worker['seconds_since_beat']:>6.1f} s ago"
                f"  {sandbox}  {'grading #' + str(job) if job else 'idle'}"
                f"{'  (stopping)' if worker['stopping'] else ''}"
            )


def _dumps(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True)
