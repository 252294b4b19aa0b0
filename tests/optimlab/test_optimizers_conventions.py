"""What the conventions imply, checked as behaviour: equivalences, early steps, decay styles."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.optimizers import get_optimizer
from optimlab.schedules import build_schedule

START = np.array([-5.0, -2.0])


def _gradient(x: np.ndarray) -> np.ndarray:
    # f = 0.1·x1² + 2·x2², the d2l ill-conditioned quadratic
    return np.array([0.2 * x[0], 4 * x[1]])


def _run(name: str, hp_at, steps: int = 60, start=START):
    """Parameters and states after each update; hp_at(t) gives the hyperparameters of update t."""
    opt = get_optimizer(name)
    params, state = np.asarray(start, dtype=np.float64), opt.init(start)
    path, states = [], []
    for t in range(1, steps + 1):
        params, state = opt.update(params, _gradient(params), state, hp_at(t))
        path.append(params)
        states.append(state)
    return np.array(path), states


def test_momentum_and_lr_inside_agree_at_constant_lr():
    eta, beta = 0.3, 0.8
    torch_style, torch_states = _run("momentum", lambda t: {"lr": eta, "beta": beta})
    lr_inside, inside_states = _run("momentum-lr-inside", lambda t: {"lr": eta, "beta": beta})
    np.testing.assert_allclose(lr_inside, torch_style, rtol=1e-12, atol=1e-15)
    for v_state, m_state in zip(torch_states, inside_states, strict=True):
        np.testing.assert_allclose(m_state["m"], eta * v_state["v"], rtol=1e-12, atol=1e-15)


def test_momentum_and_lr_inside_part_ways_under_a_schedule():
    # m remembers each step at the lr it was taken with; torch's v is rescaled by today's lr.
    schedule = build_schedule({"name": "step", "lr": 0.3, "step_size": 10, "gamma": 0.5})
    torch_style, _ = _run("momentum", lambda t: {"lr": schedule.lr_at(t), "beta": 0.8})
    lr_inside, _ = _run("momentum-lr-inside", lambda t: {"lr": schedule.lr_at(t), "beta": 0.8})
    np.testing.assert_allclose(lr_inside[:10], torch_style[:10], rtol=1e-12)
    assert np.max(np.abs(lr_inside[10:] - torch_style[10:])) > 1e-3


def test_ema_momentum_with_lr_over_one_minus_beta_retraces_torch_momentum():
    # v_ema = (1 − β)·v_torch from the first step on, so the rescaled lr gives the same path:
    # the two conventions are one algorithm, not two.
    eta, beta = 0.3, 0.8
    torch_style, torch_states = _run("momentum", lambda t: {"lr": eta, "beta": beta})
    ema, ema_states = _run("momentum-ema", lambda t: {"lr": eta / (1 - beta), "beta": beta})
    np.testing.assert_allclose(ema, torch_style, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        ema_states[-1]["v"], (1 - beta) * torch_states[-1]["v"], rtol=1e-12, atol=1e-15
    )


def test_ema_momentum_at_the_same_lr_takes_a_different_path_to_the_same_fixed_point():
    hp = {"lr": 0.3, "beta": 0.8}
    torch_style, _ = _run("momentum", lambda t: hp, steps=400)
    ema, _ = _run("momentum-ema", lambda t: hp, steps=400)
    assert np.max(np.abs(ema[:20] - torch_style[:20])) > 0.1
    np.testing.assert_allclose(ema[-1], [0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(torch_style[-1], [0.0, 0.0], atol=1e-6)
    # And at the minimum with zero velocity, neither moves.
    for name in ("momentum", "momentum-ema"):
        opt = get_optimizer(name)
        still, _ = opt.update(np.zeros(2), _gradient(np.zeros(2)), opt.init(np.zeros(2)), hp)
        np.testing.assert_array_equal(still, np.zeros(2))


@pytest.mark.parametrize("name", ["momentum", "momentum-ema", "momentum-lr-inside", "nesterov"])
def test_momentum_variants_with_beta_zero_are_gradient_descent(name):
    sgd, _ = _run("sgd", lambda t: {"lr": 0.3})
    variant, _ = _run(name, lambda t: {"lr": 0.3, "beta": 0.0})
    np.testing.assert_allclose(variant, sgd, rtol=1e-13, atol=1e-300)


def test_first_momentum_step_equals_a_gradient_step():
    sgd, _ = _run("sgd", lambda t: {"lr": 0.3}, steps=1)
    for name in ("momentum", "momentum-lr-inside"):
        first, _ = _run(name, lambda t: {"lr": 0.3, "beta": 0.9}, steps=1)
        np.testing.assert_array_equal(first, sgd)


def test_nesterov_first_step_is_one_plus_beta_gradient_steps():
    # v_1 = g_1, so the step is η·(g_1 + β·g_1).
    first, _ = _run("nesterov", lambda t: {"lr": 0.1, "beta": 0.9}, steps=1)
    np.testing.assert_allclose(first[0], START - 0.1 * 1.9 * _gradient(START), rtol=1e-15)


@pytest.mark.parametrize("name", ["adam", "adamw", "amsgrad"])
def test_adam_first_step_moves_each_coordinate_by_about_lr(name):
    # m̂_1 = g_1 and v̂_1 = g_1²: the first step is lr·sign(g) whatever the gradient scale.
    for scale in (1e-3, 1.0, 1e3):
        opt = get_optimizer(name)
        params = np.array([1.0, -1.0])
        moved, _ = opt.update(
            params, scale * np.array([2.0, -0.5]), opt.init(params), {"lr": 0.01, "weight_decay": 0}
        )
        np.testing.assert_allclose(moved - params, [-0.01, 0.01], rtol=1e-4)  # ε shaves off a hair


def test_rmsprop_first_step_is_large_without_bias_correction():
    opt = get_optimizer("rmsprop")
    params = np.array([1.0])
    moved, _ = opt.update(params, np.array([4.0]), opt.init(params), {"lr": 0.01, "beta": 0.99})
    np.testing.assert_allclose(params - moved, 0.01 / np.sqrt(0.01), rtol=1e-6)


def test_adagrad_steps_shrink_under_a_constant_gradient():
    opt = get_optimizer("adagrad")
    params, state, steps = np.zeros(1), opt.init(np.zeros(1)), []
    for _ in range(5):
        new, state = opt.update(params, np.ones(1), state, {"lr": 0.1})
        steps.append(float(params[0] - new[0]))
        params = new
    np.testing.assert_allclose(steps, [0.1 / np.sqrt(t) for t in range(1, 6)], rtol=1e-9)


def test_adamw_decays_every_coordinate_alike_while_adam_l2_depends_on_the_gradient():
    params = np.array([1.0, 1.0])
    grads = np.array([0.0, 10.0])  # a coordinate with no gradient, one with a large one
    hp = {"lr": 0.1, "weight_decay": 0.5}
    adamw, adam = get_optimizer("adamw"), get_optimizer("adam")
    no_decay, _ = adamw.update(params, grads, adamw.init(params), {**hp, "weight_decay": 0.0})
    decayed, _ = adamw.update(params, grads, adamw.init(params), hp)
    np.testing.assert_allclose(no_decay - decayed, [0.05, 0.05], rtol=1e-12)  # η·λ·θ each
    coupled, _ = adam.update(params, grads, adam.init(params), hp)
    # Coupled L2 passes through the normalisation: alone, λθ gets a full lr-sized step; next to a
    # large gradient it is drowned out.
    effect = no_decay - coupled
    np.testing.assert_allclose(effect, [0.1, 0.0], atol=1e-8)


def test_amsgrad_denominator_never_shrinks():
    opt = get_optimizer("amsgrad")
    params, state = np.array([1.0]), opt.init(np.array([1.0]))
    largest = []
    for g in [10.0, 10.0, 0.1, 0.1, 0.1]:
        params, state = opt.update(params, np.array([g]), state, {"lr": 0.01})
        largest.append(float(state["v_max"][0]))
        assert state["v_max"][0] >= state["v"][0]
    assert largest == sorted(largest)


def test_radam_takes_unadapted_momentum_steps_until_rho_exceeds_five():
    opt = get_optimizer("radam")
    params, state = np.array([1.0]), opt.init(np.array([1.0]))
    hp = {"lr": 0.01, "beta1": 0.0}  # β1 = 0: m̂ is just the gradient, so an un-adapted step is lr·g
    for t in range(1, 8):
        new, state = opt.update(params, np.array([3.0]), state, hp)
        step = float(params[0] - new[0])
        if t <= 5:
            assert step == pytest.approx(0.03, rel=1e-12), t
        else:
            assert step < 0.03
        params = new


def test_nadam_keeps_the_running_product_of_momentum_weights():
    opt = get_optimizer("nadam")
    params, state = np.array([1.0]), opt.init(np.array([1.0]))
    expected = 1.0
    for t in range(1, 4):
        params, state = opt.update(params, np.array([1.0]), state, {})
        expected *= 0.9 * (1 - 0.5 * 0.96 ** (t * 0.004))
        assert state["step"] == t
        assert state["mu_product"] == pytest.approx(expected, rel=1e-15)


def test_lion_moves_every_coordinate_by_exactly_lr():
    opt = get_optimizer("lion")
    params = np.array([1.0, -2.0, 3.0])
    moved, state = opt.update(params, np.array([1e-6, -50.0, 0.0]), opt.init(params), {"lr": 0.01})
    np.testing.assert_allclose(moved - params, [-0.01, 0.01, 0.0], rtol=1e-15)
    np.testing.assert_allclose(state["m"], 0.01 * np.array([1e-6, -50.0, 0.0]), rtol=1e-12)


def test_lion_weight_decay_is_decoupled():
    opt = get_optimizer("lion")
    params = np.array([2.0])
    moved, _ = opt.update(params, np.array([1.0]), opt.init(params), {"lr": 0.01, "weight_decay": 0.5})
    np.testing.assert_allclose(moved, 2.0 - 0.01 * (1 + 0.5 * 2.0), rtol=1e-15)


def test_lamb_moves_the_layer_by_lr_times_its_norm_whatever_the_gradient_scale():
    opt = get_optimizer("lamb")
    params = np.array([3.0, -4.0])  # norm 5
    for scale in (1e-6, 1.0, 1e6):
        moved, _ = opt.update(params, scale * np.array([1.0, 2.0]), opt.init(params), {"lr": 0.1})
        assert np.linalg.norm(moved - params) == pytest.approx(0.1 * 5.0, rel=1e-12)


def test_lamb_points_where_adam_with_decoupled_decay_points():
    lamb, adamw = get_optimizer("lamb"), get_optimizer("adamw")
    params, grads = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, -2.0])
    hp = {"lr": 0.01, "eps": 1e-6, "weight_decay": 0.1}
    lamb_step = lamb.update(params, grads, lamb.init(params), hp)[0] - params
    adamw_step = adamw.update(params, grads, adamw.init(params), hp)[0] - params
    cosine = lamb_step @ adamw_step / (np.linalg.norm(lamb_step) * np.linalg.norm(adamw_step))
    assert cosine == pytest.approx(1.0, abs=1e-3)  # AdamW applies the decay first, hence not exact


def test_lamb_takes_a_plain_adam_step_from_a_layer_at_zero():
    opt = get_optimizer("lamb")
    params = np.zeros(3)
    moved, state = opt.update(params, np.array([1.0, -1.0, 0.0]), opt.init(params), {"lr": 0.01})
    np.testing.assert_allclose(moved, [-0.01, 0.01, 0.0], rtol=1e-5)  # trust ratio 1, m̂/√v̂ = ±1
    assert state["step"] == 1


def test_lars_first_step_moves_the_layer_by_lr_times_eta_times_its_norm_whatever_the_gradient_scale():
    opt = get_optimizer("lars")
    params = np.array([3.0, -4.0])  # norm 5
    hp = {"lr": 0.5, "trust_coefficient": 0.01, "weight_decay": 0.0}
    for scale in (1e-6, 1.0, 1e6):
        moved, _ = opt.update(params, scale * np.array([1.0, 2.0]), opt.init(params), hp)
        assert np.linalg.norm(moved - params) == pytest.approx(0.5 * 0.01 * 5.0, rel=1e-12)


def test_lars_puts_the_decay_inside_the_ratio_and_the_step():
    opt = get_optimizer("lars")
    params, grads = np.array([3.0, -4.0]), np.array([0.0, 1.0])
    hp = {"lr": 0.1, "beta": 0.9, "trust_coefficient": 0.02, "weight_decay": 0.2}
    moved, state = opt.update(params, grads, opt.init(params), hp)
    ratio = 0.02 * 5.0 / (1.0 + 0.2 * 5.0)
    np.testing.assert_allclose(state["v"], 0.1 * ratio * (grads + 0.2 * params), rtol=1e-15)
    np.testing.assert_allclose(moved, params - state["v"], rtol=1e-15)


def test_lars_keeps_the_lr_inside_its_momentum_buffer():
    opt = get_optimizer("lars")
    params = np.array([1.0, -2.0])
    hp = {"lr": 0.1, "beta": 0.5, "weight_decay": 0.0, "trust_coefficient": 0.1}
    first, state = opt.update(params, np.array([1.0, 0.0]), opt.init(params), hp)
    second, _ = opt.update(first, np.array([1.0, 0.0]), state, {**hp, "lr": 0.0})
    np.testing.assert_allclose(
        second - first, 0.5 * (first - params), rtol=1e-12
    )  # old velocity, not rescaled


def test_lars_takes_a_plain_momentum_step_from_a_layer_at_zero():
    lars, momentum = get_optimizer("lars"), get_optimizer("momentum")
    params, grads = np.zeros(3), np.array([1.0, -1.0, 0.5])
    hp = {"lr": 0.1, "beta": 0.9, "weight_decay": 0.01}
    moved, _ = lars.update(params, grads, lars.init(params), hp)
    np.testing.assert_array_equal(moved, momentum.update(params, grads, momentum.init(params), hp)[0])


def test_adafactor_keeps_one_number_per_row_and_per_column_of_a_matrix():
    opt = get_optimizer("adafactor")
    assert {k: v.shape for k, v in opt.init(np.zeros((4, 3))).items() if k != "step"} == {
        "row": (4,),
        "col": (3,),
    }
    assert {k: v.shape for k, v in opt.init(np.zeros((2, 4, 3))).items() if k != "step"} == {
        "row": (2, 4),
        "col": (2, 3),
    }
    assert {k: v.shape for k, v in opt.init(np.zeros(5)).items() if k != "step"} == {"v": (5,)}


def test_adafactor_factored_estimate_is_exact_for_a_rank_one_squared_gradient():
    # g² = a bᵀ: the row and column means rebuild it exactly, so a matrix steps like a flat vector.
    opt = get_optimizer("adafactor")
    grads = np.outer([1.0, -2.0, 0.5], [3.0, 1.0])
    params = np.arange(6.0).reshape(3, 2) - 2.5
    hp = {"lr": 0.3, "beta2_decay": -0.5, "clip_threshold": 1.0}
    matrix, vector = params, params.ravel()
    m_state, v_state = opt.init(matrix), opt.init(vector)
    for _ in range(5):
        matrix, m_state = opt.update(matrix, grads, m_state, hp)
        vector, v_state = opt.update(vector, grads.ravel(), v_state, hp)
    np.testing.assert_allclose(matrix.ravel(), vector, rtol=1e-13)


def test_adafactor_steps_are_relative_to_the_parameters_size():
    opt = get_optimizer("adafactor")
    grads = np.array([0.3, -1.0, 2.0])
    small, large = np.array([0.5, 1.0, -1.5]), np.array([50.0, 100.0, -150.0])
    step_small = opt.update(small, grads, opt.init(small), {"lr": 0.1})[0] - small
    step_large = opt.update(large, grads, opt.init(large), {"lr": 0.1})[0] - large
    np.testing.assert_allclose(step_large, 100 * step_small, rtol=1e-13)


def test_adafactor_relative_step_follows_one_over_root_t_once_below_lr():
    # With the same g every step and t ≥ 4, ρ_t = 1/√t < lr = 0.5, and V̂ = g² throughout.
    opt = get_optimizer("adafactor")
    params, grads = np.array([1.0, -1.0]), np.array([1.0, 1.0])
    state = opt.init(params)
    sizes = []
    for _ in range(9):
        new, state = opt.update(params, grads, state, {"lr": 0.5})
        sizes.append(np.linalg.norm(new - params) / np.sqrt(np.mean(params * params)))
        params = new
    np.testing.assert_allclose(sizes[8] / sizes[3], np.sqrt(4 / 9), rtol=1e-12)
    np.testing.assert_allclose(sizes[0], sizes[1], rtol=1e-12)  # ρ = lr for t = 1, 2 (1/√2 > 0.5)


def test_adafactor_clips_the_update_by_its_rms():
    # After small gradients, a large one gives |U| = 1/√V̂ ≈ √2 (V̂ ≈ ½ at t = 4 with τ = −0.5);
    # clipping at d = 1 brings it back to 1, a threshold far above leaves it alone.
    opt = get_optimizer("adafactor")
    params = np.array([1.0, 1.0])
    state = opt.init(params)
    hp = {"lr": 0.5, "beta2_decay": -0.5}
    for _ in range(3):
        params, state = opt.update(params, np.array([1e-3, 1e-3]), state, hp)
    moved, _ = opt.update(params, np.array([1.0, 1.0]), state, hp)
    rms_theta = np.sqrt(np.mean(params * params))
    np.testing.assert_allclose(np.abs(moved - params), rms_theta * 0.5, rtol=1e-12)  # |U| = 1 after clipping
    unclipped, _ = opt.update(params, np.array([1.0, 1.0]), state, {**hp, "clip_threshold": 1e6})
    np.testing.assert_allclose(np.abs(unclipped - params), np.sqrt(2) * np.abs(moved - params), rtol=1e-5)
