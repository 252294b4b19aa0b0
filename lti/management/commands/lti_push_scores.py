from django.core.management.base import BaseCommand

from lti.services.scores import push_due_scores


class Command(BaseCommand):
    help = (
        "Send the scores waiting for the LMS gradebook whose retry time has come (the grading workers do "
        "this every few seconds; run it from cron on a host without them)."
    )

    def handle(self, *args, **options):
        counts = push_due_scores()
        self.stdout.write(f"sent {counts['sent']}, failed {counts['failed']}")
