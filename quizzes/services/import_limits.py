"""The site's bank import limits, from settings (BANK_IMPORT_MAX_BYTES, _MAX_QUESTIONS, _MAX_TEXT_CHARS,
_MAX_MEDIA_BYTES, _MAX_MEDIA_TOTAL_BYTES)."""

from django.conf import settings

from quizzes.bankio import ImportLimits


def import_limits() -> ImportLimits:
    defaults = ImportLimits()
    return ImportLimits(
        max_bytes=getattr(settings, "BANK_IMPORT_MAX_BYTES", defaults.max_bytes),
        max_questions=getattr(settings, "BANK_IMPORT_MAX_QUESTIONS", defaults.max_questions),
        max_text_chars=getattr(settings, "BANK_IMPORT_MAX_TEXT_CHARS", defaults.max_text_chars),
        max_media_bytes=getattr(settings, "BANK_IMPORT_MAX_MEDIA_BYTES", defaults.max_media_bytes),
        max_media_total_bytes=getattr(
            settings, "BANK_IMPORT_MAX_MEDIA_TOTAL_BYTES", defaults.max_media_total_bytes
        ),
    )
