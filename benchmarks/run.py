"""Descent's benchmarks, one command: `python benchmarks/run.py [--only SECTION ...]`.

Prints one table of figures (p50/p95 latencies, per-call times, throughput) with the targets from
the issues next to them. It never fails on a missed target: these are measurements, not tests.
Sections: quizzes, optimlab, grading, fairness, progress, courses, bank-import, request-cpu; see docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from benchmarks.timing import Figure, print_table  # noqa: E402

SECTIONS = {
    "quizzes": "benchmarks.bench_quizzes",
    "optimlab": "benchmarks.bench_optimlab",
    "grading": "benchmarks.bench_grading",
    "fairness": "benchmarks.bench_fairness",
    "progress": "benchmarks.progress",
    "courses": "benchmarks.courses",
    "bank-import": "benchmarks.bench_bank_import",
    "request-cpu": "benchmarks.request_cpu",
}


def as_figures(section: str, rows) -> list[Figure]:
    """Sections return Figure rows, or plain (name, value) pairs."""
    return [row if isinstance(row, Figure) else Figure(section, str(row[0]), str(row[1])) for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", choices=sorted(SECTIONS), help="run only this section (repeatable)"
    )
    args = parser.parse_args(argv)
    chosen = args.only or list(SECTIONS)

    print(
        f"Descent benchmarks · {time.strftime('%Y-%m-%d %H:%M')} · Python {platform.python_version()} · {platform.machine()}"
        f" · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    figures: list[Figure] = []
    failed = []
    for name in chosen:
        started = time.perf_counter()
        print(f"running {name} …", file=sys.stderr, flush=True)
        try:
            section_figures = as_figures(name, importlib.import_module(SECTIONS[name]).run())
        except Exception as error:  # report the section as broken and carry on with the others
            failed.append(name)
            section_figures = [Figure(name, "section failed", type(error).__name__, "", str(error)[:200])]
        figures += section_figures
        print(f"  {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    sys.stdout.flush()
    print_table(figures)
    # Figures on a shared machine move with its load: print it so a slow run can be told apart.
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
