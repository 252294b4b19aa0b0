"""symbolic items: the student types an expression over the item's `symbols`.

Parsing, typesetting and equivalence live in `quizzes/engine/symbolic.py` (and the parser in
`expressions.py`); this module is the kind: its validation, rendering, checking and key.
"""

from __future__ import annotations

import keyword
from typing import Any

from quizzes.engine.common import misconception_label
from quizzes.engine.expressions import STUDENT_FUNCTIONS, ExpressionError, parse_expression
from quizzes.engine.kinds.base import BaseKind, ItemDict, ItemKind
from quizzes.engine.kinds.checks import misconception_problems
from quizzes.engine.result import CORRECT, INCORRECT, INVALID, CheckResult, RenderedItem, Variant, Widget
from quizzes.engine.symbolic import compare, latex_as_written, parse_key, student_plain_text, symbols_of
from quizzes.engine.templates import fill


class SymbolicKind(BaseKind):
    kind = ItemKind.SYMBOLIC
    fields = frozenset({"symbols", "answer", "misconceptions"})
    widget = Widget.EXPRESSION
    example = """\
# Students may use only these symbols, plus sqrt, exp, log and abs.
symbols: [beta, eta, g0, g1, g2]
answer: beta**2*eta*g0 + beta*eta*g1 + eta*g2
misconceptions:
  - answer: eta*(g0 + g1 + g2)
    feedback: Each older gradient is discounted by one more factor of beta.
"""

    def problems(self, item: ItemDict) -> list[str]:
        symbols = item.get("symbols")
        problems = []
        if not isinstance(symbols, list) or not symbols:
            return ["symbols: need a non-empty list of names the student may use"]
        for symbol in symbols:
            if (
                not isinstance(symbol, str)
                or not symbol.isidentifier()
                or keyword.iskeyword(symbol)
                or "__" in symbol
            ):
                problems.append(f"symbols: {symbol!r} is not a usable name")
            elif symbol in STUDENT_FUNCTIONS:
                problems.append(f"symbols: {symbol!r} is a function name")
        if len(set(map(str, symbols))) != len(symbols):
            problems.append("symbols: a name is listed twice")
        if problems:
            return problems
        try:
            key = parse_key(item, item.get("answer"))
        except ExpressionError as error:
            return [f"answer: {error}"]

        def answer_problems(misconception: dict[str, Any], where: str) -> list[str]:
            try:
                wrong = parse_key(item, misconception.get("answer"))
            except ExpressionError as error:
                return [f"{where}.answer: {error}"]
            if compare(wrong, key, "validation")[0]:
                return [f"{where}.answer: is equivalent to the key, so it can never match"]
            return []

        return misconception_problems(item, answer_problems)

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem:
        rendered = self.base_rendering(item, variant)
        rendered.symbols = list(symbols_of(item))
        return rendered

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        key = parse_key(item, item.get("answer"))
        correct_answer = self.answer_key(item, variant)
        try:
            plain = student_plain_text(item, response)
            given = parse_expression(plain, symbols_of(item), tuple(STUDENT_FUNCTIONS))
        except ExpressionError as error:
            return CheckResult(INVALID, 0.0, [str(error)])
        salt = f"{item.get('key')}|{item.get('answer')}"
        details: dict[str, Any] = {"latex": latex_as_written(item, plain)}
        equivalent, method = compare(given, key, salt)
        details["method"] = method
        if method == "numeric" and equivalent:
            details["note"] = (
                "Agreed at every sampled point; the symbolic check was skipped or did not finish in time."
            )
        explanation = self.explanation(item, variant)
        if equivalent:
            return CheckResult(CORRECT, 1.0, [], None, correct_answer, explanation, details)
        for index, misconception in enumerate(item.get("misconceptions") or []):
            try:
                wrong = parse_key(item, misconception.get("answer"))
            except ExpressionError:
                continue
            if compare(given, wrong, f"{salt}|{index}")[0]:
                feedback = (
                    [fill(str(misconception["feedback"]), variant.values)]
                    if misconception.get("feedback")
                    else []
                )
                label = misconception_label(misconception, index)
                return CheckResult(INCORRECT, 0.0, feedback, label, correct_answer, explanation, details)
        return CheckResult(INCORRECT, 0.0, [], None, correct_answer, explanation, details)

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        return str(item["answer"])

    def answer_key(self, item: ItemDict, variant: Variant) -> str:
        # Straight from the key: checking the key against itself would run the simplifier for nothing.
        return f"${latex_as_written(item, item.get('answer'))}$"


HANDLER = SymbolicKind()
