"""Export helpers for the authoring pages: what each foreign format loses, and the file name."""

from __future__ import annotations

from quizzes.bankio import Skipped
from quizzes.models import Bank
from quizzes.services.banks import bank_export_result

EXPORT_SUFFIXES = {"yaml": ".yaml", "moodle-xml": ".moodle.xml", "gift": ".gift.txt"}


def export_losses(bank: Bank) -> dict[str, list[Skipped]]:
    """For each foreign format, the items it cannot express (Skipped: name, type, reason)."""
    return {fmt: bank_export_result(bank=bank, fmt=fmt).skipped for fmt in ("moodle-xml", "gift")}


def export_filename(bank: Bank, fmt: str) -> str:
    # The slug is already [a-z0-9-], so it is safe inside a Content-Disposition header as is.
    return f"{bank.slug}{EXPORT_SUFFIXES[fmt]}"
