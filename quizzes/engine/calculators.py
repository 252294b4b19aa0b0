"""Named calculators for calculation and table items.

A calculation calculator is a plain function of keyword arguments returning a number or a dict
of named numbers whose `answer` is the key (the other entries become placeholder values).
Arguments come from the item's `answer.args`, plus every template parameter whose name is one of
the calculator's arguments; an arg written as "{{name}}" takes that parameter's value.

Everything about an optimizer is computed by optimlab's reference optimizers (`optimizers.py`).

`CALCULATORS` (name -> function) and `TABLE_CALCULATORS` (name -> function, see tables.py) are
introspectable: validation uses each function's signature to report unknown or missing args (a
`**group` of optional keywords accepts the names `_KEYWORD_GROUPS` lists for it).
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np

from optimlab.clipping import clip_by_global_norm, global_norm
from optimlab.schedules import SCHEDULES, build_schedule
from quizzes.engine.numbers import yaml_number
from quizzes.engine.optimizers import (
    HYPERPARAMETERS,
    CalculatorError,
    check_hyperparameter_names,
    load_optimizer,
    load_problem,
)
from quizzes.engine.table_calculators import TABLE_CALCULATORS

# Every parameter some optimlab schedule takes, in optimlab's order (lr, step_size, gamma, ...).
SCHEDULE_PARAMETERS = tuple(dict.fromkeys(name for kind in SCHEDULES.values() for name in kind.parameters))
_PARAM_REFERENCE_RE = re.compile(r"^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$")


def _hyperparameters(optimizer: Any, candidates: dict[str, Any]) -> dict[str, float]:
    """The subset of `candidates` (a calculator's `**hyperparameters`) the optimizer accepts (None
    means: use its default)."""
    check_hyperparameter_names(candidates)
    return {
        name: float(value)
        for name, value in candidates.items()
        if value is not None and name in optimizer.hyperparameters
    }


def _state_array(state: Any, name: str) -> np.ndarray:
    """Read one moment from optimlab's state, whatever container it uses."""
    value = state.get(name) if isinstance(state, dict) else getattr(state, name, None)
    if value is None:
        raise CalculatorError(f"this optimizer keeps no {name!r} in its state")
    return np.asarray(value, dtype=float)


def _as_start(start: Any, problem: Any) -> np.ndarray:
    if start is None:
        return np.array(problem.start, dtype=float)
    return np.atleast_1d(np.asarray(start, dtype=float))


def _scalar_or_component(array: np.ndarray, component: int | None) -> float:
    flat = np.ravel(array)
    if component is None:
        if flat.size != 1:
            raise CalculatorError("the problem has several coordinates: say which with `component`")
        return float(flat[0])
    if not 0 <= component < flat.size:
        raise CalculatorError(f"component {component} is out of range (0..{flat.size - 1})")
    return float(flat[component])


# --- calculation calculators --------------------------------------------------------------

# Outputs every run offers; optimizers add their state arrays (v, m, sum_sq, v_max, ...) and the
# Adam family its bias-corrected moments m_hat and v_hat.
OUTPUTS = ("theta", "update", "step_length", "grad", "loss", "effective_lr")


def _available_outputs(opt: Any) -> tuple[str, ...]:
    corrected = ("m_hat", "v_hat") if {"m", "v"} <= set(opt.state_arrays) else ()
    return (*OUTPUTS, *opt.state_arrays, *corrected)


def _check_output(opt: Any, output: str) -> None:
    available = _available_outputs(opt)
    if output not in available:
        raise CalculatorError(f"output must be one of {', '.join(available)} for {opt.name}")


def _run_values(
    opt: Any,
    hp: dict[str, float],
    state: dict[str, Any],
    theta: Any,
    previous: Any,
    grad: Any,
    steps: int,
    index: int | None,
    output: str,
) -> dict[str, float]:
    """The answer and extras common to every optimizer run, for one coordinate."""
    update = np.asarray(theta, dtype=float) - np.asarray(previous, dtype=float)
    values = {
        "theta": _scalar_or_component(theta, index),
        "theta_prev": _scalar_or_component(previous, index),
        "update": _scalar_or_component(update, index),
        "grad": _scalar_or_component(np.asarray(grad, dtype=float), index),
    }
    values["step_length"] = abs(values["update"])
    for name in opt.state_arrays:
        values[name] = _scalar_or_component(_state_array(state, name), index)
    if "m_hat" in _available_outputs(opt):
        resolved = opt.resolve_hyperparameters(hp)
        values["m_hat"] = values["m"] / (1 - resolved["beta1"] ** steps)
        values["v_hat"] = values["v"] / (1 - resolved["beta2"] ** steps)
    if output == "effective_lr":
        # The factor the last gradient was multiplied by: lr / (sqrt(s) + eps) for AdaGrad.
        if values["grad"] == 0:
            raise CalculatorError("effective_lr needs a non-zero last gradient")
        values["effective_lr"] = values["step_length"] / abs(values["grad"])
    return values


def optimizer_step(
    optimizer: str,
    steps: int = 1,
    problem: str = "parabola",
    start: Any = None,
    output: str = "theta",
    component: int | None = None,
    **hyperparameters: float | None,
) -> dict[str, float]:
    """Run `steps` steps of an optimlab optimizer on a named problem.

    args: optimizer (optimlab name), steps (>= 1), problem (default parabola), start (number or
    list; default the problem's start), output (the answer: theta | update | step_length | grad |
    loss | effective_lr, any state array of the optimizer such as v, m, sum_sq or v_max, and for
    the Adam family the bias-corrected m_hat, v_hat), component (index for multi-dimensional
    problems), lr, beta, beta1, beta2, eps, weight_decay.
    Extras: theta (after the last step), theta_prev, update (theta - theta_prev), step_length
    (|update|), grad (at theta_prev), loss (at theta), every state array (and m_hat, v_hat); all
    for the chosen component.
    """
    steps = int(steps)
    if steps < 1 or steps > 10_000:
        raise CalculatorError("steps must be between 1 and 10000")
    opt = load_optimizer(optimizer)
    _check_output(opt, output)
    objective = load_problem(problem)
    hp = _hyperparameters(opt, hyperparameters)
    theta = _as_start(start, objective)
    state = opt.init(theta)
    previous = theta
    grad = objective.grad(theta)
    for _ in range(steps):
        previous = theta
        grad = np.asarray(objective.grad(theta), dtype=float)
        theta, state = opt.update(theta, grad, state, hp)
    index = None if component is None else int(component)
    values = _run_values(opt, hp, state, theta, previous, grad, steps, index, output)
    values["loss"] = float(objective.value(theta))
    return {"answer": values[output], **values}


def _gradient_steps(grads: Any) -> list[np.ndarray]:
    """`grads` as one array per step: a number is one step, a list holds one entry per step."""
    entries = grads if isinstance(grads, list | tuple) else [grads]
    if not entries or len(entries) > 10_000:
        raise CalculatorError("grads must list between 1 and 10000 gradients, one per step")
    try:
        arrays = [np.atleast_1d(np.asarray(entry, dtype=float)) for entry in entries]
    except (TypeError, ValueError) as error:
        raise CalculatorError(f"grads must hold numbers or lists of numbers ({error})") from error
    if len({array.shape for array in arrays}) != 1 or arrays[0].ndim != 1:
        raise CalculatorError("every step's gradient must have the same length")
    return arrays


def optimizer_given_gradients(
    optimizer: str,
    grads: Any,
    start: Any = 0.0,
    clip_norm: float | None = None,
    output: str = "update",
    component: int | None = None,
    **hyperparameters: float | None,
) -> dict[str, float]:
    """Feed given gradients to an optimlab optimizer, one per step (no objective function).

    args: optimizer, grads (one entry per step: a number, or a list for a weight vector; a bare
    number is a single step), start (the weights before the first step, default 0), clip_norm
    (clip each step's gradient to this global norm with optimlab's torch-style clipping first),
    output (as for optimizer_step, without loss), component, lr, beta, beta1, beta2, eps,
    weight_decay. Extras as for optimizer_step (grad is the last gradient before clipping), plus
    grad_used (the last gradient after clipping).
    """
    opt = load_optimizer(optimizer)
    if output == "loss":
        raise CalculatorError("there is no loss without a problem; use optimizer_step")
    _check_output(opt, output)
    steps = _gradient_steps(grads)
    hp = _hyperparameters(opt, hyperparameters)
    theta = np.broadcast_to(np.asarray(start, dtype=float), steps[0].shape).copy()
    state = opt.init(theta)
    previous, used = theta, steps[0]
    for grad in steps:
        used = _clipped(grad, clip_norm) if clip_norm is not None else grad
        previous = theta
        theta, state = opt.update(theta, used, state, hp)
    index = None if component is None else int(component)
    values = _run_values(opt, hp, state, theta, previous, steps[-1], len(steps), index, output)
    values["grad_used"] = _scalar_or_component(used, index)
    return {"answer": values[output], **values}


def _clipped(grad: np.ndarray, max_norm: float) -> np.ndarray:

    (clipped,), _ = clip_by_global_norm([grad], float(max_norm))
    return clipped


def schedule_lr(
    name: str,
    step: int,
    counting_from: int = 1,
    **schedule: float | None,
) -> dict[str, float]:
    """The learning rate of an optimlab schedule at one step.

    args: name (constant | step | exponential | linear-warmup | cosine | warmup-cosine), step
    (which update), counting_from (1: step counts updates 1, 2, ... as optimlab does; 0: step is
    an epoch index 0, 1, ... as torch's scheduler counts, so step 0 runs at the first update's
    rate), lr (the base or peak rate), and the schedule's own: step_size, gamma, warmup_steps,
    T_max, eta_min, total_steps. Extras: factor (the rate divided by lr), update_number (the
    1-based update the rate belongs to).
    """

    if counting_from not in (0, 1):
        raise CalculatorError("counting_from must be 0 or 1")
    spec = {key: value for key, value in schedule.items() if value is not None}
    update_number = int(step) + 1 - int(counting_from)
    try:
        rate = build_schedule({"name": name, **spec}).lr_at(update_number)
    except ValueError as error:
        raise CalculatorError(str(error)) from error
    factor = rate / spec["lr"] if spec.get("lr") else 1.0
    return {"answer": rate, "factor": factor, "update_number": float(update_number)}


CLIP_OUTPUTS = ("scale", "norm", "clipped", "clipped_norm")


def clip_by_norm(
    grads: list[Any],
    max_norm: float | None = None,
    norm_type: float = 2.0,
    output: str = "scale",
    component: int = 0,
) -> dict[str, float]:
    """Clip gradients by their global norm with optimlab's torch-style clipping.

    args: grads (one tensor as a list of numbers, or several tensors as a list of lists; all
    entries together form one long vector), max_norm (omit it to only measure the norm), norm_type (default 2; 1 for the sum of
    absolute values), output (scale | norm | clipped | clipped_norm), component (which entry of
    the long vector `clipped` reports, default 0). Extras: scale (the factor every entry is
    multiplied by, max_norm / (norm + 1e-6) capped at 1), norm (before clipping), clipped,
    clipped_norm.
    """

    if output not in CLIP_OUTPUTS:
        raise CalculatorError(f"output must be one of {', '.join(CLIP_OUTPUTS)}")
    if not isinstance(grads, list | tuple) or not grads:
        raise CalculatorError("grads must be a non-empty list")
    tensors = list(grads) if all(isinstance(entry, list | tuple) for entry in grads) else [grads]
    if max_norm is None:
        clipped, total = [np.asarray(t, dtype=float) for t in tensors], global_norm(tensors, norm_type)
    else:
        clipped, total = clip_by_global_norm(tensors, max_norm, norm_type)
    raw = np.concatenate([np.ravel(np.asarray(tensor, dtype=float)) for tensor in tensors])
    flat = np.concatenate([np.ravel(tensor) for tensor in clipped])
    if not 0 <= int(component) < flat.size:
        raise CalculatorError(f"component {component} is out of range (0..{flat.size - 1})")
    nonzero = np.flatnonzero(raw)
    scale = float(flat[nonzero[0]] / raw[nonzero[0]]) if nonzero.size else 1.0
    values = {
        "scale": scale,
        "norm": float(total),
        "clipped": float(flat[int(component)]),
        "clipped_norm": global_norm(clipped, norm_type),
    }
    return {"answer": values[output], **values}


def momentum_position(
    optimizer: str = "momentum",
    steps: int = 1,
    problem: str = "parabola",
    start: Any = None,
    component: int | None = None,
    lr: float | None = None,
    beta: float | None = None,
) -> dict[str, float]:
    """The position after `steps` steps of a momentum-style optimizer (the name the bank-format
    example uses; `optimizer_step` with output theta).

    args: optimizer (default momentum), steps, problem (default parabola), start, component, lr, beta.
    Extras as for optimizer_step.
    """
    return optimizer_step(
        optimizer, steps=steps, problem=problem, start=start, component=component, lr=lr, beta=beta
    )


def bias_correction(beta: float, t: int, value: float = 1.0) -> dict[str, float]:
    """Adam's bias correction: a moment estimate `value` after t steps divided by 1 - beta**t.

    args: beta (decay rate, 0 <= beta < 1), t (step number >= 1), value (the raw estimate,
    default 1). Extras: factor (1 / (1 - beta**t)), weight (1 - beta**t).
    """
    beta, t = float(beta), int(t)
    if not 0 <= beta < 1 or t < 1:
        raise CalculatorError("need 0 <= beta < 1 and t >= 1")
    weight = 1 - beta**t
    return {"answer": float(value) / weight, "factor": 1 / weight, "weight": weight}


def effective_sample_size(beta: float) -> dict[str, float]:
    """How many recent values an EWMA with decay beta effectively averages: 1 / (1 - beta).

    args: beta (0 <= beta < 1). Extras: velocity_gain (the steady-state gain of heavy-ball
    momentum with the PyTorch convention, the same 1 / (1 - beta)).
    """
    beta = float(beta)
    if not 0 <= beta < 1:
        raise CalculatorError("need 0 <= beta < 1")
    size = 1 / (1 - beta)
    return {"answer": size, "velocity_gain": size}


def steps_per_epoch(samples: int, batch_size: int, drop_last: bool = False) -> dict[str, float]:
    """Optimizer steps in one pass over `samples` examples with minibatches of `batch_size`.

    args: samples, batch_size (both >= 1), drop_last (default false: a last partial batch
    still makes a step). Extras: last_batch (size of the final batch).
    """
    samples, batch_size = int(samples), int(batch_size)
    if samples < 1 or batch_size < 1:
        raise CalculatorError("samples and batch_size must be at least 1")
    full, remainder = divmod(samples, batch_size)
    steps = full if drop_last or remainder == 0 else full + 1
    return {"answer": float(steps), "last_batch": float(remainder or batch_size)}


def quadratic_stability(curvature: float, method: str = "gd", beta: float = 0.0) -> dict[str, float]:
    """Largest stable learning rate on f(x) = curvature/2 * x**2 (second derivative `curvature`).

    Gradient descent contracts iff 0 < lr < 2 / curvature. Heavy-ball momentum (PyTorch form,
    v <- beta v + g, x <- x - lr v) is stable iff 0 < lr < 2 (1 + beta) / curvature.
    args: curvature (> 0), method (gd | heavy-ball), beta (for heavy-ball, 0 <= beta < 1).
    For J = a x**2 the curvature is 2a. Extras: optimal_lr (gd: 1 / curvature).
    """
    curvature, beta = float(curvature), float(beta)
    if curvature <= 0:
        raise CalculatorError("curvature must be positive")
    if method == "gd":
        return {"answer": 2 / curvature, "optimal_lr": 1 / curvature}
    if method == "heavy-ball":
        if not 0 <= beta < 1:
            raise CalculatorError("need 0 <= beta < 1")
        return {"answer": 2 * (1 + beta) / curvature, "optimal_lr": 1 / curvature}
    raise CalculatorError("method must be gd or heavy-ball")


def ewma(
    values: list[float], beta: float, initial: float = 0.0, bias_corrected: bool = False
) -> dict[str, float]:
    """Exponentially weighted moving average s <- beta s + (1 - beta) x over `values`.

    args: values (list of numbers), beta (0 <= beta < 1), initial (s0, default 0),
    bias_corrected (divide the last average by 1 - beta**t). Extras: raw (the uncorrected
    final average), s1, s2, ... (each running average).
    """
    beta = float(beta)
    if not isinstance(values, list | tuple) or not values:
        raise CalculatorError("values must be a non-empty list of numbers")
    if not 0 <= beta < 1:
        raise CalculatorError("need 0 <= beta < 1")
    average = float(initial)
    extras: dict[str, float] = {}
    for step, value in enumerate(values, start=1):
        average = beta * average + (1 - beta) * float(value)
        extras[f"s{step}"] = average
    answer = average / (1 - beta ** len(values)) if bias_corrected else average
    return {"answer": answer, "raw": average, **extras}


CALCULATORS: dict[str, Callable[..., Any]] = {
    "optimizer_step": optimizer_step,
    "momentum_position": momentum_position,
    "optimizer_given_gradients": optimizer_given_gradients,
    "schedule_lr": schedule_lr,
    "clip_by_norm": clip_by_norm,
    "bias_correction": bias_correction,
    "effective_sample_size": effective_sample_size,
    "steps_per_epoch": steps_per_epoch,
    "quadratic_stability": quadratic_stability,
    "ewma": ewma,
}


# --- running --------------------------------------------------------------------------------


# A calculator may take a group of optional keywords as `**group`: the names each group accepts.
_KEYWORD_GROUPS: dict[str, tuple[str, ...]] = {
    "hyperparameters": HYPERPARAMETERS,  # an optimizer's (optimizer_step, optimizer_table, ...)
    "schedule": SCHEDULE_PARAMETERS,  # a learning-rate schedule's (schedule_lr)
}


def argument_names(function: Callable[..., Any]) -> tuple[set[str], set[str]]:
    """(all accepted keyword names, required ones) from the signature (fresh sets: callers may edit)."""
    accepted, required = _signature_names(function)
    return set(accepted), set(required)


@functools.lru_cache(maxsize=256)
def _signature_names(function: Callable[..., Any]) -> tuple[frozenset[str], frozenset[str]]:
    # inspect.signature is slow and calculators never change: read each one once.
    parameters = inspect.signature(function).parameters.values()
    accepted = {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    for group in (p.name for p in parameters if p.kind is p.VAR_KEYWORD):
        accepted |= set(_KEYWORD_GROUPS[group])
    required = {p.name for p in parameters if p.default is inspect.Parameter.empty and p.name in accepted}
    return frozenset(accepted), frozenset(required)


def resolve_arguments(
    function: Callable[..., Any],
    args: dict[str, Any],
    params: dict[str, Any],
    reserved: AbstractSet[str] = frozenset(),
) -> dict[str, Any]:
    """Merge explicit args with same-named parameters; "{{p}}" args take parameter p's value."""
    if not isinstance(args, dict):
        raise CalculatorError("`args` must be a mapping")
    accepted, required = argument_names(function)
    accepted -= reserved
    unknown = sorted(set(args) - accepted)
    if unknown:
        raise CalculatorError(
            f"unknown argument(s) {', '.join(unknown)}; accepted: {', '.join(sorted(accepted))}"
        )
    resolved = {name: _with_parameters(value, params, name) for name, value in args.items()}
    for name, value in params.items():
        if name in accepted and name not in resolved:
            resolved[name] = value
    # YAML 1.1 reads 1e-3 as text: give calculators the number.
    resolved = {name: _numeric_text_to_number(value) for name, value in resolved.items()}
    missing = sorted(required - reserved - set(resolved))
    if missing:
        raise CalculatorError(f"missing argument(s) {', '.join(missing)}")
    return resolved


def _with_parameters(value: Any, params: dict[str, Any], argument: str) -> Any:
    """`value` with every "{{p}}" replaced by parameter p, inside lists too (ewma values, grads)."""
    if isinstance(value, list | tuple):
        return [_with_parameters(entry, params, argument) for entry in value]
    match = _PARAM_REFERENCE_RE.match(value) if isinstance(value, str) else None
    if not match:
        return value
    if match.group(1) not in params:
        raise CalculatorError(f"argument {argument} refers to an unknown parameter {match.group(1)!r}")
    return params[match.group(1)]


def calculator_reference() -> dict[str, dict[str, Any]]:
    """Every calculator with its documentation and arguments, for authoring help pages."""
    reference = {}
    for table, registry in ((False, CALCULATORS), (True, TABLE_CALCULATORS)):
        for name, function in registry.items():
            accepted, required = argument_names(function)
            if table:
                accepted -= {"rows", "columns", "known"}
                required -= {"rows", "columns", "known"}
            reference[name] = {
                "table": table,
                "doc": inspect.cleandoc(function.__doc__ or ""),
                "args": sorted(accepted),
                "required": sorted(required),
            }
    return reference


def _numeric_text_to_number(value: Any) -> Any:
    if isinstance(value, list):
        return [_numeric_text_to_number(entry) for entry in value]
    return yaml_number(value)


def run_calculator(name: str, args: dict[str, Any], params: dict[str, Any]) -> float | dict[str, float]:
    function = CALCULATORS.get(name)
    if function is None:
        raise CalculatorError(f"unknown calculator {name!r}; known: {', '.join(sorted(CALCULATORS))}")
    kwargs = resolve_arguments(function, args, params)
    try:
        result = function(**kwargs)
    except CalculatorError:
        raise
    except (TypeError, ValueError, ArithmeticError) as error:
        raise CalculatorError(f"{name}: {error}") from error
    return _without_shadowing(_checked(name, result), params)


def _without_shadowing(result: float | dict[str, float], params: dict[str, Any]) -> float | dict[str, float]:
    """Drop extras named like a template parameter: a stem's {{theta}} must keep showing the
    drawn start, not the calculator's position after the step."""
    if not isinstance(result, dict):
        return result
    return {key: value for key, value in result.items() if key == "answer" or key not in params}


def _checked(name: str, result: Any) -> float | dict[str, float]:
    if isinstance(result, dict):
        if "answer" not in result:
            raise CalculatorError(f"{name} returned no `answer`")
        for key, value in result.items():
            if not math.isfinite(float(value)):
                raise CalculatorError(f"{name} produced a non-finite {key}")
        return {key: float(value) for key, value in result.items()}
    if not math.isfinite(float(result)):
        raise CalculatorError(f"{name} produced a non-finite answer")
    return float(result)
