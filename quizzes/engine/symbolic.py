"""symbolic items: the student types an expression over the item's `symbols`.

Input goes through a LaTeX-like layer written here (no LaTeX grammar dependency), then the
whitelisting parser of `expressions.py`. Two expressions are equivalent when they agree at
several seeded random points (relative tolerance); the agreement is then confirmed by
symbolic simplification with a time limit. A timeout (or a simplifier that
cannot finish the job) leaves the numeric agreement standing, and `details["method"]` says
"numeric" instead of "symbolic". Students' checks and previews run this in isolation's worker
processes (see isolation.py), called through api.py.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import sympy

from quizzes.engine import time_limits
from quizzes.engine.expressions import (
    MAX_EXPRESSION_LENGTH,
    STUDENT_FUNCTIONS,
    ExpressionError,
    parse_as_written,
    parse_expression,
)

SAMPLE_POINTS = 6
MAX_SAMPLE_TRIES = 40
RELATIVE_TOLERANCE = 1e-9
SIMPLIFY_TIMEOUT_SECONDS = 0.25
MAX_SIMPLIFY_OPS = 300
MAX_EXPANDED_POWER = 8
# Students' answers are judged in isolation's worker processes, where a timer stops the
# simplification. Elsewhere (validating an author's item) it runs in one of these two threads:
# a timed-out job cannot be killed there and keeps its thread until it ends.
_SIMPLIFIER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="symbolic-simplify")

_GREEK_UNICODE = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "η": "eta",
                  "θ": "theta", "λ": "lambda", "μ": "mu", "ρ": "rho", "σ": "sigma", "τ": "tau"}  # fmt: skip
# Greek letters spelled in full; a letter may map to a shorter symbol an item lists instead.
_GREEK_NAMES = frozenset({*_GREEK_UNICODE.values(), "varepsilon", "vartheta", "kappa", "nu", "xi", "phi",
                          "varphi", "psi", "omega", "zeta", "chi", "pi"})  # fmt: skip
_GREEK_SHORT_FORMS = {
    "lambda": ("lam", "lmbda"),  # lambda is a Python keyword, so items usually say lam
    "epsilon": ("eps",),
    "varepsilon": ("epsilon", "eps"),
    "vartheta": ("theta",),
    "varphi": ("phi",),
}
_ASCII_GREEK_RE = re.compile(
    r"(?<![A-Za-z])(" + "|".join(sorted(_GREEK_NAMES, key=len, reverse=True)) + r")(?![A-Za-z])"
)
_PLAIN_REPLACEMENTS = {"·": "*", "×": "*", "−": "-", "–": "-", "√": "sqrt", "²": "^2", "³": "^3"}
_COMMAND_ALIASES = {
    "ln": "log",
    "cdot": "*",
    "times": "*",
    "left": "",
    "right": "",
    "dfrac": "frac",
    "tfrac": "frac",
}
_SPACING_COMMANDS = re.compile(r"\\[,;:! ]|\\quad|\\qquad")
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)")


_ACCENTED_NAME = re.compile(r"^([A-Za-z]+)_?(hat|bar|tilde)_?(\d*)$")
# A name and an optional numeric index: g0, beta1, lam_2, lr.
_INDEXED_NAME = re.compile(r"^([A-Za-z]+?)_?(\d*)$")
# Names items use for Greek letters that SymPy does not know (lambda is a Python keyword).
_GREEK_SHORT_LATEX = {"lam": r"\lambda", "lmbda": r"\lambda", "eps": r"\epsilon"}
# Extreme eigenvalues, as the banks name them (lmin, lam_max, ...): a letter with an upright min/max.
_EXTREME_NAME = re.compile(r"^(l|lam|lmbda|lambda)_?(min|max)$")


def symbol_latex(name: str) -> str:
    """How a symbol's name is typeset: lam -> \\lambda, beta1 -> \\beta_{1}, m_hat1 -> \\hat{m}_{1},
    lmin -> \\lambda_{\\min}.

    Greek names (full or the short forms above) become the letter, a trailing number an index,
    and any other name of several letters is set upright as one word (lr -> \\mathrm{lr}) instead
    of reading as a product of single-letter variables.
    """
    extreme = _EXTREME_NAME.match(name)
    if extreme:
        return f"\\lambda_{{\\{extreme.group(2)}}}"
    accented = _ACCENTED_NAME.match(name)
    if accented:
        base, accent, index = accented.groups()
        return f"\\{accent}{{{_base_latex(base)}}}" + (f"_{{{index}}}" if index else "")
    indexed = _INDEXED_NAME.match(name)
    if not indexed:
        return sympy.latex(sympy.Symbol(name))
    base, index = indexed.groups()
    return _base_latex(base) + (f"_{{{index}}}" if index else "")


def _base_latex(base: str) -> str:
    if base in _GREEK_SHORT_LATEX:
        return _GREEK_SHORT_LATEX[base]
    printed = sympy.latex(sympy.Symbol(base))
    if printed.startswith("\\") or len(base) == 1:
        return printed
    return f"\\mathrm{{{base}}}"


def to_latex(expression: sympy.Basic, order: str | None = None) -> str:
    """sympy.latex with every symbol typeset by `symbol_latex`; order="none" keeps the written order."""
    names = {symbol: symbol_latex(symbol.name) for symbol in expression.free_symbols}
    return sympy.latex(expression, symbol_names=names, order=order)


def latex_as_written(item: dict[str, Any], text: Any) -> str:
    """LaTeX of an expression in the order it was typed (the author's key, a student's answer).

    Falls back to SymPy's normalised form if the written form cannot be built.
    """
    try:
        written = parse_as_written(str(text), symbols_of(item), tuple(STUDENT_FUNCTIONS))
        return to_latex(written, order="none")
    except (ExpressionError, TypeError, ValueError):
        return to_latex(parse_key(item, text))


def symbols_of(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(symbol) for symbol in item.get("symbols") or [])


# --- the LaTeX-like layer -----------------------------------------------------------------


def greek_symbol(name: str, symbols: tuple[str, ...], shown: str = "") -> str:
    """The item's symbol for a Greek letter: its full name when a symbol starts with it (beta,
    beta1, theta0), else a listed short form (lambda -> lam, epsilon -> eps). With no symbols
    (no item at hand) the name is kept; with symbols and no match, a message says so."""
    if not symbols or any(symbol.startswith(name) for symbol in symbols):
        return name
    for short in _GREEK_SHORT_FORMS.get(name, ()):
        if any(symbol.startswith(short) for symbol in symbols):
            return short
    raise ExpressionError(
        f"Unknown symbol {name!r} (you typed {shown or name}): this question has no symbol for it;"
        f" use one of {', '.join(sorted(symbols))}."
    )


def _ascii_greek_to_symbols(text: str, symbols: tuple[str, ...]) -> str:
    """`lambda` typed out becomes `lam` when the item calls it that; unknown names are left for
    the parser, whose message lists the symbols."""

    def replace(match: re.Match[str]) -> str:
        try:
            return greek_symbol(match.group(1), symbols)
        except ExpressionError:
            return match.group(1)

    return _ASCII_GREEK_RE.sub(replace, text)


def latex_to_plain(text: str, symbols: tuple[str, ...] = ()) -> str:
    """Rewrite LaTeX-ish input into the plain form the parser reads.

    \\frac{a}{b} -> ((a)/(b)), \\sqrt{x} -> sqrt(x), \\sqrt[n]{x} -> (x)^(1/(n)), g_{0} -> g_0,
    \\cdot and \\times -> *, \\left( \\right) -> ( ), other braces -> parentheses, and \\beta or β -> beta.
    Given the item's `symbols`, Greek letters map to the names it lists (λ -> lam, ε -> eps).
    """
    for odd, plain in _PLAIN_REPLACEMENTS.items():
        text = text.replace(odd, plain)
    for letter, name in _GREEK_UNICODE.items():
        if letter in text:
            # No space after the name, so β1 and \\beta_1 stay one name (beta1), as typed.
            text = text.replace(letter, f" {greek_symbol(name, symbols, letter)}")
    text = _SPACING_COMMANDS.sub(" ", text)
    # \hat{m} names the symbol m_hat (likewise bar, tilde); the item lists it as such.
    text = re.sub(r"\\(hat|bar|tilde)\s*\{\s*([A-Za-z]+)\s*\}", r" \2_\1", text)
    text = re.sub(r"\\(left|right)\s*([()\[\]])", lambda m: "(" if m.group(2) in "([" else ")", text)
    text = _rewrite_commands(text, symbols)
    text = re.sub(r"_\{\s*([A-Za-z0-9]+)\s*\}", r"_\1", text)
    return text.replace("{", "(").replace("}", ")").replace("[", "(").replace("]", ")")


def _rewrite_commands(text: str, symbols: tuple[str, ...] = ()) -> str:
    output: list[str] = []
    position = 0
    while position < len(text):
        match = _COMMAND_RE.match(text, position)
        if not match:
            output.append(text[position])
            position += 1
            continue
        name = _COMMAND_ALIASES.get(match.group(1), match.group(1))
        position = match.end()
        if name == "frac":
            numerator, position = _brace_group(text, position, "\\frac")
            denominator, position = _brace_group(text, position, "\\frac")
            numerator, denominator = (
                _rewrite_commands(numerator, symbols),
                _rewrite_commands(denominator, symbols),
            )
            output.append(f"(({numerator})/({denominator}))")
        elif name == "sqrt":
            root = None
            if text[position : position + 1] == "[":
                closing = text.find("]", position)
                if closing < 0:
                    raise ExpressionError("\\sqrt[n]{x} is missing its ']'.")
                root, position = text[position + 1 : closing], closing + 1
            radicand, position = _brace_group(text, position, "\\sqrt")
            inner = _rewrite_commands(radicand, symbols)
            output.append(f"(({inner})^(1/({root})))" if root else f"sqrt({inner})")
        elif name in {"*", ""}:
            output.append(f" {name} ")
        elif name in _GREEK_NAMES:
            output.append(f" {greek_symbol(name, symbols, chr(92) + name)}")
        else:
            output.append(f" {name} ")
    return "".join(output)


def _brace_group(text: str, position: int, command: str) -> tuple[str, int]:
    """The contents of the {...} group at `position` (spaces skipped), and the index after it."""
    while position < len(text) and text[position] == " ":
        position += 1
    if position >= len(text) or text[position] != "{":
        raise ExpressionError(
            f"{command} needs its arguments in braces, e.g. \\frac{{a}}{{b}} or \\sqrt{{x}}."
        )
    depth = 0
    for index in range(position, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[position + 1 : index], index + 1
    raise ExpressionError(f"Unbalanced braces after {command}: a '{{' is never closed.")


def student_plain_text(item: dict[str, Any], text: Any) -> str:
    """A student's input in the parser's plain syntax (LaTeX and Greek letters rewritten)."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("Enter an expression.")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"The expression is too long (at most {MAX_EXPRESSION_LENGTH} characters).")
    symbols = symbols_of(item)
    plain = latex_to_plain(text, symbols) if ("\\" in text or "{" in text or not text.isascii()) else text
    return _ascii_greek_to_symbols(plain, symbols).strip()


def parse_student_expression(item: dict[str, Any], text: Any) -> sympy.Expr:
    return parse_expression(student_plain_text(item, text), symbols_of(item), tuple(STUDENT_FUNCTIONS))


def parse_key(item: dict[str, Any], definition: Any) -> sympy.Expr:
    return parse_expression(str(definition), symbols_of(item), tuple(STUDENT_FUNCTIONS))


# --- equivalence --------------------------------------------------------------------------


def _sample_value(expression: sympy.Expr, point: dict[str, Any]) -> complex | None:
    try:
        value = complex(expression.xreplace(point).evalf(20))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)) or abs(value) > 1e150:
        return None
    return value


def numerically_equal(first: sympy.Expr, second: sympy.Expr, salt: str) -> bool | None:
    """Agreement at seeded random points; None when too few points could be evaluated."""
    symbols = sorted(first.free_symbols | second.free_symbols, key=lambda symbol: symbol.name)
    rng = random.Random(hashlib.sha256(salt.encode()).hexdigest())
    agreed = 0
    for _ in range(MAX_SAMPLE_TRIES):
        # Positive values away from 0 and 1 sidestep the usual singularities (1/eta, 1/(1-beta)).
        point = {symbol: sympy.Float(rng.uniform(0.15, 1.85), 30) for symbol in symbols}
        a, b = _sample_value(first, point), _sample_value(second, point)
        if a is None or b is None:
            continue
        if abs(a - b) > RELATIVE_TOLERANCE * max(abs(a), abs(b)) + 1e-12:
            return False
        agreed += 1
        if agreed >= SAMPLE_POINTS or not symbols:
            return True
    return True if agreed >= 2 else None


def _is_zero(difference: sympy.Expr) -> bool:
    if difference == 0:
        return True
    if sympy.cancel(sympy.together(difference)) == 0:
        return True
    return sympy.simplify(difference) == 0


def _cheap_to_simplify(difference: sympy.Expr) -> bool:
    """Refuse jobs that could run for long: big expressions, or sums raised to high powers
    (whose expansion explodes). They keep the numeric verdict instead."""
    if sympy.count_ops(difference) > MAX_SIMPLIFY_OPS:
        return False
    return not any(
        isinstance(node, sympy.Pow)
        and isinstance(node.base, sympy.Add)
        and abs(node.exp) > MAX_EXPANDED_POWER
        for node in sympy.preorder_traversal(difference)
        if isinstance(node, sympy.Pow) and node.exp.is_number
    )


def symbolically_equal(first: sympy.Expr, second: sympy.Expr) -> bool | None:
    """True/False from simplification, or None if it was not tried or did not finish in time."""
    difference = first - second
    if difference == 0:
        return True
    if not _cheap_to_simplify(difference):
        return None
    if time_limits.in_worker():  # a timer can stop the job there; a thread cannot be stopped
        try:
            return time_limits.call_with_time_limit(_is_zero, difference, SIMPLIFY_TIMEOUT_SECONDS)
        except MemoryError:
            raise  # the worker reports it and is replaced
        except Exception:  # noqa: BLE001 - a simplifier crash leaves the numeric verdict standing
            return None
    future = _SIMPLIFIER.submit(_is_zero, difference)
    try:
        return future.result(timeout=SIMPLIFY_TIMEOUT_SECONDS)
    except FutureTimeout:
        future.cancel()
        return None
    except Exception:  # noqa: BLE001 - a simplifier crash must not fail the request
        return None


def compare(first: sympy.Expr, second: sympy.Expr, salt: str) -> tuple[bool, str]:
    """(equivalent, method) with method "symbolic", "numeric" or "none"."""
    numeric = numerically_equal(first, second, salt)
    if numeric is False:
        return False, "numeric"
    confirmed = symbolically_equal(first, second)
    if confirmed:
        return True, "symbolic"
    if numeric is None:
        return False, "none"
    # Agreement at every sampled point but no symbolic proof in time: accept, and say so.
    return True, "numeric"


# --- echoing a student's input ---------------------------------------------------------------


def preview(item: dict[str, Any], text: str) -> dict[str, Any]:
    """The student's expression echoed as they wrote it (not reordered), or what to fix."""
    try:
        plain = student_plain_text(item, text)
        parse_expression(plain, symbols_of(item), tuple(STUDENT_FUNCTIONS))
    except ExpressionError as error:
        return {"ok": False, "latex": "", "error": str(error)}
    return {"ok": True, "latex": latex_as_written(item, plain), "error": ""}
