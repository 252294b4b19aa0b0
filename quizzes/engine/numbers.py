"""Typed numbers: parsing, tolerance and display.

Parsing never evaluates anything: a student's text must match a small grammar and is turned
into an exact `Fraction`, so tolerance checks happen in exact arithmetic and an answer that
sits exactly on a tolerance boundary is decided by the rule, not by float rounding.

Accepted: an optional sign (+, -, or the unicode minus), then a decimal number with an optional
exponent ("0.02", ".02", "2e-2", "2.0E-2", "-3"), or a plain fraction of two decimals
("1/50", "-1/2", "0.5/4"). Surrounding spaces are ignored. Rejected with a message:
empty text, thousands separators or decimal commas ("1,000" and "1,5" are ambiguous between
locales, so a comma is always an error), "nan", "inf", words, several dots, a zero denominator,
exponents beyond ±300.

Tolerance rule (key k, student answer a, both exact rationals; `k` comes from the float key's
shortest decimal representation, so 0.1 means exactly 1/10):
- absolute, value t: accepted iff |a - k| <= t.
- relative, value r: accepted iff |a - k| <= r * |k|. With k = 0 this accepts only a = 0.
- sigfigs, value n: accepted iff |a - k| <= half a unit in the n-th significant digit of k,
  that is 0.5 * 10**(e - n + 1) with e the decimal exponent of k (k = 0.02, n = 2: e = -2,
  half unit 0.0005, so 0.0205 is accepted, 0.021 is not). The value typed is judged, not the
  number of digits typed: "0.02" counts for key 0.02 at 2 significant figures. With k = 0
  only a = 0 is accepted.
Boundaries are inclusive in all three modes, and the rule is symmetric, so it treats negative
keys exactly like positive ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

MAX_INPUT_LENGTH = 100
MAX_EXPONENT = 300
TOLERANCE_MODES = ("absolute", "relative", "sigfigs")
DEFAULT_TOLERANCE = {"mode": "relative", "value": 1e-6}

_DECIMAL = r"(?:\d+(?:\.\d*)?|\.\d+)"
_NUMBER_RE = re.compile(rf"(?P<sign>[+-]?)(?P<mantissa>{_DECIMAL})(?:[eE](?P<exponent>[+-]?\d+))?")
_FRACTION_RE = re.compile(rf"(?P<sign>[+-]?)(?P<num>{_DECIMAL})/(?P<den>{_DECIMAL})")
_MINUS_SIGNS = {"\u2212": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"}


class NumberFormatError(ValueError):
    """The text is not a number we accept; the message tells the student what to fix."""


def parse_number(text: Any) -> Fraction:
    """Parse a typed answer into an exact Fraction, or raise NumberFormatError."""
    if isinstance(text, bool):
        raise NumberFormatError("Enter a number.")
    if isinstance(text, int):
        return Fraction(text)
    if isinstance(text, float):
        if not math.isfinite(text):
            raise NumberFormatError("Enter a finite number.")
        return Fraction(repr(text))
    if not isinstance(text, str):
        raise NumberFormatError("Enter a number.")
    cleaned = text.strip()
    for odd, minus in _MINUS_SIGNS.items():
        cleaned = cleaned.replace(odd, minus)
    if not cleaned:
        raise NumberFormatError("Enter a number.")
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise NumberFormatError(f"That is too long for a number (at most {MAX_INPUT_LENGTH} characters).")
    lowered = cleaned.lower().lstrip("+-")
    if lowered in {"nan", "inf", "infinity", "∞"}:
        raise NumberFormatError("Enter a finite number, not infinity or NaN.")
    if "," in cleaned:
        raise NumberFormatError(
            "Use a dot for decimals and no thousands separators, e.g. 1500 or 0.25 (not 1,500 or 0,25)."
        )
    if " " in cleaned:
        raise NumberFormatError("Remove the spaces inside the number.")
    match = _NUMBER_RE.fullmatch(cleaned)
    if match:
        exponent = int(match["exponent"] or 0)
        if abs(exponent) > MAX_EXPONENT:
            raise NumberFormatError(f"The exponent is out of range (at most {MAX_EXPONENT} in size).")
        value = _decimal_fraction(match["mantissa"], exponent)
        return -value if match["sign"] == "-" else value
    match = _FRACTION_RE.fullmatch(cleaned)
    if match:
        denominator = Fraction(match["den"])
        if denominator == 0:
            raise NumberFormatError("The denominator of a fraction cannot be zero.")
        value = Fraction(match["num"]) / denominator
        return -value if match["sign"] == "-" else value
    if cleaned.count(".") > 1:
        raise NumberFormatError("A number has at most one decimal point.")
    raise NumberFormatError(
        "Enter a plain number such as 0.02, 2e-2 or 1/50 (no units, words or arithmetic other than a fraction)."
    )


def _decimal_fraction(mantissa: str, exponent: int) -> Fraction:
    """mantissa × 10**exponent exactly ("2.50", -3 -> 1/400), built from integers (faster than text)."""
    whole, _, decimals = mantissa.partition(".")
    digits = int(whole + decimals or "0")
    scale = exponent - len(decimals)
    return Fraction(digits * 10**scale) if scale >= 0 else Fraction(digits, 10**-scale)


def exact(value: float | int | Fraction) -> Fraction:
    """A key as an exact rational: floats through their shortest repr (0.1 -> 1/10)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return Fraction(repr(float(value)))


@dataclass(frozen=True)
class Tolerance:
    mode: str = "relative"
    value: float = 1e-6

    @classmethod
    def from_spec(cls, spec: Any) -> Tolerance:
        """From the bank format's `{mode, value}`; a missing spec means the default."""
        if spec is None:
            spec = DEFAULT_TOLERANCE
        return cls(mode=str(spec.get("mode", "relative")), value=spec.get("value"))

    def problems(self) -> list[str]:
        """What is wrong with this tolerance, for validation."""
        if self.mode not in TOLERANCE_MODES:
            return [f"mode must be one of {', '.join(TOLERANCE_MODES)}, not {self.mode!r}"]
        value = self.value
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return [f"value must be a number, not {self.value!r}"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return [f"value must be a finite number, not {self.value!r}"]
        if self.mode == "sigfigs" and (value != int(value) or not 1 <= value <= 15):
            return ["sigfigs value must be a whole number of significant figures from 1 to 15"]
        if value < 0:
            return ["value must not be negative"]
        return []

    def allowed_error(self, key: Fraction) -> Fraction:
        """The largest |answer - key| this tolerance accepts around `key`."""
        value = exact(float(self.value))
        if self.mode == "absolute":
            return value
        if self.mode == "relative":
            return value * abs(key)
        if key == 0:
            return Fraction(0)
        figures = int(self.value)
        return Fraction(1, 2) * Fraction(10) ** (decimal_exponent(key) - figures + 1)

    def accepts(self, key: float | Fraction, answer: float | Fraction) -> bool:
        clear = self._clear_verdict(key, answer)
        if clear is not None:
            return clear
        key_exact, answer_exact = exact(key), exact(answer)
        return abs(answer_exact - key_exact) <= self.allowed_error(key_exact)

    def _clear_verdict(self, key: Any, answer: Any) -> bool | None:
        """The verdict from floats when the answer is far from the boundary, else None.

        Exact rationals are slow; they only matter within rounding distance of the boundary. Floats
        stray from the exact rule by a few units in the 16th digit here, so a margin of 1e-9 of the
        magnitudes involved is far outside any disagreement; anything closer is decided exactly.
        """
        if self.mode == "sigfigs" or not (_is_plain_float(key) and _is_plain_float(answer)):
            return None
        try:
            tolerance = float(self.value)
        except (TypeError, ValueError):
            return None
        error = abs(float(answer) - float(key))
        allowed = tolerance if self.mode == "absolute" else tolerance * abs(float(key))
        margin = 1e-9 * (abs(float(answer)) + abs(float(key)) + allowed)
        if not (math.isfinite(error) and math.isfinite(allowed) and math.isfinite(margin)):
            return None
        if error < allowed - margin:
            return True
        if error > allowed + margin:
            return False
        return None

    def describe(self) -> str:
        if self.mode == "absolute":
            return f"within ±{format_number(self.value)}"
        if self.mode == "relative":
            return f"within a relative error of {format_number(self.value)}"
        return f"to {int(self.value)} significant figures"


def _is_plain_float(value: Any) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool)


def decimal_exponent(value: Fraction) -> int:
    """floor(log10(|value|)) computed exactly (0.02 -> -2, 999 -> 2)."""
    magnitude = abs(value)
    exponent = len(str(magnitude.numerator)) - len(str(magnitude.denominator))
    # The digit-count estimate can be off by one either way; settle it exactly.
    while Fraction(10) ** exponent > magnitude:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= magnitude:
        exponent += 1
    return exponent


def format_number(value: Any, spec: str | None = None) -> str:
    """Show a number in a stem or an explanation.

    With a format spec (from `{{name:.3g}}`) Python formatting applies. Without one, whole
    numbers print as integers and other values with up to 6 significant digits and no float
    noise (0.1 + 0.2 prints as 0.3); exponents are written compactly (1e-5, not 1e-05).
    """
    if isinstance(value, Fraction):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return format(value, spec) if spec else str(value)
    if spec:
        return format(value, spec)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
    if isinstance(value, int) and abs(value) < 10**15:
        return str(value)
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def number_as_decimal_text(value: Fraction) -> str:
    """An exact, readable rendering of a parsed answer for feedback (e.g. the echo of '1/50')."""
    as_float = float(value)
    if Fraction(repr(as_float)) == value:
        return format_number(as_float)
    return format(Decimal(value.numerator) / Decimal(value.denominator), ".6g")


def yaml_number(value: Any) -> Any:
    """YAML 1.1 reads `1e-3` (no dot) as text; treat text that is a plain number as that number."""
    if isinstance(value, str):
        try:
            number = parse_number(value)
        except NumberFormatError:
            return value
        return (
            int(number)
            if number.denominator == 1 and "." not in value and "e" not in value.lower()
            else float(number)
        )
    return value
