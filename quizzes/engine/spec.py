"""validate_item: every problem of an item dict, each naming the field it concerns.

It never raises: whatever the input, the answer is a list of "field: problem" strings, empty
when the item can be served. The common fields and placeholders are checked here; each kind's
own fields by its handler (`kinds/`), which also exercises templates: a number of variants are
drawn and every computed value, constraint and placeholder is checked on them.
"""

from __future__ import annotations

import re
from typing import Any

from quizzes.engine.kinds.base import ItemKind
from quizzes.engine.kinds.checks import is_text
from quizzes.engine.kinds.registry import handler_for
from quizzes.engine.settings import SETTINGS_FIELDS, settings_problems
from quizzes.engine.templates import VariantError, placeholder_names, placeholder_problems
from quizzes.engine.variants import draw_variant

KINDS = tuple(kind.value for kind in ItemKind)
COMMON_FIELDS = {
    "key", "kind", "title", "topics", "difficulty", "stem", "explanation", "hints", "siblings", *SETTINGS_FIELDS,
}  # fmt: skip
# Kinds whose explanation may be empty: a description answers nothing, an essay has no key to explain.
OPTIONAL_EXPLANATION = frozenset({ItemKind.DESCRIPTION.value, ItemKind.ESSAY.value})
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def validate_item(item: Any) -> list[str]:
    try:
        return _validate(item)
    except Exception as error:  # noqa: BLE001 - the contract: never raise on bad input
        return [f"item: could not be checked ({type(error).__name__}: {error})"]


def _validate(item: Any) -> list[str]:
    if not isinstance(item, dict):
        return ["item: must be a mapping of fields"]
    problems: list[str] = []
    problems += _common_problems(item)
    kind = item.get("kind")
    if kind not in KINDS:
        return problems
    handler = handler_for(kind)
    unknown = sorted(set(item) - COMMON_FIELDS - handler.fields)
    problems += [f"{field}: unknown field for a {kind} item" for field in unknown]
    problems += handler.problems(item)
    if not any(
        problem.startswith(("params", "answer", "constraints", "table", "misconceptions"))
        for problem in problems
    ):
        problems += _placeholder_problems(item)
    return problems


def _common_problems(item: dict[str, Any]) -> list[str]:
    problems = []
    key = item.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append("key: required; lowercase letters, digits and '-' only")
    if item.get("kind") not in KINDS:
        problems.append(f"kind: must be one of {', '.join(KINDS)}, not {item.get('kind')!r}")
    if not is_text(item.get("stem")):
        problems.append("stem: required text")
    if item.get("kind") in OPTIONAL_EXPLANATION:
        if "explanation" in item and not isinstance(item["explanation"], str):
            problems.append("explanation: must be text")
    elif not is_text(item.get("explanation")):
        problems.append("explanation: required text (shown after answering)")
    if "title" in item and not isinstance(item["title"], str):
        problems.append("title: must be text")
    hints = item.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(hint, str) for hint in hints):
        problems.append("hints: must be a list of texts")
    topics = item.get("topics", [])
    if not isinstance(topics, list) or not all(isinstance(t, str) and KEY_RE.match(t) for t in topics):
        problems.append("topics: must be a list of topic slugs (lowercase letters, digits, '-')")
    difficulty = item.get("difficulty", 2)
    if isinstance(difficulty, bool) or not isinstance(difficulty, int) or not 1 <= difficulty <= 5:
        problems.append("difficulty: must be a whole number from 1 to 5")
    problems += _sibling_problems(item)
    problems += settings_problems(item)
    return problems


def _sibling_problems(item: dict[str, Any]) -> list[str]:
    """`siblings`: keys of items of the same bank that restate this one (never drawn together).

    Whether those keys exist is a question about the whole bank, checked by bank validation."""
    siblings = item.get("siblings", [])
    if not isinstance(siblings, list) or not all(isinstance(s, str) and KEY_RE.match(s) for s in siblings):
        return ["siblings: must be a list of item keys (lowercase letters, digits, '-')"]
    if item.get("key") in siblings:
        return ["siblings: an item cannot be its own sibling"]
    if len(set(siblings)) != len(siblings):
        return ["siblings: a key is listed twice"]
    return []


# --- placeholders -----------------------------------------------------------------------------


def _texts_with_placeholders(item: dict[str, Any]) -> list[tuple[str, str]]:
    texts = [
        ("stem", item.get("stem")),
        ("explanation", item.get("explanation")),
        ("title", item.get("title")),
    ]
    texts += [(f"hints[{i}]", hint) for i, hint in enumerate(item.get("hints") or [])]
    for index, choice in enumerate(item.get("choices") or []):
        if isinstance(choice, dict):
            texts += [
                (f"choices[{index}].text", choice.get("text")),
                (f"choices[{index}].feedback", choice.get("feedback")),
            ]
    for index, pair in enumerate(item.get("pairs") or []):
        if isinstance(pair, dict):
            texts += [
                (f"pairs[{index}].prompt", pair.get("prompt")),
                (f"pairs[{index}].answer", pair.get("answer")),
            ]
    for index, answer in enumerate(item.get("answers") or []):
        if isinstance(answer, dict):
            texts.append((f"answers[{index}].feedback", answer.get("feedback")))
    for index, step in enumerate(item.get("steps") or []):
        texts.append((f"steps[{index}]", step.get("text") if isinstance(step, dict) else step))
    texts += [("feedback_true", item.get("feedback_true")), ("feedback_false", item.get("feedback_false"))]
    texts.append(("answer_feedback", item.get("answer_feedback")))
    combined = item.get("combined_feedback")
    if isinstance(combined, dict):
        texts += [(f"combined_feedback.{name}", text) for name, text in combined.items()]
    for index, misconception in enumerate(item.get("misconceptions") or []):
        if isinstance(misconception, dict):
            texts.append((f"misconceptions[{index}].feedback", misconception.get("feedback")))
    return [(where, text) for where, text in texts if isinstance(text, str)]


# Texts shown before the student answers; the rest (explanation, feedback) may show the key.
_STUDENT_FACING = ("stem", "title", "hints", "choices[", "steps[", "pairs[")


def _placeholder_problems(item: dict[str, Any]) -> list[str]:
    try:
        variant = draw_variant(item, 0)
    except (VariantError, NotImplementedError) as error:
        return [f"params: no variant could be drawn: {error}"]
    available = set(variant.values)
    hidden = handler_for(item.get("kind")).hidden_names(item, variant)
    problems = []
    for where, text in _texts_with_placeholders(item):
        for name in placeholder_names(text):
            facing = where.startswith(_STUDENT_FACING) and not where.endswith(".feedback")
            if facing and name in hidden:
                problems.append(f"{where}: {{{{{name}}}}} would reveal the key before the student answers")
            elif name not in available:
                known = ", ".join(sorted(available)) or "none (this item has no parameters)"
                problems.append(f"{where}: unknown placeholder {{{{{name}}}}}; available: {known}")
        problems += [f"{where}: {problem}" for problem in placeholder_problems(text)]
    return problems
