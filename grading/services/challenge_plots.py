"""The loss curves of a challenge entry against the tuned baselines', one SVG per problem.

Drawn with optimlab's plotting (as the exercises' plots are), deterministic for a stored verdict,
and cached per submission like `grading.services.plots`.
"""

from dataclasses import dataclass

from grading.challenge.baselines import baseline_runs
from grading.challenge.problems import challenge_problems
from grading.challenge.scoring import curve_from_storage
from grading.models import Submission
from grading.services.plots import cached_drawings, strip_prolog
from optimlab import plots

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
        drawn.append(CurvePlot(problem.id, problem.case.title, strip_prolog(svg)))
    return drawn


def curve_plots_for(submission: Submission) -> list[CurvePlot]:
    if submission.status != Submission.Status.GRADED or not isinstance(submission.verdict, dict):
        return []
    verdict = submission.verdict
    return cached_drawings(submission, f"challenge-plots:{CACHE_VERSION}", lambda: build_curve_plots(verdict))
