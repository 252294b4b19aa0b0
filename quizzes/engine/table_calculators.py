"""Table calculators: the recurrences behind multi-step table items.

A table calculator is called as

    fn(rows=..., columns=(...), known={...}, **args) -> dict[cell name, float]

and returns every cell it can compute, named column + step ("m1", "theta1", "m2", ...), in
dependency order (a cell only depends on cells before it). `known` holds values to use instead
of the calculator's own for some cells: the engine passes the student's cells there to compute
what each cell should be *given the student's own earlier work* (error carried forward). With
`known` empty the result is the key. Unknown columns raise CalculatorError.

Every cell goes through `_pick`, which also notes the calculator's own value for the cell when
`known` is a `StudentCells`: one pass over the student's table then yields, for every cell, the
value that follows from the student's earlier cells (`StudentCells.expected`).

Every optimizer step runs through optimlab's reference `update`, with the previous cells
injected into its state. When a student's own value for the current step's moment replaces the
optimizer's (only possible when carrying an error forward), the position follows from that value
by the optimizer's documented update rule, written out below; tests pin these rules to optimlab.
A student's value that no run of the optimizer can produce (a negative second moment, a
non-finite number) is never handed to optimlab (`_guarded_update`): whatever depends on it comes
out unknown (NaN), so those cells earn no carried-forward credit, while cells that follow from the
student's other values still do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from quizzes.engine.optimizers import (
    CalculatorError,
    check_hyperparameter_names,
    load_optimizer,
    load_problem,
)

MAX_ROWS = 20

# theta_t from theta_{t-1}, the gradient, the moment and the resolved hyperparameters.
_POSITION_RULES: dict[str, Callable[[float, float, float, dict[str, float]], float]] = {
    "momentum": lambda theta, grad, velocity, hp: theta - hp["lr"] * velocity,
    "momentum-ema": lambda theta, grad, velocity, hp: theta - hp["lr"] * velocity,
    "momentum-lr-inside": lambda theta, grad, velocity, hp: theta - velocity,
    "nesterov": lambda theta, grad, velocity, hp: theta - hp["lr"] * (grad + hp["beta"] * velocity),
}
MOMENTUM_COLUMNS = ("g", "m", "v", "theta", "loss")
# State buffers that are running sums or averages of g**2: never negative in a real run.
SECOND_MOMENTS: dict[str, tuple[str, ...]] = {
    "adagrad": ("sum_sq",),
    "rmsprop": ("v",),
    "adam": ("v",),
    "adamw": ("v",),
    "amsgrad": ("v", "v_max"),
    "nadam": ("v",),
    "radam": ("v",),
}
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


def _one_dimensional(problem_name: str, theta0: Any) -> tuple[Any, np.ndarray]:
    problem = load_problem(problem_name)
    start = np.atleast_1d(np.asarray(problem.start if theta0 is None else theta0, dtype=float))
    if start.size != 1:
        raise CalculatorError("table calculators work on one-dimensional problems (e.g. parabola)")
    return problem, start


class StudentCells(dict[str, float]):
    """A student's cells, passed as `known`; `expected` collects what each cell should have been.

    `expected[name]` is the calculator's own value for the cell, computed from the cells before it
    (the student's where given): the value a carried-forward error is judged against.
    """

    def __init__(self, cells: Mapping[str, float]):
        super().__init__(cells)
        self.expected: dict[str, float] = {}


def _pick(known: Mapping[str, float], name: str, computed: float) -> float:
    """The student's value for cell `name` when known, else the calculator's (noted for carry-forward)."""
    if isinstance(known, StudentCells):
        known.expected[name] = computed
    return float(known[name]) if name in known else computed


def _impossible_inputs(
    optimizer: str, theta: float, grad: float, state: Mapping[str, Any], solved: frozenset[str] = frozenset()
) -> set[str]:
    """Which inputs of an update no real run could have: non-finite ones, negative second moments.

    `solved` names buffers holding a previous value solved for by `_state_before`: only finiteness is
    asked of those (see there).
    """
    impossible = {name for name, value in (("theta", theta), ("grad", grad)) if not math.isfinite(value)}
    for name, value in state.items():
        if isinstance(value, np.ndarray) and not np.isfinite(value).all():
            impossible.add(name)
    for moment in SECOND_MOMENTS.get(optimizer, ()):
        if moment in state and moment not in solved and (np.asarray(state[moment]) < 0).any():
            impossible.add(moment)
    return impossible


# Two different possible values put in place of an impossible input: a result that changes between
# them depends on that input.
_STAND_INS = (0.0, 1.0)


def _guarded_update(
    opt: Any,
    theta: float,
    grad: float,
    state: dict[str, Any],
    hp: dict[str, Any],
    solved: frozenset[str] = frozenset(),
) -> tuple[float, dict[str, Any]]:
    """optimlab's update of one step, never given an input no run can reach (see `_impossible_inputs`).

    With possible inputs this is the plain update. Otherwise the impossible inputs are replaced by
    each of two stand-ins in turn; a result that differs between the two runs depends on them and is
    returned as NaN (unknown), the others are exact (m does not depend on a broken v, for example).
    """
    impossible = _impossible_inputs(opt.name, theta, grad, state, solved)
    if not impossible:
        return _update(opt, theta, grad, state, hp)
    runs = []
    for stand_in in _STAND_INS:
        inputs = {"theta": theta, "grad": grad, **state}
        inputs.update({name: np.full(1, stand_in) if name in state else stand_in for name in impossible})
        runs.append(_update(opt, inputs["theta"], inputs["grad"], {name: inputs[name] for name in state}, hp))
    (theta_a, state_a), (theta_b, state_b) = runs
    new_theta = theta_a if theta_a == theta_b else math.nan
    new_state = {
        name: np.where(value == state_b[name], value, np.nan) if name in opt.state_arrays else value
        for name, value in state_a.items()
    }
    return new_theta, new_state


def _update(
    opt: Any, theta: float, grad: float, state: dict[str, Any], hp: dict[str, Any]
) -> tuple[float, dict[str, Any]]:
    """One optimlab update; an invalid operation (it should never happen) gives unknowns, not a warning."""
    try:
        with np.errstate(invalid="raise"):
            new_theta, new_state = opt.update(np.array([theta]), np.array([grad]), state, hp)
    except FloatingPointError:
        unknown = {name: np.full(1, math.nan) for name in opt.state_arrays}
        return math.nan, {**state, **unknown}
    return float(new_theta[0]), new_state


def _loss(problem: Any, theta: float) -> float:
    if not math.isfinite(theta):
        return math.nan
    try:
        with np.errstate(over="ignore"):  # a student's huge theta gives an infinite loss, not a warning
            return float(problem.value(np.array([theta])))
    except (ValueError, OverflowError, FloatingPointError):
        return math.nan


def _gradient_cell(
    cells: dict[str, float], known: Mapping[str, float], objective: Any, name: str, theta: float
) -> float:
    """The gradient cell `name` at theta (the student's value when they gave one), recorded in `cells`."""
    cells[name] = _pick(known, name, float(objective.grad(np.array([theta]))[0]))
    return cells[name]


def _position_cells(
    cells: dict[str, float], known: Mapping[str, float], objective: Any, step: int, computed_theta: float
) -> float:
    """Record step `step`'s theta (the student's value when they gave one) and the loss there; returns theta."""
    theta = _pick(known, f"theta{step}", computed_theta)
    cells[f"theta{step}"] = theta
    cells[f"loss{step}"] = _pick(known, f"loss{step}", _loss(objective, theta))
    return theta


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
        grad = _gradient_cell(cells, known, objective, f"g{step}", theta)
        new_theta, new_state = _guarded_update(opt, theta, grad, state, hp)
        computed_velocity = float(new_state[moment][0])
        velocity = _pick(known, f"{velocity_column}{step}", computed_velocity)
        cells[f"{velocity_column}{step}"] = velocity
        if velocity == computed_velocity:
            computed_theta = new_theta
        else:
            computed_theta = _POSITION_RULES[optimizer](theta, grad, velocity, hp)
        theta = _position_cells(cells, known, objective, step, computed_theta)
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
        new_theta, new_state = _guarded_update(opt, theta, grad, state, hp)
        computed = (float(new_state["m"][0]), float(new_state["v"][0]))
        m = _pick(known, f"m{step}", computed[0])
        v = _pick(known, f"v{step}", computed[1])
        m_hat = _pick(known, f"m_hat{step}", m / (1 - hp["beta1"] ** step))
        v_hat = _pick(known, f"v_hat{step}", v / (1 - hp["beta2"] ** step))
        unchanged = (m, v) == computed and m_hat == m / (1 - hp["beta1"] ** step)
        unchanged = unchanged and v_hat == v / (1 - hp["beta2"] ** step)
        if unchanged:
            computed_theta = new_theta
        else:
            root = math.sqrt(v_hat) if v_hat >= 0 else math.nan
            decayed = theta * (1 - hp["lr"] * hp["weight_decay"]) if optimizer == "adamw" else theta
            computed_theta = decayed - hp["lr"] * m_hat / (root + hp["eps"])
        cells.update(
            {f"g{step}": grad, f"m{step}": m, f"v{step}": v, f"m_hat{step}": m_hat, f"v_hat{step}": v_hat}
        )
        theta = _position_cells(cells, known, objective, step, computed_theta)
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


def _differs(value: float, computed: float) -> bool:
    """A student's value other than the computed one (two unknowns, NaN and NaN, do not differ)."""
    return value != computed and not (math.isnan(value) and math.isnan(computed))


# Course notation for optimlab's state names, usable as column names.
COLUMN_ALIASES = {"s": "sum_sq"}
_CHECK_RELATIVE = 1e-9


def _state_before(
    opt: Any, moment: str, target: float, theta: float, grad: float, state: dict[str, Any], hp: dict[str, Any]
) -> Any:
    """The previous value of `moment` that makes optimlab's update produce `target` this step.

    Used only to carry a student's own value for a moment forward: the position then still comes
    from the reference update, not from a rewritten rule. Every moment of the supported optimizers
    is affine in its own previous value (beta*v + ..., s + g**2), so two probes give the line;
    the result is verified, and None means the value cannot be reproduced (e.g. beta = 0).
    """

    def produced(previous: float) -> float:
        probe = {**state, moment: np.array([previous])}
        return float(_guarded_update(opt, theta, grad, probe, hp, solved=frozenset({moment}))[1][moment][0])

    # The student's value itself must be possible (an average of squares is never negative). The
    # previous value solved for may be negative (a sum of squares smaller than this g**2): it only
    # makes the update produce the student's value, and optimlab takes roots of new moments only.
    if _impossible_inputs(opt.name, theta, grad, {moment: np.array([target])}):
        return None
    at_zero = produced(0.0)
    slope = produced(1.0) - at_zero
    if not math.isfinite(slope) or slope == 0:  # NaN: this step already depends on an impossible value
        return None
    previous = (target - at_zero) / slope
    if not math.isfinite(previous):
        return None
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
    **hyperparameters: float | None,
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
    check_hyperparameter_names(hyperparameters)
    unknown = sorted(
        name
        for name, value in hyperparameters.items()
        if value is not None and name not in opt.hyperparameters
    )
    if unknown:
        raise CalculatorError(f"{optimizer} takes no {', '.join(unknown)}")
    hp = opt.resolve_hyperparameters({k: float(v) for k, v in hyperparameters.items() if v is not None})
    theta, state = float(start[0]), opt.init(np.array([float(start[0])]))
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
        grad = _gradient_cell(cells, known, objective, f"{label['g']}{step}", theta)
        computed_theta, new_state = _guarded_update(opt, theta, grad, state, hp)
        replaced, reachable = dict(state), True
        solved: set[str] = set()
        for moment in opt.state_arrays:
            value = _pick(known, f"{label[moment]}{step}", float(new_state[moment][0]))
            cells[f"{label[moment]}{step}"] = value
            if _differs(value, float(new_state[moment][0])):
                previous = _state_before(opt, moment, value, theta, grad, state, hp)
                if previous is None:
                    reachable = False
                else:
                    replaced[moment] = np.array([previous])
                    solved.add(moment)
        if solved or not reachable:
            if reachable:
                # Replay the step from the solved-for state, so derived buffers (AMSGrad's v_max) follow.
                computed_theta, new_state = _guarded_update(opt, theta, grad, replaced, hp, frozenset(solved))
            else:
                # No earlier state produces the student's moment, so no position follows from it.
                computed_theta = math.nan
            # The next step starts from the student's moments (guarded there like any other input).
            new_state = {**new_state, **{m: np.array([cells[f"{label[m]}{step}"]]) for m in opt.state_arrays}}
        theta = _position_cells(cells, known, objective, step, computed_theta)
        state = new_state
    return cells


TABLE_CALCULATORS: dict[str, Callable[..., dict[str, float]]] = {
    "optimizer_table": optimizer_table,
    "momentum_table": momentum_table,
    "adam_table": adam_table,
    "ewma_table": ewma_table,
}
RESERVED_ARGUMENTS = frozenset({"rows", "columns", "known"})
