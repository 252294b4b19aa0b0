"""Demo items mended after an independent review: each test pins one mended behaviour.

The numbers here are recomputed from first principles (closed forms and plain loops), never read
from the bank or the engine's calculators.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from quizzes.engine import check_answer, draw_variant, render_item, variant_seed

BANK_DIR = Path(__file__).resolve().parents[2] / "content" / "banks"
ITEMS = {
    item["key"]: item
    for path in sorted(BANK_DIR.glob("*.yaml"))
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
}
SEEDS = [variant_seed(student, "mended-items", attempt) for student in range(6) for attempt in range(4)]


def three_figures(value: float) -> str:
    return f"{value:.3g}"


def first_step_where_loss_stays_below(trajectory: list[float], bound: float) -> int:
    for start in range(len(trajectory)):
        if all(theta * theta < bound for theta in trajectory[start:]):
            return start + 1
    raise AssertionError("never settles")


def lr_inside_momentum(theta: float, lr: float, beta: float, steps: int) -> list[float]:
    velocity, path = 0.0, []
    for _ in range(steps):
        velocity = beta * velocity + lr * 2 * theta
        theta -= velocity
        path.append(theta)
    return path


def test_rmsprop_eps_placement_asks_for_the_signed_change_and_names_a_dropped_sign():
    item = ITEMS["rmsprop-eps-placement"]
    assert "signed change" in item["stem"]
    for seed in SEEDS[:8]:
        variant = draw_variant(item, seed)
        lr, beta = variant.params["lr"], variant.params["beta"]
        update = -lr * 1e-6 / (math.sqrt(1 - beta) * 1e-6 + 1e-8)
        assert check_answer(item, variant, f"{update:.4g}").status == "correct"
        magnitude = check_answer(item, variant, f"{-update:.4g}")
        assert magnitude.status == "incorrect"
        assert "signed change" in " ".join(magnitude.feedback)


def test_rmsprop_eps_placement_states_the_real_ratio_of_root_v_to_eps():
    item = ITEMS["rmsprop-eps-placement"]
    text = item["explanation"] + "".join(m["feedback"] for m in item["misconceptions"])
    assert "only a few times" not in text
    ratios = [math.sqrt(1 - beta) * 1e-6 / 1e-8 for beta in item["params"]["beta"]["choices"]]
    assert min(ratios) == pytest.approx(3.16, abs=0.01) and max(ratios) == pytest.approx(31.6, abs=0.1)
    assert "between about 3 and 32 times" in item["explanation"]
    for beta, stated in ((0.9, "31.6"), (0.99, "10"), (0.999, "3.2")):
        assert math.sqrt(1 - beta) * 1e-6 / 1e-8 == pytest.approx(float(stated), abs=0.05)
        assert stated in text


def test_the_warmup_cosine_item_counts_steps_as_the_cosine_schedule_item_does():
    warmup, cosine = ITEMS["warmup-cosine-late-rate"], ITEMS["cosine-schedule-lr"]
    # cosine-schedule-lr: update t = 1, 2, ... of the cosine runs at angle pi (t - 1) / T.
    assert r"\pi (t-1)" in cosine["stem"]
    # warmup-cosine-late-rate: step 100 is the cosine's first update (t = 1), so step 850 is t = 751.
    t, total, peak = 850 - 100 + 1, 1000, 1e-3
    expected = peak / 2 * (1 + math.cos(math.pi * (t - 1) / total))
    assert "counted from 0" in warmup["stem"]
    assert warmup["answer"] == pytest.approx(expected, rel=1e-12)
    assert check_answer(warmup, None, "1.46e-4").status == "correct"
    one_behind = peak / 2 * (1 + math.cos(math.pi * (t - 2) / total))
    late = check_answer(warmup, None, three_figures(one_behind))
    assert late.status == "incorrect" and "one step behind" in " ".join(late.feedback)


def test_the_tuning_order_item_says_whose_order_it_asks_for():
    stem = ITEMS["tuning-order"]["stem"]
    assert "this course's" in stem and "do not all agree" in stem


def test_the_bias_correction_statements_name_the_betas_they_hold_for():
    stem = ITEMS["bias-correction-properties"]["stem"]
    assert r"\beta_1 = 0.9" in stem and r"\beta_2 = 0.999" in stem
    # The uncorrected first Adam step with these betas is (1 - b1) / sqrt(1 - b2) times the corrected one.
    assert (1 - 0.9) / math.sqrt(1 - 0.999) == pytest.approx(3.162, abs=1e-3)


@pytest.mark.parametrize(
    "key", ["bias-correction-factor", "quadratic-optimal-gd-lr", "epochs-from-steps", "clipped-sgd-step"]
)
def test_items_that_ask_for_three_figures_accept_every_correct_three_figure_answer(key):
    item = ITEMS[key]
    assert "3 significant figures" in item["stem"]
    for seed in SEEDS:
        variant = draw_variant(item, seed)
        key_value = variant.values["answer"]
        result = check_answer(item, variant, three_figures(key_value))
        assert result.status == "correct", (key, variant.params, three_figures(key_value))


@pytest.mark.parametrize(
    ("key", "right", "misrounded", "exact"),
    [
        ("adam-first-moment-correction-at-t10", "1.54", "1.53", 1 / (1 - 0.9**10)),
        ("quadratic-x1-after-20-steps", "-0.943", "-0.944", -5 * (1 - 0.4 * 0.2) ** 20),
        ("warmup-cosine-late-rate", "1.46e-4", "1.47e-4", 0.5e-3 * (1 + math.cos(0.75 * math.pi))),
    ],
)
def test_a_stored_key_is_exact_so_a_misrounded_answer_fails(key, right, misrounded, exact):
    item = ITEMS[key]
    assert item["answer"] == pytest.approx(exact, rel=1e-12)
    assert check_answer(item, None, right).status == "correct"
    assert check_answer(item, None, misrounded).status == "incorrect"


def test_the_overshoot_table_asks_for_the_velocity_so_a_slip_is_carried_forward():
    item = ITEMS["momentum-table-overshoot-loss"]
    assert item["table"]["columns"] == ["m", "theta", "loss"]
    assert "When does the loss first go up" not in item["stem"]
    variant = draw_variant(item, SEEDS[0])
    # The student forgets the 2 of the gradient in m1, then works on correctly from their own m1.
    cells, theta, velocity = {}, 10.0, 0.0
    for step in range(1, 5):
        gradient = 2 * theta if step > 1 else theta
        velocity = 0.9 * velocity + 0.1 * gradient
        theta -= velocity
        cells.update({f"m{step}": velocity, f"theta{step}": theta, f"loss{step}": theta * theta})
    result = check_answer(item, variant, {name: f"{value:.6f}" for name, value in cells.items()})
    assert result.status == "partial"
    assert result.score == pytest.approx(11 / 12)


def test_momentum_always_faster_compares_with_plain_gradient_descent_and_its_numbers_hold():
    item = ITEMS["momentum-always-faster"]
    assert r"\beta = 0.5" not in item["feedback_true"] + item["explanation"]
    plain = lr_inside_momentum(10.0, 0.1, 0.0, 400)
    heavy = lr_inside_momentum(10.0, 0.1, 0.9, 400)
    assert first_step_where_loss_stays_below(plain, 0.01) == 21
    assert first_step_where_loss_stays_below(heavy, 0.01) == 84
    assert min(heavy[:6]) == pytest.approx(-7.09, abs=0.01)
    assert "step 21" in item["feedback_true"] and "step 84" in item["feedback_true"]
    assert lr_inside_momentum(10.0, 0.5, 0.0, 1) == [0.0]


def test_the_optimal_rate_feedback_gives_the_real_range_of_the_ratio():
    item = ITEMS["quadratic-optimal-gd-lr"]
    a_values, b_values = item["params"]["a"]["choices"], item["params"]["b"]["choices"]
    ratios = [2 * (2 * b) / (2 * a + 2 * b) for a in a_values for b in b_values]
    feedback = item["misconceptions"][0]["feedback"]
    assert "a bit larger" not in feedback
    assert f"{min(ratios):.3g}" in feedback and f"{max(ratios):.3g}" in feedback


def test_wording_fixes_stay():
    assert r"\eta g/(1-\beta)" in ITEMS["effective-sample-size"]["explanation"]
    conventions = " ".join(
        c.get("feedback", "") for c in ITEMS["conventions-agree-at-constant-lr"]["choices"]
    )
    assert "more than 1" not in conventions and r"\eta/(1-\beta)" in conventions
    nesterov = " ".join(c.get("feedback", "") for c in ITEMS["nesterov-pytorch-facts"]["choices"])
    assert "one gradient at the" in nesterov.replace("\n", " ") or "one gradient is taken" in nesterov
    assert "look-ahead point $\\theta - \\eta\\beta v$" in nesterov.replace("\n", " ")


def test_clip_below_threshold_does_not_print_its_answer_in_the_stem():
    item = ITEMS["clip-below-threshold"]
    for seed in SEEDS:
        variant = draw_variant(item, seed)
        shown = {float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", render_item(item, variant).stem)}
        answer = variant.values["answer"]
        assert answer == pytest.approx(variant.params["lr"] * variant.params["g1"])
        assert not any(math.isclose(answer, number, rel_tol=1e-9) for number in shown), variant.params


def test_lion_is_not_tagged_as_adam():
    assert "adam" not in ITEMS["lion-sign-steps"]["topics"]


def test_the_lab_notebook_item_has_several_plausible_distractors():
    wrong = [choice for choice in ITEMS["lab-notebook-fields"]["choices"] if not choice.get("correct")]
    assert len(wrong) >= 3


def test_the_flat_direction_explanation_quotes_only_the_drawn_variant():
    item = ITEMS["d2l-gd-flat-direction"]
    for seed in SEEDS:
        variant = draw_variant(item, seed)
        lr, steps = variant.params["lr"], variant.params["steps"]
        result = check_answer(item, variant, "0")
        explanation = result.explanation
        assert f"after ${steps}$ steps" in explanation
        if (lr, steps) != (0.4, 20):
            assert "0.94" not in explanation


# A parameter's symbol followed by a number, as explanations write them: "\eta = 0.1", "\beta_1 = 0.9".
PARAMETER_SYMBOLS = {
    "lr": r"\\eta",
    "beta": r"\\beta(?![_\w])",
    "beta1": r"\\beta_1",
    "beta2": r"\\beta_2",
    "theta0": r"\\theta_0",
    "weight_decay": r"\\lambda",
}
NUMBER = r"(-?\d+(?:\.\d+)?)"
TEMPLATED = [
    key for key, item in ITEMS.items() if item.get("params") and item["kind"] in ("calculation", "table")
]


def rendered_explanation(item: dict, variant) -> str:
    response = {} if item["kind"] == "table" else "0"
    return check_answer(item, variant, response).explanation or ""


@pytest.mark.parametrize("key", TEMPLATED)
def test_explanations_quote_no_parameter_value_of_another_variant(key):
    item = ITEMS[key]
    for seed in SEEDS[:10]:
        variant = draw_variant(item, seed)
        explanation = rendered_explanation(item, variant)
        for name, symbol in PARAMETER_SYMBOLS.items():
            if name not in variant.params:
                continue
            # Only a symbol standing alone ("$\\eta = 0.1$"), not the end of a product ("2\\theta_0 = 8").
            for match in re.finditer(r"(?:^|(?<=[\s$(]))" + symbol + r"\s*=\s*" + NUMBER, explanation):
                assert float(match.group(1)) == pytest.approx(float(variant.params[name])), (
                    f"{key} {variant.params}: {match.group(0)!r}"
                )
        if "steps" in variant.params:
            for match in re.finditer(r"(?<![\d.])(\d+)\$? steps", explanation):
                assert int(match.group(1)) == variant.params["steps"], (
                    f"{key} {variant.params}: {match.group(0)!r}"
                )
