"""Moodle's calculated-question formulas to and from our template expressions.

Moodle writes a formula as PHP arithmetic over `{wildcards}`: `{a} * pow({b}, 2) + sqrt({c}) / pi()`.
Ours is `a * b^2 + sqrt(c) / pi` (`quizzes/engine/expressions.py`). Both are read into one small tree
(numbers, parameters, pi, calls, unary minus, + - * /, powers) and written out with only the parentheses
precedence needs, so formula → expression → formula → expression is stable.

Nothing is evaluated here. A Moodle formula using anything outside the shared arithmetic (`%`, `?:`,
comparisons, `^`, which is PHP's bitwise XOR and refused by recent Moodle, or a function such as `tan`
or `round` our expressions lack) raises `FormulaError` saying what, and the question is reported.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass

from quizzes.engine.expressions import (
    AUTHOR_FUNCTIONS,
    MAX_EXPRESSION_LENGTH,
    MAX_NESTING,
    MAX_TREE_DEPTH,
    ExpressionError,
    Token,
    tokenize,
)
from quizzes.engine.templates import RESERVED_NAMES

# Longer than our own expressions may be, for the braces and pow( ) a Moodle formula spells out.
MAX_FORMULA_LENGTH = 2 * MAX_EXPRESSION_LENGTH
# A Moodle wildcard, as its own formula check finds them: a letter, then anything but } > < space and quotes.
WILDCARD_RE = re.compile(r"\{([A-Za-z][^>}<{\"' ]*)\}")
_MOODLE_TOKEN_RE = re.compile(
    r"""(?P<space>\s+)
      | (?P<wildcard>\{[A-Za-z][^>}<{"' ]*\})
      | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>\*\*|[-+*/(),])""",
    re.VERBOSE,
)
# Moodle (PHP) functions with the same meaning here, by Moodle name -> our name.
_SAME_FUNCTIONS = {
    name: name for name in ("sqrt", "exp", "log", "abs", "min", "max", "floor", "ceil", "cos", "sin")
}
_ARGUMENT_COUNTS = {
    "log": (1, 2),
    "min": (2, 99),
    "max": (2, 99),
    "pow": (2, 2),
    "pi": (0, 0),
    "log10": (1, 1),
}


class FormulaError(ValueError):
    """The formula uses something the other side cannot express; the message names it."""


# -- the tree -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    kind: str  # number, param, pi, call, neg, binary, power
    text: str = ""  # the number, parameter name, function name or operator
    parts: tuple[Node, ...] = ()
    depth: int = 1

    def __post_init__(self) -> None:
        # Built bottom-up without recursion; writing a tree walks it recursively, so its depth is bounded.
        depth = 1 + max((part.depth for part in self.parts), default=0)
        if depth > MAX_TREE_DEPTH:
            raise FormulaError(f"the formula has more than {MAX_TREE_DEPTH} operations inside one another")
        object.__setattr__(self, "depth", depth)


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_UNARY, _POWER, _ATOM = 3, 4, 5


def _precedence(node: Node) -> int:
    if node.kind == "binary":
        return _PRECEDENCE[node.text]
    return {"neg": _UNARY, "power": _POWER}.get(node.kind, _ATOM)


class _Parser:
    """Recursive descent over (kind, text) tokens: kinds number, param, pi, function, op."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.position, self.depth = tokens, 0, 0

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens) or (expected is not None and self.peek() != expected):
            raise FormulaError("the formula could not be read (check its operators and parentheses)")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def whole(self) -> Node:
        node = self.sum()
        if self.position != len(self.tokens):
            raise FormulaError(f"unexpected {self.peek()!r} in the formula")
        return node

    def sum(self) -> Node:
        return self.left_associative(("+", "-"), self.product)

    def product(self) -> Node:
        return self.left_associative(("*", "/"), self.unary)

    def left_associative(self, operators: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        """`operand (operator operand)*`, grouped from the left: a - b - c is (a - b) - c."""
        node = operand()
        while self.peek() in operators:
            operator = self.take()[1]
            node = Node("binary", operator, (node, operand()))
        return node

    def unary(self) -> Node:
        signs = []
        while self.peek() in ("-", "+"):  # a loop: a long run of signs costs no recursion
            signs.append(self.take()[1])
        node = self.power()
        return Node("neg", "-", (node,)) if signs.count("-") % 2 else node  # --x is x

    def power(self) -> Node:
        base = self.atom()
        if self.peek() in ("**", "^"):
            self.take()
            return Node("power", "", (base, self.unary()))
        return base

    def atom(self) -> Node:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise FormulaError(f"the formula is nested more than {MAX_NESTING} levels deep")
        node = self._atom()
        self.depth -= 1
        return node

    def _atom(self) -> Node:
        kind, text = self.take()
        if kind in ("number", "param", "pi"):
            return Node(kind, text)
        if kind == "function":
            self.take("(")
            arguments: list[Node] = []
            if self.peek() != ")":
                arguments.append(self.sum())
                while self.peek() == ",":
                    self.take()
                    arguments.append(self.sum())
            self.take(")")
            return _call(text, arguments)
        if text == "(":
            node = self.sum()
            self.take(")")
            return node
        raise FormulaError(f"unexpected {text!r} in the formula")


def _call(name: str, arguments: list[Node]) -> Node:
    low, high = _ARGUMENT_COUNTS.get(name, (1, 1))
    if not low <= len(arguments) <= high:
        raise FormulaError(f"{name}() takes {low if low == high else f'{low} to {high}'} argument(s)")
    if name == "pi":
        return Node("pi")
    if name == "pow":
        return Node("power", "", (arguments[0], arguments[1]))
    if name == "log10":
        return Node("call", "log", (arguments[0], Node("number", "10")))
    return Node("call", name, tuple(arguments))


# -- Moodle -> ours ------------------------------------------------------------------------------------


def parameter_name(wildcard: str) -> str | None:
    """Our parameter name for a Moodle wildcard name: the same, with `_` added to a Python keyword or a
    reserved name (`lambda` → `lambda_`); None when it is no identifier at all (`{a.b}`)."""
    if not wildcard.isidentifier() or wildcard.startswith("_"):
        return None
    if keyword.iskeyword(wildcard) or wildcard in RESERVED_NAMES or wildcard in AUTHOR_FUNCTIONS:
        return f"{wildcard}_"
    return wildcard


def moodle_tokens(formula: str) -> list[tuple[str, str]]:
    for symbol in ("^", "%", "?", ":", "<", ">", "=", "!", "~", "&", "|"):
        if symbol in formula:
            if symbol == "^":
                raise FormulaError(
                    "the operator '^' is bitwise XOR in Moodle's formulas (powers are pow() or **); "
                    "Descent's expressions have no such operator"
                )
            raise FormulaError(f"the operator {symbol!r} has no equivalent in Descent's expressions")
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(formula):
        match = _MOODLE_TOKEN_RE.match(formula, position)
        if not match:
            raise FormulaError(f"unexpected {formula[position]!r} in the formula")
        position = match.end()
        kind, text = match.lastgroup or "", match.group()
        if kind == "space":
            continue
        if kind == "wildcard":
            name = parameter_name(text[1:-1])
            if name is None:
                raise FormulaError(f"the wildcard {text} is not a usable parameter name")
            tokens.append(("param", name))
        elif kind == "name":
            lowered = text.lower()  # PHP function names ignore case
            if lowered not in _SAME_FUNCTIONS and lowered not in _ARGUMENT_COUNTS:
                raise FormulaError(f"the function {text}() has no equivalent in Descent's expressions")
            tokens.append(("function", lowered))
        else:
            tokens.append((kind, text))
    return tokens


def from_moodle(formula: str) -> str:
    """Our expression for a Moodle formula, or FormulaError."""
    if not formula.strip():
        raise FormulaError("the formula is empty")
    if len(formula) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_FORMULA_LENGTH} characters")
    return _ours(_Parser(moodle_tokens(formula)).whole())


def _ours(node: Node) -> str:
    return _write(node, _ours_leaf)


def _ours_leaf(node: Node) -> str:
    if node.kind == "pi":
        return "pi"
    if node.kind == "power":
        base, exponent = node.parts
        return f"{_wrapped(base, _ATOM, _ours)}^{_wrapped(exponent, _ATOM, _ours)}"
    if node.kind == "call":
        return f"{node.text}({', '.join(_ours(part) for part in node.parts)})"
    return node.text


# -- ours -> Moodle ------------------------------------------------------------------------------------


def to_moodle(expression: str, names: tuple[str, ...]) -> str:
    """Moodle's formula for our expression over the parameters `names`, or FormulaError."""
    try:
        tokens = tokenize(expression, names, tuple(AUTHOR_FUNCTIONS))
    except ExpressionError as error:
        raise FormulaError(str(error)) from error
    return _moodle(_Parser([_pair(token) for token in tokens]).whole())


def _pair(token: Token) -> tuple[str, str]:
    if token.kind == "name":
        return ("param", token.text)
    if token.kind == "constant":
        return ("pi", "pi")
    return (token.kind, token.text)


def _moodle(node: Node) -> str:
    return _write(node, _moodle_leaf)


def _moodle_leaf(node: Node) -> str:
    if node.kind == "param":
        return f"{{{node.text}}}"
    if node.kind == "pi":
        return "pi()"
    if node.kind == "power":
        return f"pow({_moodle(node.parts[0])}, {_moodle(node.parts[1])})"
    if node.kind == "call":
        return f"{node.text}({', '.join(_moodle(part) for part in node.parts)})"
    return node.text


# -- writing either side -------------------------------------------------------------------------------


def _write(node: Node, leaf) -> str:
    if node.kind == "binary":
        left, right = node.parts
        own = _PRECEDENCE[node.text]
        spacer = " " if own == 1 else ""
        write = lambda part: _write(part, leaf)  # noqa: E731
        left_text = _wrapped(left, own, write)
        right_text = _wrapped(right, own + 1, write)
        return f"{left_text}{spacer}{node.text}{spacer}{right_text}"
    if node.kind == "neg":
        return f"-{_wrapped(node.parts[0], _UNARY, lambda part: _write(part, leaf))}"
    return leaf(node)


def _wrapped(node: Node, needed: int, write) -> str:
    """`node` written, in parentheses when it binds less tightly than `needed`."""
    text = write(node)
    return f"({text})" if _precedence(node) < needed else text
