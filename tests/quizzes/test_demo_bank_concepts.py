"""The conceptual demo banks (content/banks/concepts-*.yaml).

Three layers of checks:
- structure: the floors per item kind, unique keys, topics from the format doc, real
  explanations, feedback on every wrong choice, hints on the hard items;
- content: every fixed numeric answer is recomputed here from first principles (RECOMPUTE)
  and must match within the item's own tolerance; orderings that rank quantities are
  recomputed too (RANKED_QUANTITIES);
- the quiz engine: every item validates, and the keyed answer scores 1.0 through the engine's
  public API.

The recomputations deliberately do not import optimlab or the engine, so a wrong key cannot
be "confirmed" by the same code that produced it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import yaml

BANK_DIR = Path(__file__).resolve().parents[2] / "content" / "banks"
BANK_FILES = sorted(BANK_DIR.glob("concepts*.yaml"))

# The task's floors for the conceptual part of the demo bank.
MINIMUM_PER_KIND = {
    "single": 18, "multiple": 18, "truefalse": 18, "ordering": 12, "numeric": 20,
    "shortanswer": 1, "matching": 1, "description": 1, "cloze": 3, "essay": 3,
}  # fmt: skip
MINIMUM_ITEMS = 90
# Topic slugs listed in docs/bank-format.md; a typo would silently create a new topic on import.
KNOWN_TOPICS = {
    "gradient-descent", "sgd", "minibatches", "learning-rate", "ill-conditioning", "stability",
    "momentum", "momentum-conventions", "effective-sample-size", "nesterov", "ewma", "adagrad",
    "rmsprop", "adam", "bias-correction", "adamw", "weight-decay", "schedules", "warmup",
    "gradient-clipping", "diagnosing-training", "tuning",
}  # fmt: skip
CONCEPT_KINDS = {
    "single",
    "multiple",
    "truefalse",
    "ordering",
    "numeric",
    "shortanswer",
    "matching",
    "description",
    "cloze",
    "essay",
}


def load_banks() -> list[dict]:
    return [yaml.safe_load(path.read_text(encoding="utf-8")) for path in BANK_FILES]


BANKS = load_banks()
ITEMS = [item for bank in BANKS for item in bank["items"]]
ITEMS_BY_KEY = {item["key"]: item for item in ITEMS}


def items_of_kind(*kinds: str) -> list[dict]:
    return [item for item in ITEMS if item["kind"] in kinds]


def by_key(items: list[dict]) -> dict:
    """pytest.mark.parametrize arguments that name each case after the item key."""
    return {"argvalues": items, "ids": [item["key"] for item in items]}


# ------------------------------------------------------------------ first-principles helpers
# The ill-conditioned quadratic f(x) = 0.1 x1^2 + 2 x2^2 has Hessian diag(0.2, 4).
QUADRATIC_CURVATURES = np.array([0.2, 4.0])
D2L_START = np.array([-5.0, -2.0])


def gradient_descent_on_quadratic(lr: float, steps: int, start=D2L_START) -> np.ndarray:
    x = np.array(start, dtype=float)
    for _ in range(steps):
        x = x - lr * QUADRATIC_CURVATURES * x
    return x


def heavy_ball_on_quadratic(lr: float, beta: float, steps: int, start=D2L_START) -> np.ndarray:
    """PyTorch convention: v <- beta v + g; x <- x - lr v."""
    x, velocity = np.array(start, dtype=float), np.zeros(2)
    for _ in range(steps):
        velocity = beta * velocity + QUADRATIC_CURVATURES * x
        x = x - lr * velocity
    return x


def lr_inside_momentum_on_parabola(theta: float, lr: float, beta: float, steps: int) -> tuple[float, float]:
    """m <- beta m + lr J'(theta); theta <- theta - m, on J(theta) = theta^2. Returns (theta, m)."""
    memory = 0.0
    for _ in range(steps):
        memory = beta * memory + lr * 2 * theta
        theta -= memory
    return theta, memory


def lr_inside_steps(rates: list[float], beta: float, grad: float) -> list[float]:
    """Steps m of m <- beta m + lr g under a changing learning rate and a constant gradient."""
    memory, steps = 0.0, []
    for lr in rates:
        memory = beta * memory + lr * grad
        steps.append(memory)
    return steps


def ewma(values: list[float], beta: float, start: float) -> float:
    average = start
    for value in values:
        average = beta * average + (1 - beta) * value
    return average


def effective_count(beta: float) -> float:
    return 1 / (1 - beta)


def beta_from_window(points: int) -> float:
    """The window rule of thumb gives the new point's weight, 1 - beta = 2 / (n + 1)."""
    return 1 - 2 / (points + 1)


def adam_first_step(grad: float, lr: float, beta1: float, beta2: float, eps: float, corrected: bool) -> float:
    first = (1 - beta1) * grad
    second = (1 - beta2) * grad**2
    if corrected:
        first, second = first / (1 - beta1), second / (1 - beta2)
    return lr * first / (math.sqrt(second) + eps)


def adagrad_step_scale(lr: float, grads: list[float]) -> float:
    return lr / math.sqrt(sum(g * g for g in grads))


def cosine_rate(t: float, total: float, peak: float, floor: float = 0.0) -> float:
    return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * t / total))


def warmup_then_cosine(step: int, peak: float = 1e-3, warmup: int = 100, decay: int = 1000) -> float:
    if step <= warmup:
        return peak * step / warmup
    return cosine_rate(step - warmup, decay, peak)


def clip_by_norm(grad: list[float], max_norm: float) -> np.ndarray:
    vector = np.array(grad, dtype=float)
    return vector * min(1.0, max_norm / np.linalg.norm(vector))


def condition_number(hessian: np.ndarray) -> float:
    eigenvalues = np.linalg.eigvalsh(hessian)
    return float(eigenvalues.max() / eigenvalues.min())


def pytorch_momentum_on_parabola(theta: float, lr: float, beta: float, steps: int) -> tuple[float, float]:
    """v <- beta v + J'(theta); theta <- theta - lr v, on J(theta) = theta^2. Returns (theta, v)."""
    velocity = 0.0
    for _ in range(steps):
        velocity = beta * velocity + 2 * theta
        theta -= lr * velocity
    return theta, velocity


def heavy_ball_spectral_radius(lr: float, beta: float, curvature: float) -> float:
    """Largest |eigenvalue| of the map (v, x) -> (beta v + curvature x, x - lr (beta v + curvature x))."""
    transition = np.array([[beta, curvature], [-lr * beta, 1 - lr * curvature]])
    return float(np.abs(np.linalg.eigvals(transition)).max())


def momentum_largest_stable_lr(beta: float, curvature: float) -> float:
    """Bisect for the edge of stability instead of trusting the 2 + 2 beta formula the bank teaches."""
    stable, unstable = 1e-9, 100.0
    for _ in range(200):
        middle = (stable + unstable) / 2
        if heavy_ball_spectral_radius(middle, beta, curvature) < 1:
            stable = middle
        else:
            unstable = middle
    return stable


def smallest_stabilising_beta(lr: float, curvature: float) -> float:
    stable, unstable = 0.999, 0.0
    for _ in range(200):
        middle = (stable + unstable) / 2
        if heavy_ball_spectral_radius(lr, middle, curvature) < 1:
            stable = middle
        else:
            unstable = middle
    return stable


def best_fixed_lr(curvatures: np.ndarray) -> float:
    """Minimise max_i |1 - lr * lambda_i| by a fine grid search, not by the closed form."""
    grid = np.linspace(1e-4, 2 / curvatures.max(), 200_001)
    worst = np.abs(1 - np.outer(grid, curvatures)).max(axis=1)
    return float(grid[worst.argmin()])


# Every numeric item's key, recomputed. A new numeric item without an entry fails
# test_every_numeric_item_has_a_recomputation_and_none_is_stale.
RECOMPUTE: dict[str, Callable[[], float]] = {
    # descent
    "sgd-update-magnitude": lambda: 0.001 * 20,
    "steps-per-epoch-exact": lambda: 64 // 16,
    "steps-per-epoch-partial-batch": lambda: math.ceil(1000 / 32),
    "epochs-from-step-count": lambda: 10_000 / (50_000 / 100),
    "quadratic-one-step-x2": lambda: gradient_descent_on_quadratic(0.4, 1)[1],
    "largest-stable-gd-rate": lambda: momentum_largest_stable_lr(0.0, 4.0),
    "quadratic-x2-after-20-steps-diverging": lambda: gradient_descent_on_quadratic(0.6, 20)[1],
    "quadratic-x1-after-20-steps": lambda: gradient_descent_on_quadratic(0.4, 20)[0],
    "condition-number-of-the-d2l-quadratic": lambda: condition_number(np.diag(2 * np.array([0.1, 2.0]))),
    "quadratic-best-fixed-rate": lambda: best_fixed_lr(QUADRATIC_CURVATURES),
    # momentum
    "effective-sample-size-beta-09": lambda: sum(0.9**k for k in range(10_000)),
    "effective-sample-size-beta-099": lambda: sum(0.99**k for k in range(100_000)),
    "momentum-largest-stable-rate": lambda: momentum_largest_stable_lr(0.5, 4.0),
    "momentum-smallest-beta-for-eta-06": lambda: smallest_stabilising_beta(0.6, 4.0),
    "lr-inside-theta-after-two-steps": lambda: lr_inside_momentum_on_parabola(10.0, 0.1, 0.5, 2)[0],
    "lr-inside-theta-after-three-steps-beta-09": lambda: lr_inside_momentum_on_parabola(10.0, 0.1, 0.9, 3)[0],
    # The lr-inside run that ends with m = 2.6 is the two-step one from theta = 10.
    "pytorch-velocity-from-lr-inside-m": lambda: pytorch_momentum_on_parabola(10.0, 0.1, 0.5, 2)[1],
    "ewma-beta-from-window": lambda: beta_from_window(19),
    "ewma-two-updates": lambda: ewma([6, 4], beta=0.5, start=5),
    "ewma-zero-start-bias": lambda: ewma([1.0] * 10, beta=0.9, start=0.0),
    "momentum-weight-of-old-gradient": lambda: 0.9**10,
    "momentum-steady-state-step": lambda: 0.01 * effective_count(0.9) * 1.0,
    "lr-inside-step-after-a-rate-drop": lambda: lr_inside_steps([0.1] * 500 + [0.01], beta=0.9, grad=1.0)[-1],
    "momentum-contraction-per-step": lambda: heavy_ball_spectral_radius(0.6, 0.5, 4.0),
    # adaptive
    "adagrad-effective-rate": lambda: adagrad_step_scale(0.1, [3, 4]),
    "adagrad-rate-after-100-unit-gradients": lambda: adagrad_step_scale(0.1, [1.0] * 100) * 1.0,
    "rmsprop-first-accumulator": lambda: ewma([2.0**2], beta=0.9, start=0.0),
    "adam-uncorrected-first-moment": lambda: ewma([2.0], beta=0.9, start=0.0),
    "adam-second-moment-correction-at-t1": lambda: 1 / (1 - 0.999**1),
    "adam-first-moment-correction-at-t10": lambda: 1 / (1 - 0.9**10),
    "adam-first-step-without-correction": lambda: adam_first_step(
        1.0, 1e-3, 0.9, 0.999, 1e-8, corrected=False
    ),
    "adam-first-step-with-correction": lambda: adam_first_step(5.0, 1e-3, 0.9, 0.999, 1e-8, corrected=True),
    "adamw-decay-per-step": lambda: 2.0 - 2.0 * (1 - 1e-3 * 0.01),
    # practice
    "linear-warmup-rate": lambda: 3e-4 * 250 / 1000,
    "cosine-schedule-halfway": lambda: cosine_rate(500, 1000, 0.1),
    "cosine-schedule-quarter": lambda: cosine_rate(250, 1000, 0.1),
    "step-decay-rate": lambda: 0.1 * 0.1 ** (65 // 30),
    "clipped-gradient-component": lambda: clip_by_norm([6, 8], 5)[0],
    "clipping-coefficient-small-gradient": lambda: clip_by_norm([0.3, 0.4], 1)[0] / 0.3,
    "warmup-cosine-late-rate": lambda: warmup_then_cosine(850),
}


def _distance_after_20(run: Callable[[], np.ndarray]) -> float:
    return float(np.linalg.norm(run()))


# Orderings that rank quantities: the quantity of each step, in the order the bank lists the
# steps, and the direction the list must run in.
RANKED_QUANTITIES: dict[str, tuple[str, Callable[[], list[float]]]] = {
    "quadratic-runs-by-final-distance": (
        "increasing",
        lambda: [
            _distance_after_20(lambda: heavy_ball_on_quadratic(0.6, 0.5, 20)),
            _distance_after_20(lambda: heavy_ball_on_quadratic(0.6, 0.25, 20)),
            _distance_after_20(lambda: gradient_descent_on_quadratic(0.4, 20)),
            _distance_after_20(lambda: gradient_descent_on_quadratic(0.6, 20)),
        ],
    ),
    # Per-step contraction |1 - lr * 4|: the fastest run has the smallest factor.
    "learning-rates-by-convergence-speed": (
        "increasing",
        lambda: [abs(1 - 4 * lr) for lr in (0.25, 0.2, 0.1, 0.45, 0.02)],
    ),
    "data-units-by-size": ("increasing", lambda: [1, 16, 64, 64 * 10]),
    "stable-range-by-configuration": (
        "increasing",
        lambda: [momentum_largest_stable_lr(beta, 4.0) for beta in (0.0, 0.25, 0.5, 0.9)],
    ),
    "averages-by-memory-length": (
        "increasing",
        lambda: [
            effective_count(beta) for beta in (0.5, beta_from_window(9), 0.9, beta_from_window(39), 0.99)
        ],
    ),
    "warmup-cosine-rates-ranked": (
        "decreasing",
        lambda: [warmup_then_cosine(s) for s in (100, 350, 20, 850, 1090)],
    ),
}


def accepted(key: float, value: float, tolerance: dict) -> bool:
    """The bank format's tolerance rule, implemented independently of the engine, in exact arithmetic."""
    key_exact, value_exact = Fraction(repr(float(key))), Fraction(repr(float(value)))
    mode, amount = tolerance["mode"], Fraction(repr(float(tolerance["value"])))
    if mode == "absolute":
        allowed = amount
    elif mode == "relative":
        allowed = amount * abs(key_exact)
    elif mode == "sigfigs":
        # Half a unit in the n-th significant digit of the key.
        exponent = math.floor(math.log10(abs(float(key))))
        allowed = Fraction(1, 2) * Fraction(10) ** (exponent - int(tolerance["value"]) + 1)
    else:
        raise AssertionError(f"unknown tolerance mode {mode!r}")
    return abs(value_exact - key_exact) <= allowed


def sentence_count(markdown: str) -> int:
    """Sentences in Markdown prose; inline math counts as a word, so "$0.5$." ends a sentence."""
    prose = re.sub(r"\$[^$]*\$", "x", markdown.strip())
    return len(re.findall(r"[.!?](?=\s|$)", prose))


# ------------------------------------------------------------------ structure
def test_the_concept_banks_exist_and_declare_the_format():
    assert BANK_FILES, f"no concepts*.yaml in {BANK_DIR}"
    slugs = [bank["bank"]["slug"] for bank in BANKS]
    for bank in BANKS:
        assert bank["format"] == "descent-bank/1"
        assert bank["bank"]["name"] and bank["bank"]["description"].strip()
        assert bank["items"]
    assert len(slugs) == len(set(slugs)), "two concept files claim the same bank slug"


def test_the_banks_meet_the_floor_for_every_kind():
    counts = Counter(item["kind"] for item in ITEMS)
    for kind, minimum in MINIMUM_PER_KIND.items():
        assert counts[kind] >= minimum, f"{kind}: {counts[kind]} items, need {minimum}"
    assert len(ITEMS) >= MINIMUM_ITEMS
    assert set(counts) <= CONCEPT_KINDS, "calculation, symbolic and table items belong to the other banks"


def test_item_keys_are_unique_slugs_across_all_concept_banks():
    keys = [item["key"] for item in ITEMS]
    duplicates = [key for key, count in Counter(keys).items() if count > 1]
    assert not duplicates
    for key in keys:
        assert key == key.lower() and all(ch.isalnum() or ch == "-" for ch in key), key


@pytest.mark.parametrize("item", **by_key(ITEMS))
def test_every_item_has_title_known_topics_difficulty_and_a_real_explanation(item):
    assert item["title"].strip()
    assert item["stem"].strip()
    assert item["topics"] and set(item["topics"]) <= KNOWN_TOPICS, set(item["topics"]) - KNOWN_TOPICS
    assert item["difficulty"] in {1, 2, 3, 4, 5}
    # A real explanation, 2 to 6 sentences: a bare "The answer is B." teaches nothing.
    assert 2 <= sentence_count(item["explanation"]) <= 6, item["explanation"]


def test_difficulties_are_spread_over_the_whole_scale():
    counts = Counter(item["difficulty"] for item in ITEMS)
    assert set(counts) == {1, 2, 3, 4, 5}
    assert max(counts.values()) <= 0.45 * len(ITEMS), counts


def test_the_subject_matter_is_covered():
    covered = Counter(topic for item in ITEMS for topic in item["topics"])
    assert set(covered) == KNOWN_TOPICS, KNOWN_TOPICS - set(covered)


@pytest.mark.parametrize("item", **by_key([item for item in ITEMS if item["difficulty"] >= 4]))
def test_hard_items_offer_hints(item):
    assert item.get("hints") and all(hint.strip() for hint in item["hints"])


@pytest.mark.parametrize("item", **by_key(items_of_kind("single", "multiple")))
def test_choice_items_have_the_right_number_of_keys_and_explain_every_distractor(item):
    choices = item["choices"]
    correct = [choice for choice in choices if choice.get("correct")]
    assert len(choices) >= 4
    if item["kind"] == "single":
        assert len(correct) == 1
    else:
        # At least one distractor, or ticking everything would be a free full score.
        assert 2 <= len(correct) < len(choices)
    for choice in choices:
        if not choice.get("correct"):
            assert choice.get("feedback", "").strip(), f"distractor without feedback: {choice['text']}"


@pytest.mark.parametrize("item", **by_key(items_of_kind("truefalse")))
def test_true_false_items_give_feedback_for_both_answers(item):
    assert isinstance(item["answer"], bool)
    assert item["feedback_true"].strip() and item["feedback_false"].strip()


def test_true_false_answers_are_not_all_the_same():
    answers = Counter(item["answer"] for item in items_of_kind("truefalse"))
    assert answers[True] >= 5 and answers[False] >= 5, answers


@pytest.mark.parametrize("item", **by_key(items_of_kind("ordering")))
def test_ordering_items_have_several_distinct_steps(item):
    steps = item["steps"]
    assert len(steps) >= 4 and len(set(steps)) == len(steps)


# ------------------------------------------------------------------ recomputed content
def test_every_numeric_item_has_a_recomputation_and_none_is_stale():
    numeric_keys = {item["key"] for item in items_of_kind("numeric")}
    assert numeric_keys - RECOMPUTE.keys() == set(), "numeric items without a recomputation"
    assert RECOMPUTE.keys() - numeric_keys == set(), "recomputations for items that no longer exist"


def test_numeric_items_use_every_tolerance_mode():
    modes = Counter(item["tolerance"]["mode"] for item in items_of_kind("numeric"))
    assert set(modes) == {"absolute", "relative", "sigfigs"}, modes


@pytest.mark.parametrize("item", **by_key(items_of_kind("numeric")))
def test_numeric_answer_matches_its_recomputation_within_its_tolerance(item):
    answer = item["answer"]
    # A YAML slip such as `1e-5` (no dot) loads as a string; the key must be a real number.
    assert isinstance(answer, int | float) and not isinstance(answer, bool), repr(answer)
    recomputed = float(RECOMPUTE[item["key"]]())
    assert accepted(answer, recomputed, item["tolerance"]), (answer, recomputed, item["tolerance"])


@pytest.mark.parametrize("item", **by_key(items_of_kind("numeric")))
def test_numeric_misconceptions_are_distinct_wrong_answers(item):
    wrong_answers = [misconception["answer"] for misconception in item.get("misconceptions", [])]
    assert len(wrong_answers) == len(set(wrong_answers))
    for wrong in wrong_answers:
        assert not accepted(item["answer"], wrong, item["tolerance"]), wrong


def test_ranked_orderings_are_recomputed():
    ordering_keys = {item["key"] for item in items_of_kind("ordering")}
    assert RANKED_QUANTITIES.keys() <= ordering_keys


@pytest.mark.parametrize("key", sorted(RANKED_QUANTITIES))
def test_ranked_ordering_lists_its_steps_in_the_recomputed_order(key):
    direction, quantities = RANKED_QUANTITIES[key]
    values = quantities()
    assert len(values) == len(ITEMS_BY_KEY[key]["steps"])
    pairs = list(zip(values, values[1:], strict=False))
    if direction == "increasing":
        assert all(first < second for first, second in pairs), values
    else:
        assert all(first > second for first, second in pairs), values


def test_the_seed_tables_are_reproduced_by_the_helpers():
    """Guard the helpers themselves against the printed numbers in the subject matter."""
    # d2l: 20 steps from (-5, -2).
    assert gradient_descent_on_quadratic(0.4, 20) == pytest.approx([-0.943467, -0.000073], abs=1e-6)
    assert gradient_descent_on_quadratic(0.6, 20) == pytest.approx([-0.387814, -1673.365109], abs=1e-5)
    assert heavy_ball_on_quadratic(0.6, 0.5, 20) == pytest.approx([0.007188, 0.002553], abs=1e-6)
    assert heavy_ball_on_quadratic(0.6, 0.25, 20) == pytest.approx([-0.126340, -0.186632], abs=1e-6)
    # The momentum table on J = theta^2 from theta = 10, lr = 0.1.
    assert lr_inside_momentum_on_parabola(10.0, 0.1, 0.5, 5)[0] == pytest.approx(0.0838, abs=1e-4)
    assert lr_inside_momentum_on_parabola(10.0, 0.1, 0.9, 6)[0] == pytest.approx(-7.0897, abs=1e-4)
    # The item "pytorch-velocity-from-lr-inside-m" quotes m = 2.6 for the two-step run.
    assert lr_inside_momentum_on_parabola(10.0, 0.1, 0.5, 2)[1] == pytest.approx(2.6)


def test_the_two_momentum_conventions_agree_only_while_the_learning_rate_is_constant():
    """The claim behind several items: m = lr v at a constant rate, not after a schedule changes it."""
    gradients = [3.0, -1.0, 2.0, 0.5]
    rates = [0.1, 0.1, 0.01, 0.01]
    beta, velocity, memory = 0.9, 0.0, 0.0
    steps_pytorch, steps_inside = [], []
    for grad, lr in zip(gradients, rates, strict=True):
        velocity = beta * velocity + grad
        memory = beta * memory + lr * grad
        steps_pytorch.append(lr * velocity)
        steps_inside.append(memory)
    assert steps_pytorch[:2] == pytest.approx(steps_inside[:2])
    assert steps_pytorch[2] != pytest.approx(steps_inside[2])


def test_after_a_long_constant_gradient_pytorch_applies_a_rate_drop_at_once():
    """The figure quoted in the misconception feedback of "lr-inside-step-after-a-rate-drop"."""
    velocity = 0.0
    for lr in [0.1] * 500 + [0.01]:
        velocity = 0.9 * velocity + 1.0
        step = lr * velocity
    assert step == pytest.approx(0.1)
    assert lr_inside_steps([0.1] * 500 + [0.01], beta=0.9, grad=1.0)[-1] == pytest.approx(0.91)


# ------------------------------------------------------------------ the quiz engine
@pytest.fixture(scope="module")
def engine():
    import quizzes.engine

    return quizzes.engine


def _variant(engine, item: dict):
    return engine.draw_variant(item, engine.variant_seed(1, item["key"], 1))


@pytest.mark.parametrize("item", **by_key(ITEMS))
def test_the_engine_finds_no_problem_in_any_item(engine, item):
    assert engine.validate_item(item) == []


@pytest.mark.parametrize("item", **by_key(items_of_kind("single", "multiple")))
def test_picking_exactly_the_correct_choices_scores_full_marks(engine, item):
    variant = _variant(engine, item)
    shown = {choice["text"]: choice["id"] for choice in engine.render_item(item, variant).choices}
    correct_ids = [shown[choice["text"]] for choice in item["choices"] if choice.get("correct")]
    response = correct_ids[0] if item["kind"] == "single" else correct_ids
    result = engine.check_answer(item, variant, response)
    assert result.status == "correct" and result.score == 1.0


@pytest.mark.parametrize("item", **by_key(items_of_kind("single", "multiple")))
def test_a_distractor_costs_marks_and_shows_its_feedback(engine, item):
    variant = _variant(engine, item)
    shown = {choice["text"]: choice["id"] for choice in engine.render_item(item, variant).choices}
    distractor = next(choice for choice in item["choices"] if not choice.get("correct"))
    response = shown[distractor["text"]] if item["kind"] == "single" else [shown[distractor["text"]]]
    result = engine.check_answer(item, variant, response)
    assert result.score == 0.0
    assert any(distractor["feedback"].strip()[:40] in text for text in result.feedback)


@pytest.mark.parametrize("item", **by_key(items_of_kind("truefalse")))
def test_the_keyed_truth_value_scores_full_marks(engine, item):
    variant = _variant(engine, item)
    assert engine.check_answer(item, variant, item["answer"]).score == 1.0
    assert engine.check_answer(item, variant, not item["answer"]).score == 0.0


@pytest.mark.parametrize("item", **by_key(items_of_kind("ordering")))
def test_the_listed_order_scores_full_marks_and_the_shown_order_does_not(engine, item):
    variant = _variant(engine, item)
    shown = engine.render_item(item, variant).steps
    ids_by_text = {step["text"]: step["id"] for step in shown}
    assert engine.check_answer(item, variant, [ids_by_text[text] for text in item["steps"]]).score == 1.0
    assert engine.check_answer(item, variant, [step["id"] for step in shown]).score < 1.0


@pytest.mark.parametrize("item", **by_key(items_of_kind("numeric")))
def test_typing_the_recomputed_value_is_accepted_and_a_misconception_is_recognised(engine, item):
    variant = _variant(engine, item)
    recomputed = float(RECOMPUTE[item["key"]]())
    # Typed the way a student would: a few more significant digits than the tolerance needs.
    assert engine.check_answer(item, variant, f"{recomputed:.10g}").score == 1.0
    for misconception in item.get("misconceptions", []):
        result = engine.check_answer(item, variant, str(misconception["answer"]))
        assert result.score == 0.0
        assert result.misconception is not None


# ------------------------------------------------------------------ the instructors' import path
@pytest.mark.django_db
@pytest.mark.parametrize("path", BANK_FILES, ids=[path.name for path in BANK_FILES])
def test_each_file_imports_through_the_bank_service_and_round_trips_losslessly(path):
    from quizzes.models import Bank
    from quizzes.services.banks import bank_import

    source = yaml.safe_load(path.read_text(encoding="utf-8"))
    report = bank_import(text=path.read_text(encoding="utf-8"), fmt="yaml", filename=path.name)
    assert report.ok, [str(problem) for problem in report.problems]
    bank = Bank.objects.get(slug=source["bank"]["slug"])
    stored = {item.key: item.to_dict() for item in bank.items.prefetch_related("topics")}
    assert set(stored) == {item["key"] for item in source["items"]}
    for item in source["items"]:
        as_stored = stored[item["key"]]
        assert sorted(as_stored.pop("topics")) == sorted(item["topics"])
        # `hints` is the only field with a default: an item without hints is stored with [].
        expected = {"hints": [], **{key: value for key, value in item.items() if key != "topics"}}
        assert as_stored == expected


# ------------------------------------------------------------------ cloze and essay items
# Every numeric blank's full-marks value, recomputed in the order the blanks appear.
CLOZE_RECOMPUTE: dict[str, list[float]] = {
    # Effective number of gradients 1/(1-beta) at 0.9 and 0.95; momentum's stable range 0 < eta*lambda < 2 + 2 beta.
    "momentum-memory-in-blanks": [1 / (1 - 0.9), 1 / (1 - 0.95), 2 + 2 * 0.9],
    # beta2's default; the bias-correction divisor 1 - beta1^t at t = 1.
    "adam-state-in-blanks": [0.999, 1 - 0.9**1],
    # eta * g; samples / batch size.
    "sgd-step-and-epoch-in-blanks": [0.001 * 20, 64 / 16],
}


def _numeric_blanks(item: dict):
    from quizzes.engine.cloze import parse_cloze

    return [blank for blank in parse_cloze(item["stem"]).blanks if blank.kind == "numeric"]


def test_every_cloze_item_has_a_recomputation_of_its_numeric_blanks():
    assert set(CLOZE_RECOMPUTE) == {item["key"] for item in items_of_kind("cloze")}


@pytest.mark.parametrize("item", **by_key(items_of_kind("cloze")))
def test_numeric_blanks_match_their_recomputation_and_wrong_values_stay_wrong(item):
    blanks = _numeric_blanks(item)
    assert len(blanks) == len(CLOZE_RECOMPUTE[item["key"]])
    for blank, expected in zip(blanks, CLOZE_RECOMPUTE[item["key"]], strict=True):
        key = next(answer for answer in blank.answers if answer.fraction >= 1)
        assert abs(float(key.text) - expected) <= key.tolerance + 1e-12, (item["key"], blank.number)
        for wrong in (answer for answer in blank.answers if answer.fraction <= 0 and answer.text != "*"):
            assert abs(float(wrong.text) - expected) > key.tolerance, (item["key"], wrong.text)
            assert wrong.feedback, "a wrong value deserves its own feedback"


@pytest.mark.parametrize("item", **by_key(items_of_kind("cloze")))
def test_each_cloze_key_scores_full_marks_and_every_blank_has_feedback(engine, item):
    from quizzes.engine.cloze import parse_cloze
    from quizzes.engine.kinds import handler_for

    variant = _variant(engine, item)
    result = engine.check_answer(item, variant, handler_for("cloze").correct_response(item, variant))
    assert result.status == "correct" and result.score == 1.0
    for blank in parse_cloze(item["stem"]).blanks:
        assert all(answer.feedback for answer in blank.answers), (item["key"], blank.number)


@pytest.mark.parametrize("item", **by_key(items_of_kind("essay")))
def test_each_essay_tells_graders_what_earns_marks_and_accepts_a_real_answer(engine, item):
    assert "full marks" in item["grader_info"].lower()
    variant = _variant(engine, item)
    words = " ".join(["momentum"] * item.get("min_words", 1))
    assert engine.check_answer(item, variant, words).status == "pending"
