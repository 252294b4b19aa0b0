"""optimlab: time per `update` call per optimizer against a hand-written NumPy update, and the
time to render the playground page with three optimizers on Rosenbrock (uncached and cached)."""

from __future__ import annotations

import time

import numpy as np

from benchmarks.django_env import setup_django
from benchmarks.handwritten import BENCH_HP, HANDWRITTEN, check_equivalent, fresh_state
from benchmarks.timing import Figure, Stats, ms, time_each, time_per_call, us, verdict

SECTION = "optimlab"
SIZES = {"2-D": 2, "10,000": 10_000}
PLAYGROUND_REQUESTS = 20
PLAYGROUND_TARGET = 0.300  # seconds, uncached, from issue 3
PLAYGROUND_QUERY = {
    "problem": "rosenbrock",
    "steps": "200",
    "start": "",
    "opt1": "sgd",
    "hp1": "lr=0.001",
    "opt2": "momentum",
    "hp2": "lr=0.001, beta=0.9",
    "opt3": "adam",
    "hp3": "lr=0.05",
}


def update_timings() -> list[Figure]:
    from optimlab.optimizers import OPTIMIZERS

    figures = []
    rng = np.random.default_rng(1)
    for name, optimizer in OPTIMIZERS.items():
        hp = BENCH_HP.get(name, {})
        if name in HANDWRITTEN:
            check_equivalent(name)
        parts = []
        for label, size in SIZES.items():
            params, grads = rng.normal(size=size), rng.normal(size=size)
            state = optimizer.init(params)
            # The same arguments every call: we time one update, not a trajectory.
            reference = time_per_call(
                lambda o=optimizer, p=params, g=grads, s=state, h=hp: o.update(p, g, s, h)
            )
            if name in HANDWRITTEN:
                update, theta, own = HANDWRITTEN[name][0], params.copy(), fresh_state(name, params)
                baseline = time_per_call(lambda u=update, t=theta, g=grads, s=own: u(t, g, s))
                parts.append(f"{label}: {us(reference)} vs {us(baseline)} ({reference / baseline:.1f}×)")
            else:
                parts.append(f"{label}: {us(reference)}")
        figures.append(
            Figure(
                SECTION,
                f"update {name}: optimlab vs hand-written",
                "; ".join(parts),
                "",
                "" if name in HANDWRITTEN else "no hand-written baseline",
            )
        )
    return figures


# The largest comparison a signed-in visitor may ask for (settings.PLAYGROUND_WORK_LIMITS["user"] =
# 4 optimizers x 1000 steps x 2 dimensions), on the problem whose runs cost the most per step.
LARGEST_QUERY = {"problem": "noisy-quadratic", "steps": "1000"} | {
    key: value
    for row, name in enumerate(["adam", "momentum", "rmsprop", "sgd"], start=1)
    for key, value in ((f"opt{row}", name), (f"hp{row}", f"lr=0.0{row}"))
}
LARGEST_REQUESTS = 5


def playground_timings() -> list[Figure]:
    from django.test.utils import override_settings

    # The page's cost is measured here, not the rate limit that would refuse this many new runs.
    with override_settings(RATELIMIT_ENABLE=False):
        return playground_page_timings() + largest_request_cpu()


def largest_request_cpu() -> list[Figure]:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()

    def render_largest():
        cache.clear()
        response = client.get("/lab/", LARGEST_QUERY)
        if b"data:image/svg+xml" not in response.content:
            raise RuntimeError(f"the largest allowed comparison did not draw (HTTP {response.status_code})")

    with override_settings(PLAYGROUND_WORK_LIMITS={**settings.PLAYGROUND_WORK_LIMITS, "anonymous": 8000}):
        render_largest()
        cpu = Stats.of(time_each((render_largest for _ in range(LARGEST_REQUESTS)), clock=time.process_time))
    return [
        Figure(
            SECTION,
            f"playground, largest request allowed (4 × 1000 steps × 2-D, noisy quadratic), uncached (n={cpu.count}) CPU p50 / p95",
            f"{ms(cpu.p50)} / {ms(cpu.p95)}",
            "",
            "process CPU time; larger requests are refused by PLAYGROUND_WORK_LIMITS",
        )
    ]


def playground_page_timings() -> list[Figure]:
    from django.core.cache import cache
    from django.test import Client

    client = Client()

    def render_page():
        response = client.get("/lab/", PLAYGROUND_QUERY)
        if response.status_code != 200 or b"data:image/svg+xml" not in response.content:
            raise RuntimeError(f"the playground did not draw (HTTP {response.status_code})")

    render_page()  # warm: imports, Matplotlib font cache
    uncached = Stats.of(
        time_each((lambda: (cache.clear(), render_page())) for _ in range(PLAYGROUND_REQUESTS))
    )
    cached = Stats.of(time_each(render_page for _ in range(PLAYGROUND_REQUESTS)))
    runs, drawing = playground_breakdown()
    return [
        Figure(
            SECTION,
            f"playground page, 3 optimizers × 200 steps on Rosenbrock, uncached (n={uncached.count}) p50 / p95",
            f"{ms(uncached.p50)} / {ms(uncached.p95)}",
            f"< 300 ms: {verdict(uncached.p95 < PLAYGROUND_TARGET)}",
            "runs + two Matplotlib SVGs + template",
        ),
        Figure(
            SECTION,
            f"playground page, same query, cached (n={cached.count}) p50 / p95",
            f"{ms(cached.p50)} / {ms(cached.p95)}",
            "",
            "local-memory cache hit",
        ),
        Figure(
            SECTION,
            "  of the uncached page: the three runs / the two SVG plots (p50)",
            f"{ms(runs.p50)} / {ms(drawing.p50)}",
            "",
            "where the uncached time goes",
        ),
    ]


def playground_breakdown() -> tuple[Stats, Stats]:
    """The uncached page split into its two costs: running the optimizers and drawing the plots."""
    from optimlab import plots
    from optimlab.problems import get_problem
    from optimlab.runner import parse_hyperparameters, run_optimizer

    problem = get_problem(PLAYGROUND_QUERY["problem"])
    steps = int(PLAYGROUND_QUERY["steps"])
    requests = [
        (PLAYGROUND_QUERY[f"opt{row}"], parse_hyperparameters(PLAYGROUND_QUERY[f"hp{row}"]))
        for row in (1, 2, 3)
    ]
    labels = [name for name, _ in requests]

    def run_all():
        return [run_optimizer(name, problem, hp, steps=steps) for name, hp in requests]

    results = run_all()
    runs = Stats.of(time_each(run_all for _ in range(PLAYGROUND_REQUESTS)))
    drawing = Stats.of(
        time_each(
            (
                lambda: (
                    plots.trajectory_svg(problem, results, labels),
                    plots.loss_svg(problem, results, labels),
                )
            )
            for _ in range(PLAYGROUND_REQUESTS)
        )
    )
    return runs, drawing


def run() -> list[Figure]:
    setup_django()
    return update_timings() + playground_timings()
