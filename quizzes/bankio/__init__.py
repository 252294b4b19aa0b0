"""Bank files in and out: our YAML format, Moodle XML and GIFT. Django-free.

`read_bank` parses a file in any supported format and then checks every item (common fields and
the quiz engine's kind-specific checks), returning every problem with its location.
`write_bank` turns items (dicts shaped like `Item.to_dict()`) into a file, reporting any item the
format cannot express.
"""

from quizzes.bankio.errors import (
    BankExport,
    BankFormatError,
    BankProblem,
    ExportResult,
    Location,
    ParsedBank,
    Skipped,
)
from quizzes.bankio.gift import parse_gift
from quizzes.bankio.gift_export import dump_gift
from quizzes.bankio.limits import ImportLimits, parsed_limit_problems, text_too_big, too_many_questions
from quizzes.bankio.media import MediaFile, keep_referenced, total_problem
from quizzes.bankio.moodle_xml import parse_moodle_xml
from quizzes.bankio.moodle_xml_export import dump_moodle_xml
from quizzes.bankio.validation import EngineValidator, check_items
from quizzes.bankio.yaml_format import dump_yaml, parse_yaml

FORMATS = ("yaml", "moodle-xml", "gift")
EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".xml": "moodle-xml", ".gift": "gift", ".txt": "gift"}

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "BankFormatError",
    "BankProblem",
    "ExportResult",
    "ImportLimits",
    "Location",
    "MediaFile",
    "ParsedBank",
    "Skipped",
    "format_for_filename",
    "read_bank",
    "write_bank",
]


def format_for_filename(filename: str) -> str | None:
    """The format a file name's extension implies, or None when it implies none."""
    lowered = filename.lower()
    for extension, fmt in EXTENSIONS.items():
        if lowered.endswith(extension):
            return fmt
    return None


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown bank format {fmt!r}; known formats: {', '.join(FORMATS)}")


def read_bank(
    text: str,
    fmt: str,
    *,
    filename: str = "",
    engine: EngineValidator | None = None,
    limits: ImportLimits | None = None,
) -> ParsedBank:
    """Parse `text` as `fmt` and validate every item; the result lists every problem found.

    `limits` (default `ImportLimits()`) bounds the file's size, question count and texts: a file over
    the size or count limit is refused before it is parsed. Raises ValueError only for an unknown `fmt`
    (a programming error, not bad input).
    """
    _check_format(fmt)
    limits = limits or ImportLimits()
    early = text_too_big(text, limits, filename) or too_many_questions(text, fmt, limits, filename)
    if early is not None:
        return ParsedBank(problems=[early])
    budget = limits.media_budget()
    if fmt == "yaml":
        parsed = parse_yaml(text, filename=filename, media=budget)
    elif fmt == "moodle-xml":
        parsed = parse_moodle_xml(text, filename=filename, media=budget)
    else:
        parsed = parse_gift(text, filename=filename)
    limit_problems = parsed_limit_problems(parsed, limits, filename)
    if budget.over_total:
        limit_problems.append(total_problem(budget, filename))
    if limit_problems:
        parsed.problems += limit_problems
        return parsed
    if parsed.items or not parsed.problems:
        problems, notes = check_items(
            parsed.items, file=filename, item_lines=parsed.item_lines, engine=engine
        )
        parsed.problems += problems
        parsed.notes += notes
    keep_referenced(parsed)
    return parsed


def write_bank(
    *,
    fmt: str,
    slug: str,
    name: str,
    description: str = "",
    items: list[dict],
    categories: list[dict] | None = None,
    media: dict[str, MediaFile] | None = None,
) -> ExportResult:
    """Write items as `fmt`. YAML expresses everything; the others report what they had to leave out.

    `categories` are the bank's named categories with their descriptions ({"path", "description"});
    `media` the bank's stored files by digest (the items' `media:` references).
    """
    _check_format(fmt)
    bank = BankExport(
        slug=slug,
        name=name,
        items=items,
        description=description,
        categories=categories or [],
        media=media or {},
    )
    if fmt == "yaml":
        return ExportResult(text=dump_yaml(bank))
    return dump_moodle_xml(bank) if fmt == "moodle-xml" else dump_gift(bank)
