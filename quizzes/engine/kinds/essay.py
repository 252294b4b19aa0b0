"""essay items: the student writes a text that a person grades later.

Checking only reads the text: empty, longer than `MAX_ESSAY_CHARS` (or the item's `max_chars`), or
outside the item's word limits is *invalid* (nothing stored, the student may fix it); anything else
is *pending*: recorded as the item's answer with no score yet. An instructor's grade later gives the
item its score (`quizzes.services.manual_grading`). The explanation (a model answer, say) is shown
once the answer is in, like any other kind's.

Fields: `grader_info` (Markdown shown to graders only), `response_template` (text the answer box
starts with), `response_lines` (the box's height), `response_format` (`plain` or `monospaced`),
`min_words` / `max_words` and `max_chars`.
"""

from __future__ import annotations

from typing import Any

from quizzes.engine.kinds.base import ANSWER_FIELD, BaseKind, FormData, ItemDict, ItemKind
from quizzes.engine.result import INVALID, PENDING, CheckResult, RenderedItem, Variant, Widget

MAX_ESSAY_CHARS = 8_000
RESPONSE_FORMATS = ("plain", "monospaced")
PENDING_MESSAGE = "Your answer is saved; your instructor will grade it."
NO_KEY = "No single correct answer: your instructor grades this answer."
# An essay's own fields, in the order the module docstring gives them.
ESSAY_FIELDS = (
    "grader_info",
    "response_template",
    "response_lines",
    "response_format",
    "min_words",
    "max_words",
    "max_chars",
)


def word_count(text: str) -> int:
    return len(text.split())


def char_limit(item: ItemDict) -> int:
    limit = item.get("max_chars", MAX_ESSAY_CHARS)
    return limit if isinstance(limit, int) and 0 < limit <= MAX_ESSAY_CHARS else MAX_ESSAY_CHARS


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


class EssayKind(BaseKind):
    kind = ItemKind.ESSAY
    fields = frozenset(ESSAY_FIELDS)
    widget = Widget.ESSAY
    graded_by_hand = True
    example = """\
# A free-text answer that an instructor grades from the "needs grading" queue.
grader_info: |
  Full marks: names the running average of squared gradients and says it divides the step.
  Half marks: only one of the two.
response_template: ""     # text the answer box starts with
response_lines: 10        # height of the answer box
response_format: plain    # plain | monospaced
min_words: 20             # optional word limits
max_words: 300
max_chars: 8000           # at most 8000
"""

    def problems(self, item: ItemDict) -> list[str]:
        problems = []
        for name in ("grader_info", "response_template"):
            if name in item and not isinstance(item[name], str):
                problems.append(f"{name}: must be text")
        if len(str(item.get("response_template", ""))) > MAX_ESSAY_CHARS:
            problems.append(f"response_template: at most {MAX_ESSAY_CHARS} characters")
        if "response_lines" in item and not _whole(item["response_lines"], 2, 60):
            problems.append("response_lines: a whole number from 2 to 60")
        if item.get("response_format", "plain") not in RESPONSE_FORMATS:
            problems.append(f"response_format: one of {', '.join(RESPONSE_FORMATS)}")
        if "max_chars" in item and not _whole(item["max_chars"], 1, MAX_ESSAY_CHARS):
            problems.append(f"max_chars: a whole number from 1 to {MAX_ESSAY_CHARS}")
        for name in ("min_words", "max_words"):
            if name in item and not _whole(item[name], 1, MAX_ESSAY_CHARS):
                problems.append(f"{name}: a whole number from 1 to {MAX_ESSAY_CHARS}")
        if not problems and item.get("min_words", 0) > item.get("max_words", MAX_ESSAY_CHARS):
            problems.append("min_words: more than max_words")
        return problems

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem:
        rendered = self.base_rendering(item, variant)
        rendered.essay = {
            "template": str(item.get("response_template", "")),
            "lines": int(item.get("response_lines", 10)),
            "monospaced": item.get("response_format") == "monospaced",
            "max_chars": char_limit(item),
            "min_words": item.get("min_words"),
            "max_words": item.get("max_words"),
        }
        return rendered

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        problem = self.response_problem(item, response)
        if problem:
            return CheckResult(INVALID, 0.0, [problem], correct_answer=NO_KEY)
        return CheckResult(
            PENDING,
            0.0,
            [PENDING_MESSAGE],
            correct_answer=NO_KEY,
            explanation=self.explanation(item, variant),
            details={"words": word_count(response)},
        )

    def response_problem(self, item: ItemDict, response: Any) -> str:
        if not isinstance(response, str) or not response.strip():
            return "Write your answer."
        limit = char_limit(item)
        if len(response) > limit:
            return f"Your answer is {len(response):,} characters long; at most {limit:,} are accepted."
        words = word_count(response)
        if "min_words" in item and words < item["min_words"]:
            return f"Your answer has {_words(words)}; write at least {item['min_words']}."
        if "max_words" in item and words > item["max_words"]:
            return f"Your answer has {_words(words)}; at most {item['max_words']} are accepted."
        template = str(item.get("response_template", "")).strip()
        if template and response.strip() == template:
            return "Your answer is still the starting text; write your own answer."
        return ""

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        """A response the kind accepts (for pending, not for full marks: a person decides)."""
        words = max(int(item.get("min_words", 1)), 1)
        return " ".join(["momentum"] * words)

    def answer_key(self, item: ItemDict, variant: Variant) -> str:
        return NO_KEY

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        # Kept whole up to twice the limit, so an overlong answer is reported, not silently cut.
        return str(form.get(ANSWER_FIELD, ""))[: 2 * MAX_ESSAY_CHARS].replace("\r\n", "\n")


HANDLER = EssayKind()


def _words(count: int) -> str:
    return "1 word" if count == 1 else f"{count} words"
