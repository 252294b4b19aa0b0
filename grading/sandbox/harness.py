"""Runs a submission's `init_state`/`step` over a plan, inside the confined child.

Everything here executes in the same process as the student's code, so nothing it
produces is trusted: it only has to be *useful* to an honest submission (clear errors with
the step and line where they happened). The trusted side re-checks every byte.
"""

import builtins
from collections import deque
from types import TracebackType
from typing import Any

import numpy as np

SUBMISSION_FILENAME = "submission.py"
MAX_MESSAGE_CHARS = 2000
MAX_FRAMES = 50  # of the innermost frames; the submission's own (at most 5) are reported


class SubmissionContractError(Exception):
    """The submission broke the step-function contract (wrong return shape or type)."""


def describe_exception(exc: BaseException, source: str) -> dict[str, Any]:
    """Type, message and the submission's own frames (never the harness's) for feedback."""
    lines = source.splitlines()
    frames = []
    for filename, lineno, name in _last_frames(exc.__traceback__, MAX_FRAMES):
        if filename == SUBMISSION_FILENAME and lineno:
            text = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
            frames.append({"line": lineno, "function": name, "code": text[:200]})
    if isinstance(exc, SyntaxError) and exc.lineno:
        frames.append({"line": exc.lineno, "function": "", "code": (exc.text or "").strip()[:200]})
    message = str(exc)
    return {"type": type(exc).__name__, "message": message[:MAX_MESSAGE_CHARS], "frames": frames[-5:]}


def _last_frames(tb: TracebackType | None, count: int) -> deque[tuple[str, int | None, str]]:
    """The innermost `count` frames of a traceback. A submission that lifts the recursion limit can
    leave millions of frames; `traceback.extract_tb` would look each one up in the source, for
    seconds, so a crash would be reported as a timeout."""
    last: deque[tuple[str, int | None, str]] = deque(maxlen=count)
    while tb is not None:
        code = tb.tb_frame.f_code
        last.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    return last


def load_submission(source: str) -> tuple[Any, Any]:
    namespace: dict[str, Any] = {"__name__": "submission", "__builtins__": builtins}
    exec(compile(source, SUBMISSION_FILENAME, "exec"), namespace)
    init_state, step = namespace.get("init_state"), namespace.get("step")
    if not callable(init_state) or not callable(step):
        raise SubmissionContractError(
            "define both `init_state(params)` and `step(params, grads, state, **hp)`"
        )
    return init_state, step


def hyperparameters_at(case: dict[str, Any], step_index: int) -> dict[str, float]:
    per_step = case.get("hp_per_step")
    if per_step:
        return dict(per_step[step_index])
    return dict(case.get("hp", {}))


# What a NumPy dtype kind holds, for a message that names what `step` returned instead of floats.
_KIND_NAMES = {
    "c": "complex numbers (their imaginary part would be silently dropped)",
    "O": "Python objects rather than numbers (e.g. None, or arrays of different shapes)",
    "i": "integers (parameters are real numbers: keep the arithmetic in floating point)",
    "u": "unsigned integers (parameters are real numbers: keep the arithmetic in floating point)",
    "b": "booleans",
    "U": "strings",
    "S": "bytes",
    "V": "raw records",
    "M": "dates",
    "m": "time spans",
}


def real_float_array(value: Any, what: str) -> np.ndarray:
    """`value` as a new float64 array when it holds real floating-point numbers (any float width).

    Anything else raises SubmissionContractError naming what came back: complex, integer, boolean,
    object or string arrays (a float conversion would silently drop an imaginary part, or turn
    None into NaN), and subclasses of ndarray, whose arithmetic and comparisons may not be NumPy's.
    """
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        raise SubmissionContractError(
            f"step returned {what} as a {type(value).__name__}, a subclass of numpy.ndarray; "
            "return a plain numpy array of floats"
        )
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise SubmissionContractError(
            f"step returned {what} that is not an array of numbers: {exc}"
        ) from None
    if type(array) is not np.ndarray:  # __array__ may hand back anything
        raise SubmissionContractError(f"step returned {what} that does not convert to a plain numpy array")
    if array.dtype.kind != "f":
        held = _KIND_NAMES.get(array.dtype.kind, "something other than real numbers")
        raise SubmissionContractError(
            f"step returned {what} of dtype {array.dtype}: {held}; return real floating-point numbers (float64)"
        )
    return np.array(array, dtype=np.float64)


def _as_param_array(value: Any, like: np.ndarray, param_index: int) -> np.ndarray:
    array = real_float_array(value, f"new_params for parameter {param_index}")
    if array.shape != like.shape:
        raise SubmissionContractError(
            f"step returned new_params of shape {array.shape} for parameter {param_index} of shape {like.shape}"
        )
    return array


def run_case(case: dict[str, Any], problem: Any, init_state: Any, step: Any, source: str) -> dict[str, Any]:
    params = [np.array(p["values"], dtype=np.float64).reshape(p["shape"]) for p in case["params"]]
    rows = [np.concatenate([p.ravel() for p in params])]
    calls = 0
    error = None
    step_index = -1
    param_index = None
    try:
        states = [init_state(p.copy()) for p in params]
        for step_index in range(int(case["steps"])):
            grads = problem.grad([p.copy() for p in params], step_index)
            hp = hyperparameters_at(case, step_index)
            new_params = []
            for param_index, (param, grad) in enumerate(zip(params, grads, strict=True)):
                returned = step(param.copy(), np.array(grad, dtype=np.float64), states[param_index], **hp)
                calls += 1
                if not isinstance(returned, tuple) or len(returned) != 2:
                    raise SubmissionContractError("step must return a pair (new_params, new_state)")
                new_params.append(_as_param_array(returned[0], param, param_index))
                states[param_index] = returned[1]
            param_index = None
            params = new_params
            rows.append(np.concatenate([p.ravel() for p in params]))
    except BaseException as exc:  # the student's code may raise anything, SystemExit included
        error = describe_exception(exc, source)
        error["step"] = step_index + 1 if step_index >= 0 else 0
        error["param_index"] = param_index
    return {"id": case["id"], "steps_done": len(rows) - 1, "error": error, "step_calls": calls, "rows": rows}


def run_plan(plan: dict[str, Any], build_problem: Any) -> tuple[dict[str, Any], bytes]:
    """Header and float64 payload (every case's trajectory rows, in order) for the result frame."""
    source = plan["source"]
    try:
        init_state, step = load_submission(source)
    except BaseException as exc:
        return {"load_error": describe_exception(exc, source), "cases": [], "step_calls": 0}, b""
    cases, chunks, total_calls = [], [], 0
    for case in plan["cases"]:
        outcome = run_case(
            case, build_problem(case["problem"], case.get("problem_args") or {}), init_state, step, source
        )
        total_calls += outcome["step_calls"]
        chunks.append(np.ascontiguousarray(np.stack(outcome.pop("rows")), dtype="<f8").tobytes())
        cases.append(outcome)
        if outcome["error"] and outcome["error"]["type"] in {"SystemExit", "KeyboardInterrupt"}:
            break  # the submission asked to stop the process: honour it for the whole run
    return {"load_error": None, "cases": cases, "step_calls": total_calls}, b"".join(chunks)
