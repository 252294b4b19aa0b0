"""Server-rendered SVG plots of a graded submission: its trajectory against the reference's.

Only cases on a two-parameter optimlab problem have a contour map to draw on; the verdict keeps
the trajectories of exactly those. The drawings are deterministic for a given verdict, and a
verdict never changes once stored, so they are cached per submission.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache

from grading.models import Submission
from grading.plans import cases_for
from grading.services.authoring import grading_key
from optimlab import plots
from optimlab.problems import PROBLEMS
from optimlab.runner import RunResult

CACHE_SECONDS = 7 * 24 * 60 * 60
CACHE_VERSION = "v2"  # bump when the drawings change


@dataclass(frozen=True)
class ProblemPlots:
    case_id: str
    title: str
    trajectory_svg: str
    loss_svg: str


def _runs_for(problem, record: dict):
    runs = []
    for key, name in (("reference_trajectory", "reference"), ("student_trajectory", "your step")):
        rows = np.asarray(record.get(key) or [], dtype=np.float64)
        if rows.ndim != 2 or rows.shape[0] == 0 or rows.shape[1] != 2:
            return None
        loss = np.array([problem.value(row) for row in rows], dtype=np.float64)
        diverged = record.get("diverged_at") if name == "your step" else None
        runs.append(
            RunResult(
                optimizer=name,
                problem=problem.name,
                hp={},
                trajectory=rows,
                loss=loss,
                diverged_at=diverged,
                message="",
            )
        )
    return runs


def build_plots(exercise_slug: str, verdict: dict) -> list[ProblemPlots]:
    cases = {case.id: case for case in cases_for(exercise_slug)}
    drawn = []
    for record in verdict.get("problems") or []:
        case = cases.get(record.get("id"))
        # Cases with extra problem arguments (e.g. chosen curvatures) are not the registry's problem.
        if case is None or case.problem_args or case.problem not in PROBLEMS:
            continue
        problem = PROBLEMS[case.problem]
        runs = _runs_for(problem, record)
        if runs is None:
            continue
        labels = ["reference", "your step"]
        drawn.append(
            ProblemPlots(
                case_id=case.id,
                title=record.get("title") or case.title,
                trajectory_svg=strip_prolog(plots.trajectory_svg(problem, runs, labels)),
                loss_svg=strip_prolog(plots.loss_svg(problem, runs, labels)),
            )
        )
    return drawn


def strip_prolog(svg: str) -> str:
    """Inline SVG in HTML must not carry the XML declaration and DOCTYPE of a standalone file."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def plots_for(submission: Submission) -> list[ProblemPlots]:
    """The submission's plots, drawn once and then served from the cache."""
    if submission.status != Submission.Status.GRADED or not submission.verdict:
        return []
    verdict = submission.verdict

    def draw() -> list[ProblemPlots] | None:
        try:
            exercise_key = grading_key(submission.exercise_slug)
        except ValueError:  # an instructor's exercise that is no longer published: no plots
            return None
        return build_plots(exercise_key, verdict)

    return cached_drawings(submission, f"plots:{CACHE_VERSION}", draw)


def cached_drawings[T](submission: Submission, kind: str, draw: Callable[[], list[T] | None]) -> list[T]:
    """A graded submission's drawings of one kind, drawn once and then served from the cache
    (nothing is drawn or cached when `draw` returns None)."""
    # The grading time is part of the key: ids can be reused (a reset database), verdicts can't change.
    graded = submission.graded_at.isoformat() if submission.graded_at else ""
    key = f"grading:{kind}:{submission.pk}:{submission.attempts}:{graded}"
    cached = cache.get(key)
    if cached is None:
        cached = draw()
        if cached is None:
            return []
        cache.set(key, cached, CACHE_SECONDS)
    return cached
