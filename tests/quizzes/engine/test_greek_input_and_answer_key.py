"""Greek letters typed as the item names them (λ -> lam, ε -> eps), and answer_key."""

import pytest

from quizzes.engine import answer_key, check_answer, draw_variant, preview_expression
from tests.quizzes.engine import sample_items


def decay_item() -> dict:
    return {
        "key": "adamw-decay-formula",
        "kind": "symbolic",
        "stem": "Write the decayed weight.",
        "explanation": "theta (1 - eta lam).",
        "symbols": ["theta", "eta", "lam", "eps", "beta1"],
        "answer": "theta*(1 - eta*lam) + 0*eps*beta1",
    }


@pytest.mark.parametrize(
    "typed",
    [
        "theta*(1 - eta*lam)",
        "θ(1 - ηλ)",
        r"\theta\left(1 - \eta\lambda\right)",
        "theta*(1 - eta*lambda)",
        r"\theta - \eta \lambda \theta + 0 \varepsilon",
        "θ - ηλθ + 0ε",
        "theta - eta*lambda*theta + 0*epsilon*beta1",
        r"\theta - \eta\lambda\theta + 0\beta_1",
        "θ - ηλθ + 0β1",
    ],
)
def test_greek_letters_reach_the_items_symbols(typed):
    result = check_answer(decay_item(), None, typed)
    assert result.status == "correct", result.feedback


def test_a_greek_letter_the_item_does_not_list_gets_a_clear_message():
    for typed in ("α θ", r"\alpha\theta"):
        result = check_answer(decay_item(), None, typed)
        assert result.status == "invalid"
        assert "alpha" in result.feedback[0] and "use one of" in result.feedback[0]
    preview = preview_expression(decay_item(), "λθ")
    # Echoed as typed, with the item's `lam` set as the letter rather than as l·a·m.
    assert preview["ok"] and preview["latex"] == r"\lambda \theta"


def test_lambda_stays_unknown_when_the_item_has_no_such_symbol():
    item = {**decay_item(), "symbols": ["theta", "eta"], "answer": "theta*eta"}
    result = check_answer(item, None, "λθ")
    assert result.status == "invalid"
    assert "lambda" in result.feedback[0]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("single", "It damps oscillation by accumulating past directions"),
        ("multiple", "- AdaGrad\n- RMSProp\n- Adam"),
        ("truefalse", "True"),
        ("ordering", "1. Check the logs and the data pipeline\n2. Tune the learning rate"),
        ("numeric", "0.02"),
        ("table", "| 1 | 2 | 8 |\n| 2 | 3.4 | 4.6 |"),
    ],
)
def test_answer_key_is_the_key_alone_as_markdown(kind, expected):
    item = getattr(sample_items, kind)()
    key = answer_key(item, draw_variant(item, 5))
    assert expected in key
    assert item["explanation"] not in key


def test_answer_key_of_a_symbolic_item_is_its_latex():
    assert (
        answer_key(sample_items.symbolic(), None) == r"$\beta^{2} \eta g_{0} + \beta \eta g_{1} + \eta g_{2}$"
    )


def test_answer_key_of_a_calculation_is_the_drawn_number_and_takes_a_stored_variant():
    item = sample_items.calculation()
    variant = draw_variant(item, 2)
    expected = variant.params["eta"] * variant.params["g"]
    assert float(answer_key(item, variant)) == pytest.approx(expected, rel=1e-9)
    assert answer_key(item, variant.to_dict()) == answer_key(item, variant)
    assert answer_key(item, {"seed": 2, "params": variant.params}) == answer_key(item, variant)
