"""Small timing helpers shared by every benchmark section: percentiles and a printable figure."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One line of the report: what was measured, its numbers, and the target if there is one."""

    section: str
    name: str
    value: str
    target: str = ""
    note: str = ""


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile (no interpolation), so p95 of 200 samples is the 190th smallest."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Stats:
    count: int
    p50: float
    p95: float
    mean: float

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        return cls(
            len(samples), percentile(samples, 0.50), percentile(samples, 0.95), statistics.fmean(samples)
        )


def time_each(
    calls: Iterable[Callable[[], object]], *, clock: Callable[[], float] = time.perf_counter
) -> list[float]:
    """Time of each call in seconds: wall time (perf_counter), or e.g. CPU time with time.process_time."""
    samples = []
    for call in calls:
        start = clock()
        call()
        samples.append(clock() - start)
    return samples


def time_per_call(call: Callable[[], object], *, rounds: int = 3, round_seconds: float = 0.08) -> float:
    """Seconds per call of a fast function: the best of `rounds` rounds, each averaging as many
    calls as fit in `round_seconds`. Taking the best round (as timeit advises) filters out the
    other processes sharing this machine; a warm-up keeps one-off costs out of the figure.
    """
    for _ in range(10):
        call()
    best = float("inf")
    for _ in range(rounds):
        calls, start = 0, time.perf_counter()
        while True:
            call()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= round_seconds:
                break
        best = min(best, elapsed / calls)
    return best


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_table(figures: list[Figure]) -> None:
    headers = ("section", "figure", "value", "target", "note")
    rows = [(f.section, f.name, f.value, f.target, f.note) for f in figures]
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row).rstrip())
