"""From the sandbox's raw run to scores: strict parsing, fidelity, convergence, one 0-1 score.

Tolerances and weights (stated to students in every exercise statement):
- a parameter agrees with the reference when |s − r| ≤ ATOL + RTOL·|r|;
- **fidelity** of a problem is the fraction of its steps completed before the first departure
  (1.0 when every parameter agrees at every step);
- **convergence** of a problem compares the loss curve with the reference's: half for the
  final loss reached (as a fraction of the reference's progress from the start), half for speed
  (steps the reference needs to get within CONVERGENCE_TOLERANCE of its own final progress,
  divided by the steps the submission needs); 0 if the run diverges (NaN, inf or |θ| > 1e6);
  a problem that agrees step by step converges exactly like the reference (1.0);
- score = FIDELITY_WEIGHT·mean fidelity + CONVERGENCE_WEIGHT·mean convergence.
A submission **passes** only when every problem has fidelity 1.0 (its score is then 1.0, above
PASS_THRESHOLD). Any departure caps the score at FAILED_SCORE_CAP, so converging well without
implementing the asked-for algorithm (jumping to the minimiser, a faster method) never passes.

Everything the child sent is untrusted bytes: the frame is checked against our own plan (case
ids and order, steps_done within bounds, the exact payload length), and the float rows are read
as little-endian float64 from a byte count we computed ourselves.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from grading.plans import Case
from grading.sandbox.protocol import ProtocolError, decode_frame

ATOL = 1e-8
RTOL = 1e-6
FIDELITY_WEIGHT = 0.8
CONVERGENCE_WEIGHT = 0.2
PASS_THRESHOLD = 0.999
FAILED_SCORE_CAP = 0.95
CONVERGENCE_TOLERANCE = 0.01  # "converged" = within 1% of the reference's total loss decrease
DIVERGENCE_BOUND = 1e6
MAX_ERROR_CHARS = 600


class InvalidOutput(Exception):
    """The child's frame does not fit our plan; nothing in it is used."""


@dataclass
class CaseRun:
    """What the submission did on one case, after validation."""

    case: Case
    rows: np.ndarray  # (steps_done + 1, case.size) float64
    error: dict[str, Any] | None  # sanitised: {"type", "message", "line", "code", "step"}

    @property
    def steps_done(self) -> int:
        return len(self.rows) - 1


@dataclass
class ParsedRun:
    load_error: dict[str, Any] | None
    cases: list[CaseRun]
    step_calls: int


def parse_frame(result_bytes: bytes, cases: tuple[Case, ...]) -> ParsedRun:
    """Validate the child's result frame against our plan; InvalidOutput if anything is off."""
    max_payload = sum((case.steps + 1) * case.size * 8 for case in cases)
    try:
        header, payload = decode_frame(result_bytes, max_payload=max_payload)
    except ProtocolError as exc:
        raise InvalidOutput(str(exc)) from None
    if not {"load_error", "cases", "step_calls"} <= set(header):  # extra fields are ignored, never trusted
        raise InvalidOutput("header fields missing")
    load_error = header["load_error"]
    if load_error is not None:
        if header["cases"] != [] or payload:
            raise InvalidOutput("a load error comes with no cases")
        return ParsedRun(load_error=_sanitise_error(load_error), cases=[], step_calls=0)
    reported = header["cases"]
    if not isinstance(reported, list) or len(reported) > len(cases):
        raise InvalidOutput("wrong number of cases")
    runs, offset, max_calls = [], 0, 0
    for case, entry in zip(cases, reported, strict=False):
        if not isinstance(entry, dict) or entry.get("id") != case.id:
            raise InvalidOutput(f"case {case.id!r} missing or out of order")
        steps_done = entry.get("steps_done")
        if type(steps_done) is not int or not 0 <= steps_done <= case.steps:
            raise InvalidOutput(f"case {case.id!r}: steps_done out of range")
        error = entry.get("error")
        if error is None and steps_done != case.steps:
            raise InvalidOutput(f"case {case.id!r}: stopped early without an error")
        count = (steps_done + 1) * case.size
        chunk = payload[offset : offset + count * 8]
        if len(chunk) != count * 8:
            raise InvalidOutput("payload shorter than the trajectories it must hold")
        offset += count * 8
        rows = np.frombuffer(chunk, dtype="<f8").astype(np.float64).reshape(steps_done + 1, case.size)
        runs.append(CaseRun(case=case, rows=rows, error=None if error is None else _sanitise_error(error)))
        max_calls += (steps_done + 1) * len(case.start)
    if offset != len(payload):
        raise InvalidOutput("payload longer than the trajectories it must hold")
    if len(runs) < len(cases) and not (runs and runs[-1].error and runs[-1].error["type"] in _STOPPING):
        raise InvalidOutput("cases missing without a reason")
    step_calls = header["step_calls"]
    if type(step_calls) is not int or not 0 <= step_calls <= max_calls:
        raise InvalidOutput("step_calls out of range")
    return ParsedRun(load_error=None, cases=runs, step_calls=step_calls)


_STOPPING = {"SystemExit", "KeyboardInterrupt"}


def _sanitise_error(raw: Any) -> dict[str, Any]:
    """Keep only well-typed, size-capped fields of an (untrusted) error description."""
    if not isinstance(raw, dict):
        raise InvalidOutput("error description is not an object")
    frames = raw.get("frames") if isinstance(raw.get("frames"), list) else []
    last = frames[-1] if frames and isinstance(frames[-1], dict) else {}
    line = last.get("line")
    step = raw.get("step")
    return {
        "type": str(raw.get("type", "Exception"))[:100],
        "message": str(raw.get("message", ""))[:MAX_ERROR_CHARS],
        "line": line if type(line) is int else None,
        "code": str(last.get("code", ""))[:200],
        "step": step if type(step) is int else None,
    }


def describe_error(error: dict[str, Any]) -> str:
    where = f" (line {error['line']}: `{error['code']}`)" if error.get("line") else ""
    when = f" at step {error['step']}" if error.get("step") else ""
    message = f": {error['message']}" if error.get("message") else ""
    return f"{error['type']}{message}{where}{when}"


# ---------------------------------------------------------------- comparing trajectories


def agree(student: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Element-wise agreement within tolerance; equal infinities and NaN-vs-NaN count as agreeing
    (that is how a catalogued mistake that blows up is recognised)."""
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.abs(student - reference) <= ATOL + RTOL * np.abs(reference)
    same_special = (np.isnan(student) & np.isnan(reference)) | (
        np.isinf(student) & np.isinf(reference) & (np.sign(student) == np.sign(reference))
    )
    return np.asarray(close | same_special, dtype=bool)


def first_departure(student: np.ndarray, reference: np.ndarray) -> tuple[int, int] | None:
    """(step, flat parameter index) of the first disagreement over the common steps, or None."""
    common = min(len(student), len(reference))
    ok = agree(student[:common], reference[:common])
    bad_rows = np.flatnonzero(~ok.all(axis=1))
    if bad_rows.size == 0:
        return None
    step = int(bad_rows[0])
    return step, int(np.flatnonzero(~ok[step])[0])


def trajectories_match(student: np.ndarray, reference: np.ndarray) -> bool:
    return student.shape == reference.shape and first_departure(student, reference) is None


def param_label(case: Case, flat_index: int) -> str:
    """'θ[1]' for a single vector, 'W[2, 0]'-style indices into the n-th array otherwise."""
    offset = 0
    for array_index, start in enumerate(case.start):
        if flat_index < offset + start.size:
            index = np.unravel_index(flat_index - offset, start.shape)
            inside = ", ".join(str(int(i)) for i in index)
            name = "θ" if len(case.start) == 1 else f"param {array_index}"
            return f"{name}[{inside}]"
        offset += start.size
    return f"θ[{flat_index}]"


def diverged_at(case: Case, rows: np.ndarray, losses: np.ndarray) -> int | None:
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(rows).all(axis=1) | (np.abs(rows) > DIVERGENCE_BOUND).any(axis=1)
    bad |= ~np.isfinite(losses)
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def losses_along(case: Case, rows: np.ndarray) -> np.ndarray:
    """The loss at every row; NaN where the row is non-finite or has run away."""
    with np.errstate(all="ignore"):
        usable = np.isfinite(rows).all(axis=1) & (np.abs(rows) <= DIVERGENCE_BOUND).all(axis=1)
        safe = np.where(usable[:, None], rows, 0.0)
        losses = np.asarray(case.build_problem().losses(case.split_rows(safe)), dtype=np.float64)
    return np.where(usable, losses, math.nan)


def steps_to_target(losses: np.ndarray, target: float) -> int | None:
    with np.errstate(invalid="ignore"):
        hits = np.flatnonzero(losses <= target)
    return int(hits[0]) if hits.size else None


@dataclass
class ProblemResult:
    record: dict[str, Any]
    fidelity: float
    convergence: float

    @property
    def agrees(self) -> bool:
        return self.fidelity == 1.0


def score_problem(run: CaseRun, reference_rows: np.ndarray, reference_losses: np.ndarray) -> ProblemResult:
    case, rows = run.case, run.rows
    departure = first_departure(rows, reference_rows)
    if departure is None and run.steps_done == case.steps and run.error is None:
        fidelity = 1.0
    else:
        agreed_steps = departure[0] - 1 if departure else run.steps_done
        fidelity = max(0, agreed_steps) / case.steps
    # A trajectory that agrees with the reference has the reference's loss curve (within tolerance).
    losses = reference_losses if fidelity == 1.0 else losses_along(case, rows)
    blown_up = diverged_at(case, rows, losses)
    initial, ref_final = reference_losses[0], reference_losses[-1]
    target = ref_final + CONVERGENCE_TOLERANCE * max(initial - ref_final, 0.0)
    ref_steps = steps_to_target(reference_losses, target)
    own_steps = steps_to_target(losses, target) if blown_up is None else None
    final = float(losses[-1]) if math.isfinite(losses[-1]) else None
    if fidelity == 1.0:
        convergence = 1.0
    elif blown_up is not None or final is None or run.steps_done < case.steps:
        convergence = 0.0
    else:
        progress_needed = initial - ref_final
        progress = 1.0 if progress_needed <= 0 else min(max((initial - final) / progress_needed, 0.0), 1.0)
        speed = min(1.0, max(ref_steps or 0, 1) / own_steps) if own_steps else 0.0
        convergence = 0.5 * progress + 0.5 * speed
    record: dict[str, Any] = {
        "id": case.id,
        "title": case.title,
        "purpose": case.purpose,
        "steps": case.steps,
        "steps_done": run.steps_done,
        "fidelity": round(fidelity, 6),
        "convergence": round(convergence, 6),
        "first_divergent_step": departure[0] if departure else None,
        "first_divergent_param": departure[1] if departure else None,
        "first_divergent_label": param_label(case, departure[1]) if departure else None,
        "student_value": _finite(rows[departure]) if departure else None,
        "reference_value": _finite(reference_rows[departure]) if departure else None,
        "final_loss": final,
        "reference_final_loss": _finite(ref_final),
        "steps_to_tol": own_steps,
        "reference_steps_to_tol": ref_steps,
        "diverged_at": blown_up,
        "error": describe_error(run.error) if run.error else None,
    }
    if case.size == 2:  # plottable on the problem's contour map
        record["student_trajectory"] = _finite_rows(rows)
        record["reference_trajectory"] = _finite_rows(reference_rows)
    return ProblemResult(record=record, fidelity=fidelity, convergence=convergence)


def combine(results: list[ProblemResult], total_cases: int) -> tuple[float, float, float, bool]:
    """(score, fidelity, convergence, passed) over all planned cases (missing ones count as 0)."""
    fidelity = sum(r.fidelity for r in results) / total_cases
    convergence = sum(r.convergence for r in results) / total_cases
    passed = len(results) == total_cases and all(r.agrees for r in results)
    if passed:
        return 1.0, 1.0, 1.0, True
    score = FIDELITY_WEIGHT * fidelity + CONVERGENCE_WEIGHT * convergence
    return round(min(score, FAILED_SCORE_CAP), 6), round(fidelity, 6), round(convergence, 6), False


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _finite_rows(rows: np.ndarray) -> list[list[float]]:
    """Rows up to the first non-finite or runaway one (JSON has no NaN; plots need finite points)."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(rows).all(axis=1) & (np.abs(rows) <= DIVERGENCE_BOUND).all(axis=1)
    bad = np.flatnonzero(~ok)
    end = int(bad[0]) if bad.size else len(rows)
    kept: list[list[float]] = rows[:end].tolist()
    return kept
