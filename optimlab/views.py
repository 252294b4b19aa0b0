"""The optimizer playground: run a few optimizers on one problem and draw what they did."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from optimlab import plots
from optimlab.forms import DEFAULT_QUERY, MAX_ROWS, PRESETS, SIGNIFICANT_DIGITS, PlaygroundForm, RunRequest
from optimlab.optimizers import OPTIMIZERS
from optimlab.problems import Problem, get_problem
from optimlab.runner import RunResult, run_optimizer
from optimlab.schedules import SCHEDULES
from optimlab.stability import analyse_quadratic, analyse_run
from throttling import check, too_many_requests

CACHE_SECONDS = 24 * 60 * 60
# Bump when the result layout or the drawings change, so stale cached pages are not served.
CACHE_VERSION = "v3"


def work_limit(request: HttpRequest) -> int:
    """The most optimizer updates (optimizers × steps × dimension) this visitor may run per request."""
    return settings.PLAYGROUND_WORK_LIMITS["user" if request.user.is_authenticated else "anonymous"]


def playground(request: HttpRequest) -> HttpResponse:
    # An empty query (a first visit) shows a ready-made example rather than a blank form.
    query = request.GET if request.GET else DEFAULT_QUERY
    form = PlaygroundForm(query, work_limit=work_limit(request))
    context = {
        "form": form,
        "optimizer_reference": optimizer_reference(),
        "schedule_reference": schedule_reference(),
        "presets": [{"title": title, "query": urlencode(query)} for title, query in PRESETS],
        "result": None,
        "significant_digits": SIGNIFICANT_DIGITS,
    }
    if form.is_valid():
        key = cache_key(form.cleaned_data)
        result = cache.get(key)
        if result is None:
            # Only comparisons that must be computed count towards the rate; cached pages are cheap.
            throttled = check(request, "playground")
            if throttled is not None:
                return too_many_requests(request, throttled)
            try:
                result = build_result(form.cleaned_data)
            except ValueError as error:  # e.g. an optimizer rejecting a value mid-run: report, don't crash
                form.add_error(None, str(error))
            else:
                cache.set(key, result, CACHE_SECONDS)
        context["result"] = result
    return render(request, "optimlab/playground.html", context)


def normalised_query(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The parameters that determine the page, in one canonical form (order and spelling of input ignored)."""
    return {
        "problem": cleaned["problem"],
        "steps": cleaned["steps"],
        "start": cleaned["start_point"],
        "runs": [
            [
                run.optimizer,
                sorted(run.hp.items()),
                [run.schedule.name, sorted(run.schedule.params.items())] if run.schedule else None,
                run.clip,
            ]
            for run in cleaned["runs"]
        ],
    }


def cache_key(cleaned: dict[str, Any]) -> str:
    text = json.dumps(normalised_query(cleaned), sort_keys=True)
    return f"optimlab:playground:{CACHE_VERSION}:{hashlib.sha256(text.encode()).hexdigest()}"


def build_result(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Run everything and render the figures; returns plain data so it can live in the cache."""
    problem = get_problem(cleaned["problem"])
    requests: list[RunRequest] = cleaned["runs"][:MAX_ROWS]
    runs = [
        run_optimizer(
            r.optimizer,
            problem,
            r.hp,
            steps=cleaned["steps"],
            start=cleaned["start_point"],
            schedule=r.schedule,
            clip=r.clip,
        )
        for r in requests
    ]
    labels = [r.label for r in requests]
    # The lr plot only earns its place when some lr actually changes from step to step.
    scheduled = any(r.schedule is not None for r in requests)
    return {
        "problem": {"name": problem.name, "title": problem.title, "description": problem.description},
        "trajectory_svg": svg_data_uri(plots.trajectory_svg(problem, runs, labels)),
        "loss_svg": svg_data_uri(plots.loss_svg(problem, runs, labels)),
        "lr_svg": svg_data_uri(plots.figure_svg(plots.lr_figure(runs, labels))) if scheduled else None,
        "rows": [summary_row(r, label, run) for r, label, run in zip(requests, labels, runs, strict=True)],
        "stability": stability_summary(problem, runs, labels),
    }


def svg_data_uri(svg: str) -> str:
    # An <img> keeps matplotlib's element ids and styles out of the page's own DOM.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def summary_row(request: RunRequest, label: str, run: RunResult) -> dict[str, Any]:
    return {
        "label": label,
        "hp": ", ".join(f"{name}={value:g}" for name, value in run.hp.items()),
        "schedule": request.schedule_text,
        "clip": request.clip,
        "final_loss": run.final_loss,
        "final_point": ", ".join(f"{v:.4g}" for v in run.trajectory[-1]),
        "steps_taken": run.steps_taken,
        "diverged_at": run.diverged_at,
        "grew": bool(run.loss[-1] > run.loss[0]),
        # Growth of the loss over the run, for runs that blow up slower than the divergence bound.
        "growth": float(run.loss[-1] / run.loss[0])
        if run.loss[0] > 0 and math.isfinite(run.loss[-1])
        else None,
        "message": run.message,
    }


def stability_summary(problem: Problem, runs: list[RunResult], labels: list[str]) -> dict[str, Any] | None:
    if problem.hessian is None:
        return None
    overall = analyse_quadratic(problem.hessian).to_dict()
    per_run = []
    for label, run in zip(labels, runs, strict=True):
        analysis = analyse_run(problem.hessian, run.optimizer, run.hp)
        per_run.append({"label": label, "analysis": analysis.to_dict() if analysis else None})
    return {"overall": overall, "runs": per_run, "stochastic": problem.stochastic}


def optimizer_reference() -> list[dict[str, str]]:
    """Each optimizer's hyperparameters and defaults, shown next to the form."""
    return [
        {"name": name, "defaults": ", ".join(f"{hp}={value:g}" for hp, value in opt.defaults.items())}
        for name, opt in OPTIMIZERS.items()
    ]


def schedule_reference() -> list[dict[str, Any]]:
    """Each schedule with its parameters (defaults shown; lr comes from the optimizer row)."""

    def describe(key: str, default: float | None) -> str:
        return key if default is None else f"{key}={default:g}"

    return [
        {
            "name": name,
            "description": kind.description,
            "parameters": ", ".join(
                describe(key, rule.default) for key, rule in kind.parameters.items() if key != "lr"
            )
            or "—",
        }
        for name, kind in SCHEDULES.items()
    ]
