"""Bank import: time and memory to read and check a Moodle XML file at the size limit, and how fast
an oversized file is refused (`quizzes.bankio.read_bank`, no database)."""

from __future__ import annotations

import time
import tracemalloc

from benchmarks.timing import Figure, verdict
from quizzes.bankio import ImportLimits, read_bank

SECTION = "bank-import"
# What an instructor's 50 MB file meets, and the largest file the default limit lets through.
OVERSIZED_MB = 50
AT_LIMIT_BYTES = ImportLimits().max_bytes - 4096
# Targets from issue 11: a 50 MB file once held 600 MB; a large file once ran for minutes.
PEAK_TARGET_MB = 100
AT_LIMIT_SECONDS_TARGET = 15.0
REFUSAL_SECONDS_TARGET = 0.5

_QUESTION = (
    '<question type="multichoice"><name><text>Q{n}</text></name><questiontext format="html"><text>'
    "&lt;p&gt;Which optimizer keeps a running average of squared gradients (question {n})?&lt;/p&gt;"
    '</text></questiontext><generalfeedback format="html"><text>RMSProp keeps it.</text></generalfeedback>'
    '<single>true</single><answer fraction="100"><text>RMSProp</text></answer>'
    '<answer fraction="0"><text>SGD</text></answer><answer fraction="0"><text>Plain momentum</text></answer>'
    "</question>\n"
)


def moodle_file(size: int) -> tuple[str, int]:
    """A Moodle XML file of about `size` characters of small multiple-choice questions, and their number."""
    parts, total, count = ["<quiz>\n"], 0, 0
    while total < size - 1000:
        question = _QUESTION.format(n=count)
        parts.append(question)
        total += len(question)
        count += 1
    return "".join(parts) + "</quiz>\n", count


def run() -> list[Figure]:
    figures = []
    text, count = moodle_file(AT_LIMIT_BYTES)
    # The count limit is raised so the whole file is parsed: this measures the size limit's worst case.
    limits = ImportLimits(max_questions=count)
    # CPU time of this process: on a shared machine the wall time mostly measures the other processes.
    started = time.process_time()
    parsed = read_bank(text, "moodle-xml", filename="at-limit.xml", limits=limits)
    seconds = time.process_time() - started
    note = f"{len(text) / 1048576:.1f} MB, {count} questions, {len(parsed.items)} read, {len(parsed.problems)} problems"
    ok = seconds < AT_LIMIT_SECONDS_TARGET
    target = f"< {AT_LIMIT_SECONDS_TARGET:g} s ({verdict(ok)})"
    figures.append(Figure(SECTION, "read + check at the size limit (CPU)", f"{seconds:.1f} s", target, note))
    # Memory on a second pass: tracing allocations slows the reading down many times over.
    tracemalloc.start()
    read_bank(text, "moodle-xml", filename="at-limit.xml", limits=limits)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_mb = peak / 1048576
    figures.append(
        Figure(
            SECTION,
            "peak memory allocated while reading",
            f"{peak_mb:.0f} MB",
            f"< {PEAK_TARGET_MB} MB ({verdict(peak_mb < PEAK_TARGET_MB)})",
            "tracemalloc, beyond the text itself",
        )
    )
    big = text * (OVERSIZED_MB * 1048576 // len(text) + 1)
    started = time.perf_counter()
    refused = read_bank(big, "moodle-xml", filename="big.xml")
    seconds = time.perf_counter() - started
    figures.append(
        Figure(
            SECTION,
            f"{OVERSIZED_MB} MB file refused",
            f"{seconds * 1000:.0f} ms",
            f"< {REFUSAL_SECONDS_TARGET * 1000:g} ms ({verdict(seconds < REFUSAL_SECONDS_TARGET and bool(refused.problems))})",
            refused.problems[0].message[:60] if refused.problems else "NOT refused",
        )
    )
    return figures
