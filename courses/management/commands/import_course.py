"""Read a course export, check its checksums, and write it all in one transaction (or nothing)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.commands import import_owner
from courses.services.transfer import TransferError, import_course


class Command(BaseCommand):
    help = "Import a course written by export_course; all or nothing, with a fresh enrolment code."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--owner", metavar="USERNAME", help="Owner here (default: the exported owner).")
        parser.add_argument(
            "--rename-conflicts",
            action="store_true",
            help="Give banks and quizzes whose slugs exist here a free suffixed slug instead of refusing.",
        )

    def handle(self, *args, **options):
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
        owner = import_owner(options["owner"])
        try:
            report = import_course(text=data, owner=owner, rename_conflicts=options["rename_conflicts"])
        except TransferError as error:
            raise CommandError(f"Nothing was imported: {error}.") from None
        for line in report.lines():
            self.stdout.write(line)
