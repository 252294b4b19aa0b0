"""Contract of every optimizer: pure, any shape, float64, validated hyperparameters and state."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest

from optimlab.optimizers import OPTIMIZERS, get_optimizer

NAMES = sorted(OPTIMIZERS)
# LAMB and LARS rescale the whole array (one layer) by its trust ratio, and Adafactor measures the
# RMS of the whole array and factors a matrix's second moment, so their coordinates depend on each other.
PER_COORDINATE = [name for name in NAMES if name not in {"lamb", "lars", "adafactor"}]
SHAPES = [(), (2,), (3, 2)]


def _params(shape):
    return np.linspace(-1.5, 2.0, num=max(1, math.prod(shape))).reshape(shape)


def _run(opt, params, steps=5, hp=None):
    state = opt.init(params)
    for _ in range(steps):
        params, state = opt.update(params, 2 * params + 0.1, state, hp or {"lr": 0.05})
    return params, state


def test_registry_holds_the_documented_names():
    expected = {
        "sgd",
        "momentum",
        "momentum-ema",
        "momentum-lr-inside",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
        "adamw",
        "amsgrad",
        "nadam",
        "radam",
        "lion",
        "lamb",
        "lars",
        "adafactor",
    }
    assert set(OPTIMIZERS) == expected
    for name, opt in OPTIMIZERS.items():
        assert opt.name == name
        assert opt.hyperparameters == tuple(opt.defaults)
        assert opt.equations and opt.update.__doc__


def test_unknown_optimizer_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="known: sgd, momentum"):
        get_optimizer("adamax")


def test_names_are_forgiving_about_case_and_underscores():
    assert get_optimizer(" Momentum_EMA ") is OPTIMIZERS["momentum-ema"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", SHAPES, ids=["scalar", "vector", "matrix"])
def test_update_is_pure_and_keeps_shape_and_dtype(name, shape):
    opt = get_optimizer(name)
    params = _params(shape)
    _, state = _run(opt, params, steps=2)
    grads = 3 * params - 0.2
    hp = {"lr": 0.05}
    before = (params.copy(), grads.copy(), copy.deepcopy(state), dict(hp))

    new_params, new_state = opt.update(params, grads, state, hp)

    np.testing.assert_array_equal(params, before[0])
    np.testing.assert_array_equal(grads, before[1])
    assert hp == before[3]
    assert state.keys() == before[2].keys()
    for key, value in before[2].items():
        np.testing.assert_array_equal(state[key], value)
    assert isinstance(new_params, np.ndarray) and new_params.shape == shape and new_params.dtype == np.float64
    assert not np.shares_memory(new_params, params)
    for key, buffer_shape in opt.buffer_shapes(shape).items():
        assert new_state[key].shape == buffer_shape and new_state[key].dtype == np.float64
        assert not np.shares_memory(new_state[key], state[key])
    assert not np.array_equal(new_params, params), "an update with lr 0.05 should move the parameter"


@pytest.mark.parametrize("name", NAMES)
def test_the_same_inputs_give_the_same_outputs(name):
    opt = get_optimizer(name)
    params = _params((3, 2))
    first = _run(opt, params)
    second = _run(opt, params)
    np.testing.assert_array_equal(first[0], second[0])


@pytest.mark.parametrize("name", NAMES)
def test_state_survives_a_json_round_trip(name):
    # A saved run can be resumed: JSON turns arrays into lists and update accepts them back.
    opt = get_optimizer(name)
    params, state = _run(opt, _params((3, 2)), steps=3)
    saved = json.loads(
        json.dumps({k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in state.items()})
    )
    grads = params - 1
    resumed, _ = opt.update(params.tolist(), grads, saved, {"lr": 0.05})
    direct, _ = opt.update(params, grads, state, {"lr": 0.05})
    np.testing.assert_array_equal(resumed, direct)


@pytest.mark.parametrize("name", PER_COORDINATE)
def test_coordinates_are_updated_independently(name):
    # Every optimizer here is per-coordinate: a 3×2 run equals six scalar runs.
    opt = get_optimizer(name)
    matrix, _ = _run(opt, _params((3, 2)))
    one_by_one = [_run(opt, np.array(x))[0] for x in _params((3, 2)).ravel()]
    np.testing.assert_allclose(matrix.ravel(), one_by_one, rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_hyperparameter_names_the_accepted_ones(name):
    opt = get_optimizer(name)
    with pytest.raises(ValueError, match=r"unknown hyperparameter\(s\) momentum; accepted: lr"):
        opt.update(np.zeros(2), np.zeros(2), opt.init(np.zeros(2)), {"momentum": 0.9})


@pytest.mark.parametrize(
    "key,value",
    [("lr", -0.1), ("lr", math.nan), ("lr", math.inf), ("lr", "0.1"), ("lr", True), ("lr", None)]
    + [
        ("beta", 1.0),
        ("beta", -0.01),
        ("beta1", 1.0),
        ("beta2", 1.5),
        ("eps", -1e-8),
        ("weight_decay", -0.1),
    ],
)
def test_bad_hyperparameter_values_are_refused(key, value):
    for opt in OPTIMIZERS.values():
        if key not in opt.defaults:
            continue
        params = np.ones(2)
        state = opt.init(params)
        with pytest.raises(ValueError, match=key):
            opt.update(params, params, state, {key: value})
        np.testing.assert_array_equal(params, np.ones(2))


def test_missing_hyperparameters_take_the_defaults():
    opt = get_optimizer("adam")
    params = np.array([1.0, -2.0])
    explicit = opt.update(params, params, opt.init(params), dict(opt.defaults))[0]
    implicit = opt.update(params, params, opt.init(params), {"lr": opt.defaults["lr"]})[0]
    none_at_all = opt.update(params, params, opt.init(params))[0]
    np.testing.assert_array_equal(explicit, implicit)
    np.testing.assert_array_equal(explicit, none_at_all)


def test_zero_learning_rate_is_allowed_and_freezes_the_parameter():
    opt = get_optimizer("momentum")
    params = np.array([1.0, 2.0])
    frozen, state = opt.update(params, params, opt.init(params), {"lr": 0.0})
    np.testing.assert_array_equal(frozen, params)
    np.testing.assert_array_equal(state["v"], params)


def test_defaults_are_read_only():
    with pytest.raises(TypeError):
        get_optimizer("adam").defaults["lr"] = 1.0


def test_resolve_hyperparameters_fills_and_checks():
    opt = get_optimizer("adamw")
    assert opt.resolve_hyperparameters({"lr": 3}) == {**opt.defaults, "lr": 3.0}
    with pytest.raises(ValueError, match="beta2"):
        opt.resolve_hyperparameters({"beta2": 1})


def test_grads_of_another_shape_are_refused():
    opt = get_optimizer("sgd")
    with pytest.raises(ValueError, match=r"grads have shape \(3,\) but params have shape \(2,\)"):
        opt.update(np.zeros(2), np.zeros(3), {})


def test_non_numeric_params_are_refused():
    opt = get_optimizer("sgd")
    with pytest.raises(ValueError, match="params must be an array of real numbers"):
        opt.update(["a", "b"], np.zeros(2), {})
    with pytest.raises(ValueError, match="real"):
        opt.update(np.array([1j]), np.zeros(1), {})


def test_state_from_another_optimizer_is_refused():
    adam, momentum = get_optimizer("adam"), get_optimizer("momentum")
    params = np.zeros(2)
    with pytest.raises(ValueError, match="another optimizer's init"):
        adam.update(params, params, momentum.init(params))


def test_state_of_the_wrong_shape_is_refused():
    opt = get_optimizer("momentum")
    with pytest.raises(ValueError, match=r"state\['v'\] has shape \(3,\)"):
        opt.update(np.zeros(2), np.zeros(2), opt.init(np.zeros(3)))


def test_a_broken_step_counter_is_refused():
    opt = get_optimizer("adam")
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match="step"):
        opt.update(np.zeros(2), np.zeros(2), {**state, "step": -1})
    with pytest.raises(ValueError, match="step"):
        opt.update(np.zeros(2), np.zeros(2), {**state, "step": 1.5})


def test_non_finite_gradients_propagate_for_the_divergence_check():
    # Blowing up is a result to show, not an input error: the runner detects it.
    opt = get_optimizer("sgd")
    params, _ = opt.update(np.array([1.0]), np.array([math.inf]), {}, {"lr": 0.1})
    assert np.isinf(params[0])
