"""Grade one submission: run it in the sandbox, compare it with the reference, diagnose it.

    from grading.grader import grade_source
    verdict = grade_source("adam", source, sandbox=sandbox)   # -> grading.verdict.Verdict

Django-free. The reference trajectories come from `optimlab.optimizers` on the trusted side,
computed once per exercise with the same gradients and lock-step runner as the submission.
Raises ValueError for an unknown exercise and `SandboxUnavailable` when the sandbox itself
fails (that is not the submission's fault: the caller should retry later, not record a verdict).
"""

import signal
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from grading import scoring
from grading.diagnosis import diagnose
from grading.diagnosis.families import describe_unknown_method
from grading.exercises import get_exercise
from grading.plans import Case, build_plan, cases_for, simulate
from grading.reference import reference_optimizer
from grading.sandbox.client import RawRun, Sandbox, SandboxUnavailable
from grading.sandbox.jail import Limits
from grading.verdict import SandboxOutcome, Verdict, VerdictStatus

# Time limits of one grading run (the whole suite of an exercise). Measured on a 2-core machine
# (docs/benchmarks.md, "Grading limits"): the reference solutions need 17-31 ms of CPU for the
# whole suite, an element-by-element pure-Python Adam 36 ms; one second of CPU is a 25-fold margin.
GRADING_CPU_SECONDS = 1
# The wall limit follows the CPU limit: past the CPU a run only needs the fork, the jail and the
# result frame (a few ms on an idle machine; a CPU-bound run killed at 1 s of CPU ended 0.4-0.8 s
# later on a saturated one, and is a timeout either way). So code that sleeps or blocks instead
# of computing holds a worker for at most this long.
WALL_MARGIN_SECONDS = 0.5
GRADING_WALL_SECONDS = GRADING_CPU_SECONDS + WALL_MARGIN_SECONDS
MAX_OUTPUT_CHARS = 8000
CONFINEMENT_FAILED = 97  # zygote.CONFINEMENT_FAILED: the jail could not be built
HARNESS_CRASHED = 98  # zygote.CHILD_CRASHED: the harness itself died (e.g. out of memory)


@dataclass(frozen=True)
class ReferenceRun:
    rows: np.ndarray
    losses: np.ndarray


@cache
def reference_runs(exercise_slug: str) -> tuple[ReferenceRun, ...]:
    """The reference trajectory and loss curve of every case (independent of any submission)."""
    # optimlab's optimizer, or SGD composed with an optimlab schedule or clipping (grading.reference).
    optimizer = reference_optimizer(get_exercise(exercise_slug).reference_optimizer)
    runs = []
    for case in cases_for(exercise_slug):
        run = simulate(case, optimizer.init, lambda p, g, s, hp: optimizer.update(p, g, s, hp))
        if run.error:
            raise RuntimeError(f"reference {optimizer.name} failed on {case.id}: {run.error}")
        runs.append(ReferenceRun(rows=run.rows, losses=scoring.losses_along(case, run.rows)))
    return tuple(runs)


def grading_sandbox(cpu_seconds: int = GRADING_CPU_SECONDS) -> Sandbox:
    """A sandbox (not started) with the grading CPU limit; pair it with `wall_limit(cpu_seconds)`."""
    return Sandbox(wall_seconds=wall_limit(cpu_seconds), limits={"cpu_seconds": cpu_seconds})


def wall_limit(cpu_seconds: int) -> float:
    return cpu_seconds + WALL_MARGIN_SECONDS


def grade_source(
    exercise_slug: str, source: str, *, sandbox: Sandbox, wall_seconds: float | None = None
) -> Verdict:
    exercise = get_exercise(exercise_slug)
    cases = cases_for(exercise.slug)
    run = run_submission(
        build_plan(exercise.slug, source),
        cases,
        sandbox=sandbox,
        wall_seconds=wall_seconds,
        contract="It must define `init_state(params)` and `step(params, grads, state, *, "
        f"{', '.join(exercise.hyperparameter_names)})`.",
        unreadable_hint=" This happens when code writes to the grader's own channels; only return values from `step`.",
    )
    if isinstance(run, Verdict):
        return run
    return _score(exercise.slug, cases, run.parsed, run.output, source)


@dataclass(frozen=True)
class SandboxRun:
    """A run that got as far as scoring: its parsed results and what the code printed (truncated)."""

    parsed: scoring.ParsedRun
    output: str


def run_submission(
    plan: dict[str, Any],
    cases: tuple[Case, ...],
    *,
    sandbox: Sandbox,
    wall_seconds: float | None,
    contract: str,
    unreadable_hint: str = "",
) -> SandboxRun | Verdict:
    """Run a submission's plan in the sandbox and read its results, for an exercise or the challenge.

    Returns the error verdict of a run that cannot be scored: a time, memory or output limit, a crash,
    results the grader cannot read, a file that does not load (`contract` says what it must define;
    `unreadable_hint` follows the unreadable-results message), or a `step` that stops everything.
    """
    wall_seconds = wall_seconds or GRADING_WALL_SECONDS
    raw = sandbox.run(plan, wall_seconds=wall_seconds)
    output = raw.output[:MAX_OUTPUT_CHARS] + ("\n… (output truncated)" if raw.output_truncated else "")
    cpu_limit = sandbox.limits.get("cpu_seconds", Limits().cpu_seconds)
    limit_hit = _limit_verdict(raw, output, wall_seconds=wall_seconds, cpu_limit=cpu_limit)
    if limit_hit:
        return limit_hit
    try:
        parsed = scoring.parse_frame(raw.result_bytes, cases)
    except scoring.InvalidOutput as exc:
        return Verdict.error(
            SandboxOutcome.INVALID_OUTPUT,
            f"The grader could not read your results, so they were not trusted ({exc}).{unreadable_hint}",
            output=output,
        )
    if parsed.load_error and parsed.load_error["type"] in _LIMIT_ERRORS:
        return _limit_error(parsed.load_error, output, step_calls=0)
    if parsed.load_error:
        return Verdict.error(
            SandboxOutcome.LOAD_ERROR,
            f"Your file could not be loaded: {scoring.describe_error(parsed.load_error)}. {contract}",
            output=output,
        )
    stopped = _stopping_verdict(parsed, output)
    if stopped:
        return stopped
    return SandboxRun(parsed=parsed, output=output)


def _limit_verdict(raw: RawRun, output: str, *, wall_seconds: float, cpu_limit: float) -> Verdict | None:
    """Verdicts decided by what the trusted zygote observed, before reading any result."""
    # The wall clock ran out, or the kernel's CPU-time limit fired (SIGXCPU, then SIGKILL at the hard limit).
    cpu_limit_hit = raw.exit_code == -signal.SIGXCPU or (
        raw.exit_code == -signal.SIGKILL and raw.cpu_seconds >= max(cpu_limit - 0.5, 0.5 * cpu_limit)
    )
    if raw.outcome == "timeout" or (cpu_limit_hit and not raw.result_bytes):
        return Verdict.error(
            SandboxOutcome.TIMEOUT,
            f"Your code ran out of time (the whole suite may take at most {wall_seconds:g} s; "
            "a correct step takes microseconds). Look for an endless loop or heavy work inside `step`.",
            output=output,
        )
    if raw.outcome == "output_limit":
        return Verdict.error(
            SandboxOutcome.OUTPUT_TOO_LARGE,
            "Your code printed too much output. Remove `print` calls from `step` (it runs thousands of times).",
            output=output,
        )
    if raw.outcome == "result_too_large":
        return Verdict.error(
            SandboxOutcome.OUTPUT_TOO_LARGE,
            "Your code produced far more result data than the grader asked for.",
            output=output,
        )
    if raw.outcome != "exited":
        raise SandboxUnavailable(f"unexpected sandbox outcome {raw.outcome!r}")
    if raw.exit_code == CONFINEMENT_FAILED:
        raise SandboxUnavailable(f"the sandbox could not confine a run: {output.strip()}")
    if raw.exit_code != 0 or not raw.result_bytes:
        return Verdict.error(SandboxOutcome.CRASHED, _crash_message(raw), output=output)
    return None


def _crash_message(raw: RawRun) -> str:
    if raw.exit_code < 0:
        try:
            name = signal.Signals(-raw.exit_code).name
        except ValueError:
            name = f"signal {-raw.exit_code}"
        return f"Your code crashed the process running it ({name}). Check for code that ends or kills the process."
    if raw.exit_code == HARNESS_CRASHED:
        return "Your code left the grader unable to report results (often: it used up all memory)."
    return (
        f"Your code ended the process running it (exit code {raw.exit_code}) before any result was "
        "reported. Don't call `os._exit`, `sys.exit` or `exit()` in a submission."
    )


_LIMIT_ERRORS = {"MemoryError", "SystemExit", "KeyboardInterrupt"}


def _limit_error(error: dict, output: str, *, step_calls: int) -> Verdict:
    """A MemoryError or a request to stop the process, at load time or in a step."""
    if error["type"] == "MemoryError":
        return Verdict.error(
            SandboxOutcome.MEMORY,
            f"Your code ran out of memory ({scoring.describe_error(error)}). Keep only what the "
            "algorithm needs in the state: a few arrays shaped like the parameters.",
            output=output,
            step_calls=step_calls,
        )
    return Verdict.error(
        SandboxOutcome.CRASHED,
        f"Your code asked to stop the program ({scoring.describe_error(error)}). "
        "Remove `sys.exit`/`exit()` and don't raise KeyboardInterrupt.",
        output=output,
        step_calls=step_calls,
    )


def _stopping_verdict(parsed: scoring.ParsedRun, output: str) -> Verdict | None:
    errors = [run.error for run in parsed.cases if run.error]
    for error in errors:
        if error["type"] in _LIMIT_ERRORS:
            return _limit_error(error, output, step_calls=parsed.step_calls)
    if parsed.cases and all(run.error and run.steps_done == 0 for run in parsed.cases):
        return Verdict.error(
            SandboxOutcome.COMPLETED,
            f"`step` failed on the first call of every problem: {scoring.describe_error(errors[0])}. "
            "Check that it accepts exactly the hyperparameters of this exercise as keyword arguments and "
            "returns a pair (new_params, new_state).",
            output=output,
            step_calls=parsed.step_calls,
        )
    return None


def _score(
    slug: str, cases: tuple[Case, ...], parsed: scoring.ParsedRun, output: str, source: str
) -> Verdict:
    references = reference_runs(slug)
    results = [
        scoring.score_problem(run, ref.rows, ref.losses)
        for run, ref in zip(parsed.cases, references, strict=False)
    ]
    score, fidelity, convergence, passed = scoring.combine(results, len(cases))
    if passed:
        return Verdict(
            status=VerdictStatus.PASSED,
            score=score,
            fidelity=fidelity,
            convergence=convergence,
            message=f"All {len(cases)} problems match the reference at every step. Well done.",
            sandbox_outcome=SandboxOutcome.COMPLETED,
            step_calls=parsed.step_calls,
            output=output,
            problems=[r.record for r in results],
        )
    complete = len(parsed.cases) == len(cases)
    diagnosis = (
        [m.to_dict() for m in diagnose(slug, [run.rows for run in parsed.cases], source)] if complete else []
    )
    if complete and not diagnosis:
        diagnosis = _unknown_method(parsed, results, references)
    return Verdict(
        status=VerdictStatus.FAILED,
        score=score,
        fidelity=fidelity,
        convergence=convergence,
        message=_failure_message(results, diagnosis),
        sandbox_outcome=SandboxOutcome.COMPLETED,
        step_calls=parsed.step_calls,
        diagnosis=diagnosis,
        output=output,
        problems=[r.record for r in results],
    )


def _unknown_method(
    parsed: scoring.ParsedRun, results: list[scoring.ProblemResult], references: tuple[ReferenceRun, ...]
) -> list[dict[str, str]]:
    """The "follows none" entry, said only when no problem agrees with the reference (a submission that gets
    some problems exactly right implements the method, with a slip elsewhere) and every problem
    ran to the end."""
    if any(r.agrees for r in results) or any(run.error for run in parsed.cases):
        return []
    for run, result, reference in zip(parsed.cases, results, references, strict=True):
        step = result.record["first_divergent_step"]
        if step:
            return [describe_unknown_method(run.case.title, run.rows, reference.rows, step)]
    return []


def _failure_message(results: list[scoring.ProblemResult], diagnosis: list[dict[str, str]]) -> str:
    parts = []
    if diagnosis and diagnosis[0]["name"] == "no-known-method":
        parts.append(f"**{diagnosis[0]['title']}**.")
    elif diagnosis:
        parts.append(f"This looks like a known mistake: **{diagnosis[0]['title']}**.")
    first = next((r.record for r in results if not r.agrees), None)
    if first is not None:
        if first["first_divergent_step"] is not None:
            parts.append(
                f"On “{first['title']}” your trajectory leaves the reference at step "
                f"{first['first_divergent_step']}: {first['first_divergent_label']} is "
                f"{_fmt(first['student_value'])}, the reference has {_fmt(first['reference_value'])}."
            )
        elif first["error"]:
            parts.append(f"On “{first['title']}” your step raised {first['error']}.")
    agreeing = [r.record["id"] for r in results if r.agrees]
    if agreeing:
        parts.append(f"These problems match exactly: {', '.join(agreeing)}.")
    parts.append("Fix the first difference first: later ones often follow from it.")
    return " ".join(parts)


def _fmt(value: float | None) -> str:
    return "not a finite number" if value is None else f"{value:.10g}"
