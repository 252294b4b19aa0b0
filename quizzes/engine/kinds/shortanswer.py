"""shortanswer items: a typed word or phrase compared with a list of accepted answers.

Each answer has a `fraction` (0..1, default 1) and optional feedback. Comparison ignores case unless
`case_sensitive` is true, and collapses runs of whitespace and trims both ends. In an answer, `*`
stands for any run of characters (Moodle's wildcard) and `\\*` for a literal star. The score is the
highest fraction among the answers that match; its feedback is shown. The response is the typed text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from quizzes.engine.kinds.base import BaseKind, ItemDict, ItemKind
from quizzes.engine.kinds.checks import is_text
from quizzes.engine.result import INVALID, CheckResult, Variant, Widget
from quizzes.engine.templates import fill

ANSWER_FIELDS = frozenset({"text", "fraction", "feedback"})
# A literal star is written `\*`; a bare `*` is the wildcard.
_PIECES = re.compile(r"\\\*|\*|[^*\\]+|\\")


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces and trimmed at both ends."""
    return " ".join(str(text).split())


@lru_cache(maxsize=512)
def _pattern(answer: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = []
    for piece in _PIECES.findall(normalise(answer)):
        if piece == "*":
            parts.append(".*")
        elif piece == "\\*":
            parts.append(re.escape("*"))
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts), 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def answer_matches(answer: str, response: str, case_sensitive: bool = False) -> bool:
    """Whether `response` matches the accepted `answer` (wildcards, case and whitespace rules applied)."""
    return _pattern(answer, case_sensitive).fullmatch(normalise(response)) is not None


def example_text(answer: str) -> str:
    """A response that the answer accepts: wildcards dropped, `\\*` as a star."""
    pieces = _PIECES.findall(normalise(answer))
    return normalise("".join("*" if piece == "\\*" else "" if piece == "*" else piece for piece in pieces))


def fraction_of(answer: dict[str, Any]) -> float:
    return float(answer.get("fraction", 1.0))


class ShortAnswerKind(BaseKind):
    kind = ItemKind.SHORTANSWER
    fields = frozenset({"answers", "case_sensitive"})
    widget = Widget.TEXT
    example = """\
# Accepted answers, each with a fraction of the marks (0..1, default 1) and optional feedback.
# Case is ignored unless case_sensitive is true; spaces are normalised; * matches any characters.
answers:
  - text: RMSProp
  - text: RMS*prop
    feedback: Accepted; the usual spelling is RMSProp.
  - text: AdaGrad
    fraction: 0.25
    feedback: Close, but AdaGrad sums squared gradients forever instead of averaging them.
  - text: Adam
    fraction: 0
    feedback: Adam also keeps a running average of the gradients (momentum).
case_sensitive: false  # default false
"""

    def problems(self, item: ItemDict) -> list[str]:
        answers = item.get("answers")
        if not isinstance(answers, list) or not answers:
            return ["answers: need a list of at least one accepted answer"]
        problems = []
        for index, answer in enumerate(answers):
            where = f"answers[{index}]"
            if not isinstance(answer, dict) or not is_text(answer.get("text")):
                problems.append(f"{where}: needs a `text`")
                continue
            if len(str(answer["text"])) > 500:
                problems.append(f"{where}.text: at most 500 characters")
            fraction = answer.get("fraction", 1.0)
            if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 <= fraction <= 1:
                problems.append(f"{where}.fraction: must be a number from 0 to 1")
            if "feedback" in answer and not isinstance(answer["feedback"], str):
                problems.append(f"{where}.feedback: must be text")
            problems += [f"{where}.{field}: unknown field" for field in sorted(set(answer) - ANSWER_FIELDS)]
        if problems:
            return problems
        full = [answer for answer in answers if fraction_of(answer) >= 1]
        if not full:
            problems.append("answers: at least one answer needs fraction 1 (full marks)")
        elif not any(example_text(answer["text"]) for answer in full):
            problems.append("answers: a full-marks answer needs more than wildcards, so a key can be shown")
        texts = [normalise(answer["text"]) for answer in answers]
        if len(set(texts)) != len(texts):
            problems.append("answers: two answers have the same text")
        if "case_sensitive" in item and not isinstance(item["case_sensitive"], bool):
            problems.append("case_sensitive: must be true or false")
        return problems

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        answers = list(item.get("answers") or [])
        correct_answer = self.answer_key(item, variant)
        if not isinstance(response, str) or not normalise(response):
            return CheckResult(INVALID, 0.0, ["Type an answer."], correct_answer=correct_answer)
        case_sensitive = bool(item.get("case_sensitive", False))
        matching = [answer for answer in answers if answer_matches(answer["text"], response, case_sensitive)]
        best = max(matching, key=fraction_of, default=None)  # max keeps the first of equal fractions
        score = fraction_of(best) if best is not None else 0.0
        feedback = [fill(str(best["feedback"]), variant.values)] if best and best.get("feedback") else []
        details = {"matched": best["text"] if best is not None else None}
        return self.result_for_score(item, variant, score, feedback, correct_answer, details)

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return next(example_text(a["text"]) for a in item["answers"] if fraction_of(a) >= 1)

    def answer_key(self, item: ItemDict, variant: Variant) -> str:
        full = [example_text(a["text"]) for a in item.get("answers") or [] if fraction_of(a) >= 1]
        return " or ".join(dict.fromkeys(full))


HANDLER = ShortAnswerKind()
