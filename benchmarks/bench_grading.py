"""Grading: per-submission latency through `manage.py grade` and through the queue, the sandbox's
overhead over running the same steps in-process, and throughput of two workers on a burst.

Submissions are the Adam exercise's reference and catalogued buggy variants, so each one runs the
exercise's whole problem suite (hundreds of `step` calls). Queue figures use real
`manage.py grading_worker` processes against the benchmark's temporary SQLite database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.django_env import ROOT, database_path, demo_database
from benchmarks.timing import Figure, Stats, ms, time_each, verdict

SECTION = "grading"
EXERCISE = "adam"
DIRECT_SUBMISSIONS = 60
QUEUE_SUBMISSIONS = 30
BURST = 200
WORKERS = 2
WORKER_POLL_SECONDS = "0.05"
P50_TARGET, OVERHEAD_TARGET, BURST_TARGET = 0.100, 0.025, 20.0  # from issue 4
RATIO_TARGET = 1.3  # sandboxed / in-process, from issue 14

ADAM_WITHOUT_BIAS_CORRECTION = """\
import numpy as np

def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params)}

def step(params, grads, state, *, lr, beta1, beta2, eps):
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads * grads
    return params - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v}
"""


def submissions(count: int) -> list[str]:
    """A realistic mix: half correct (the reference), half with a catalogued mistake."""
    from grading.exercises import get_exercise

    correct = get_exercise(EXERCISE).reference_source
    return [correct if index % 2 == 0 else ADAM_WITHOUT_BIAS_CORRECTION for index in range(count)]


def direct_timings() -> list[Figure]:
    """`grade` without the queue: the command's code path in-process, and one real subprocess."""
    from grading.grader import grade_source
    from grading.sandbox.client import Sandbox

    figures = []
    with Sandbox() as sandbox:
        grade_source(EXERCISE, submissions(1)[0], sandbox=sandbox)  # warm: reference runs are cached
        samples = time_each(
            (lambda s=source: grade_source(EXERCISE, s, sandbox=sandbox))
            for source in submissions(DIRECT_SUBMISSIONS)
        )
    stats = Stats.of(samples)
    figures.append(
        Figure(
            SECTION,
            f"grade in-process, warm sandbox (n={stats.count}) p50 / p95",
            f"{ms(stats.p50)} / {ms(stats.p95)}",
            f"p50 < 100 ms: {verdict(stats.p50 < P50_TARGET)}",
            "grade_source, as `manage.py grade` calls it per file",
        )
    )

    with tempfile.TemporaryDirectory(prefix="descent-bench-grade-") as folder:
        files = []
        for index, source in enumerate(submissions(2)):
            path = Path(folder) / f"submission_{index}.py"
            path.write_text(source, encoding="utf-8")
            files.append(str(path))
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{database_path()}")
        for label, chosen in (("1 file", files[:1]), ("2 files", files)):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "manage.py", "grade", EXERCISE, *chosen, "--json"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                raise RuntimeError(f"manage.py grade failed: {done.stderr[-500:]}")
            statuses = [json.loads(line)["status"] for line in done.stdout.splitlines() if line.strip()]
            figures.append(
                Figure(
                    SECTION,
                    f"`manage.py grade adam` subprocess, {label}, end to end",
                    ms(elapsed),
                    "",
                    f"Python + Django start, sandbox start and self-test, grading ({', '.join(statuses)})",
                )
            )
    return figures


def _process_tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its children it has reaped (/proc/PID/stat utime, stime,
    cutime, cstime): for the zygote, every supervisor and child of the runs it has finished."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _settled_tree_cpu_seconds(pid: int) -> float:
    """As above, once the zygote has reaped the last run's supervisor (it keeps one child: the
    supervisor prepared for the next run)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    deadline = time.monotonic() + 2
    while len(children.read_text().split()) > 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    return _process_tree_cpu_seconds(pid)


def overhead_timings() -> list[Figure]:
    """The same plan run by trusted code in this process (no isolation) and by the sandbox,
    alternately, so that both see the same state of a shared machine."""
    from grading.plans import build_plan, cases_for, contract_step, simulate
    from grading.sandbox.client import Sandbox

    source = submissions(1)[0]
    namespace: dict = {}
    exec(compile(source, "<reference>", "exec"), namespace)  # trusted: the exercise's own reference
    init_state, step = namespace["init_state"], contract_step(namespace["step"])
    cases = cases_for(EXERCISE)
    plan = build_plan(EXERCISE, source)

    def unsandboxed():
        for case in cases:
            simulate(case, init_state, step)

    plain_wall, plain_cpu, boxed_wall, boxed_client_cpu = [], [], [], []
    with Sandbox() as sandbox:
        unsandboxed()
        sandbox.run(plan)  # warm: from here on a confined child is prepared before each run
        zygote = sandbox._process.pid
        zygote_cpu = _settled_tree_cpu_seconds(zygote)
        for _ in range(DIRECT_SUBMISSIONS):
            wall, cpu = time.perf_counter(), time.process_time()
            unsandboxed()
            plain_wall.append(time.perf_counter() - wall)
            plain_cpu.append(time.process_time() - cpu)
            wall, cpu = time.perf_counter(), time.process_time()
            sandbox.run(plan)
            boxed_wall.append(time.perf_counter() - wall)
            boxed_client_cpu.append(time.process_time() - cpu)
        zygote_cpu = _settled_tree_cpu_seconds(zygote) - zygote_cpu
        # Back to back, the zygote has no idle moment to prepare the next child in advance.
        back_to_back = Stats.of(time_each((lambda: sandbox.run(plan)) for _ in range(DIRECT_SUBMISSIONS)))
    plain, confined = Stats.of(plain_wall), Stats.of(boxed_wall)
    overhead = confined.p50 - plain.p50
    ratio = confined.p50 / plain.p50
    per_core_plain = len(plain_cpu) / sum(plain_cpu)
    per_core_boxed = len(boxed_wall) / (sum(boxed_client_cpu) + zygote_cpu)
    return [
        Figure(
            SECTION,
            f"same steps unsandboxed in-process / in the sandbox, alternately (n={plain.count}) p50",
            f"{ms(plain.p50)} / {ms(confined.p50)}",
            "",
            f"p95 {ms(plain.p95)} / {ms(confined.p95)}",
        ),
        Figure(
            SECTION,
            "sandboxed / in-process (p50 ratio)",
            f"{ratio:.2f}×",
            f"≤ 1.3×: {verdict(ratio <= RATIO_TARGET)}",
            "grading.plans.simulate vs Sandbox.run of the same plan",
        ),
        Figure(
            SECTION,
            "sandbox overhead per submission (p50 difference)",
            ms(overhead),
            f"≤ 25 ms: {verdict(overhead <= OVERHEAD_TARGET)}",
            "hand-over to a child confined in advance, framing, the child's exit",
        ),
        Figure(
            SECTION,
            "submissions per core-second, in-process / sandboxed",
            f"{per_core_plain:.1f} / {per_core_boxed:.1f}",
            "",
            "runs ÷ CPU seconds: this process; sandboxed adds the zygote, supervisors and children",
        ),
        Figure(
            SECTION,
            f"sandbox runs back to back (n={back_to_back.count}) p50 / p95",
            f"{ms(back_to_back.p50)} / {ms(back_to_back.p95)}",
            "",
            "no idle time between runs: preparing the next child is on the critical path",
        ),
    ]


class Workers:
    """`manage.py grading_worker` processes on the benchmark database, stopped on exit."""

    def __init__(self, count: int):
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{database_path()}", DJANGO_DEBUG="0")
        self.processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "grading_worker",
                    "--interval",
                    WORKER_POLL_SECONDS,
                    "--verbosity",
                    "0",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(count)
        ]

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"a grading worker exited: {process.stderr.read()[-500:]}")


def _wait_until_finished(ids: list[int], *, timeout: float) -> float:
    from grading.models import Submission

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        unfinished = Submission.objects.filter(pk__in=ids).exclude(
            status__in=[Submission.Status.GRADED, Submission.Status.ERROR]
        )
        if not unfinished.exists():
            return time.perf_counter() - start
        time.sleep(0.01)
    raise TimeoutError(f"{len(ids)} submissions were not all graded within {timeout:.0f} s")


def queue_timings() -> list[Figure]:
    from django.test.utils import override_settings

    # One student's submissions stand in for a class: lift the per-student cap on pending ones.
    with override_settings(GRADING_MAX_PENDING_PER_EXERCISE=0):
        return _queue_timings()


def _queue_timings() -> list[Figure]:
    from django.contrib.auth import get_user_model

    from grading.models import Submission
    from grading.services import submission_create

    student = get_user_model().objects.get(username="student")
    figures = []
    with Workers(1) as workers:
        # Warm the worker (its sandbox starts and self-tests before it takes jobs).
        first = submission_create(student=student, exercise=EXERCISE, source=submissions(1)[0])
        _wait_until_finished([first.pk], timeout=60)
        latencies = []
        for source in submissions(QUEUE_SUBMISSIONS):
            start = time.perf_counter()
            submission = submission_create(student=student, exercise=EXERCISE, source=source)
            _wait_until_finished([submission.pk], timeout=30)
            latencies.append(time.perf_counter() - start)
        workers.check_alive()
    stats = Stats.of(latencies)
    figures.append(
        Figure(
            SECTION,
            f"through the queue, one worker, one at a time (n={stats.count}) p50 / p95",
            f"{ms(stats.p50)} / {ms(stats.p95)}",
            "",
            f"submit → verdict stored; worker polls every {float(WORKER_POLL_SECONDS) * 1e3:.0f} ms",
        )
    )

    with Workers(WORKERS) as workers:
        warm = [
            submission_create(student=student, exercise=EXERCISE, source=s).pk
            for s in submissions(WORKERS * 2)
        ]
        _wait_until_finished(warm, timeout=60)
        start = time.perf_counter()
        ids = [submission_create(student=student, exercise=EXERCISE, source=s).pk for s in submissions(BURST)]
        _wait_until_finished(ids, timeout=120)
        elapsed = time.perf_counter() - start  # includes storing the 200 submissions
        workers.check_alive()
    graded = Submission.objects.filter(pk__in=ids, status=Submission.Status.GRADED).count()
    lost = BURST - graded
    figures.append(
        Figure(
            SECTION,
            f"burst of {BURST} with {WORKERS} workers: all graded after",
            f"{elapsed:.2f} s ({BURST / elapsed:.1f}/s)",
            f"< 20 s, none lost: {verdict(elapsed < BURST_TARGET and lost == 0)}",
            f"{graded} graded, {lost} not graded (lost or errored)",
        )
    )
    return figures


def run() -> list[Figure]:
    demo_database()
    try:
        import grading.grader  # noqa: F401
        import grading.tasks  # noqa: F401
    except ImportError as error:
        return [Figure(SECTION, "not available yet", "—", "", f"grading is incomplete: {error}")]
    return direct_timings() + overhead_timings() + queue_timings()
