"""The computed demo banks (content/banks/calculations-*.yaml), checked against independent arithmetic.

Every calculation and table item has an entry in RECOMPUTE: a closed form or a plain loop written
here, never optimlab or the engine's calculators, so a wrong calculator, a wrong convention in the
bank or a wrong reference optimizer all show up as a mismatch with the engine's drawn answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from quizzes.bankio import read_bank
from quizzes.engine import check_answer, draw_variant, render_item, validate_item, variant_seed

BANK_DIR = Path(__file__).resolve().parents[2] / "content" / "banks"
BANK_FILES = sorted(BANK_DIR.glob("calculations*.yaml"))
SEEDS = [
    variant_seed(student_id, "calc-bank-check", attempt) for student_id in range(5) for attempt in range(5)
]
RELATIVE = 1e-9
TORCH_CLIP_EPS = 1e-6
# A {{name}} or {{name:.4g}} left in shown text (LaTeX such as _{\text{eff}} is not one).
UNFILLED_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_]\w*\s*(:[^{}]*)?\}\}")


def load_items() -> list[dict]:
    items = []
    for path in BANK_FILES:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        items.extend(document["items"])
    return items


ITEMS = load_items()
ITEMS_BY_KEY = {item["key"]: item for item in ITEMS}


def keys_of(*kinds: str) -> list[str]:
    return [item["key"] for item in ITEMS if item["kind"] in kinds]


# --- reference arithmetic, written out step by step --------------------------------------------
# Conventions follow the course: PyTorch's momentum (v <- beta v + g, theta <- theta - lr v), the EMA
# form (v <- beta v + (1 - beta) g), the learning rate inside the velocity (m <- beta m + lr g,
# theta <- theta - m), and torch's adaptive methods with eps added after the square root.


def parabola_grad(theta: float) -> float:
    """J(theta) = theta**2."""
    return 2.0 * theta


def run_on_parabola(optimizer: str, theta0: float, steps: int, **hp: float) -> list[dict[str, float]]:
    """Row t (1-based, index t-1) holds theta and the optimizer's state after step t."""
    theta, rows = float(theta0), []
    m = v = total = 0.0
    for t in range(1, steps + 1):
        g = parabola_grad(theta)
        row: dict[str, float] = {"grad": g, "theta_prev": theta}
        if optimizer == "sgd":
            theta = theta - hp["lr"] * g
        elif optimizer == "momentum":
            v = hp["beta"] * v + g
            theta = theta - hp["lr"] * v
            row["v"] = v
        elif optimizer == "momentum-ema":
            v = hp["beta"] * v + (1 - hp["beta"]) * g
            theta = theta - hp["lr"] * v
            row["v"] = v
        elif optimizer == "momentum-lr-inside":
            m = hp["beta"] * m + hp["lr"] * g
            theta = theta - m
            row["m"] = m
        elif optimizer == "nesterov":
            v = hp["beta"] * v + g
            theta = theta - hp["lr"] * (g + hp["beta"] * v)
            row["v"] = v
        elif optimizer == "adagrad":
            total = total + g * g
            theta = theta - hp["lr"] * g / (math.sqrt(total) + hp.get("eps", 1e-10))
            row["sum_sq"] = total
        elif optimizer == "rmsprop":
            v = hp["beta"] * v + (1 - hp["beta"]) * g * g
            theta = theta - hp["lr"] * g / (math.sqrt(v) + hp.get("eps", 1e-8))
            row["v"] = v
        elif optimizer in ("adam", "adamw"):
            beta1, beta2, eps = hp.get("beta1", 0.9), hp.get("beta2", 0.999), hp.get("eps", 1e-8)
            decay = hp.get("weight_decay", 0.0 if optimizer == "adam" else 0.01)
            if optimizer == "adam":
                g = g + decay * theta  # coupled L2: the decay term joins the gradient
            else:
                theta = theta * (1 - hp["lr"] * decay)  # decoupled: shrink first, then the Adam step
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            theta = theta - hp["lr"] * m_hat / (math.sqrt(v_hat) + eps)
            row.update(m=m, v=v, m_hat=m_hat, v_hat=v_hat)
        elif optimizer == "radam":
            beta1, beta2, eps = hp.get("beta1", 0.9), hp.get("beta2", 0.999), hp.get("eps", 1e-8)
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat = m / (1 - beta1**t)
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
            if rho_t > 5:  # the variance of the adaptive term is tractable: rectified Adam step
                rect = math.sqrt(
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                )
                theta = theta - hp["lr"] * m_hat * rect / (math.sqrt(v / (1 - beta2**t)) + eps)
            else:  # too early: a momentum-only step
                theta = theta - hp["lr"] * m_hat
            row.update(m=m, v=v)
        elif optimizer == "lion":
            beta1, beta2 = hp.get("beta1", 0.9), hp.get("beta2", 0.99)
            direction = beta1 * m + (1 - beta1) * g
            theta = theta - hp["lr"] * (math.copysign(1.0, direction) if direction else 0.0)
            m = beta2 * m + (1 - beta2) * g
            row["m"] = m
        else:
            raise AssertionError(f"no reference for {optimizer}")
        row["theta"] = theta
        row["update"] = theta - row["theta_prev"]
        row["loss"] = theta * theta
        rows.append(row)
    return rows


def after(optimizer: str, p: dict, key: str = "theta", **fixed: float) -> float:
    """A value after p['steps'] (default 1) steps from p['theta0'] with p's hyperparameters."""
    hp = {name: p[name] for name in ("lr", "beta", "beta1", "beta2", "eps", "weight_decay") if name in p}
    hp.update(fixed)
    return run_on_parabola(optimizer, p["theta0"], int(p.get("steps", 1)), **hp)[-1][key]


def d2l_gd(lr: float, steps: int, start=(-5.0, -2.0)) -> tuple[float, float]:
    """Gradient descent on f = 0.1 x1^2 + 2 x2^2 (gradient (0.2 x1, 4 x2))."""
    x1, x2 = start
    for _ in range(steps):
        x1, x2 = x1 - lr * 0.2 * x1, x2 - lr * 4 * x2
    return x1, x2


def d2l_momentum(lr: float, beta: float, steps: int, start=(-5.0, -2.0)) -> tuple[float, float]:
    """Heavy-ball momentum (PyTorch form) on f = 0.1 x1^2 + 2 x2^2, as in the d2l chapter."""
    (x1, x2), (v1, v2) = start, (0.0, 0.0)
    for _ in range(steps):
        v1, v2 = beta * v1 + 0.2 * x1, beta * v2 + 4 * x2
        x1, x2 = x1 - lr * v1, x2 - lr * v2
    return x1, x2


def adam_uncorrected_step(lr: float, beta1: float, beta2: float, steps: int, g: float = 1.0) -> float:
    """Adam's step at `steps` with a constant gradient, its moments left uncorrected."""
    m = v = 0.0
    for _ in range(steps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
    return lr * m / math.sqrt(v)


def ewma(values: list[float], beta: float, start: float = 0.0) -> float:
    average = start
    for x in values:
        average = beta * average + (1 - beta) * x
    return average


CELL_SOURCES = {
    "g": "grad",
    "s": "sum_sq",
}  # table column -> field of a reference row, where the names differ


def parabola_cells(optimizer: str, p: dict, rows: int) -> dict[str, float]:
    """Every cell a table on J = theta**2 could ask for: g1, m1, v1, m_hat1, v_hat1, theta1, loss1, g2, ..."""
    hp = {name: p[name] for name in ("lr", "beta", "beta1", "beta2", "eps") if name in p}
    cells = {}
    for step, row in enumerate(run_on_parabola(optimizer, p["theta0"], rows, **hp), start=1):
        for column in ("g", "m", "v", "s", "m_hat", "v_hat", "theta", "loss"):
            source = CELL_SOURCES.get(column, column)
            if source in row:
                cells[f"{column}{step}"] = row[source]
    return cells


def ewma_cells(values: list[float], beta: float, start: float = 0.0) -> dict[str, float]:
    cells, average = {}, start
    for step, x in enumerate(values, start=1):
        average = beta * average + (1 - beta) * x
        cells[f"s{step}"] = average
        cells[f"s_hat{step}"] = average / (1 - beta**step)
    return cells


# --- one recomputation per calculation and table item ------------------------------------------

Recompute = Callable[[dict[str, Any]], Any]

RECOMPUTE: dict[str, Recompute] = {
    # SGD, minibatches and stability
    "sgd-update-size": lambda p: p["lr"] * p["g"],
    "sgd-one-step-parabola": lambda p: p["theta0"] - p["lr"] * 2 * p["theta0"],
    "sgd-steps-parabola": lambda p: p["theta0"] * (1 - 2 * p["lr"]) ** p["steps"],
    "sgd-loss-after-steps": lambda p: (p["theta0"] * (1 - 2 * p["lr"]) ** p["steps"]) ** 2,
    "d2l-gd-flat-direction": lambda p: d2l_gd(p["lr"], p["steps"])[0],
    "d2l-gd-steep-direction-diverges": lambda p: d2l_gd(p["lr"], p["steps"])[1],
    "quadratic-max-stable-lr": lambda p: 1 / p["b"],
    "quadratic-contraction-factor": lambda p: abs(1 - 2 * p["b"] * p["lr"]),
    "heavy-ball-stability-bound": lambda p: (2 + 2 * p["beta"]) / p["curvature"],
    "quadratic-condition-number": lambda p: p["b"] / p["a"],
    "quadratic-optimal-gd-lr": lambda p: 1 / (p["a"] + p["b"]),
    "quadratic-optimal-gd-rate": lambda p: (p["b"] / p["a"] - 1) / (p["b"] / p["a"] + 1),
    "gd-steps-to-shrink-error": lambda p: next(
        k for k in range(1, 10_000) if (1 - p["lr"] * p["lam"]) ** k <= 10 ** -p["digits"]
    ),
    "steps-per-epoch": lambda p: p["N"] // p["B"],
    "steps-per-epoch-ragged": lambda p: -(-p["N"] // p["B"]),
    "total-training-steps": lambda p: p["E"] * -(-p["N"] // p["B"]),
    "epochs-from-steps": lambda p: p["S"] * p["B"] / p["N"],
    "linear-scaling-rule": lambda p: p["lr"] * p["B_new"] / p["B_old"],
    "minibatch-gradient-noise": lambda p: p["sigma"] / math.sqrt(p["B"]),
    # momentum, Nesterov and moving averages
    "effective-sample-size": lambda p: 1 / (1 - p["beta"]),
    "ewma-three-observations": lambda p: ewma([5, 6, 4], p["beta"]),
    "ewma-bias-corrected": lambda p: ewma([7, 5, 10, 8], p["beta"]) / (1 - p["beta"] ** 4),
    "ewma-started-at-first-value": lambda p: ewma([6, 4, 7, 5], p["beta"], start=5),
    "ewma-weight-of-older-value": lambda p: (1 - p["beta"]) * p["beta"] ** p["k"],
    "ewma-half-life": lambda p: math.log(0.5) / math.log(p["beta"]),
    "momentum-pytorch-position": lambda p: after("momentum", p),
    "momentum-ema-position": lambda p: after("momentum-ema", p),
    "momentum-lr-inside-position": lambda p: after("momentum-lr-inside", p),
    "momentum-pytorch-velocity": lambda p: after("momentum", p, "v"),
    "momentum-lr-inside-velocity": lambda p: after("momentum-lr-inside", p, "m"),
    "momentum-ema-velocity": lambda p: after("momentum-ema", p, "v"),
    "momentum-terminal-step": lambda p: p["lr"] * p["g"] / (1 - p["beta"]),
    "momentum-ema-matching-lr": lambda p: p["lr"] * (1 - p["beta"]),
    "d2l-momentum-flat-direction": lambda p: d2l_momentum(p["lr"], p["beta"], p["steps"])[0],
    "d2l-momentum-steep-direction": lambda p: d2l_momentum(p["lr"], p["beta"], p["steps"])[1],
    "nesterov-position": lambda p: after("nesterov", p),
    "nesterov-lookahead-point": lambda p: p["theta"] - p["lr"] * p["beta"] * p["v"],
    # AdaGrad, RMSProp, Adam and AdamW
    "adagrad-first-step": lambda p: after("adagrad", p),
    "adagrad-second-step-size": lambda p: after("adagrad", p, "update"),
    "adagrad-position-after-steps": lambda p: after("adagrad", p),
    "adagrad-accumulator": lambda p: p["g1"] ** 2 + p["g2"] ** 2 + p["g3"] ** 2,
    "adagrad-effective-lr": lambda p: (
        p["lr"] / (math.sqrt(p["g1"] ** 2 + p["g2"] ** 2 + p["g3"] ** 2) + 1e-10)
    ),
    "rmsprop-first-step": lambda p: (
        -p["lr"] * 2 * p["theta0"] / (math.sqrt((1 - p["beta"]) * (2 * p["theta0"]) ** 2) + 1e-8)
    ),
    "rmsprop-average-after-two-steps": lambda p: after("rmsprop", p, "v"),
    "rmsprop-position-after-steps": lambda p: after("rmsprop", p),
    "rmsprop-eps-placement": lambda p: -p["lr"] * 1e-6 / (math.sqrt(1 - p["beta"]) * 1e-6 + 1e-8),
    "adam-first-moment": lambda p: (1 - p["beta1"]) * 2 * p["theta0"],
    "adam-second-moment": lambda p: (1 - p["beta2"]) * (2 * p["theta0"]) ** 2,
    "adam-first-step-size": lambda p: after("adam", p, "update"),
    "adam-position-after-steps": lambda p: after("adam", p),
    "adam-first-moment-after-two-steps": lambda p: after("adam", p, "m"),
    "bias-correction-factor": lambda p: 1 / (1 - p["beta"] ** p["t"]),
    "adam-step-without-bias-correction": lambda p: adam_uncorrected_step(
        p["lr"], p["beta1"], p["beta2"], int(p["t"])
    ),
    "adam-corrected-first-moment-two-gradients": lambda p: (
        ewma([p["g1"], p["g2"]], p["beta1"]) / (1 - p["beta1"] ** 2)
    ),
    "adamw-decay-amount": lambda p: p["lr"] * p["weight_decay"] * p["theta"],
    "adamw-versus-l2-first-step": lambda p: after("adamw", p),
    "sgd-weight-decay-step": lambda p: p["theta0"] * (1 - p["lr"] * (2 + p["weight_decay"])),
    "radam-first-step": lambda p: p["theta0"] * (1 - 2 * p["lr"]),
    "lion-sign-steps": lambda p: p["theta0"] - p["steps"] * p["lr"],
    # schedules and clipping
    "linear-warmup-lr": lambda p: p["lr"] * p["t"] / p["W"],
    "cosine-schedule-lr": lambda p: p["lr"] * (1 + math.cos(math.pi * (p["t"] - 1) / p["T"])) / 2,
    "step-decay-lr": lambda p: p["lr"] * p["gamma"] ** (p["t"] // p["s"]),
    "exponential-decay-lr": lambda p: p["lr"] * p["gamma"] ** p["t"],
    "inverse-sqrt-schedule-lr": lambda p: p["lr"] * min(p["t"] / p["W"], math.sqrt(p["W"] / p["t"])),
    # torch's clip_grad_norm_ divides by the norm plus 1e-6
    "clip-scale-factor": lambda p: p["c"] / (math.hypot(p["g1"], p["g2"]) + TORCH_CLIP_EPS),
    "clip-clipped-component": lambda p: p["g1"] * p["c"] / (math.hypot(p["g1"], p["g2"]) + TORCH_CLIP_EPS),
    "clip-below-threshold": lambda p: p["lr"] * p["g1"],
    "clip-global-norm-two-tensors": lambda p: math.sqrt(p["a1"] ** 2 + p["a2"] ** 2 + p["b1"] ** 2),
    "clipped-sgd-step": lambda p: (
        p["lr"] * p["g1"] * p["c"] / (math.hypot(p["g1"], p["g2"]) + TORCH_CLIP_EPS)
    ),
    # tables (table args and drawn params both arrive in p)
    "momentum-table-lr-inside-beta09": lambda p: parabola_cells("momentum-lr-inside", p, 3),
    "momentum-table-lr-inside-beta05": lambda p: parabola_cells("momentum-lr-inside", p, 3),
    "momentum-table-lr-inside-drawn": lambda p: parabola_cells("momentum-lr-inside", p, 3),
    "momentum-table-pytorch": lambda p: parabola_cells("momentum", p, 3),
    "momentum-table-ema": lambda p: parabola_cells("momentum-ema", p, 3),
    "nesterov-table": lambda p: parabola_cells("nesterov", p, 2),
    "momentum-table-overshoot-loss": lambda p: parabola_cells("momentum-lr-inside", p, 4),
    "ewma-table-prices": lambda p: ewma_cells([5, 6, 4, 7], p["beta"]),
    "ewma-table-temperatures": lambda p: ewma_cells([12, 14, 11, 15, 13], p["beta"], start=12),
    "adam-table-two-steps": lambda p: parabola_cells("adam", p, 2),
    "adam-table-short-memory": lambda p: parabola_cells("adam", p, 3),
    "rmsprop-table": lambda p: parabola_cells("rmsprop", p, 3),
    "adagrad-table": lambda p: parabola_cells("adagrad", p, 3),
}


# --- helpers over the engine --------------------------------------------------------------------


def variants(item: dict):
    for seed in SEEDS:
        yield draw_variant(item, seed)


def typed(value: float) -> str:
    """The answer as a careful student would type it: 6 significant figures."""
    return f"{value:.6g}"


def assert_close(expected: float, actual: float, where: str) -> None:
    assert math.isclose(expected, actual, rel_tol=RELATIVE, abs_tol=1e-12), (
        f"{where}: expected {expected!r}, engine {actual!r}"
    )


# --- the tests ----------------------------------------------------------------------------------


def test_the_banks_meet_the_floors():
    kinds = [item["kind"] for item in ITEMS]
    assert kinds.count("calculation") >= 45
    assert kinds.count("symbolic") >= 10
    assert kinds.count("table") >= 10


def test_item_keys_are_unique_across_the_calculation_banks():
    keys = [item["key"] for item in ITEMS]
    assert len(keys) == len(set(keys))


def test_every_calculation_and_table_item_has_an_independent_recomputation():
    missing = [key for key in keys_of("calculation", "table") if key not in RECOMPUTE]
    stale = [key for key in RECOMPUTE if key not in ITEMS_BY_KEY]
    assert missing == [], f"items without a recomputation: {missing}"
    assert stale == [], f"recomputations without an item: {stale}"


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda path: path.name)
def test_bank_file_reads_cleanly_through_the_import_path(path):
    parsed = read_bank(path.read_text(encoding="utf-8"), "yaml", filename=path.name)
    assert parsed.problems == []
    assert len(parsed.items) == len(yaml.safe_load(path.read_text(encoding="utf-8"))["items"])


@pytest.mark.parametrize("key", [item["key"] for item in ITEMS])
def test_what_students_see_has_every_placeholder_filled(key):
    item = ITEMS_BY_KEY[key]
    for seed in SEEDS[:5]:
        variant = draw_variant(item, seed)
        rendered = render_item(item, variant)
        shown = [rendered.stem, *rendered.hints]
        key_response = variant.values["answer"] if item["kind"] == "calculation" else None
        if key_response is not None:
            shown.append(check_answer(item, variant, typed(key_response)).explanation)
        for text in shown:
            assert not UNFILLED_PLACEHOLDER.search(text), f"{key}: {text}"


@pytest.mark.parametrize("key", [item["key"] for item in ITEMS])
def test_item_validates(key):
    assert validate_item(ITEMS_BY_KEY[key]) == []


@pytest.mark.parametrize("key", keys_of("calculation"))
def test_calculation_answer_matches_the_recomputation(key):
    item = ITEMS_BY_KEY[key]
    for variant in variants(item):
        expected = RECOMPUTE[key](variant.params)
        assert_close(expected, variant.values["answer"], f"{key} {variant.params}")


@pytest.mark.parametrize("key", keys_of("calculation"))
def test_calculation_accepts_its_own_answer_as_typed(key):
    item = ITEMS_BY_KEY[key]
    for variant in variants(item):
        result = check_answer(item, variant, typed(variant.values["answer"]))
        assert result.status == "correct", f"{key} {variant.params}: {result.feedback}"


def assert_misconceptions_are_diagnosed(item: dict, variant) -> None:
    pairs = zip(item["misconceptions"], variant.misconception_answers, strict=True)
    for index, (spec, wrong) in enumerate(pairs):
        result = check_answer(item, variant, typed(wrong))
        where = f"{item['key']} misconception {index} {variant.params}"
        assert result.status == "incorrect", f"{where} is accepted"
        assert result.misconception == spec["feedback"], (
            f"{where} gets another diagnosis: {result.misconception!r}"
        )
        assert result.feedback, f"{where} shows no feedback"


MISCONCEIVED_CALCULATIONS = [
    item["key"] for item in ITEMS if item["kind"] == "calculation" and item.get("misconceptions")
]


@pytest.mark.parametrize("key", MISCONCEIVED_CALCULATIONS)
def test_each_misconception_answer_gets_its_own_feedback(key):
    item = ITEMS_BY_KEY[key]
    for variant in variants(item):
        assert_misconceptions_are_diagnosed(item, variant)


@pytest.mark.slow
@pytest.mark.parametrize("key", MISCONCEIVED_CALCULATIONS)
def test_misconceptions_stay_distinguishable_over_many_variants(key):
    """Rare parameter draws can make a wrong answer coincide with the key; 25 seeds may miss them."""
    item = ITEMS_BY_KEY[key]
    for seed in range(200):
        assert_misconceptions_are_diagnosed(item, draw_variant(item, seed))


# --- symbolic items: a second correct form and a wrong one, written by hand ------------------------

SYMBOLIC_FORMS: dict[str, tuple[str, str]] = {
    "gd-quadratic-two-steps-formula": (
        "theta0 - 2*eta*lam*theta0 + eta^2 lam^2 theta0",
        "theta0*(1 - eta*lam^2)",
    ),
    "gd-quadratic-k-steps-formula": ("theta0*(-(eta*lam - 1))^k", "theta0*(1 - eta*lam)*k"),
    "optimal-gd-lr-formula": (r"\frac{2}{lmax + lmin}", "2/(lmax - lmin)"),
    "momentum-lr-inside-m3-formula": ("eta*(beta*(beta*g0 + g1) + g2)", "beta^2 eta g0 + beta eta g1"),
    "momentum-ema-v3-formula": (
        "beta^2 (1 - beta) g1 + beta (1 - beta) g2 + (1 - beta) g3",
        "(1 - beta)*(beta^3 g1 + beta^2 g2 + beta g3)",
    ),
    "momentum-pytorch-theta3-formula": (
        "theta0 - eta*g0 - eta*(beta*g0 + g1) - eta*(beta^2 g0 + beta g1 + g2)",
        "theta0 - eta*(3*g0 + 2*g1 + g2)",
    ),
    "momentum-effective-lr-formula": (r"\frac{\eta}{1-\beta}", "eta/(1 + beta)"),
    "ewma-weight-formula": ("beta^k - beta^(k+1)", "(1 - beta)*k*beta"),
    "momentum-lr-inside-theta2-formula": (
        "theta0*(1 - 4*eta + 4*eta^2 - 2*eta*beta)",
        "theta0*(1 - 2*eta)*(1 - 2*eta*beta)",
    ),
    "ewma-bias-corrected-formula": ("(1 - beta)(beta x1 + x2)/(1 - beta^2)", "(beta*x1 + x2)/(1 - beta)"),
    "adagrad-effective-lr-formula": (r"\frac{\eta}{\sqrt{g_1^2 + g_2^2}}", "eta/(g1 + g2)"),
    "adam-mhat2-formula": ("(1 - beta1)(beta1 g1 + g2)/(1 - beta1^2)", "(beta1*g1 + g2)/2"),
    "rmsprop-first-step-formula": ("eta*(1 - beta)^(-1/2)", "eta*sqrt(1 - beta)"),
    "adamw-update-formula": ("theta - eta*lam*theta - eta*u", "theta*(1 - eta*lam - eta*u)"),
    "clipped-component-formula": ("g1*c*(g1^2 + g2^2)^(-1/2)", "g1*c/(abs(g1) + abs(g2))"),
    "warmup-lr-formula": ("t*eta/W", "eta*(t - 1)/W"),
}


def test_every_symbolic_item_has_hand_written_forms():
    assert sorted(SYMBOLIC_FORMS) == sorted(keys_of("symbolic"))


@pytest.mark.parametrize("key", sorted(SYMBOLIC_FORMS))
def test_symbolic_key_accepts_an_equivalent_form_and_rejects_a_wrong_one(key):
    item = ITEMS_BY_KEY[key]
    equivalent, wrong = SYMBOLIC_FORMS[key]
    accepted = check_answer(item, None, equivalent)
    assert accepted.status == "correct", f"{key}: {equivalent!r} -> {accepted.feedback}"
    rejected = check_answer(item, None, wrong)
    assert rejected.status == "incorrect", f"{key}: {wrong!r} -> {rejected.status} {rejected.feedback}"


@pytest.mark.parametrize(
    "key", [item["key"] for item in ITEMS if item["kind"] == "symbolic" and item.get("misconceptions")]
)
def test_symbolic_misconceptions_are_diagnosed(key):
    item = ITEMS_BY_KEY[key]
    for spec in item["misconceptions"]:
        result = check_answer(item, None, spec["answer"])
        assert result.status == "incorrect", f"{key}: {spec['answer']!r} is accepted"
        assert result.misconception == spec["feedback"], (
            f"{key}: {spec['answer']!r} -> {result.misconception!r}"
        )


def table_inputs(item: dict, variant) -> dict[str, Any]:
    """Fixed table args (theta0, lr, ...) and drawn params: everything the recurrence starts from."""
    return {**(item["table"].get("args") or {}), **variant.params}


def table_cell_names(item: dict) -> list[str]:
    table = item["table"]
    return [f"{column}{step}" for step in range(1, table["rows"] + 1) for column in table["columns"]]


@pytest.mark.parametrize("key", keys_of("table"))
def test_table_key_matches_the_recomputation(key):
    item = ITEMS_BY_KEY[key]
    for variant in variants(item):
        expected = RECOMPUTE[key](table_inputs(item, variant))
        for cell in table_cell_names(item):
            assert_close(expected[cell], variant.values[cell], f"{key} {cell} {variant.params}")


@pytest.mark.parametrize("key", keys_of("table"))
def test_table_accepts_its_own_key_as_typed(key):
    item = ITEMS_BY_KEY[key]
    for variant in variants(item):
        response = {cell: typed(variant.values[cell]) for cell in table_cell_names(item)}
        result = check_answer(item, variant, response)
        assert result.status == "correct" and result.score == 1.0, (
            f"{key} {variant.params}: {result.feedback}"
        )


def test_the_seed_momentum_tables_reproduce_the_primer():
    """The primer's printed runs on J = theta**2 from 10 with eta = 0.1 (learning rate inside the velocity)."""
    half = draw_variant(ITEMS_BY_KEY["momentum-table-lr-inside-beta05"], SEEDS[0]).values
    assert [round(half[f"theta{t}"], 4) for t in (1, 2, 3)] == [8.0, 5.4, 3.02]
    heavy = draw_variant(ITEMS_BY_KEY["momentum-table-overshoot-loss"], SEEDS[0]).values
    assert [round(heavy[f"theta{t}"], 4) for t in (1, 2, 3, 4)] == [8.0, 4.6, 0.62, -3.086]


def test_a_slip_in_the_first_row_is_carried_forward():
    """A wrong m1 with everything after it computed from that m1 loses only the m1 cell."""
    item = ITEMS_BY_KEY["momentum-table-lr-inside-beta09"]
    variant = draw_variant(item, SEEDS[0])
    # The student forgets the factor 2 in the gradient once (m1 = 0.1 * 10), then works on correctly.
    m1 = 1.0
    theta1 = 10 - m1
    m2 = 0.9 * m1 + 0.1 * 2 * theta1
    theta2 = theta1 - m2
    m3 = 0.9 * m2 + 0.1 * 2 * theta2
    theta3 = theta2 - m3
    response = {
        name: typed(value)
        for name, value in dict(m1=m1, theta1=theta1, m2=m2, theta2=theta2, m3=m3, theta3=theta3).items()
    }
    result = check_answer(item, variant, response)
    assert result.status == "partial"
    assert result.score == pytest.approx(5 / 6)
    assert any("carried forward" in line for line in result.feedback)


# --- optimizer answers come from the reference code ------------------------------------------------

# Calculation items whose key may stay a hand-written expression: arithmetic and closed forms that
# run no optimizer (epochs, stability bounds, 1/(1 - beta) steady states, formulas about one step's
# pieces, a schedule optimlab does not have). Any other item must name a calculator.
ARITHMETIC_ANSWERS = {
    "quadratic-max-stable-lr", "quadratic-contraction-factor", "quadratic-condition-number",
    "quadratic-optimal-gd-lr", "quadratic-optimal-gd-rate", "gd-steps-to-shrink-error",
    "total-training-steps", "epochs-from-steps", "linear-scaling-rule", "minibatch-gradient-noise",
    "ewma-weight-of-older-value", "ewma-half-life", "momentum-terminal-step", "momentum-ema-matching-lr",
    "nesterov-lookahead-point", "inverse-sqrt-schedule-lr",
    # closed forms written as formulas so that they export to Moodle as calculated questions
    "adam-step-without-bias-correction", "adam-corrected-first-moment-two-gradients",
}  # fmt: skip


def test_optimizer_answers_are_computed_by_calculators():
    hand_written = {
        item["key"]
        for item in ITEMS
        if item["kind"] == "calculation"
        and "expr" in (item["answer"] if isinstance(item["answer"], dict) else {})
    }
    assert hand_written - ARITHMETIC_ANSWERS == set(), "these keys should use a calculator"
    assert ARITHMETIC_ANSWERS - hand_written == set(), "stale entries in ARITHMETIC_ANSWERS"


def test_the_new_tables_run_rmsprop_and_adagrad_through_the_general_table():
    for key, optimizer in (("rmsprop-table", "rmsprop"), ("adagrad-table", "adagrad")):
        table = ITEMS_BY_KEY[key]["table"]
        assert (table["calc"], table["args"]["optimizer"]) == ("optimizer_table", optimizer)


def test_a_slip_in_the_rmsprop_table_is_carried_forward():
    """v1 without the (1 - beta) factor; theta1 and everything after follow from it, by hand."""
    item = ITEMS_BY_KEY["rmsprop-table"]
    variant = draw_variant(item, SEEDS[0])
    p = variant.params
    lr, beta, eps = p["lr"], p["beta"], 1e-8
    theta, v, cells = float(p["theta0"]), 0.0, {}
    for step in (1, 2, 3):
        g = 2 * theta
        v = g * g if step == 1 else beta * v + (1 - beta) * g * g
        theta = theta - lr * g / (math.sqrt(v) + eps)
        cells.update({f"g{step}": g, f"v{step}": v, f"theta{step}": theta})
    result = check_answer(item, variant, {name: typed(value) for name, value in cells.items()})
    assert result.score == pytest.approx(8 / 9), result.details["cells"]
    assert result.details["cells"]["v1"]["status"] == "wrong"
    assert result.details["cells"]["theta1"]["status"] == "carried"
