"""How symbolic expressions are typeset: Greek names as letters, keys and echoes as written."""

import pytest

from quizzes.engine import answer_key, check_answer, preview_expression
from quizzes.engine.symbolic import symbol_latex


def weight_decay_item() -> dict:
    return {
        "key": "decoupled-decay-step",
        "kind": "symbolic",
        "stem": "Write one AdamW step for a single weight.",
        "explanation": "The decay shrinks theta directly.",
        "symbols": ["theta", "eta", "lam", "eps", "m_hat", "v_hat"],
        "answer": "theta - eta*(m_hat/(sqrt(v_hat) + eps) + lam*theta)",
    }


@pytest.mark.parametrize(
    ("name", "latex"),
    [
        ("lam", r"\lambda"),
        ("lmbda", r"\lambda"),
        ("eps", r"\epsilon"),
        ("alpha", r"\alpha"),
        ("beta", r"\beta"),
        ("eta", r"\eta"),
        ("theta", r"\theta"),
        ("g0", "g_{0}"),
        ("beta1", r"\beta_{1}"),
        ("lam2", r"\lambda_{2}"),
        ("g_1", "g_{1}"),
        ("m_hat1", r"\hat{m}_{1}"),
        ("v_hat", r"\hat{v}"),
        ("x", "x"),
        ("lr", r"\mathrm{lr}"),
        ("lmin", r"\lambda_{\min}"),
        ("lam_max", r"\lambda_{\max}"),
    ],
)
def test_symbol_names_are_typeset_as_the_letters_they_stand_for(name, latex):
    assert symbol_latex(name) == latex


def test_the_key_is_shown_as_the_author_wrote_it_with_greek_letters():
    expected = r"$\theta - \eta \left(\frac{\hat{m}}{\sqrt{\hat{v}} + \epsilon} + \lambda \theta\right)$"
    item = weight_decay_item()
    assert answer_key(item, None) == expected
    assert check_answer(item, None, "theta").correct_answer == expected


def test_a_students_answer_is_echoed_in_their_own_order():
    item = weight_decay_item()
    typed = "θ - ηλθ - η m_hat/(sqrt(v_hat) + ε)"
    assert preview_expression(item, typed)["latex"] == (
        r"\theta - \eta \lambda \theta - \frac{\eta \hat{m}}{\sqrt{\hat{v}} + \epsilon}"
    )
    result = check_answer(item, None, typed)
    assert result.status == "correct"
    assert result.details["latex"].startswith(r"\theta - \eta \lambda \theta")


def test_display_order_does_not_change_the_verdict():
    item = {**weight_decay_item(), "answer": "theta - eta*lam*theta"}
    # Written in the opposite order from the key: still equivalent, and echoed as typed.
    result = check_answer(item, None, "-lam*eta*theta + theta")
    assert result.status == "correct"
    assert result.details["latex"] == r"- \lambda \eta \theta + \theta"
    assert result.correct_answer == r"$\theta - \eta \lambda \theta$"
