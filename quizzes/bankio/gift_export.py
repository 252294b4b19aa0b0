"""Our items as GIFT, for the kinds GIFT can express.

Single and multiple choice (multiple answers with equal ±100/n weights, matching our score), true/false,
numeric, short text answers, matching, descriptions (bare text) and essays (`{}`); a calculation becomes one fixed numeric variant.
Ordering, symbolic, table and cloze items are reported in `ExportResult.skipped` (and as `//` comments). Text is Markdown (`[markdown]`), escaped so
that the reader in `gift` gives it back unchanged. GIFT has no hints, no difficulty and one category
per question (the item's first topic); the notes say so.
"""

from typing import Any

from quizzes.bankio.errors import BankExport, ExportResult, Skipped
from quizzes.bankio.gift_parts import escape_gift
from quizzes.bankio.kinds import formats_for
from quizzes.bankio.media import item_refs, without_images
from quizzes.bankio.naming import category_text

# Settings GIFT has no syntax for (see quizzes/engine/settings.py).
GIFT_UNHELD_SETTINGS = ("weight", "penalty", "hidden", "combined_feedback")


def dump_gift(bank: BankExport) -> ExportResult:
    """GIFT text for the items it can express; ordering, symbolic and table items are reported."""
    result = ExportResult(text="")
    lines = [f"// {bank.name} ({bank.slug}), exported from Descent.", ""]
    current_category: str | None = None
    lost_details = False
    for item in bank.items:
        if item_refs(item):
            result.notes.append(
                f"{item['key']}: GIFT cannot carry images or files; they were left out (each image is "
                "written as [image: its alt text])"
            )
            item = _without_media(item)
        formats = formats_for(item["kind"])
        writer = formats.gift_writer if formats is not None else None
        if writer is None:
            result.skipped.append(Skipped(item["key"], item["kind"], "GIFT has no equivalent question type"))
            continue
        question = writer(item, result)
        if question is None:
            continue
        if item.get("category"):
            category = category_text(item["category"])
        else:
            topic = item["topics"][0] if item.get("topics") else None
            category = f"$course$/top/{bank.name.replace('/', '-')}" + (f"/{topic}" if topic else "")
        if category != current_category:
            lines += [f"$CATEGORY: {category}", ""]
            current_category = category
        lost_details = lost_details or bool(item.get("hints")) or len(item.get("topics", [])) > 1
        title = escape_gift(item.get("title") or item["key"])
        if not question.braces:  # a description: the text alone
            lines += [
                f"// {item['key']} ({item['kind']})",
                f"::{title}::[markdown]{escape_gift(question.stem)}",
                "",
            ]
            continue
        lines += [
            f"// {item['key']} ({item['kind']})",
            f"::{title}::[markdown]{escape_gift(question.stem)} {{",
        ]
        lines += [f"\t{answer}" for answer in question.answers]
        lines += [f"\t####{escape_gift(question.explanation)}", "}", ""]
    for skipped in result.skipped:
        lines.append(f"// not exported: {str(skipped)}")
    if lost_details:
        result.notes.append(
            "GIFT holds no hints and one category per question: hints and extra topics were left out"
        )
    result.notes.append("GIFT has no difficulty field; difficulties were not exported")
    if any(category.get("description") for category in bank.categories):
        result.notes.append("GIFT has no category descriptions; they were not exported")
    unheld = sorted({name for item in bank.items for name in GIFT_UNHELD_SETTINGS if item.get(name)})
    if unheld:
        result.notes.append(
            f"GIFT holds no question settings ({', '.join(unheld)}); Moodle gives the defaults instead"
        )
    if any(item.get("siblings") for item in bank.items):
        result.notes.append(
            "GIFT has no sibling field: which items restate one another (never drawn together) was not exported"
        )
    result.text = "\n".join(lines).rstrip() + "\n"
    return result


def _without_media(value: Any) -> Any:
    if isinstance(value, str):
        return without_images(value)
    if isinstance(value, dict):
        return {name: _without_media(entry) for name, entry in value.items()}
    if isinstance(value, list):
        return [_without_media(entry) for entry in value]
    return value
