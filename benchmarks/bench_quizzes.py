"""Quizzes: answer-checking time per item kind, and the time to serve quiz pages.

Checks run `quizzes.engine.check_answer` on every demo item of a kind, over several variants and a
realistic mix of right, wrong and near-miss responses; responses are prepared before the clock
starts, so only the check itself is timed. Pages are served by Django's test client against a
migrated temporary SQLite database holding the demo content.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from benchmarks.django_env import demo_database
from benchmarks.timing import Figure, Stats, ms, time_each, verdict
from quizzes.engine.kinds import ItemKind

SECTION = "quizzes"
CHECKS_PER_KIND = 240
PAGE_REQUESTS = 100
# Targets from issue 2.
SYMBOLIC_P95_TARGET = 0.050
OTHER_P95_TARGET = 0.005


def _number_text(value: float, rng: random.Random) -> str:
    """How a student might type a number: exact, rounded to 4 figures, or off by a few percent."""
    style = rng.random()
    if style < 0.5:
        return repr(float(value))
    if style < 0.75:
        return f"{float(value):.4g}"
    return repr(float(value) * rng.choice([0.9, 1.05, 2.0, -1.0]))


def _response(kind: str, item: dict, variant, rendered, rng: random.Random) -> Any:
    """A plausible student response to one rendered variant (right about half of the time)."""
    if kind == ItemKind.SINGLE:
        return rng.choice(rendered.choices)["id"]
    if kind == ItemKind.MULTIPLE:
        ids = [choice["id"] for choice in rendered.choices]
        return rng.sample(ids, rng.randint(1, len(ids)))
    if kind == ItemKind.TRUEFALSE:
        return rng.choice([True, False, "true", "false"])
    if kind == ItemKind.ORDERING:
        ids = [step["id"] for step in rendered.steps]
        return ids if rng.random() < 0.3 else rng.sample(ids, len(ids))
    if kind == ItemKind.NUMERIC:
        return _number_text(item["answer"], rng)
    if kind == ItemKind.CALCULATION:
        return _number_text(variant.values["answer"], rng)
    if kind == ItemKind.SYMBOLIC:
        key = item["answer"]
        wrong = [m["answer"] for m in item.get("misconceptions") or []]
        options = [key, key, f"({key})*1", *wrong, key + " +"]
        return rng.choice(options)
    if kind == ItemKind.TABLE:
        cells = [cell for row in rendered.table["rows"] for cell in row["cells"]]
        return {cell: _number_text(variant.values[cell], rng) for cell in cells}
    raise ValueError(f"no response recipe for kind {kind!r}")


def prepared_checks(kind: str, count: int, rng: random.Random) -> list[tuple[dict, Any, Any]]:
    """(item dict, variant, response) triples cycling over every demo item of `kind`."""
    from quizzes.engine import draw_variant, render_item
    from quizzes.models import Item

    items = [
        item.to_dict()
        for item in Item.objects.filter(kind=kind).prefetch_related("topics").order_by("bank__slug", "key")
    ]
    if not items:
        raise RuntimeError(f"the demo bank has no {kind} items")
    checks = []
    for index, item in zip(range(count), itertools.cycle(items), strict=False):
        variant = draw_variant(item, seed=1000 + index)
        rendered = render_item(item, variant)
        checks.append((item, variant, _response(kind, item, variant, rendered, rng)))
    return checks


def check_timings() -> list[Figure]:
    from quizzes.engine import check_answer

    rng = random.Random(20260)
    figures = []
    for kind in ItemKind:
        checks = prepared_checks(kind, CHECKS_PER_KIND, rng)
        samples = time_each(lambda c=c: check_answer(*c) for c in checks)
        stats = Stats.of(samples)
        target = SYMBOLIC_P95_TARGET if kind == ItemKind.SYMBOLIC else OTHER_P95_TARGET
        statuses = {}
        for item, variant, response in checks[:60]:
            status = check_answer(item, variant, response).status
            statuses[status] = statuses.get(status, 0) + 1
        mix = ", ".join(f"{name} {n}" for name, n in sorted(statuses.items()))
        figures.append(
            Figure(
                SECTION,
                f"check_answer {kind} (n={stats.count}) p50 / p95",
                f"{ms(stats.p50)} / {ms(stats.p95)}",
                f"p95 < {target * 1e3:.0f} ms: {verdict(stats.p95 < target)}",
                f"first 60 verdicts: {mix}",
            )
        )
    return figures


def page_timings() -> list[Figure]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="student"))
    figures = []
    pages = {
        "quiz list": "/quizzes/",
        "quiz detail": "/quizzes/quiz/checkpoint-mixed/",
    }
    for slug, label in [
        ("checkpoint-mixed", "attempt page, 10 items on one page"),
        ("momentum-deep-dive", "attempt page, one item per page"),
    ]:
        response = client.post(f"/quizzes/quiz/{slug}/start/")
        if response.status_code != 302:
            raise RuntimeError(f"starting {slug} answered {response.status_code}")
        pages[label] = response["Location"]
    for label, url in pages.items():
        first = client.get(url)
        if first.status_code != 200:
            raise RuntimeError(f"GET {url} answered {first.status_code}")
        samples = time_each(lambda url=url: client.get(url) for _ in range(PAGE_REQUESTS))
        stats = Stats.of(samples)
        figures.append(
            Figure(
                SECTION,
                f"serve {label} (n={stats.count}) p50 / p95",
                f"{ms(stats.p50)} / {ms(stats.p95)}",
                "",
                f"{url}, {len(first.content) // 1024} KiB",
            )
        )
    return figures


def run() -> list[Figure]:
    demo_database()
    return check_timings() + page_timings()
