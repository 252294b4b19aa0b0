"""cloze items (Moodle's embedded answers): numeric, choice and short-answer blanks inside the stem.

The stem holds the blanks in Moodle's syntax (`quizzes/engine/cloze.py` parses it). Each blank is
scored on its own: the best fraction among the answers it matches (numeric: value ± tolerance, or
`*`; text: Moodle's wildcard and case rules, as short text answers; choice: the picked answer's
fraction, never below 0; several picks (MULTIRESPONSE, check boxes): Moodle's rule, the sum of the
ticked answers' worth from `multi_fractions`, from 0 to 1). The item's score is the weighted mean of
its blanks (`{2:...}` counts twice). Every blank gets its own feedback line. The response maps a
blank's number ("1", "2", ...) to the typed text or the picked choice's id, or to the list of ticked
choice ids; one unreadable number makes the whole response invalid (nothing is lost: the student
fixes it and submits again), as in tables.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from quizzes.engine.cloze import (
    CHOICE,
    MULTI,
    NUMERIC,
    Blank,
    ParsedCloze,
    multi_fractions,
    multi_score,
    numeric_accepts,
    parse_cloze,
)
from quizzes.engine.common import shuffled, stable_id
from quizzes.engine.kinds.base import BaseKind, FormData, ItemDict, ItemKind
from quizzes.engine.kinds.shortanswer import answer_matches, example_text
from quizzes.engine.numbers import NumberFormatError, parse_number
from quizzes.engine.result import INVALID, CheckResult, RenderedItem, Variant, Widget, status_for_score

BLANK_PREFIX = "blank-"
# What stands for a blank in the rendered stem; the page puts the blank's input in its place.
MARKER = "⟦blank-{number}⟧"
MARKER_START = "⟦blank-"


def blank_marker(number: int) -> str:
    return MARKER.format(number=number)


def parsed(item: ItemDict) -> ParsedCloze:
    return parse_cloze(item.get("stem", ""))


def choice_id(answer_text: str) -> str:
    return stable_id("c", answer_text.strip())


def _blank_label(blank: Blank, count: int) -> str:
    return f"Blank {blank.number} of {count}"


def _full_answer(blank: Blank) -> str:
    return next(answer.text for answer in blank.answers if answer.fraction >= 1)


def _right_picks(blank: Blank) -> list[str]:
    """The answers of a several-picks blank that are worth ticking (together they score 1)."""
    return [a.text for a, worth in zip(blank.answers, multi_fractions(blank), strict=True) if worth > 0]


def _answered(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(part, str) and part.strip() for part in value)
    return isinstance(value, str) and bool(value.strip())


class ClozeKind(BaseKind):
    kind = ItemKind.CLOZE
    fields = frozenset()
    widget = Widget.CLOZE
    example = """\
# The blanks live in the stem, in Moodle's embedded-answers syntax, for example:
#   Adam's default beta1 is {1:NUMERICAL:=0.9:0.005#Right~%50%0.99:0.005#That is beta2}
#   and it averages the {2:MULTICHOICE:=gradients#Yes~squared gradients#That is beta2's job}
#   in a quantity usually called {1:SHORTANSWER:=m#Right~%50%*momentum*#Half marks: its symbol is m}.
# {weight:TYPE:answers}: answers separated by ~, = marks full marks, %50% half, #feedback after.
# Types: NUMERICAL (value:tolerance), SHORTANSWER / SHORTANSWER_C (case-sensitive),
# MULTICHOICE (menu), MULTICHOICE_V / MULTICHOICE_H (radio buttons), _S variants shuffle;
# MULTIRESPONSE / MULTIRESPONSE_H (check boxes: several picks, e.g. {1:MR:=Adam~=RMSProp~SGD}).
"""

    def problems(self, item: ItemDict) -> list[str]:
        stem = item.get("stem")
        if not isinstance(stem, str):
            return []  # the common check reports the missing stem
        if MARKER_START in stem:
            return [f"stem: '{MARKER_START}' is reserved for the page's blanks"]
        return [f"stem: {error}" for error in parse_cloze(stem).errors]

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem:
        rendered = self.base_rendering(item, variant)
        cloze = parsed(item)
        pieces = [cloze.pieces[0]]
        blanks = []
        for blank, piece in zip(cloze.blanks, cloze.pieces[1:], strict=True):
            pieces += [blank_marker(blank.number), piece]
            entry: dict[str, Any] = {
                "number": blank.number,
                "label": _blank_label(blank, len(cloze.blanks)),
                "type": blank.kind,
                "display": blank.type.display,
            }
            if blank.kind in (CHOICE, MULTI):
                answers = list(blank.answers)
                if blank.type.shuffle:
                    answers = shuffled(answers, variant.seed, f"blank{blank.number}|{item.get('key')}")
                entry["choices"] = [{"id": choice_id(a.text), "text": a.text} for a in answers]
            else:
                longest = max(len(answer.text) for answer in blank.answers)
                entry["size"] = max(6, min(30, longest + 2))
            blanks.append(entry)
        rendered.stem = "".join(pieces)
        rendered.blanks = blanks
        return rendered

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        cloze = parsed(item)
        correct_answer = self.answer_key(item, variant)
        if not isinstance(response, dict) or not any(_answered(value) for value in response.values()):
            return CheckResult(INVALID, 0.0, ["Fill in at least one blank."], correct_answer=correct_answer)
        unreadable: list[str] = []
        judged: list[tuple[Blank, float, str]] = []
        for blank in cloze.blanks:
            typed = response.get(str(blank.number), "")
            if blank.kind == MULTI:
                blank_score, blank_feedback, problem = _judge_picks(blank, typed)
            else:
                blank_score, blank_feedback, problem = _judge(
                    blank, typed.strip() if isinstance(typed, str) else ""
                )
            if problem:
                unreadable.append(f"Blank {blank.number}: {problem}")
            judged.append((blank, blank_score, blank_feedback))
        if unreadable:
            return CheckResult(INVALID, 0.0, unreadable, correct_answer=correct_answer)
        total_weight = sum(blank.weight for blank in cloze.blanks)
        score = sum(blank_score * blank.weight for blank, blank_score, _ in judged) / total_weight
        feedback = [
            f"Blank {blank.number}: {_verdict(status_for_score(blank_score).value)}"
            + (f" {blank_feedback}" if blank_feedback else "")
            for blank, blank_score, blank_feedback in judged
        ]
        details = {
            "blanks": [
                {
                    "number": blank.number,
                    "weight": blank.weight,
                    "score": blank_score,
                    "status": status_for_score(blank_score).value,
                    "feedback": blank_feedback,
                }
                for blank, blank_score, blank_feedback in judged
            ]
        }
        return self.result_for_score(item, variant, score, feedback, correct_answer, details)

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        response: dict[str, Any] = {}
        for blank in parsed(item).blanks:
            if blank.kind == MULTI:
                response[str(blank.number)] = [choice_id(text) for text in _right_picks(blank)]
                continue
            full = _full_answer(blank)
            if blank.kind == CHOICE:
                response[str(blank.number)] = choice_id(full)
            elif blank.kind == NUMERIC:
                response[str(blank.number)] = full
            else:
                response[str(blank.number)] = next(
                    example_text(a.text) for a in blank.answers if a.fraction >= 1 and example_text(a.text)
                )
        return response

    def answer_key(self, item: ItemDict, variant: Variant) -> str:
        lines = []
        for blank in parsed(item).blanks:
            if blank.kind == MULTI:
                lines.append(f"- Blank {blank.number}: tick " + " and ".join(_right_picks(blank)))
                continue
            full = [a.text for a in blank.answers if a.fraction >= 1]
            if blank.kind not in (CHOICE, NUMERIC):
                full = [example_text(text) for text in full if example_text(text)]
            elif blank.kind == NUMERIC:
                full = [
                    a.text + (f" ± {a.tolerance:g}" if a.tolerance else "")
                    for a in blank.answers
                    if a.fraction >= 1 and a.text != "*"
                ]
            lines.append(f"- Blank {blank.number}: " + " or ".join(dict.fromkeys(full)))
        return "\n".join(lines)

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        response: dict[str, Any] = {}
        for blank in rendered.get("blanks") or []:
            name = f"{BLANK_PREFIX}{blank['number']}"
            if blank.get("type") == MULTI:
                limit = len(blank.get("choices") or [])
                response[str(blank["number"])] = [str(value)[:100] for value in form.getlist(name)[:limit]]
            else:
                response[str(blank["number"])] = str(form.get(name, ""))[:500]
        return response


def _verdict(status: str) -> str:
    return {"correct": "correct.", "partial": "partly correct.", "incorrect": "incorrect."}.get(status, "")


def _judge_picks(blank: Blank, picked: Any) -> tuple[float, str, str]:
    """(score, feedback, problem) for a several-picks blank: the ticked choices' ids, in any order."""
    if isinstance(picked, str):  # one ticked box, as a form with a single value gives it
        picked = [picked] if picked.strip() else []
    if not picked:
        return 0.0, "", ""
    if not isinstance(picked, list) or not all(isinstance(value, str) for value in picked):
        return 0.0, "", "tick some of the listed answers."
    index_of = {choice_id(answer.text): index for index, answer in enumerate(blank.answers)}
    if any(value not in index_of for value in picked):
        return 0.0, "", "tick only the listed answers."
    ticked = {index_of[value] for value in picked}
    feedback = " ".join(blank.answers[i].feedback for i in sorted(ticked) if blank.answers[i].feedback)
    return multi_score(blank, ticked), feedback, ""


def _judge(blank: Blank, typed: str) -> tuple[float, str, str]:
    """(score, feedback, problem) for one blank; a problem makes the response unreadable."""
    if not typed:
        return 0.0, "", ""
    if blank.kind == CHOICE:
        picked = next((a for a in blank.answers if choice_id(a.text) == typed), None)
        if picked is None:
            return 0.0, "", "pick one of the listed answers."
        return max(0.0, picked.fraction), picked.feedback, ""
    if blank.kind == NUMERIC:
        try:
            value = parse_number(typed)
        except NumberFormatError as error:
            return 0.0, "", str(error)
        matching = [a for a in blank.answers if numeric_accepts(a, Fraction(value))]
    else:
        matching = [a for a in blank.answers if answer_matches(a.text, typed, blank.type.case_sensitive)]
    best = max(matching, key=lambda answer: answer.fraction, default=None)
    if best is None:
        return 0.0, "", ""
    return max(0.0, best.fraction), best.feedback, ""


HANDLER = ClozeKind()
