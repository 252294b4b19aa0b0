from fractions import Fraction

import pytest

from quizzes.engine.numbers import NumberFormatError, Tolerance, format_number, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.02", Fraction(1, 50)),
        ("2e-2", Fraction(1, 50)),
        ("2.0E-2", Fraction(1, 50)),
        (".02", Fraction(1, 50)),
        ("-3", Fraction(-3)),
        ("1/50", Fraction(1, 50)),
        ("-1/50", Fraction(-1, 50)),
        ("\u22120.5", Fraction(-1, 2)),
        ("  0.25 ", Fraction(1, 4)),
        ("+4", Fraction(4)),
        ("5.", Fraction(5)),
    ],
)
def test_accepted_spellings_parse_exactly(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("abc", "plain number"),
        ("0.02.1", "one decimal point"),
        ("", "Enter a number"),
        ("   ", "Enter a number"),
        ("nan", "finite"),
        ("inf", "finite"),
        ("-Infinity", "finite"),
        ("1,000", "thousands separators"),
        ("0,5", "dot for decimals"),
        ("1 000", "spaces"),
        ("1/0", "denominator"),
        ("1e999", "exponent"),
        ("2*3", "plain number"),
        ("__import__('os')", "plain number"),
        ("1" * 200, "too long"),
    ],
)
def test_malformed_numbers_are_rejected_with_a_reason(text, message_part):
    with pytest.raises(NumberFormatError) as error:
        parse_number(text)
    assert message_part.lower() in str(error.value).lower()


def test_booleans_and_containers_are_not_numbers():
    for value in (True, None, [1], {"a": 1}):
        with pytest.raises(NumberFormatError):
            parse_number(value)


class TestSignificantFigures:
    tolerance = Tolerance("sigfigs", 2)

    @pytest.mark.parametrize("text", ["0.020", "2.0e-2", "0.02", "0.0204", "0.0196", "1/50"])
    def test_values_that_round_to_the_key_are_accepted(self, text):
        assert self.tolerance.accepts(0.02, parse_number(text))

    @pytest.mark.parametrize("text", ["0.021", "0.019", "0.2", "0.0206"])
    def test_values_a_digit_off_are_rejected(self, text):
        assert not self.tolerance.accepts(0.02, parse_number(text))

    def test_half_a_unit_in_the_last_figure_is_the_inclusive_boundary(self):
        assert self.tolerance.accepts(0.02, parse_number("0.0205"))
        assert self.tolerance.accepts(0.02, parse_number("0.0195"))
        assert not self.tolerance.accepts(0.02, parse_number("0.02050001"))

    def test_negative_keys_behave_like_positive_ones(self):
        assert self.tolerance.accepts(-0.02, parse_number("-0.0205"))
        assert not self.tolerance.accepts(-0.02, parse_number("-0.021"))
        assert not self.tolerance.accepts(-0.02, parse_number("0.02"))

    def test_large_keys_use_their_own_magnitude(self):
        assert Tolerance("sigfigs", 3).accepts(1234.0, parse_number("1230"))
        assert not Tolerance("sigfigs", 3).accepts(1234.0, parse_number("1240"))

    def test_a_zero_key_accepts_only_zero(self):
        assert self.tolerance.accepts(0.0, parse_number("0"))
        assert not self.tolerance.accepts(0.0, parse_number("1e-9"))


class TestAbsoluteAndRelative:
    def test_absolute_boundary_is_inclusive_despite_float_noise(self):
        # 0.025 - 0.02 is 0.005000000000000001 in floats; the rule is decided exactly.
        tolerance = Tolerance("absolute", 0.005)
        assert tolerance.accepts(0.02, parse_number("0.025"))
        assert tolerance.accepts(0.02, parse_number("0.015"))
        assert not tolerance.accepts(0.02, parse_number("0.0250001"))

    def test_absolute_with_negative_key(self):
        tolerance = Tolerance("absolute", 0.1)
        assert tolerance.accepts(-3.0, parse_number("-3.1"))
        assert not tolerance.accepts(-3.0, parse_number("3"))

    def test_relative_boundary_is_inclusive(self):
        tolerance = Tolerance("relative", 0.01)
        assert tolerance.accepts(200.0, parse_number("202"))
        assert tolerance.accepts(-200.0, parse_number("-198"))
        assert not tolerance.accepts(200.0, parse_number("202.01"))

    def test_relative_tolerance_around_zero_accepts_only_zero(self):
        tolerance = Tolerance("relative", 0.5)
        assert tolerance.accepts(0.0, parse_number("0"))
        assert not tolerance.accepts(0.0, parse_number("1e-12"))

    def test_bad_tolerances_are_described(self):
        assert Tolerance("percent", 1).problems()
        assert Tolerance("sigfigs", 2.5).problems()
        assert Tolerance("absolute", -1).problems()
        assert Tolerance("absolute", "x").problems()
        assert not Tolerance("relative", 1e-3).problems()


@pytest.mark.parametrize(
    ("value", "spec", "shown"),
    [
        (0.1 + 0.2, None, "0.3"),
        (3.0, None, "3"),
        (12, None, "12"),
        (1e-5, None, "1e-5"),
        (0.123456789, None, "0.123457"),
        (2.5e7, None, "25000000"),
        (0.041, ".3g", "0.041"),
        (3.14159, ".2f", "3.14"),
        ("momentum", None, "momentum"),
    ],
)
def test_numbers_are_shown_without_float_noise(value, spec, shown):
    assert format_number(value, spec) == shown
