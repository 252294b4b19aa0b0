"""Write a course and everything it needs (quizzes, banks, attempts, submissions) as checksummed JSON."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.models import Course
from courses.services.transfer import export_course, export_problems, serialise


class Command(BaseCommand):
    help = "Export a course with its quizzes, banks, enrolments, attempts and submissions as JSON."

    def add_arguments(self, parser):
        parser.add_argument("course_id", type=int)
        parser.add_argument("--output", required=True, metavar="FILE", help="Where to write; '-' for stdout.")

    def handle(self, *args, **options):
        course = Course.objects.filter(pk=options["course_id"]).first()
        if course is None:
            raise CommandError(f"No course with the id {options['course_id']}.")
        document = export_course(course=course)
        text = serialise(document)
        if options["output"] == "-":
            self.stdout.write(text, ending="")
        else:
            target = Path(options["output"])
            partial = target.with_name(target.name + ".partial")
            try:
                partial.write_text(text, encoding="utf-8")
                partial.replace(target)  # never leave a half-written export under the real name
            except OSError as error:
                partial.unlink(missing_ok=True)
                raise CommandError(f"Cannot write {target}: {error.strerror}.") from None
            self.stderr.write(f"Course {course.pk} ({course.name}) written to {target}.")
        problems = export_problems(document)
        for problem in problems:
            self.stderr.write(f"Warning: {problem}")
        if problems:
            self.stderr.write(
                "import_course will refuse this file until those items are fixed and re-exported."
            )
