"""`python manage.py load_demo`: demo users, every bank in content/banks, the demo quizzes.

Safe to run again: users are created only when missing, banks are re-imported in place (the
import replaces a bank's items by key), and quizzes are updated by slug.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_create
from quizzes.selection import rule_candidates
from quizzes.services.banks import bank_import
from quizzes.services.demo import QuizDefinitionError, quiz_definitions_apply, quiz_definitions_parse

# Demo logins, also documented in README.md. Not for production use.
DEMO_USERS: tuple[dict[str, Any], ...] = (
    {"username": "instructor", "password": "descent-instructor", "instructor": True},
    {"username": "student", "password": "descent-student", "instructor": False},
)


class Command(BaseCommand):
    help = "Create demo users, import content/banks/*.yaml and create the demo quizzes (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--content", type=Path, default=Path(settings.BASE_DIR) / "content", help="Content folder."
        )

    def handle(self, *args, content: Path, **options):
        instructor = self._users()
        self._banks(content / "banks", owner=instructor)
        self._quizzes(content / "quizzes.yaml", owner=instructor)

    def _users(self):
        users = get_user_model().objects
        for demo in DEMO_USERS:
            if users.filter(username=demo["username"]).exists():
                self.stdout.write(f"user {demo['username']}: already there")
            else:
                user_create(**demo)
                self.stdout.write(f"user {demo['username']}: created")
        return users.get(username="instructor")

    def _banks(self, folder: Path, *, owner) -> None:
        paths = sorted(folder.glob("*.yaml"))
        if not paths:
            raise CommandError(f"no bank files in {folder}")
        for path in paths:
            report = bank_import(
                text=path.read_text(encoding="utf-8"), fmt="yaml", filename=path.name, owner=owner
            )
            if not report.ok:
                problems = "\n".join(f"  - {problem}" for problem in report.problems)
                raise CommandError(f"{path.name} did not import:\n{problems}")
            self.stdout.write(f"bank {path.name}: {report.summary()}")

    def _quizzes(self, path: Path, *, owner) -> None:
        try:
            quizzes = quiz_definitions_apply(
                quiz_definitions_parse(path.read_text(encoding="utf-8")), owner=owner
            )
        except (OSError, QuizDefinitionError) as error:
            raise CommandError(f"{path.name}: {error}") from error
        for quiz in quizzes:
            found = [min(rule.count, len(rule_candidates(rule))) for rule in quiz.rules.all()]
            self.stdout.write(f"quiz {quiz.slug}: up to {sum(found)} questions from {len(found)} rules")
            for number, count in enumerate(found, start=1):
                if count == 0:
                    self.stdout.write(self.style.WARNING(f"  rule {number} matches no item in the banks yet"))
