"""`manage.py exportbank BANK --format yaml|moodle-xml|gift [--output FILE]`."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.bankio import FORMATS
from quizzes.models import Bank
from quizzes.services.banks import bank_export_result


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Export a question bank as YAML (lossless), Moodle XML or GIFT (what those formats can hold)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("bank", help="slug of the bank to export")
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, **options) -> None:
        bank = Bank.objects.filter(slug=options["bank"]).first()
        if bank is None:
            known = ", ".join(Bank.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"no bank with slug {options['bank']!r} (banks: {known})")
        result = bank_export_result(bank=bank, fmt=options["format"])
        if options["output"]:
            try:
                write_atomically(Path(options["output"]), result.text)
            except OSError as error:
                raise CommandError(f"cannot write {options['output']}: {error}") from error
        else:
            self.stdout.write(result.text, ending="")
        # Reports go to stderr so that stdout stays a clean file when redirected.
        for skipped in result.skipped:
            self.stderr.write(self.style.WARNING(f"not exported: {skipped}"))
        for note in result.notes:
            self.stderr.write(f"note: {note}")
