"""Bounded evaluation: student expressions are parsed and judged in worker processes with limits.

SymPy work on a student's text (parsing, evaluation, numeric sampling, simplification) cannot be
stopped once started in the calling thread, and an absurd expression can hold a CPU for hours or
exhaust memory. So `api.check_answer` and `api.preview_expression` hand that work for symbolic
items to a small pool of worker processes and wait at most `CALL_SECONDS` of wall time (a job
whose worker came late still gets `MIN_JOB_SECONDS`: 1.7 s in all, within the promised 2 s):

- Each worker is a fresh interpreter (`python -m quizzes.engine.isolation`, no fork of the calling
  process, so it is safe from threaded servers) that imports SymPy and the engine once, caps its own
  address space (RLIMIT_AS: its size after start-up plus `MEMORY_HEADROOM_BYTES`) and, before each
  job, its CPU time (RLIMIT_CPU: `CPU_SECONDS` more than it has used). It gets a minimal
  environment (none of the server's secrets) and its own session. It then says it is ready
  and serves one job at a time over its stdin/stdout pipes (length-prefixed frames: a pickled
  request in, a JSON reply out).
- A job that is not answered by the deadline is killed with SIGKILL, reaped and replaced by a new
  worker (which warms up on its own while the other workers serve); the caller gets an *invalid*
  result saying the expression took too long, and the event is logged. A worker that runs out of
  memory answers so and exits; one that dies (the CPU limit) is replaced the same way.
- The pool starts lazily, on the first call in a process, and belongs to that process: after a
  fork (gunicorn's pre-fork model), the child forgets its parent's workers (closing its copies of
  their pipes) and starts its own on first use. Workers are killed when the process exits; one
  whose parent died sees its stdin close and exits, and a busy one hits its CPU limit.
- The pool uses no threads. Callers in several threads share the workers; a caller that finds
  every worker busy waits for one until the same deadline, then gets a "busy" invalid result.

Only the first call in a fresh process may wait longer than the deadline: up to
`STARTUP_SECONDS` for the first worker to finish importing SymPy (about a second on an idle
machine). `warm()` starts the workers early.

Numeric, calculation and table items stay in the calling process: their input is a number of at
most 100 characters with an exponent of at most ±300 and a magnitude inside the float range
(`numbers.parse_number`), so exact Fraction arithmetic on it is bounded (see README.md).
"""

from __future__ import annotations

import argparse
import atexit
import json
import logging
import math
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, cast

from quizzes.engine import judging, time_limits
from quizzes.engine.expressions import ExpressionError
from quizzes.engine.result import INVALID, CheckResult, Variant
from quizzes.engine.symbolic import parse_key
from quizzes.engine.templates import VariantError
from quizzes.engine.variants import rebuild_variant

log = logging.getLogger(__name__)

WORKERS = 2
CALL_SECONDS = 1.2  # wall time for one call: waiting for a free worker plus the job itself
MIN_JOB_SECONDS = 0.5  # a job that waited for its worker still gets this long (1.7 s at most in all)
STARTUP_SECONDS = 30.0  # the first call in a process may wait this long for a worker to start
CPU_SECONDS = 2  # CPU time per job, enforced in the worker by RLIMIT_CPU
MEMORY_HEADROOM_BYTES = 512 * 1024 * 1024  # address space a job may add to a started worker
MAX_REQUEST_TEXT = 5000  # longer text is cut before it is sent (it is refused as too long anyway)

ISOLATED_KINDS = frozenset({"symbolic"})

TIMEOUT_MESSAGE = "This expression took too long to evaluate; simplify it first."
MEMORY_MESSAGE = "This expression needs too much memory to evaluate; simplify it first."
FAILED_MESSAGE = "This expression could not be evaluated; check it and try again."
TOO_COMPLEX_MESSAGE = "This expression is nested too deeply to evaluate; simplify it first."
BUSY_MESSAGE = "Answers are being checked for many students right now; please try again in a moment."

_HEADER = struct.Struct(">I")
MAX_REPLY_BYTES = 4 * 1024 * 1024
_PASSED_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "SYSTEMROOT")
_ROOT = Path(__file__).resolve().parents[2]


class WorkerGone(Exception):
    """The worker closed its pipe (it died or exited)."""


# --- framing --------------------------------------------------------------------------------


def _write_frame(fd: int, payload: bytes) -> None:
    data = memoryview(_HEADER.pack(len(payload)) + payload)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _read_exactly(fd: int, count: int, deadline: float | None) -> bytes | None:
    """`count` bytes from `fd`; None if the deadline passed first; WorkerGone at end of file."""
    chunks: list[bytes] = []
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while count > 0:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if not poller.poll(max(1, math.ceil(remaining * 1000))):
                continue
        chunk = os.read(fd, count)
        if not chunk:
            raise WorkerGone
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None, limit: int | None = None) -> bytes | None:
    header = _read_exactly(fd, _HEADER.size, deadline)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    if limit is not None and length > limit:
        raise ValueError(f"a frame of {length} bytes (at most {limit})")
    return _read_exactly(fd, length, deadline)


# --- the parent's side ----------------------------------------------------------------------


class _Worker:
    def __init__(self) -> None:
        # A minimal environment: the server's secrets (SECRET_KEY, DATABASE_URL) stay out of it.
        env = {name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))
        # One thread per numeric library keeps the address space small and predictable.
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "quizzes.engine.isolation",
                f"--cpu-seconds={CPU_SECONDS}",
                f"--memory-headroom={MEMORY_HEADROOM_BYTES}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=_ROOT,
            env=env,
            bufsize=0,
            close_fds=True,
            start_new_session=True,  # a Ctrl-C in the server's terminal is for the server
        )
        # Both are pipes (PIPE above), never None.
        self.to_worker = cast(IO[bytes], self.process.stdin)
        self.from_worker = cast(IO[bytes], self.process.stdout)
        self.ready = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def ready_now(self) -> bool:
        """Whether the worker has said it is ready, without waiting."""
        if not self.ready:
            poller = select.poll()
            poller.register(self.from_worker.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
            if poller.poll(0):
                return self.wait_ready(time.monotonic() + 1.0)
        return self.ready

    def wait_ready(self, deadline: float) -> bool:
        if not self.ready:
            frame = _read_frame(self.from_worker.fileno(), deadline, 4096)
            if frame is None:
                return False
            self.ready = json.loads(frame).get("ready") is True
        return self.ready

    def send(self, request: bytes) -> None:
        try:
            _write_frame(self.to_worker.fileno(), request)
        except OSError as error:  # BrokenPipeError: it died while idle
            raise WorkerGone from error

    def receive(self, deadline: float) -> dict[str, Any] | None:
        """The worker's reply, or None if the deadline passed. WorkerGone if it died."""
        frame = _read_frame(self.from_worker.fileno(), deadline, MAX_REPLY_BYTES)
        return None if frame is None else json.loads(frame)

    def kill(self) -> int | None:
        """Kill and reap; the exit status (negative: the signal)."""
        try:
            self.process.kill()
        except OSError:
            pass
        for stream in (self.to_worker, self.from_worker):
            try:
                stream.close()
            except OSError:
                pass
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignored
            return None

    def forget(self) -> None:
        """In a forked child: close our copies of the pipes, leave the worker to its owner."""
        for stream in (self.to_worker, self.from_worker):
            try:
                os.close(stream.fileno())
            except (OSError, ValueError):
                pass
        self.process.returncode = 0  # never reap another process's child


class _Pool:
    def __init__(self, size: int) -> None:
        self.pid = os.getpid()
        self.size = size
        self.available = threading.Condition(threading.Lock())
        self.idle: list[_Worker] = []
        self.workers: list[_Worker] = []
        self.warm = False  # a worker has been ready at least once
        self.closed = False
        with self.available:
            for _ in range(size):
                self._spawn()

    def _spawn(self) -> None:
        """Start a worker (lock held). It imports SymPy on its own; nothing waits here."""
        try:
            worker = _Worker()
        except OSError:
            log.exception("Could not start an expression worker")
            return
        self.workers.append(worker)
        self.idle.append(worker)
        self.available.notify()

    def checkout(self, deadline: float) -> _Worker | None:
        """An idle worker, preferring a ready one and the most recently used (its caches are warm).

        A worker still starting is handed out only when no other is busy (the first calls of a
        process); otherwise a caller waits for a ready one, checking on the starting ones.
        """
        with self.available:
            while True:
                if self.closed:
                    return None
                if len(self.workers) < self.size:
                    self._spawn()  # an earlier start failed: try again
                for worker in list(reversed(self.idle)):
                    try:
                        if worker.ready or worker.ready_now():
                            self.idle.remove(worker)
                            return worker
                    except (WorkerGone, ValueError):  # it died (or babbled) while starting up
                        log.warning("An expression worker exited during start-up (exit %s)", worker.kill())
                        self.idle.remove(worker)
                        self.workers.remove(worker)
                        self._spawn()
                if self.idle and len(self.idle) == len(self.workers):
                    return self.idle.pop()  # every worker is starting: wait for this one
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.available.wait(min(remaining, 0.02) if self.idle else remaining)

    def checkin(self, worker: _Worker) -> None:
        with self.available:
            if worker in self.workers and not self.closed:
                self.idle.append(worker)
                self.available.notify()

    def replace(self, worker: _Worker) -> int | None:
        status = worker.kill()
        with self.available:
            if worker in self.workers:
                self.workers.remove(worker)
            if not self.closed:
                self._spawn()
        return status

    def shutdown(self) -> None:
        with self.available:
            self.closed = True
            workers, self.workers, self.idle = list(self.workers), [], []
            self.available.notify_all()
        for worker in workers:
            worker.kill()

    def forget(self) -> None:
        for worker in self.workers:
            worker.forget()
            _FORGOTTEN.append(worker)
        self.workers, self.idle = [], []

    def run(self, request: bytes, description: str) -> dict[str, Any]:
        """The worker's reply to `request`, or a reply saying why there is none."""
        started = time.monotonic()
        deadline = started + CALL_SECONDS
        for _attempt in range(2):  # a worker found dead before the job started gets one retry
            worker = self.checkout(deadline if self.warm else started + STARTUP_SECONDS)
            if worker is None:
                log.warning("No expression worker was free within %.1f s: %s", CALL_SECONDS, description)
                return {"invalid": BUSY_MESSAGE, "reason": "busy"}
            try:
                if not worker.ready:
                    startup_deadline = deadline if self.warm else started + STARTUP_SECONDS
                    if not worker.wait_ready(startup_deadline):
                        self.checkin(worker)  # still starting up: it stays in the pool
                        log.warning("Expression workers still starting: %s", description)
                        return {"invalid": BUSY_MESSAGE, "reason": "starting"}
                self.warm = True  # from now on, callers wait CALL_SECONDS at most
                # A job that got its worker late still gets a fair share of time.
                job_deadline = max(deadline, time.monotonic() + MIN_JOB_SECONDS)
                try:
                    worker.send(request)
                except WorkerGone:
                    # It stopped reading: it may have answered (out of memory), or died while idle.
                    try:
                        reply = worker.receive(time.monotonic() + 0.2)
                    except (WorkerGone, ValueError):
                        reply = None
                    if reply is None:
                        self.replace(worker)
                        continue
                else:
                    reply = worker.receive(job_deadline)
            except WorkerGone:
                return self._died(self.replace(worker), description, started)
            except Exception:  # noqa: BLE001 - the pool must answer, whatever happened
                log.exception("Expression worker failed: %s", description)
                self.replace(worker)
                return {"invalid": FAILED_MESSAGE, "reason": "error"}
            if reply is None:
                status = self.replace(worker)
                log.warning(
                    "Stopped an expression job after %.2f s and replaced its worker (exit %s): %s",
                    time.monotonic() - started,
                    status,
                    description,
                )
                return {"invalid": TIMEOUT_MESSAGE, "reason": "timeout"}
            if reply.get("exit"):
                status = self.replace(worker)
                log.warning(
                    "An expression job ran out of memory (worker replaced, exit %s): %s", status, description
                )
            else:
                self.checkin(worker)
            return reply
        return {"invalid": FAILED_MESSAGE, "reason": "error"}

    def _died(self, status: int | None, description: str, started: float) -> dict[str, Any]:
        cpu_limit = status == -signal.SIGXCPU
        log.warning(
            "An expression worker died after %.2f s (exit %s%s) and was replaced: %s",
            time.monotonic() - started,
            status,
            ", CPU limit" if cpu_limit else "",
            description,
        )
        return {"invalid": TIMEOUT_MESSAGE if cpu_limit else FAILED_MESSAGE, "reason": "died"}


_POOL: _Pool | None = None
_POOL_LOCK = threading.Lock()
_FORGOTTEN: list[_Worker] = []  # a forked child's references to its parent's workers


def _pool() -> _Pool:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL.closed or _POOL.pid != os.getpid():
            _POOL = _Pool(WORKERS)
        return _POOL


def warm() -> None:
    """Start this process's workers now (they warm up in the background); idempotent."""
    _pool()


def shutdown() -> None:
    """Kill this process's workers. The next call starts new ones."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None and pool.pid == os.getpid():
        pool.shutdown()


def worker_pids() -> list[int]:
    """Process ids of this process's live workers (for tests and diagnostics)."""
    pool = _POOL
    if pool is None or pool.pid != os.getpid():
        return []
    with pool.available:
        return [worker.pid for worker in pool.workers]


def _after_fork_in_child() -> None:
    global _POOL, _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    if _POOL is not None:
        _POOL.forget()
    _POOL = None


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(shutdown)


def _describe(item: dict[str, Any], text: Any) -> str:
    shown = repr(text[:200]) if isinstance(text, str) else f"a {type(text).__name__}"
    return f"{item.get('kind')} item {str(item.get('key'))[:80]!r}, input {shown}"


def _student_text(text: Any) -> Any:
    if isinstance(text, str):
        return text[: MAX_REQUEST_TEXT + 1]
    return None  # anything else is not an expression; the worker says "Enter an expression."


def isolated(item: dict[str, Any]) -> bool:
    """Whether checks and previews of `item` run in a worker."""
    return isinstance(item, dict) and item.get("kind") in ISOLATED_KINDS


def check_answer(item: dict[str, Any], variant: Variant, response: Any) -> CheckResult:
    """`judging.check_in_process` in a worker, within CALL_SECONDS; an invalid result if not."""

    request = pickle.dumps(("check", item, variant.to_dict(), _student_text(response)))
    reply = _pool().run(request, _describe(item, response))
    if "result" in reply:
        return CheckResult.from_dict(reply["result"])
    if "raise" in reply:
        raise _rebuilt_error(*reply["raise"])
    return CheckResult(INVALID, 0.0, [reply.get("invalid") or FAILED_MESSAGE])


def preview_expression(item: dict[str, Any], text: Any) -> dict[str, Any]:
    """`judging.preview_in_process` in a worker: {"ok", "latex", "error"}, never raises."""
    request = pickle.dumps(("preview", item, None, _student_text(text)))
    reply = _pool().run(request, _describe(item, text))
    if "result" in reply:
        return reply["result"]
    if "raise" in reply:
        return {"ok": False, "latex": "", "error": FAILED_MESSAGE}
    return {"ok": False, "latex": "", "error": reply.get("invalid") or FAILED_MESSAGE}


def _rebuilt_error(name: str, message: str) -> Exception:
    """The item's own problem (a key that does not parse), raised again in the caller."""

    known = {"ExpressionError": ExpressionError, "VariantError": VariantError, "KeyError": KeyError}
    return known.get(name, ValueError)(message)


# --- the worker's side ----------------------------------------------------------------------


def _handle(request: bytes) -> dict[str, Any]:

    operation, item, variant, text = pickle.loads(request)
    if operation == "check":
        try:
            # The item's own key must parse: if it does not, that is the caller's error to see.
            if item.get("kind") == "symbolic":
                parse_key(item, item.get("answer"))
            variant = Variant.from_dict(variant)
        except Exception as error:  # noqa: BLE001 - sent back and raised in the caller
            return {"raise": [type(error).__name__, str(error)]}
    try:
        if operation == "check":
            return {"result": judging.check_in_process(item, variant, text).to_dict()}
        return {"result": judging.preview_in_process(item, text)}
    except MemoryError:
        return {"invalid": MEMORY_MESSAGE, "reason": "memory", "exit": True}
    except RecursionError:
        return {"invalid": TOO_COMPLEX_MESSAGE, "reason": "recursion"}
    except time_limits.OutOfTime:
        return {"invalid": TIMEOUT_MESSAGE, "reason": "timeout"}
    except Exception:  # noqa: BLE001 - student input must never fail the caller
        log.exception("An expression job failed")
        if operation == "check":
            return {"result": CheckResult(INVALID, 0.0, [FAILED_MESSAGE]).to_dict()}
        return {"result": {"ok": False, "latex": "", "error": FAILED_MESSAGE}}


def _virtual_memory_bytes() -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _set_limits_after_start(headroom: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU would otherwise dump core
    size = _virtual_memory_bytes()
    if size is not None:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + headroom
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _limit_cpu_for_next_job(seconds: int) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + seconds
    _old_soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _warm_up() -> None:
    """Import and exercise the engine once, so the first real job is as fast as the others."""

    item = {
        "key": "warm-up",
        "kind": "symbolic",
        "symbols": ["beta", "eta", "g0"],
        "answer": "eta*g0/(1-beta)",
    }
    judging.preview_in_process(item, r"\frac{\eta g_0}{1-\beta}")
    judging.check_in_process(item, rebuild_variant(item, None), "eta*g0*(1-beta)^(-1)")


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="An expression worker (started by the pool, not by hand).")
    parser.add_argument("--cpu-seconds", type=int, default=CPU_SECONDS)
    parser.add_argument("--memory-headroom", type=int, default=MEMORY_HEADROOM_BYTES)
    limits = parser.parse_args(argv)
    time_limits.mark_worker()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, replies = 0, os.dup(1)
    os.dup2(2, 1)  # a stray print goes to stderr, never into the replies
    logging.basicConfig(level=logging.WARNING, format="expression worker %(process)d: %(message)s")
    _warm_up()
    _set_limits_after_start(limits.memory_headroom)
    _write_frame(replies, json.dumps({"ready": True, "pid": os.getpid()}).encode())
    while True:
        try:
            request = _read_frame(requests, None)
            if request is None:  # only a deadline gives None; kept for the type checker
                return 0
            _limit_cpu_for_next_job(limits.cpu_seconds)
            reply = _handle(request)
        except WorkerGone:
            return 0
        except MemoryError:  # reading the job or answering it; the worker ends after saying so
            request = None
            reply = {"invalid": MEMORY_MESSAGE, "reason": "memory", "exit": True}
        try:
            payload = json.dumps(reply).encode()
        except (TypeError, ValueError):
            log.exception("An expression job's reply could not be encoded")
            payload = json.dumps({"invalid": FAILED_MESSAGE, "reason": "error"}).encode()
        _write_frame(replies, payload)
        if reply.get("exit"):
            return 0


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
