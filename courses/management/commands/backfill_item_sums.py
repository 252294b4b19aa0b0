"""Recompute the item statistics' running sums from the finished attempts (all quizzes, or some).

Safe to run at any time, also while students take quizzes: each student is rebuilt under the same
lock that finishing an attempt takes. The statistics page heals stale students on its own; this
command does it for everyone ahead of time, e.g. after loading attempts in bulk.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from courses.models import QuizStudentTotals
from courses.services.item_aggregates import rebuild_student_sums
from quizzes.models import Attempt, AttemptStatus, Quiz

STUDENTS_PER_BATCH = 200  # one transaction per batch keeps each lock short


class Command(BaseCommand):
    help = "Rebuild the running sums behind the item statistics pages from the finished attempts."

    def add_arguments(self, parser):
        parser.add_argument("--quiz", action="append", default=[], metavar="SLUG", help="Only this quiz.")

    def handle(self, *args, **options):
        quizzes = Quiz.objects.order_by("slug")
        if options["quiz"]:
            quizzes = quizzes.filter(slug__in=options["quiz"])
            missing = set(options["quiz"]) - set(quizzes.values_list("slug", flat=True))
            if missing:
                raise CommandError(
                    f"No quiz with the slug {', '.join(sorted(missing))}; nothing was changed."
                )
        for quiz in quizzes:
            # Students with finished attempts, and those with sums whose attempts have gone since.
            students = set(
                Attempt.objects.filter(quiz=quiz, status=AttemptStatus.FINISHED).values_list(
                    "student_id", flat=True
                )
            ) | set(QuizStudentTotals.objects.filter(quiz=quiz).values_list("student_id", flat=True))
            ordered = sorted(students)
            attempts = sum(
                rebuild_student_sums(quiz.pk, ordered[start : start + STUDENTS_PER_BATCH])
                for start in range(0, len(ordered), STUDENTS_PER_BATCH)
            )
            self.stdout.write(f"{quiz.slug}: {attempts} finished attempts by {len(ordered)} students")
