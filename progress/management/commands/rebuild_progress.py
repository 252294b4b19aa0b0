"""Replay every student's history (finished attempts, graded submissions) through the progress events.

For backfilling data that existed before the progress app, and after changing a rule (mastery,
XP, streaks). Earned awards are kept; achievements the replay newly earns are added.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from grading import api as grading_api
from progress.events import quiz_finished, reset_progress, submission_graded
from quizzes.models import Attempt, AttemptStatus


class Command(BaseCommand):
    help = "Recompute progress (mastery, XP, streaks, awards) from the quiz and grading history."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="Only this username (default: every user with history).")

    def handle(self, *args, user=None, **options):
        users = get_user_model().objects.order_by("pk")
        if user:
            users = users.filter(username=user)
            if not users.exists():
                raise CommandError(f"no user called {user!r}")
        for student in users:
            events = [
                (attempt.finished_at, quiz_finished, attempt)
                for attempt in Attempt.objects.filter(student=student, status=AttemptStatus.FINISHED)
            ] + [
                (submission.graded_at, submission_graded, submission)
                for submission in grading_api.graded_submissions_of(student)
            ]
            if not events:
                continue
            reset_progress(student)
            for _, handler, source in sorted(events, key=lambda event: (event[0], event[2].pk)):
                handler(source)
            self.stdout.write(f"{student.username}: replayed {len(events)} event(s)")
