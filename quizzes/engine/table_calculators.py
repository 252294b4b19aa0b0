"""Table calculators: the recurrences behind multi-step table items.

A table calculator is called as

    fn(rows=..., columns=(...), known={...}, **args) -> dict[cell name, float]

and returns every cell it can compute, named column + step ("m1", "theta1", "m2", ...), in
dependency order (a cell only depends on cells before it). `known` holds values to use instead
of the calculator's own for some cells: the engine passes the student's earlier cells there to
compute what a later cell should be *given the student's own work* (error carried forward).
With `known` empty the result is the key. Unknown columns raise CalculatorError.

Every optimizer step runs through optimlab's reference `update`, with the previous cells
injected into its state. When a student's own value for the current step's moment replaces the
optimizer's (only possible when carrying an error forward), the position follows from that value
by the optimizer's documented update rule, written out below; tests pin these rules to optimlab.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from quizzes.engine.calculators import CalculatorError, load_optimizer, load_problem

MAX_ROWS = 20

# theta_t from theta_{t-1}, the gradient, the moment and the resolved hyperparameters.
_POSITION_RULES: dict[str, Callable[[float, float, float, dict[str, float]], float]] = {
    "momentum": lambda theta, grad, velocity, hp: theta - hp["lr"] * velocity,
    "momentum-ema": lambda theta, grad, velocity, hp: theta - hp["lr"] * velocity,
    "momentum-lr-inside": lambda theta, grad, velocity, hp: theta - velocity,
    "nesterov": lambda theta, grad, velocity, hp: theta - hp["lr"] * (grad + hp["beta"] * velocity),
}
MOMENTUM_COLUMNS = ("g", "m", "v", "theta", "loss")
ADAM_COLUMNS = ("g", "m", "v", "m_hat", "v_hat", "theta", "loss")
EWMA_COLUMNS = ("s", "s_hat")


def _check_shape(rows: Any, columns: Any, supported: tuple[str, ...]) -> int:
    if isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= MAX_ROWS:
        raise CalculatorError(f"rows must be a whole number from 1 to {MAX_ROWS}")
    unknown = [column for column in columns if column not in supported]
    if unknown:
        raise CalculatorError(
            f"unsupported column(s) {', '.join(unknown)}; this table offers {', '.join(supported)}"
        )
    return rows


def _one_dimensional(problem_name: str, theta0: Any):
    problem = load_problem(problem_name)
    start = np.atleast_1d(np.asarray(problem.start if theta0 is None else theta0, dtype=float))
    if start.size != 1:
        raise CalculatorError("table calculators work on one-dimensional problems (e.g. parabola)")
    return problem, start


def _pick(known: Mapping[str, float], name: str, computed: float) -> float:
    return float(known[name]) if name in known else computed


def _loss(problem, theta: float) -> float:
    try:
        return float(problem.value(np.array([theta])))
    except (ValueError, OverflowError, FloatingPointError):
        return math.nan


def momentum_table(
    rows: int,
    columns: tuple[str, ...],
    known: Mapping[str, float],
    optimizer: str = "momentum",
    problem: str = "parabola",
    theta0: float | None = None,
    lr: float | None = None,
    beta: float | None = None,
) -> dict[str, float]:
    """Steps of heavy-ball momentum (or Nesterov) on a one-dimensional problem.

    args: optimizer (momentum | momentum-ema | momentum-lr-inside | nesterov), problem (default
    parabola, J = theta**2), theta0 (default the problem's start), lr, beta (default: optimlab's).
    Columns: g (gradient at theta_{t-1}), m or v (the velocity, whichever name the stem uses),
    theta, loss (J at theta_t).
    """
    rows = _check_shape(rows, columns, MOMENTUM_COLUMNS)
    if optimizer not in _POSITION_RULES:
        raise CalculatorError(f"optimizer must be one of {', '.join(_POSITION_RULES)}")
    opt = load_optimizer(optimizer)
    objective, start = _one_dimensional(problem, theta0)
    hp = opt.resolve_hyperparameters(
        {k: float(v) for k, v in {"lr": lr, "beta": beta}.items() if v is not None}
    )
    moment = opt.state_arrays[0]
    velocity_column = "v" if "v" in columns else "m"
    cells: dict[str, float] = {}
    theta, velocity = float(start[0]), 0.0
    for step in range(1, rows + 1):
        state = {**opt.init(np.array([theta])), moment: np.array([velocity])}
        if "step" in state:
            state["step"] = step - 1
        grad = _pick(known, f"g{step}", float(objective.grad(np.array([theta]))[0]))
        cells[f"g{step}"] = grad
        new_theta, new_state = opt.update(np.array([theta]), np.array([grad]), state, hp)
        computed_velocity = float(new_state[moment][0])
        velocity = _pick(known, f"{velocity_column}{step}", computed_velocity)
        cells[f"{velocity_column}{step}"] = velocity
        if velocity == computed_velocity:
            computed_theta = float(new_theta[0])
        else:
            computed_theta = _POSITION_RULES[optimizer](theta, grad, velocity, hp)
        theta = _pick(known, f"theta{step}", computed_theta)
        cells[f"theta{step}"] = theta
        cells[f"loss{step}"] = _loss(objective, theta)
    return cells


def adam_table(
    rows: int,
    columns: tuple[str, ...],
    known: Mapping[str, float],
    optimizer: str = "adam",
    problem: str = "parabola",
    theta0: float | None = None,
    lr: float | None = None,
    beta1: float | None = None,
    beta2: float | None = None,
    eps: float | None = None,
    weight_decay: float | None = None,
) -> dict[str, float]:
    """Steps of Adam or AdamW (optimlab's, torch's algorithms) on a one-dimensional problem.

    args: optimizer (adam | adamw), problem (default parabola), theta0, lr, beta1, beta2, eps,
    weight_decay (adamw only: the decoupled decay; defaults: optimlab's).
    Columns: g (the plain gradient), m, v (raw moments), m_hat, v_hat (bias-corrected), theta, loss.
    """
    rows = _check_shape(rows, columns, ADAM_COLUMNS)
    if optimizer not in {"adam", "adamw"}:
        raise CalculatorError("optimizer must be adam or adamw")
    if optimizer == "adam" and weight_decay:
        # Adam's L2 term would enter g, m and v; the table's g column is the plain gradient.
        raise CalculatorError("weight_decay is supported with adamw only")
    opt = load_optimizer(optimizer)
    objective, start = _one_dimensional(problem, theta0)
    given = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}
    if optimizer == "adamw" and weight_decay is not None:
        given["weight_decay"] = weight_decay
    hp = opt.resolve_hyperparameters({k: float(v) for k, v in given.items() if v is not None})
    cells: dict[str, float] = {}
    theta, m, v = float(start[0]), 0.0, 0.0
    for step in range(1, rows + 1):
        state = {"m": np.array([m]), "v": np.array([v]), "step": step - 1}
        grad = _pick(known, f"g{step}", float(objective.grad(np.array([theta]))[0]))
        new_theta, new_state = opt.update(np.array([theta]), np.array([grad]), state, hp)
        computed = (float(new_state["m"][0]), float(new_state["v"][0]))
        m = _pick(known, f"m{step}", computed[0])
        v = _pick(known, f"v{step}", computed[1])
        m_hat = _pick(known, f"m_hat{step}", m / (1 - hp["beta1"] ** step))
        v_hat = _pick(known, f"v_hat{step}", v / (1 - hp["beta2"] ** step))
        unchanged = (m, v) == computed and m_hat == m / (1 - hp["beta1"] ** step)
        unchanged = unchanged and v_hat == v / (1 - hp["beta2"] ** step)
        if unchanged:
            computed_theta = float(new_theta[0])
        else:
            root = math.sqrt(v_hat) if v_hat >= 0 else math.nan
            decayed = theta * (1 - hp["lr"] * hp["weight_decay"]) if optimizer == "adamw" else theta
            computed_theta = decayed - hp["lr"] * m_hat / (root + hp["eps"])
        cells.update(
            {f"g{step}": grad, f"m{step}": m, f"v{step}": v, f"m_hat{step}": m_hat, f"v_hat{step}": v_hat}
        )
        theta = _pick(known, f"theta{step}", computed_theta)
        cells[f"theta{step}"] = theta
        cells[f"loss{step}"] = _loss(objective, theta)
    return cells


def ewma_table(
    rows: int,
    columns: tuple[str, ...],
    known: Mapping[str, float],
    values: list[float],
    beta: float,
    initial: float = 0.0,
) -> dict[str, float]:
    """An exponentially weighted moving average s_t = beta s_{t-1} + (1 - beta) x_t over `values`.

    args: values (the series x_1, x_2, ...; at least `rows` of them), beta (0 <= beta < 1),
    initial (s_0, default 0). Columns: s (the average), s_hat (bias-corrected: s_t / (1 - beta**t)).
    """
    rows = _check_shape(rows, columns, EWMA_COLUMNS)
    if not isinstance(values, list | tuple) or len(values) < rows:
        raise CalculatorError(f"values must list at least {rows} numbers")
    beta = float(beta)
    if not 0 <= beta < 1:
        raise CalculatorError("need 0 <= beta < 1")
    cells: dict[str, float] = {}
    average = float(initial)
    for step in range(1, rows + 1):
        average = _pick(known, f"s{step}", beta * average + (1 - beta) * float(values[step - 1]))
        cells[f"s{step}"] = average
        cells[f"s_hat{step}"] = _pick(known, f"s_hat{step}", average / (1 - beta**step))
    return cells


# Course notation for optimlab's state names, usable as column names.
COLUMN_ALIASES = {"s": "sum_sq"}
_CHECK_RELATIVE = 1e-9


def _state_before(opt, moment: str, target: float, theta: float, grad: float, state: dict, hp: dict):
    """The previous value of `moment` that makes optimlab's update produce `target` this step.

    Used only to carry a student's own value for a moment forward: the position then still comes
    from the reference update, not from a rewritten rule. Every moment of the supported optimizers
    is affine in its own previous value (beta*v + ..., s + g**2), so two probes give the line;
    the result is verified, and None means the value cannot be reproduced (e.g. beta = 0).
    """

    def produced(previous: float) -> float:
        probe = {**state, moment: np.array([previous])}
        return float(opt.update(np.array([theta]), np.array([grad]), probe, hp)[1][moment][0])

    at_zero, slope = produced(0.0), produced(1.0) - produced(0.0)
    if slope == 0:
        return None
    previous = (target - at_zero) / slope
    if not math.isclose(produced(previous), target, rel_tol=_CHECK_RELATIVE, abs_tol=1e-12):
        return None
    return previous


def optimizer_table(
    rows: int,
    columns: tuple[str, ...],
    known: Mapping[str, float],
    optimizer: str,
    problem: str = "parabola",
    theta0: float | None = None,
    lr: float | None = None,
    beta: float | None = None,
    beta1: float | None = None,
    beta2: float | None = None,
    eps: float | None = None,
    weight_decay: float | None = None,
) -> dict[str, float]:
    """Steps of any optimlab optimizer on a one-dimensional problem, one row per step.

    args: optimizer (any optimlab name: sgd, momentum, nesterov, adagrad, rmsprop, adam, ...),
    problem (default parabola), theta0 (default the problem's start), lr, beta, beta1, beta2, eps,
    weight_decay (defaults: optimlab's). Columns: g (the gradient at theta_{t-1}), the optimizer's
    state arrays by name (v, m, sum_sq, v_max, ...; `s` also names AdaGrad's sum_sq), theta, loss.
    A student's own g or state value is carried into the position through optimlab's update.
    """
    opt = load_optimizer(optimizer)
    supported = ("g", *opt.state_arrays, "theta", "loss")
    aliases = tuple(alias for alias, name in COLUMN_ALIASES.items() if name in opt.state_arrays)
    rows = _check_shape(rows, columns, (*supported, *aliases))
    # Cells are named after the column the author chose (s1 or sum_sq1).
    label = {name: name for name in supported}
    label.update({COLUMN_ALIASES[column]: column for column in columns if column in aliases})
    objective, start = _one_dimensional(problem, theta0)
    given = {"lr": lr, "beta": beta, "beta1": beta1, "beta2": beta2, "eps": eps, "weight_decay": weight_decay}
    unknown = sorted(
        name for name, value in given.items() if value is not None and name not in opt.hyperparameters
    )
    if unknown:
        raise CalculatorError(f"{optimizer} takes no {', '.join(unknown)}")
    hp = opt.resolve_hyperparameters({k: float(v) for k, v in given.items() if v is not None})
    theta, state = float(start[0]), opt.init(np.array([float(start[0])]))
    with np.errstate(all="ignore"):  # a student's negative accumulator only makes its cells NaN
        return _optimizer_rows(opt, objective, hp, rows, known, label, theta, state)


def _optimizer_rows(
    opt: Any,
    objective: Any,
    hp: dict[str, float],
    rows: int,
    known: Mapping[str, float],
    label: dict[str, str],
    theta: float,
    state: dict[str, Any],
) -> dict[str, float]:
    """The cells of `rows` steps; `label` maps optimlab's names (g, sum_sq, ...) to column names."""
    cells: dict[str, float] = {}
    for step in range(1, rows + 1):
        grad = _pick(known, f"{label['g']}{step}", float(objective.grad(np.array([theta]))[0]))
        cells[f"{label['g']}{step}"] = grad
        new_theta, new_state = opt.update(np.array([theta]), np.array([grad]), state, hp)
        computed_theta = float(new_theta[0])
        replaced = dict(state)
        for moment in opt.state_arrays:
            value = _pick(known, f"{label[moment]}{step}", float(new_state[moment][0]))
            cells[f"{label[moment]}{step}"] = value
            if value != float(new_state[moment][0]):
                previous = _state_before(opt, moment, value, theta, grad, state, hp)
                replaced[moment] = np.array([math.nan if previous is None else previous])
        if any(replaced[moment] is not state[moment] for moment in opt.state_arrays):
            # Replay the step from the solved-for state, so derived buffers (AMSGrad's v_max) follow too.
            replayed_theta, replayed_state = opt.update(np.array([theta]), np.array([grad]), replaced, hp)
            computed_theta = float(replayed_theta[0])
            given = {m: np.array([cells[f"{label[m]}{step}"]]) for m in opt.state_arrays}
            new_state = {**replayed_state, **given}
        theta = _pick(known, f"theta{step}", computed_theta)
        cells[f"theta{step}"] = theta
        cells[f"loss{step}"] = _loss(objective, theta)
        state = new_state
    return cells


TABLE_CALCULATORS: dict[str, Callable[..., dict[str, float]]] = {
    "optimizer_table": optimizer_table,
    "momentum_table": momentum_table,
    "adam_table": adam_table,
    "ewma_table": ewma_table,
}
RESERVED_ARGUMENTS = frozenset({"rows", "columns", "known"})
