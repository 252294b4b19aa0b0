"""Mistake families: each family is named on every exercise it applies to, catalogued mistakes keep
priority, the likely line is pointed at when it can be told, and steps that follow no known rule
say how far they are from it."""

import json
import textwrap

import numpy as np
import pytest

from grading.diagnosis import diagnose, family_trajectories
from grading.diagnosis.families import ALL_FAMILIES, FAMILY_BY_NAME
from grading.diagnosis.table import Cell, family_row, names_for, render_table
from grading.exercises import EXERCISES, get_exercise
from grading.grader import grade_source, reference_runs
from grading.plans import cases_for, contract_step, simulate
from grading.sandbox.client import Sandbox

FAMILY_NAMES = [family.name for family in ALL_FAMILIES]

# Where each family cannot happen, and why; everywhere else it applies and must be named.
NOT_APPLICABLE = {
    # no state to carry: SGD and clipped SGD remember nothing between steps
    ("sgd", "state-not-carried"), ("sgd-clip-norm", "state-not-carried"),
    # no step counter outside the Adam family and the schedule
    *((slug, "step-counter-off-by-one") for slug in ("sgd", "momentum", "momentum-ema", "nesterov", "adagrad", "rmsprop", "sgd-clip-norm", "lars")),
    # no square or square root in the rule
    *((slug, "wrong-power") for slug in ("sgd", "momentum", "momentum-ema", "nesterov", "sgd-warmup-cosine", "sgd-accumulate", "sgd-one-cycle")),
    # one beta and no (1 − β) weight (PyTorch momentum), or no beta at all
    *((slug, "beta-roles-swapped") for slug in ("sgd", "momentum", "nesterov", "adagrad", "sgd-warmup-cosine", "sgd-clip-norm", "sgd-accumulate", "lars")),
    # one-cycle's momentum has no β hyperparameter: it moves between base_momentum and max_momentum
    # (cycled the wrong way, or not at all, is catalogued)
    ("sgd-one-cycle", "beta-roles-swapped"),
    # Lion's sign step has neither a counter nor a power
    ("lion", "step-counter-off-by-one"), ("lion", "wrong-power"),
    # Adafactor has no β hyperparameter: its β2 comes from the counter (1 − t^τ); the schedule
    # inverted or replaced by a constant is catalogued instead
    ("adafactor", "beta-roles-swapped"),
    # only AdamW (constant or scheduled), Lion, LAMB, Adafactor and LARS have a weight_decay
    *((slug, "weight-decay-wrong-coupling") for slug in EXERCISES if slug not in {"adamw", "adamw-cosine", "lion", "lamb", "adafactor", "lars"}),
}  # fmt: skip


def in_process(slug, source):
    """A submission's rows on every case, run in-process (test sources are our own code)."""
    namespace = {}
    exec(compile(textwrap.dedent(source), "<submission>", "exec"), namespace)
    step = contract_step(namespace["step"])
    return [simulate(case, namespace["init_state"], step).rows for case in cases_for(slug)]


def diagnosed(slug, source):
    return diagnose(slug, in_process(slug, source), textwrap.dedent(source))


def line_of(source, text):
    return next(number for number, line in enumerate(source.splitlines(), 1) if text in line)


def buggy(slug, old, new):
    source = get_exercise(slug).reference_source
    assert old in source, (slug, old)
    return source.replace(old, new)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as running:
        yield running


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_every_family_that_applies_is_named_on_the_exercise(slug):
    row = family_row(slug)
    expected = {
        name: Cell.NOT_APPLICABLE if (slug, name) in NOT_APPLICABLE else Cell.NAMED for name in FAMILY_NAMES
    }
    assert row == expected


def test_the_table_lists_every_exercise_and_family():
    table = render_table({"adamw": family_row("adamw"), "sgd": family_row("sgd")})
    lines = table.splitlines()
    assert lines[0].split(" | ")[1:-1] == FAMILY_NAMES[:-1]
    assert lines[2].startswith("| adamw | named | named")
    assert lines[3].count("n/a") == 5  # state, counter, power, betas, decay


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_the_reference_matches_no_family(slug):
    assert (
        diagnose(slug, [run.rows for run in reference_runs(slug)], get_exercise(slug).reference_source) == []
    )


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_no_two_families_predict_the_same_steps(slug):
    kept = family_trajectories(slug)
    for i, (family, _, rows) in enumerate(kept):
        for other, _, other_rows in kept[i + 1 :]:
            if other is not family:
                same = all(
                    a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
                    for a, b in zip(rows, other_rows, strict=True)
                )
                assert not same, (family.name, other.name)


# ---------------------------------------------------------------- buggy submissions written by hand

HAND_WRITTEN = [
    # (exercise, family, old text of the reference, buggy text)
    ("nadam", "sign-flipped", "new_params = params - lr", "new_params = params + lr"),
    ("momentum", "lr-applied-twice", "params - lr * v", "params - lr * lr * v"),
    ("rmsprop", "lr-not-used", "params - lr * grads", "params - grads"),
    ("adagrad", "lr-applied-twice", "params - lr * grads", "params - lr * (lr * grads)"),
    ("sgd", "gradient-ignored", "params - lr * grads", "params - lr * params"),
    ("adagrad", "state-not-carried", '{"sum_sq": sum_sq}', "state"),
    ("amsgrad", "step-counter-off-by-one", '"t": 0}', '"t": 1}'),
    ("nadam", "step-counter-off-by-one", '"t": t,', '"t": state["t"],'),
    ("sgd-warmup-cosine", "step-counter-off-by-one", 'return {"t": 0}', 'return {"t": 1}'),
    ("rmsprop", "wrong-power", "np.sqrt(v)", "np.sqrt(np.sqrt(v))"),
    ("nadam", "wrong-power", "grads * grads", "np.abs(grads)"),
    ("amsgrad", "wrong-power", "np.sqrt(v_max_hat)", "v_max_hat"),
    ("sgd-clip-norm", "wrong-power", "np.sqrt(np.sum(grads * grads))", "np.sum(grads * grads)"),
    ("amsgrad", "beta-roles-swapped", "beta1 * state[\"m\"] + (1 - beta1)", "(1 - beta1) * state[\"m\"] + beta1"),
    ("rmsprop", "beta-roles-swapped", "beta * state[\"v\"] + (1 - beta)", "(1 - beta) * state[\"v\"] + beta"),
    ("radam", "step-counter-off-by-one", '"t": 0}', '"t": 1}'),
    ("radam", "wrong-power", "(np.sqrt(v) + eps)", "(v + eps)"),
    ("radam", "sign-flipped", "params - lr * m_hat", "params + lr * m_hat"),  # both branches
    ("lion", "beta-roles-swapped", 'np.sign(beta1 * state["m"] + (1 - beta1) * grads)', 'np.sign(beta2 * state["m"] + (1 - beta2) * grads)'),
    ("lion", "lr-not-used", "params - lr * (direction", "params - (direction"),
    ("nadam", "beta-roles-swapped", 'beta2 * state["v"] + (1 - beta2)', '(1 - beta2) * state["v"] + beta2'),
    ("adafactor", "wrong-power", "np.maximum(np.sqrt(v_hat), eps1)", "np.maximum(v_hat, eps1)"),
    ("adafactor", "step-counter-off-by-one", '"t": 0}', '"t": 1}'),
    ("adafactor", "sign-flipped", "params * (1 - lr * weight_decay) - alpha", "params * (1 + lr * weight_decay) + alpha"),
    ("lars", "wrong-power", "np.sqrt(np.sum(grads * grads))", "np.sum(grads * grads)"),
    ("lars", "lr-applied-twice", "lr * local_lr", "lr * lr * local_lr"),
    ("lars", "state-not-carried", 'return params - v, {"v": v}', 'return params - v, state'),
    ("adamw-cosine", "step-counter-off-by-one", '"t": 0}', '"t": 1}'),
    ("sgd-one-cycle", "step-counter-off-by-one", "s = t - 1", "s = t"),
    ("sgd-one-cycle", "lr-applied-twice", "params - rate * v", "params - lr * rate * v"),
    ("adamw-cosine", "beta-roles-swapped", 'beta1 * state["m"] + (1 - beta1)', '(1 - beta1) * state["m"] + beta1'),
]  # fmt: skip


@pytest.mark.parametrize(("slug", "family", "old", "new"), HAND_WRITTEN)
def test_a_hand_written_mistake_is_named_by_its_family(slug, family, old, new):
    source = buggy(slug, old, new)
    names = [m.name for m in diagnosed(slug, source)]
    assert names and set(names) <= names_for(FAMILY_BY_NAME[family]), names


def test_lion_with_coupled_decay_is_named():
    source = buggy("lion", "(1 - beta1) * grads)", "(1 - beta1) * (grads + weight_decay * params))")
    source = source.replace("lr * (direction + weight_decay * params)", "lr * direction")
    source = source.replace("(1 - beta2) * grads", "(1 - beta2) * (grads + weight_decay * params)")
    (match,) = diagnosed("lion", source)
    assert match.name == "weight-decay-wrong-coupling"


def test_a_catalogued_mistake_keeps_priority_over_its_family():
    source = buggy("adam", "m_hat = m / (1 - beta1**t)", "m_hat = m / (1 - beta1 ** (t + 1))")
    source = source.replace("v_hat = v / (1 - beta2**t)", "v_hat = v / (1 - beta2 ** (t + 1))")
    assert [m.name for m in diagnosed("adam", source)] == ["bias-correction-t-plus-1"]


def test_the_line_with_lr_twice_is_pointed_at():
    source = buggy("momentum", "params - lr * v", "params - lr * lr * v")
    (match,) = diagnosed("momentum", source)
    assert match.name == "lr-applied-twice"
    explanation = match.to_dict()["explanation"]
    assert f"line {line_of(source, 'lr * lr')}" in explanation and "lr * lr * v" in explanation


def test_an_unread_gradient_is_said_plainly():
    source = buggy(
        "sgd-clip-norm", "norm = np.sqrt(np.sum(grads * grads))", "norm = np.sqrt(np.sum(params * params))"
    )
    (match,) = diagnosed("sgd-clip-norm", source.replace("scale * grads", "scale * params"))
    assert "never reads `grads`" in match.to_dict()["explanation"]


def test_a_catalogued_mistake_gets_the_line_its_family_finds():
    (match,) = diagnosed("sgd", buggy("sgd", "params - lr * grads", "params + lr * grads"))
    entry = match.to_dict()
    assert entry["name"] == "sign-error"
    assert "Look at line" in entry["explanation"] and "params + lr * grads" in entry["explanation"]


def test_no_line_is_claimed_when_several_lines_could_hold_the_mistake():
    source = buggy("amsgrad", 'beta1 * state["m"] + (1 - beta1)', '(1 - beta1) * state["m"] + beta1')
    (match,) = diagnosed("amsgrad", source)
    assert match.name == "beta-roles-swapped"
    assert "Look at line" not in match.to_dict()["explanation"]  # two averages mention (1 − β)


def test_source_that_does_not_parse_gives_no_line_and_no_error():
    rows = in_process("momentum", buggy("momentum", "params - lr * v", "params - lr * lr * v"))
    (match,) = diagnose("momentum", rows, "def step(:\n" + "(" * 500)
    assert match.line is None


def test_another_exercise_reference_is_named_as_a_different_method():
    (match,) = diagnosed("momentum", get_exercise("nesterov").reference_source)
    assert match.name == "different-method"
    assert "`nesterov`" in match.to_dict()["explanation"]


def test_a_schedule_left_out_is_plain_sgd():
    source = """
    def init_state(params):
        return {"t": 0}

    def step(params, grads, state, *, lr, warmup_steps, total_steps, min_lr):
        return params - lr * grads, {"t": state["t"] + 1}
    """
    (match,) = diagnosed("sgd-warmup-cosine", source)
    assert match.name == "different-method" and "`sgd`" in match.to_dict()["explanation"]


# ---------------------------------------------------------------- through the real sandbox


def test_family_named_in_a_sandboxed_verdict(sandbox):
    source = buggy("rmsprop", "np.sqrt(v)", "np.sqrt(np.sqrt(v))")
    verdict = grade_source("rmsprop", source, sandbox=sandbox)
    assert verdict.status == "failed"
    assert verdict.diagnosis_names == ["wrong-power"]
    assert FAMILY_BY_NAME["wrong-power"].title in verdict.message
    assert f"line {line_of(source, 'np.sqrt(np.sqrt(v))')}," in verdict.diagnosis[0]["explanation"]
    json.dumps(verdict.to_dict(), allow_nan=False)


def test_different_method_named_in_a_sandboxed_verdict(sandbox):
    verdict = grade_source("adam", get_exercise("nadam").reference_source, sandbox=sandbox)
    assert verdict.status == "failed"
    assert verdict.diagnosis_names == ["different-method"]
    assert "`nadam`" in verdict.diagnosis[0]["explanation"]


def test_steps_that_follow_no_rule_say_how_far_they_are(sandbox):
    source = """
    import numpy as np

    def init_state(params):
        return {}

    def step(params, grads, state, *, lr):
        return params - lr * np.tanh(grads), state
    """
    verdict = grade_source("sgd", textwrap.dedent(source), sandbox=sandbox)
    assert verdict.status == "failed"
    assert verdict.diagnosis_names == ["no-known-method"]
    explanation = verdict.diagnosis[0]["explanation"]
    assert "step 1" in explanation and "relative error" in explanation
    assert verdict.message.startswith("**Your steps follow none")


def test_a_submission_right_on_some_problems_is_not_called_another_method(sandbox):
    source = """
    import numpy as np

    def init_state(params):
        return {}

    def step(params, grads, state, *, lr):
        if params.size == 3:
            return params - lr * np.tanh(grads), state
        return params - lr * grads, state
    """
    verdict = grade_source("sgd", textwrap.dedent(source), sandbox=sandbox)
    assert verdict.status == "failed"
    assert verdict.diagnosis == []
