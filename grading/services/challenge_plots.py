"""The loss curves of a challenge entry against the tuned baselines', one SVG per problem.

Drawn with optimlab's plotting (as the exercises' plots are), deterministic for a stored verdict,
and cached per submission like `grading.services.plots`.
"""

from dataclasses import dataclass

from django.core.cache import cache

from grading.challenge.baselines import baseline_runs
from grading.challenge.problems import challenge_problems
from grading.challenge.scoring import curve_from_storage
from grading.models import Submission
from optimlab import plots

CACHE_SECONDS = 7 * 24 * 60 * 60
CACHE_VERSION = "v2"  # bump when the drawings change


@dataclass(frozen=True)
class CurvePlot:
    problem_id: str
    title: str
    svg: str


def build_curve_plots(verdict: dict, *, yours: str = "your optimizer") -> list[CurvePlot]:
    records = {r.get("id"): r for r in verdict.get("problems") or [] if isinstance(r, dict)}
    drawn = []
    for problem in challenge_problems():
        record = records.get(problem.id)
        if record is None:
            continue
        student = curve_from_storage(record.get("losses"))
        if student.size == 0:
            continue
        runs = baseline_runs()[problem.id]
        curves = [student, *(run.losses for run in runs)]
        labels = [yours, *(f"{run.title} (lr {run.lr:g})" for run in runs)]
        svg = plots.loss_curves_svg(curves, labels, target=problem.target, title=problem.case.title)
        start = svg.find("<svg")
        drawn.append(CurvePlot(problem.id, problem.case.title, svg[start:] if start >= 0 else svg))
    return drawn


def curve_plots_for(submission: Submission) -> list[CurvePlot]:
    if submission.status != Submission.Status.GRADED or not isinstance(submission.verdict, dict):
        return []
    graded = submission.graded_at.isoformat() if submission.graded_at else ""
    key = f"grading:challenge-plots:{CACHE_VERSION}:{submission.pk}:{submission.attempts}:{graded}"
    cached = cache.get(key)
    if cached is None:
        cached = build_curve_plots(submission.verdict)
        cache.set(key, cached, CACHE_SECONDS)
    return cached
