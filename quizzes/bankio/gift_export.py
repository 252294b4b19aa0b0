"""Our items as GIFT, for the kinds GIFT can express.

Single and multiple choice (multiple answers with equal ±100/n weights, matching our score), true/false
and numeric; a calculation becomes one fixed numeric variant. Ordering, symbolic and table items are
reported in `ExportResult.skipped` (and as `//` comments). Text is Markdown (`[markdown]`), escaped so
that the reader in `gift` gives it back unchanged. GIFT has no hints, no difficulty and one category
per question (the item's first topic); the notes say so.
"""

from typing import NamedTuple

from quizzes.bankio.errors import ExportResult, Skipped
from quizzes.bankio.fixed_variant import VariantUnavailable, fixed_variant
from quizzes.bankio.gift import escape_gift
from quizzes.bankio.tolerances import absolute_tolerance, short_number


class _Question(NamedTuple):
    stem: str
    answers: list[str]  # one GIFT answer per line, already escaped
    explanation: str


def dump_gift(*, slug: str, name: str, description: str = "", items: list[dict]) -> ExportResult:
    """GIFT text for the items it can express; ordering, symbolic and table items are reported."""
    result = ExportResult(text="")
    lines = [f"// {name} ({slug}), exported from Descent.", ""]
    current_topic: str | None = None
    lost_details = False
    for item in items:
        writer = _WRITERS.get(item["kind"])
        if writer is None:
            result.skipped.append(Skipped(item["key"], item["kind"], "GIFT has no equivalent question type"))
            continue
        question = writer(item, result)
        if question is None:
            continue
        topic = item["topics"][0] if item.get("topics") else None
        if topic != current_topic:
            category = f"$course$/top/{name.replace('/', '-')}" + (f"/{topic}" if topic else "")
            lines += [f"$CATEGORY: {category}", ""]
            current_topic = topic
        lost_details = lost_details or bool(item.get("hints")) or len(item.get("topics", [])) > 1
        title = escape_gift(item.get("title") or item["key"])
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
    result.text = "\n".join(lines).rstrip() + "\n"
    return result


def _with_feedback(text: str, feedback: str) -> str:
    return f"{text}#{escape_gift(feedback)}" if feedback else text


def _write_choices(item: dict, result: ExportResult) -> _Question:
    correct_count = sum(bool(choice.get("correct")) for choice in item["choices"]) or 1
    answers = []
    for choice in item["choices"]:
        text = escape_gift(choice["text"])
        if item["kind"] == "single":
            marker = "=" if choice.get("correct") else "~"
        else:
            # Equal weights reproduce our right-minus-wrong score, as in the Moodle XML export.
            weight = (100 if choice.get("correct") else -100) / correct_count
            marker = f"~%{_percent(weight)}%"
        answers.append(_with_feedback(marker + text, choice.get("feedback", "")))
    return _Question(item["stem"], answers, item["explanation"])


def _percent(weight: float) -> str:
    return f"{weight:.5f}".rstrip("0").rstrip(".")


def _write_truefalse(item: dict, result: ExportResult) -> _Question:
    letter = "T" if item["answer"] else "F"
    right = item.get("feedback_true" if item["answer"] else "feedback_false", "")
    wrong = item.get("feedback_false" if item["answer"] else "feedback_true", "")
    feedback = f"#{escape_gift(wrong)}#{escape_gift(right)}" if (right or wrong) else ""
    return _Question(item["stem"], [letter + feedback], item["explanation"])


def _numeric_answers(answer: float, tolerance: float, misconceptions: list[dict]) -> list[str]:
    answers = [f"={short_number(answer)}:{short_number(tolerance)}"]
    for misconception in misconceptions:
        text = f"=%0%{short_number(float(misconception['answer']))}:0"
        answers.append(_with_feedback(text, misconception.get("feedback", "")))
    return ["#", *answers]


def _write_numeric(item: dict, result: ExportResult) -> _Question:
    answer = float(item["answer"])
    tolerance = absolute_tolerance(answer, item.get("tolerance"), item["key"], result)
    misconceptions = [m for m in item.get("misconceptions", []) if isinstance(m.get("answer"), int | float)]
    return _Question(item["stem"], _numeric_answers(answer, tolerance, misconceptions), item["explanation"])


def _write_calculation(item: dict, result: ExportResult) -> _Question | None:
    try:
        variant = fixed_variant(item)
    except VariantUnavailable as error:
        result.skipped.append(Skipped(item["key"], "calculation", str(error)))
        return None
    result.notes.append(f"{item['key']}: exported as one fixed variant ({variant.params})")
    tolerance = absolute_tolerance(variant.answer, item.get("tolerance"), item["key"], result)
    return _Question(variant.stem, _numeric_answers(variant.answer, tolerance, []), variant.explanation)


_WRITERS = {
    "single": _write_choices,
    "multiple": _write_choices,
    "truefalse": _write_truefalse,
    "numeric": _write_numeric,
    "calculation": _write_calculation,
}
