"""Safe parsing of arithmetic expressions into SymPy.

Used for template answers and constraints written by authors and, after the LaTeX-like
layer in `symbolic.py`, for expressions typed by students. Nothing here calls `eval`,
`sympify` or `parse_expr` on the raw text: the text is first cut into tokens by a strict
tokenizer (numbers, names, + - * / ** ^, parentheses and, for constraints, comparisons);
every name must be in the caller's whitelist; the tokens are then re-emitted as canonical
code in which every name is replaced by a generated identifier bound to a SymPy object, and
only that code goes through SymPy's `parse_expr`, with empty builtins. Attributes, strings,
brackets, commas, lambdas, dunder names and keywords cannot get through the tokenizer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import cast

import sympy
from sympy.parsing.sympy_parser import parse_expr

from quizzes.engine.numbers import exact

MAX_EXPRESSION_LENGTH = 500
MAX_NESTING = 12
MAX_TOKENS = 400
MAX_EXPONENT_VALUE = 100
# Size estimates (see `estimate_size`): refuse before SymPy evaluates anything.
MAX_MAGNITUDE_DIGITS = 1000  # no value (or exact intermediate) beyond 10**±1000
MAX_TREE_DEPTH = 60  # operators and calls nested inside one another
TOO_LARGE_MESSAGE = "This expression is too large to evaluate; simplify it first."

# Functions a student may use in symbolic answers.
STUDENT_FUNCTIONS = {"sqrt": sympy.sqrt, "exp": sympy.exp, "log": sympy.log, "abs": sympy.Abs}
# Authors additionally get rounding and extrema in template expressions and constraints.
AUTHOR_FUNCTIONS = {
    **STUDENT_FUNCTIONS,
    "min": sympy.Min,
    "max": sympy.Max,
    "floor": sympy.floor,
    "ceil": sympy.ceiling,
    # Periodic schedules (cosine annealing) need these; they evaluate to plain numbers.
    "cos": sympy.cos,
    "sin": sympy.sin,
    "pi": sympy.pi,
}
# Whitelisted names that stand for a number rather than a function: no parentheses follow them.
CONSTANTS = frozenset({"pi"})
_TWO_ARGUMENT_FUNCTIONS = {"min", "max"}

_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|<=|>=|==|!=|[-+*/^()<>,])
    """,
    re.VERBOSE,
)
_RELATIONS = {"<": sympy.StrictLessThan, "<=": sympy.LessThan, ">": sympy.StrictGreaterThan,
              ">=": sympy.GreaterThan, "==": sympy.Eq, "!=": sympy.Ne}  # fmt: skip
_BINARY = {"+", "-", "*", "/", "**", "^"}


class ExpressionError(ValueError):
    """The text is not an acceptable expression; the message says what to fix."""


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "constant", "function", "op"
    text: str


def tokenize(
    text: str, symbols: tuple[str, ...], functions: tuple[str, ...], relations: bool = False
) -> list[Token]:
    """Cut `text` into whitelisted tokens, with implicit multiplication made explicit."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"The expression is too long (at most {MAX_EXPRESSION_LENGTH} characters).")
    raw: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if not match:
            char = text[position]
            raise ExpressionError(f"Unexpected character {char!r} at position {position + 1}.")
        position = match.end()
        kind = cast(str, match.lastgroup)  # every alternative of the pattern is a named group
        value = match.group()
        if kind == "space":
            continue
        if kind == "name":
            raw.extend(_resolve_name(value, symbols, functions))
        elif kind == "op" and value in _RELATIONS and not relations:
            raise ExpressionError(f"Comparisons like {value!r} are not allowed in an expression.")
        elif kind == "op" and value == "," and not any(f in _TWO_ARGUMENT_FUNCTIONS for f in functions):
            raise ExpressionError("Unexpected ','. Use a dot for decimals, and write products with *.")
        else:
            raw.append(Token(kind, value))
    if len(raw) > MAX_TOKENS:
        raise ExpressionError("The expression is too long.")
    tokens = _insert_implicit_products(raw)
    _check_structure(tokens)
    estimate_size(tokens)
    return tokens


def _resolve_name(name: str, symbols: tuple[str, ...], functions: tuple[str, ...]) -> list[Token]:
    if "__" in name or name.startswith("_"):
        raise ExpressionError(f"{name!r} is not allowed.")
    if name in functions and name not in CONSTANTS:
        return [Token("function", name)]
    if name in symbols:
        return [Token("name", name)]
    if name in functions:  # a constant such as pi; a parameter of the same name wins above
        return [Token("constant", name)]
    # "g_0" for a symbol g0: subscripts typed with an underscore.
    compact = name.replace("_", "")
    compact_symbols = {symbol.replace("_", ""): symbol for symbol in symbols}
    if compact in compact_symbols:
        return [Token("name", compact_symbols[compact])]
    # "betaeta" or "etag0": a product of known symbols written without spaces.
    pieces = _split_into_symbols(compact, tuple(sorted(compact_symbols, key=len, reverse=True)))
    if pieces:
        return [Token("name", compact_symbols[piece]) for piece in pieces]
    allowed = ", ".join(sorted(symbols)) or "no names at all (numbers only)"
    raise ExpressionError(f"Unknown symbol {name!r}: use one of {allowed}.")


def _split_into_symbols(name: str, candidates: tuple[str, ...]) -> list[str] | None:
    """Cut `name` into known symbols, preferring longer ones first; None if it cannot be done.

    Dynamic programming over suffixes keeps this linear-ish even for adversarial names.
    """
    splits: list[list[str] | None] = [None] * len(name) + [[]]
    for start in range(len(name) - 1, -1, -1):
        for candidate in candidates:
            end = start + len(candidate)
            if candidate and name.startswith(candidate, start) and (rest := splits[end]) is not None:
                splits[start] = [candidate, *rest]
                break
    return splits[0]


def _insert_implicit_products(tokens: list[Token]) -> list[Token]:
    result: list[Token] = []
    for token in tokens:
        if result:
            previous = result[-1]
            ends_operand = previous.kind in {"number", "name", "constant"} or previous.text == ")"
            starts_operand = token.kind in {"number", "name", "constant", "function"} or token.text == "("
            if ends_operand and starts_operand:
                if previous.kind == "number" and token.kind == "number":
                    raise ExpressionError(f"An operator is missing between {previous.text} and {token.text}.")
                result.append(Token("op", "*"))
        result.append(token)
    return result


def _check_structure(tokens: list[Token]) -> None:
    """Catch the usual slips with a message that says what to fix."""
    if not tokens:
        raise ExpressionError("Enter an expression.")
    depth = 0
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.text == "(":
            depth += 1
            if depth > MAX_NESTING:
                raise ExpressionError(f"The expression is nested too deeply (at most {MAX_NESTING} levels).")
            if following is not None and following.text == ")":
                raise ExpressionError("There is an empty pair of parentheses '()'.")
        elif token.text == ")":
            depth -= 1
            if depth < 0:
                raise ExpressionError("Unbalanced parentheses: a ')' has no matching '('.")
        elif token.kind == "function":
            if following is None or following.text != "(":
                raise ExpressionError(f"Write {token.text} with parentheses, e.g. {token.text}(x).")
        elif token.kind == "op" and token.text != ",":
            if following is None:
                raise ExpressionError(
                    f"The expression ends with {token.text!r}: something is missing after it."
                )
            if following.kind == "op" and following.text not in {"(", "+", "-"}:
                raise ExpressionError(
                    f"{token.text!r} is followed by {following.text!r}: an operand is missing."
                )
            starts = (
                index == 0 or tokens[index - 1].text in {"(", ","} or tokens[index - 1].text in _RELATIONS
            )
            if starts and token.text not in {"+", "-", "("}:
                raise ExpressionError(f"{token.text!r} needs something on its left.")
        elif token.text == ",":
            if following is None or following.text in {")", ","}:
                raise ExpressionError("A ',' must be followed by an argument.")
    if depth > 0:
        raise ExpressionError("Unbalanced parentheses: a '(' is never closed.")
    relation_count = sum(1 for token in tokens if token.text in _RELATIONS)
    if relation_count > 1:
        raise ExpressionError("Use one comparison per constraint.")


# --- size estimates ---------------------------------------------------------------------------
#
# Before SymPy sees an expression, a small recursive-descent pass over the tokens estimates how
# big every subexpression can get, as an interval [low, high] of log10|value|, and refuses the
# expression if any bound passes MAX_MAGNITUDE_DIGITS. It never computes a value, so it is cheap
# whatever the input: (((10^100)^100)^100)^100 (10**100000000), exp(exp(exp(100*eta))) and
# 10^100^100 are refused in microseconds. Symbols are taken in the range answers are sampled in
# ([0.15, 1.85], see symbolic.py); sums ignore cancellation. It is an estimate, meant to refuse
# absurd expressions, not to bound every value: the worker process limits do the rest.

_SYMBOL_RANGE = (math.log10(0.15), math.log10(1.85))
_LOG10_E = math.log10(math.e)
_LN_10 = math.log(10)


@dataclass(frozen=True)
class _Size:
    low: float  # bounds on log10|value|
    high: float
    value: float | None = None  # the value of a small constant subexpression, when known
    has_power: bool = False  # contains an explicit ^ or **

    @property
    def digits(self) -> float:
        return max(abs(self.low), abs(self.high))


def _power_of_ten(exponent: float) -> float:
    """10**exponent, inf instead of an OverflowError."""
    return math.inf if exponent > 300 else 10.0**exponent


def _constant_size(value: float) -> _Size:
    if value == 0:
        return _Size(0.0, 0.0, 0.0)
    magnitude = math.log10(abs(value))
    return _Size(magnitude, magnitude, value)


class _SizeEstimate:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.position].text if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> Token:
        if self.position >= len(self.tokens) or expected not in {None, self.tokens[self.position].text}:
            raise ExpressionError("The expression could not be read; check the operators and parentheses.")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def checked(self, size: _Size) -> _Size:
        if not size.digits <= MAX_MAGNITUDE_DIGITS:  # also catches nan
            raise ExpressionError(TOO_LARGE_MESSAGE)
        return size

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_TREE_DEPTH:
            raise ExpressionError(f"The expression is nested too deeply (at most {MAX_TREE_DEPTH} levels).")

    def relation(self) -> _Size:
        left = self.sum()
        while self.peek() in _RELATIONS:
            self.take()
            right = self.sum()
            left = _Size(min(left.low, right.low), max(left.high, right.high))
        return left

    def sum(self) -> _Size:
        size = self.product()
        terms = 1
        while self.peek() in {"+", "-"}:
            operator = self.take().text
            other = self.product()
            terms += 1
            value = None
            if size.value is not None and other.value is not None:
                value = size.value + other.value if operator == "+" else size.value - other.value
            size = _Size(
                min(size.low, other.low),
                max(size.high, other.high) + math.log10(terms) - math.log10(terms - 1),
                value if value is not None and abs(value) < 1e300 else None,
                size.has_power or other.has_power,
            )
            size = self.checked(size)
        return size

    def product(self) -> _Size:
        size = self.unary()
        while self.peek() in {"*", "/"}:
            operator = self.take().text
            other = self.unary()
            value = None
            if operator == "*":
                low, high = size.low + other.low, size.high + other.high
                if size.value is not None and other.value is not None:
                    value = size.value * other.value
            else:
                low, high = size.low - other.high, size.high - other.low
                if size.value is not None and other.value:
                    value = size.value / other.value
            has_power = size.has_power or other.has_power
            size = self.checked(
                _Size(low, high, value if value is not None and abs(value) < 1e300 else None, has_power)
            )
        return size

    def unary(self) -> _Size:
        negate = False
        while self.peek() in {"+", "-"}:  # a loop, so a long run of signs costs no recursion
            negate ^= self.take().text == "-"
        size = self.power()
        if negate and size.value is not None:
            size = _Size(size.low, size.high, -size.value, size.has_power)
        return size

    def power(self) -> _Size:
        base = self.atom()
        if self.peek() not in {"**", "^"}:
            return base
        self.take()
        self.nested()
        exponent = self.unary()
        self.depth -= 1
        if exponent.has_power:
            raise ExpressionError("Powers of powers such as a^b^c are not supported; use parentheses.")
        if exponent.value is not None:
            if abs(exponent.value) > MAX_EXPONENT_VALUE:
                raise ExpressionError(f"Exponents beyond {MAX_EXPONENT_VALUE} are not supported.")
            ends = (exponent.value * base.low, exponent.value * base.high)
            value = None
            if base.value is not None and base.value > 0 and base.digits * abs(exponent.value) < 300:
                value = base.value**exponent.value
            return self.checked(_Size(min(ends), max(ends), value, True))
        # A variable exponent: |log10 b^e| = |e| |log10 b|.
        bound = _power_of_ten(exponent.high) * base.digits
        return self.checked(_Size(-bound, bound, None, True))

    def atom(self) -> _Size:
        token = self.take()
        if token.kind == "number":
            return self.checked(_number_size(token.text))
        if token.kind == "name":
            return _Size(*_SYMBOL_RANGE)
        if token.kind == "constant":
            return _constant_size(math.pi)
        if token.text == "(":
            self.nested()
            size = self.relation()
            self.take(")")
            self.depth -= 1
            return size
        if token.kind == "function":
            self.take("(")
            self.nested()
            arguments = [self.relation()]
            while self.peek() == ",":
                self.take()
                arguments.append(self.relation())
            self.take(")")
            self.depth -= 1
            return self.checked(_function_size(token.text, arguments))
        raise ExpressionError("The expression could not be read; check the operators and parentheses.")


def _number_size(text: str) -> _Size:
    if "e" in text.lower():
        _scientific(text)  # the exponent's own limit, with its own message
    value = Decimal(text)
    if value == 0:
        return _Size(0.0, 0.0, 0.0)
    magnitude = float(value.copy_abs().log10()) if abs(value.adjusted()) < 10**6 else math.inf
    number = float(value) if abs(value.adjusted()) < 300 else None
    return _Size(magnitude, magnitude, number)


def _function_size(name: str, arguments: list[_Size]) -> _Size:
    argument = arguments[0]
    has_power = any(size.has_power for size in arguments)
    if name == "exp":
        # log10 exp(x) = x log10(e), with |x| at most 10**high.
        if argument.value is not None:
            return _Size(argument.value * _LOG10_E, argument.value * _LOG10_E, None, has_power)
        bound = _power_of_ten(argument.high) * _LOG10_E
        return _Size(-bound, bound, None, has_power)
    if name == "log":
        # |ln x| = ln(10) |log10 x|; near x = 1 a logarithm is small, counted as 10**-2.
        largest = _LN_10 * argument.digits
        return _Size(-2.0, max(-2.0, math.log10(largest)) if largest > 0 else -2.0, None, has_power)
    if name == "sqrt":
        return _Size(argument.low / 2, argument.high / 2, None, has_power)
    if name in {"sin", "cos"}:
        return _Size(-2.0, 0.0, None, has_power)
    # abs, min, max, floor, ceil: no larger than their arguments.
    return _Size(min(size.low for size in arguments), max(size.high for size in arguments), None, has_power)


def estimate_size(tokens: list[Token]) -> None:
    """Refuse, with a message a student understands, an expression too big to evaluate.

    Works on checked tokens (balanced parentheses, operands where operators need them) and
    evaluates nothing; see the comment above for the rules.
    """
    estimate = _SizeEstimate(tokens)
    estimate.relation()
    if estimate.position != len(tokens):
        raise ExpressionError("The expression could not be read; check the operators and parentheses.")


def _emit(tokens: list[Token]) -> tuple[str, dict[str, object]]:
    """Canonical code plus the namespace binding each generated identifier."""
    parts: list[str] = []
    namespace: dict[str, object] = {}
    for token in tokens:
        if token.kind == "number":
            value = Fraction(token.text) if "e" not in token.text.lower() else _scientific(token.text)
            parts.append(f"Rational({value.numerator}, {value.denominator})")
        elif token.kind == "name":
            identifier = f"symbol_{_identifier_suffix(token.text)}"
            namespace[identifier] = sympy.Symbol(token.text, real=True)
            parts.append(identifier)
        elif token.kind in {"function", "constant"}:
            identifier = f"function_{token.text}"
            namespace[identifier] = AUTHOR_FUNCTIONS[token.text]
            parts.append(identifier)
        else:
            parts.append("**" if token.text == "^" else token.text)
    return " ".join(parts), namespace


def _scientific(text: str) -> Fraction:
    mantissa, exponent = re.split("[eE]", text)
    if abs(int(exponent)) > 300:
        raise ExpressionError("A number's exponent is out of range.")
    return Fraction(mantissa) * Fraction(10) ** int(exponent)


def _identifier_suffix(name: str) -> str:
    return "".join(char if char.isalnum() else f"_{ord(char)}_" for char in name)


# The unevaluated pass rewrites operators into these constructors; nothing else is reachable.
_UNEVALUATED_GLOBALS = {
    "__builtins__": {},
    "Rational": sympy.Rational,
    "Add": sympy.Add,
    "Mul": sympy.Mul,
    "Pow": sympy.Pow,
    "Integer": sympy.Integer,
}


def _to_sympy(tokens: list[Token], evaluate: bool = True) -> sympy.Basic:
    """The expression for `tokens`; with evaluate=False the unevaluated tree, in the order written."""
    code, namespace = _emit(tokens)
    restricted_globals = {"__builtins__": {}, "Rational": sympy.Rational}
    try:
        # First unevaluated, so a power tower such as 9^9^9^9 is refused before SymPy
        # would start computing its digits; then evaluated for real.
        unevaluated = parse_expr(
            code,
            local_dict=dict(namespace),
            global_dict=dict(_UNEVALUATED_GLOBALS),
            transformations=(),
            evaluate=False,
        )
        _check_powers(unevaluated)
        if not evaluate:
            return unevaluated
        return parse_expr(code, local_dict=namespace, global_dict=restricted_globals, transformations=())
    except (SyntaxError, NameError, TypeError, ValueError, ZeroDivisionError, RecursionError) as error:
        if isinstance(error, ExpressionError):
            raise
        raise ExpressionError(
            "The expression could not be read; check the operators and parentheses."
        ) from error


def _check_powers(expression: sympy.Basic) -> None:
    for node in sympy.preorder_traversal(expression):
        if not isinstance(node, sympy.Pow):
            continue
        exponent = node.exp
        # Unevaluated, a division x/y is x * y**-1: only powers other than -1 make a tower.
        towers = [inner for inner in sympy.preorder_traversal(exponent) if isinstance(inner, sympy.Pow)]
        if any(inner.exp != -1 for inner in towers):
            raise ExpressionError("Powers of powers such as a^b^c are not supported; use parentheses.")
        if exponent.is_number and abs(float(exponent)) > MAX_EXPONENT_VALUE:
            raise ExpressionError(f"Exponents beyond {MAX_EXPONENT_VALUE} are not supported.")


@lru_cache(maxsize=512)
def parse_expression(
    text: str, symbols: tuple[str, ...], functions: tuple[str, ...] = tuple(STUDENT_FUNCTIONS)
) -> sympy.Expr:
    """Parse an arithmetic expression over `symbols` (names) and whitelisted `functions`."""
    if not isinstance(text, str):
        raise ExpressionError("An expression must be text.")
    tokens = tokenize(text, symbols, functions)
    return _to_sympy(tokens)


@lru_cache(maxsize=512)
def parse_as_written(
    text: str, symbols: tuple[str, ...], functions: tuple[str, ...] = tuple(STUDENT_FUNCTIONS)
) -> sympy.Basic:
    """Like parse_expression, but unevaluated: terms and factors stay as written, for display only.

    SymPy's evaluated form reorders (theta - eta*g becomes -eta*g + theta); printed with
    order="none", this tree shows the expression the way its author wrote it. Never compute with it.
    """
    if not isinstance(text, str):
        raise ExpressionError("An expression must be text.")
    return _to_sympy(tokenize(text, symbols, functions), evaluate=False)


@lru_cache(maxsize=256)
def parse_constraint(text: str, symbols: tuple[str, ...]) -> sympy.Basic:
    """Parse `lhs <op> rhs` (op one of < <= > >= == !=) over `symbols`."""
    if not isinstance(text, str):
        raise ExpressionError("A constraint must be text.")
    tokens = tokenize(text, symbols, tuple(AUTHOR_FUNCTIONS), relations=True)
    split = [index for index, token in enumerate(tokens) if token.text in _RELATIONS]
    if len(split) != 1:
        raise ExpressionError("A constraint needs exactly one comparison, e.g. 'eta * g < 1'.")
    left, operator, right = tokens[: split[0]], tokens[split[0]].text, tokens[split[0] + 1 :]
    if not left or not right:
        raise ExpressionError(f"Both sides of {operator!r} need an expression.")
    return _RELATIONS[operator](_to_sympy(left), _to_sympy(right), evaluate=False)


def substitute_numbers(expression: sympy.Basic, values: dict[str, object]) -> sympy.Basic:
    """Replace symbols by exact rationals (floats through their shortest repr)."""
    replacements = {}
    for symbol in expression.free_symbols:
        if symbol.name not in values:
            raise ExpressionError(f"No value for {symbol.name!r}.")
        value = values[symbol.name]
        if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
            raise ExpressionError(f"{symbol.name!r} is not a number ({value!r}).")
        exact_value = exact(value)
        replacements[symbol] = sympy.Rational(exact_value.numerator, exact_value.denominator)
    return expression.xreplace(replacements)


def evaluate_number(expression: sympy.Basic, values: dict[str, object]) -> float:
    """The expression's value as a finite float, or ExpressionError."""
    result = substitute_numbers(expression, values)
    try:
        number = complex(result.evalf(30))
    except (TypeError, ValueError) as error:
        raise ExpressionError("The expression does not evaluate to a number.") from error
    if number.imag != 0 or number.real != number.real or number.real in (float("inf"), float("-inf")):
        raise ExpressionError("The expression does not evaluate to a finite real number.")
    return number.real


def holds(constraint: sympy.Basic, values: dict[str, object]) -> bool:
    result = substitute_numbers(constraint, values)
    simplified = result.doit() if hasattr(result, "doit") else result
    if simplified not in (sympy.true, sympy.false):
        raise ExpressionError("The constraint does not evaluate to true or false.")
    return bool(simplified)
