"""`manage.py importbank FILE [--bank SLUG] [--format yaml|moodle-xml|gift] [--keep-missing] [--owner USERNAME]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.commands import import_owner
from quizzes.bankio import FORMATS, format_for_filename
from quizzes.services.banks import bank_import


class Command(BaseCommand):
    help = "Import a question bank file. All or nothing: a file with any problem changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the bank file to import")
        parser.add_argument("--bank", help="slug of the target bank (default: the file's own bank slug)")
        parser.add_argument(
            "--format", choices=FORMATS, help="file format (default: from the file extension)"
        )
        parser.add_argument(
            "--keep-missing",
            action="store_true",
            help="keep items that are in the bank but not in the file (default: delete them)",
        )
        parser.add_argument(
            "--owner",
            help="username that owns a bank this import creates (default: none, so only superusers reach it)",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        fmt = options["format"] or format_for_filename(path.name)
        if fmt is None:
            raise CommandError(f"cannot tell the format of {path.name}; pass --format ({', '.join(FORMATS)})")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error

        owner = import_owner(options["owner"])
        report = bank_import(
            owner=owner,
            text=text,
            fmt=fmt,
            filename=path.name,
            bank_slug=options["bank"],
            replace=not options["keep_missing"],
        )
        for skipped in report.skipped:
            self.stdout.write(self.style.WARNING(f"skipped: {skipped}"))
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(str(problem)))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
