"""The key as a student would type it, and a timing helper built on it.

`correct_response(item, variant)` lets bank validation confirm that every item accepts its own
key, and lets benchmarks exercise `check_answer` on realistic input.

    python -m quizzes.engine.selfcheck content/banks/*.yaml    # median / p95 check time per kind
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from typing import Any

import yaml

from quizzes.engine.api import check_answer, draw_variant
from quizzes.engine.kinds.registry import handler_for
from quizzes.engine.result import Variant


def correct_response(item: dict[str, Any], variant: Variant) -> Any:
    """A response that must score 1.0, in the contract's response format for the item's kind."""
    return handler_for(item.get("kind")).correct_response(item, variant)


def time_checks(items: list[dict[str, Any]], repeat: int = 20) -> dict[str, dict[str, float]]:
    """Milliseconds per `check_answer` of the correct response, by kind: median, p95, count."""
    timings: dict[str, list[float]] = defaultdict(list)
    for item in items:
        variant = draw_variant(item, 1)
        response = correct_response(item, variant)
        check_answer(item, variant, response)  # warm caches once, as a running server would be
        for _ in range(repeat):
            start = time.perf_counter()
            check_answer(item, variant, response)
            timings[item["kind"]].append((time.perf_counter() - start) * 1000)
    return {
        kind: {
            "median_ms": statistics.median(values),
            "p95_ms": statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0],
            "checks": len(values),
        }
        for kind, values in sorted(timings.items())
    }


def _main(paths: list[str]) -> int:
    items = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            items.extend(yaml.safe_load(handle)["items"])
    for kind, row in time_checks(items).items():
        print(
            f"{kind:12s} median {row['median_ms']:7.2f} ms   p95 {row['p95_ms']:7.2f} ms   ({row['checks']} checks)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
