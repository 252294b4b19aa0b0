import time

import pytest

from quizzes.engine import check_answer, preview_expression, render_item
from quizzes.engine.expressions import ExpressionError, parse_expression
from quizzes.engine.symbolic import latex_to_plain
from tests.quizzes.engine import sample_items


def check(response, item=None):
    return check_answer(item or sample_items.symbolic(), None, response)


@pytest.mark.parametrize(
    "response",
    [
        "beta**2*eta*g0 + beta*eta*g1 + eta*g2",
        "eta*(beta**2*g0 + beta*g1 + g2)",
        "beta^2 eta g0 + beta eta g1 + eta g2",
        r"\beta^{2}\eta g_0+\beta\eta g_1+\eta g_2",
        r"\eta\left(\beta^{2} g_{0} + \beta g_{1} + g_{2}\right)",
        r"\beta \cdot \beta \cdot \eta \cdot g_0 + \beta \times \eta g_1 + \eta g_2",
        "βηg1 + β²ηg0 + ηg2",
        "eta g2 + beta(eta g1 + beta eta g0)",
    ],
)
def test_equivalent_forms_are_correct(response):
    result = check(response)
    assert (result.status, result.score) == ("correct", 1.0), result.feedback
    assert result.details["method"] in {"symbolic", "numeric"}
    assert result.details["latex"]


def test_a_listed_misconception_is_recognised():
    result = check("eta*(g0+g1+g2)")
    assert result.status == "incorrect"
    assert result.misconception == "Each older gradient is discounted by one more beta."
    assert result.correct_answer == r"$\beta^{2} \eta g_{0} + \beta \eta g_{1} + \eta g_{2}$"


def test_a_near_miss_is_incorrect():
    result = check("beta*eta*g0 + beta*eta*g1 + eta*g2")
    assert (result.status, result.misconception) == ("incorrect", None)


@pytest.mark.parametrize(
    ("response", "message_part"),
    [
        ("__import__('os')", "not allowed"),
        ("g3", "Unknown symbol 'g3': use one of beta, eta, g0, g1, g2"),
        ("eta*(g0 + g1", "never closed"),
        ("eta*g0)", "no matching"),
        ("eta*g0 +", "ends with '+'"),
        ("eta */ g0", "operand is missing"),
        ("", "Enter an expression"),
        ("eta.real", "Unexpected character"),
        ("lambda: 1", "Unknown symbol 'lambda'"),
        ("(" * 20 + "eta" + ")" * 20, "nested too deeply"),
        ("eta + " * 100 + "eta", "too long"),
        ("sqrt eta", "parentheses"),
        ("eta^9^9^9", "Powers of powers"),
        ("eta^1000", "Exponents beyond"),
        (r"\frac{\eta}", "braces"),
        (r"\gamma", "Unknown symbol 'gamma'"),
        (None, "Enter an expression"),
    ],
)
def test_bad_input_is_invalid_and_says_what_to_fix(response, message_part):
    result = check(response)
    assert result.status == "invalid" and result.score == 0
    assert message_part in result.feedback[0]


def test_functions_are_allowed():
    item = {**sample_items.symbolic(), "symbols": ["eta", "v"], "answer": "eta / (sqrt(v) + 1)"}
    item["misconceptions"] = []
    assert check(r"\frac{\eta}{\sqrt{v}+1}", item).status == "correct"
    assert check("eta/(v^(1/2)+1)", item).status == "correct"
    assert check("eta*exp(-log(sqrt(v)+1))", item).status == "correct"


def test_preview_echoes_latex_or_the_error():
    item = sample_items.symbolic()
    assert preview_expression(item, r"\frac{\eta g_0}{1-\beta}") == {
        "ok": True,
        "latex": r"\frac{\eta g_{0}}{1 - \beta}",
        "error": "",
    }
    failed = preview_expression(item, "eta +")
    assert failed["ok"] is False and "ends with" in failed["error"]


def test_rendering_lists_the_allowed_symbols_but_not_the_key():
    rendered = render_item(sample_items.symbolic(), None)
    assert rendered.input == "expression"
    assert rendered.symbols == ["beta", "eta", "g0", "g1", "g2"]
    assert "beta**2" not in str(rendered.to_dict())


def test_latex_layer_rewrites_common_commands():
    assert latex_to_plain(r"\frac{a}{b}").replace(" ", "") == "((a)/(b))"
    assert latex_to_plain(r"\sqrt{v}").replace(" ", "") == "sqrt(v)"
    assert latex_to_plain(r"g_{10}") == "g_10"
    assert latex_to_plain(r"\left(x\right)") == "(x)"


def test_expression_parser_never_reaches_python_names():
    for attack in ("__class__", "eta.__class__", "exec('1')", "[1]", "{1:2}", "eta if 1 else 2", "'a'"):
        with pytest.raises(ExpressionError):
            parse_expression(attack, ("eta",))


def test_run_together_names_split_into_known_symbols_quickly():
    assert str(parse_expression("betaetag0", ("beta", "eta", "g0"))) == "beta*eta*g0"
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match="Unknown symbol"):
        parse_expression("a" * 450 + "b", ("a", "aa"))
    assert time.perf_counter() - start < 5  # a hang guard, not a speed target (see benchmarks/)


def test_a_sum_raised_to_a_high_power_keeps_the_numeric_verdict_without_expanding():
    item = {**sample_items.symbolic(), "symbols": ["beta", "eta"], "answer": "(beta + eta)**40"}
    item["misconceptions"] = []
    start = time.perf_counter()
    result = check("(beta^2 + 2 beta eta + eta^2)^20", item)
    assert result.status == "correct"
    assert result.details["method"] == "numeric"
    assert time.perf_counter() - start < 5  # a hang guard, not a speed target (see benchmarks/)
