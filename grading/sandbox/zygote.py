"""The pre-forked sandbox parent: imports NumPy once, then forks one confined child per run.

Started by `client.Sandbox` as `python -I zygote.py` with an empty environment, so its memory
never held a secret. It never runs student code itself; its children do, after `jail.confine`.
Nor does it ever read a submission: everything in its memory, freed or not, is inherited by
every later child, which could scan its own address space for an earlier student's code or
output. So each request is served by a short-lived supervisor forked from the pristine zygote,
which reads the plan (the frame's payload) itself, passes it to the confined child, collects
the child's output and result and answers; the zygote reads at most the small request header.
The supervisor also puts the child in a PID namespace of its own (`jail.enter_run_namespaces`),
so the child is that namespace's init and the supervisor, outside it, accounts for what the
child did.

Off the critical path: as soon as a run has answered, the zygote forks the supervisor for the
next one, which forks and confines its child at once; the child then waits for its plan on
stdin, already jailed, and that supervisor reads the next request from the stream itself (one
with other limits, or any other op, it hands back to the zygote and ends its unused child). A
prepared child is still used for exactly one run. A supervisor answers as soon as its child
has exited and tells the zygote the stream is free; tearing the run down comes after.

Protocol on stdin/stdout: frames from `protocol.py`. Requests: {"op": "run", "wall_seconds": s,
"max_output": n, "max_result": n, "limits": {...}} with the plan as JSON payload, {"op": "selftest"}
(the probes of `selftest.py`), {"op": "selftest", "syscall": name} (one call the filter must kill).
"""

import gc
import json
import os
import select
import selectors
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.clear()  # belt and braces: the client already started us with an environment of our choosing
# Read once, when NumPy loads its BLAS: a BLAS that starts worker threads here would try to start
# them again in a child that may not create threads, and hang there until the wall clock ends it.
os.environ.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})

import numpy  # noqa: E402,F401  -- pre-imported so every child starts warm

os.environ.clear()

from grading import suite  # noqa: E402  -- warm: gradients for every problem, before any fork
from grading.sandbox import harness, jail, selftest  # noqa: E402
from grading.sandbox.protocol import (  # noqa: E402
    MAX_PLAN_BYTES,
    encode_frame,
    read_exact,
    read_frame,
    read_header,
    write_all,
)

# Reference implementations must never be reachable from a child: a submission could call them.
FORBIDDEN_MODULES = (
    "optimlab.optimizers",
    "optimlab.runner",
    "grading.reference",
    "grading.exercises",
    "django",
)
# Appended to a run's output when the kernel killed the child for a system call outside the filter's list.
SYSCALL_KILLED_NOTE = (
    "\n[sandbox] the process was stopped at a system call the sandbox does not allow (SIGSYS); "
    "a submission needs only Python and NumPy, not direct calls into the operating system.\n"
)
CONFINEMENT_FAILED = 97
CHILD_CRASHED = 98
# Real root on the host: the child switches to nobody. Decided once, before any namespace exists.
PRIVILEGED = os.geteuid() == 0
# Whether this machine can build the jail at all (root or user namespaces, a supported architecture).
# Without it the client only uses this zygote under its loudly named development flag, and the
# children then run unconfined but for CPU and memory limits (`jail.limit_unconfined`).
ISOLATED = jail.isolation_available()[0]


def build_problem(name: str, args: dict[str, Any]) -> Any:
    return suite.build_problem(name, args)


def _child(
    plan_r: int,
    out_w: int,
    res_w: int,
    jail_dir: str,
    limits: jail.Limits,
    host_fixtures: dict[str, Any] | None,
    syscall_probe: str | None = None,
) -> None:
    """Runs in the forked child; never returns. It confines itself first, then reads its plan
    from stdin (`plan_r`) to the end: a child prepared in advance waits there, already jailed."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.dup2(plan_r, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.dup2(res_w, 3)
        os.closerange(4, 2**31 - 1)  # every descriptor, however high (close_range does it in one call)
        prepared = selftest.prepare(host_fixtures) if host_fixtures is not None else None
        try:
            if ISOLATED:
                jail.confine(jail_dir=jail_dir, limits=limits, privileged=PRIVILEGED)
            else:
                jail.limit_unconfined(limits)
        except jail.ConfinementError as exc:
            os.write(2, f"sandbox confinement failed: {exc}\n".encode())
            os._exit(CONFINEMENT_FAILED)
        body = _read_to_end(0, MAX_PLAN_BYTES)
        if syscall_probe is not None:
            header, payload = selftest.run_syscall_probe(syscall_probe), b""
        elif prepared is not None:
            header, payload = selftest.run_probes(prepared), b""
        else:
            header, payload = harness.run_plan(json.loads(body), build_problem)
        write_all(3, encode_frame(header, payload))
        _flush_output()
        os._exit(0)
    except BaseException:
        os._exit(CHILD_CRASHED)


def _read_to_end(fd: int, limit: int) -> bytes:
    """Everything the supervisor writes before closing its end (the plan; at most `limit` bytes).
    The stream is then at its end, as a submission's stdin always is."""
    chunks, size = [], 0
    while chunk := os.read(fd, 1 << 16):
        size += len(chunk)
        if size > limit:
            raise ValueError("plan larger than the sandbox accepts")
        chunks.append(chunk)
    return b"".join(chunks)


def _flush_output() -> None:
    """os._exit skips interpreter shutdown, and with it the flush of what the submission printed."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


class Supervisor:
    """The zygote's handle on one forked supervisor, which prepares one confined child at once.

    It learns its request in one of two ways. Prepared in advance (`reads_stream`), it reads the
    next request from stdin itself while the zygote waits: a run with the limits it prepared for
    it serves; anything else it hands back to the zygote unread beyond its header, and ends its
    unused child. Otherwise the zygote reads the request and passes it on (`go`). Either way the
    supervisor reads the plan from stdin, answers on stdout, then says so on its own pipe, after
    which the stream is the zygote's again (and the supervisor tears the run down).
    """

    def __init__(
        self,
        limits: jail.Limits,
        jail_dir: str,
        *,
        reads_stream: bool = False,
        probe: bool = False,
        syscall: str | None = None,
    ):
        go_r, self._go_w = os.pipe()
        self._done_r, done_w = os.pipe()
        self._discarded = False
        self.pid = os.fork()
        if self.pid == 0:
            status = 1
            try:
                _close_all_but(0, 1, 2, go_r, done_w)  # e.g. another supervisor's pipes
                supervise_one_run(go_r, done_w, limits, jail_dir, reads_stream, probe, syscall)
                status = 0
            finally:
                os._exit(status)
        os.close(go_r)
        os.close(done_w)

    def go(self, request: dict[str, Any], finishing: dict[int, int]) -> None:
        """Hand over a request the zygote has read; return once it is answered."""
        try:
            # The go frame has no payload of its own: it names the size of the plan on stdin.
            write_all(self._go_w, encode_frame(dict(request, plan_bytes=request["payload_bytes"])))
        except BrokenPipeError:
            pass  # it died while waiting: the missing answer below says so
        self.outcome(finishing)

    def outcome(self, finishing: dict[int, int]) -> dict[str, Any]:
        """Wait for what the supervisor did with the stream: {"released": true} (it answered a
        run), {"handback": request} (the zygote's to serve) or {"eof": true} (the client left)."""
        _reap_until_readable(self._done_r, finishing)
        try:
            message, _ = read_frame(self._done_r, max_payload=0)
        except EOFError:
            # It died holding the stream, which is now in an unknown state: stop, so the client
            # restarts us.
            raise RuntimeError("the supervisor of a run failed before it answered") from None
        finally:
            self.discard()
        return message

    def discard(self) -> None:
        """Closing its request pipe makes a supervisor that has not started its run kill its
        child and exit. Once only: a descriptor number closed twice may by then be another's."""
        if not self._discarded:
            self._discarded = True
            os.close(self._go_w)
            os.close(self._done_r)


def supervise_one_run(
    go_r: int,
    done_w: int,
    limits: jail.Limits,
    jail_dir: str,
    reads_stream: bool,
    probe: bool,
    syscall_probe: str | None,
) -> None:
    """The body of a supervisor: forked from the pristine zygote, it prepares one confined child
    before it knows anything of the run, then waits for its request; it reads the plan (the
    request's payload) from the shared stdin itself and passes it to the child, so the plan, the
    output and the result never enter the zygote's memory (and so never reach a later child).
    The child sits in a PID namespace of its own, whose init it is."""
    try:
        if ISOLATED:
            jail.enter_run_namespaces(privileged=PRIVILEGED)
    except jail.ConfinementError as exc:
        request = _next_request(go_r, done_w, limits, reads_stream)
        if request is None:
            return
        read_exact(0, request["plan_bytes"])
        started = time.monotonic()
        write_all(1, encode_frame(*_confinement_failed(str(exc), started)))
        write_all(done_w, encode_frame({"released": True}))
        return
    host_fixtures = selftest.create_host_fixtures() if probe and syscall_probe is None else None
    try:
        plan_r, plan_w = os.pipe()
        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            _child(plan_r, out_w, res_w, jail_dir, limits, host_fixtures, syscall_probe)
        for fd in (plan_r, out_w, res_w):
            os.close(fd)
        request = _next_request(go_r, done_w, limits, reads_stream)
        if request is None:  # not ours, or the zygote or the client is gone
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return
        started = time.monotonic()
        body = read_exact(0, request["plan_bytes"])
        try:
            write_all(plan_w, body)
        except BrokenPipeError:
            pass  # the child died before it read its plan; its exit status tells why
        os.close(plan_w)
        header, payload = _supervise_to_answer(request, pid, out_r, res_r, started, limits, syscall_probe)
        write_all(1, encode_frame(header, payload))
        write_all(done_w, encode_frame({"released": True}))
    finally:
        if host_fixtures is not None:
            selftest.remove_host_fixtures(host_fixtures)


def _next_request(go_r: int, done_w: int, limits: jail.Limits, reads_stream: bool) -> dict[str, Any] | None:
    """The request this supervisor serves, or None: the zygote discarded it, or (reading the
    stream itself) the client left or sent something else, which goes back to the zygote."""
    if reads_stream:
        readable, _, _ = select.select([0, go_r], [], [])
        if go_r in readable:  # the zygote closed its end: it is gone
            return None
        try:
            request = read_header(0, max_payload=MAX_PLAN_BYTES)
        except EOFError:
            write_all(done_w, encode_frame({"eof": True}))
            return None
        if request.get("op") == "run" and _request_limits(request) == limits:
            return dict(request, plan_bytes=request["payload_bytes"])
        write_all(done_w, encode_frame({"handback": request}))
        return None
    try:
        return read_header(go_r, max_payload=MAX_PLAN_BYTES)
    except EOFError:
        return None


def _close_all_but(*keep: int) -> None:
    low = 0
    for fd in sorted(keep):
        if fd > low:  # an empty range is not a no-op for os.closerange
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 2**31 - 1)


def _supervise_to_answer(
    request: dict[str, Any],
    pid: int,
    out_r: int,
    res_r: int,
    started: float,
    limits: jail.Limits,
    syscall_probe: str | None,
) -> tuple[dict[str, Any], bytes]:
    wall_seconds = float(request.get("wall_seconds", 10))
    max_output = int(request.get("max_output", 64 * 1024))
    max_result = int(request.get("max_result", 32 * 1024 * 1024))
    outcome = _supervise(pid, out_r, res_r, started + wall_seconds, max_output, max_result)
    _, wait_status, usage = os.wait4(pid, 0)
    cpu_seconds = usage.ru_utime + usage.ru_stime
    exit_code = os.waitstatus_to_exitcode(wait_status)
    if outcome["outcome"] == "exited" and _cpu_limit_killed(exit_code, cpu_seconds, limits):
        outcome["outcome"] = "timeout"
    header = {
        "outcome": outcome["outcome"],
        "exit_code": exit_code,
        "wall_seconds": time.monotonic() - started,
        "cpu_seconds": cpu_seconds,
        "max_rss_kb": usage.ru_maxrss,
        "output": bytes(outcome["output"][:max_output]).decode("utf-8", "replace"),
        "output_truncated": len(outcome["output"]) > max_output,
    }
    if exit_code == -signal.SIGSYS and syscall_probe is None:
        header["output"] += SYSCALL_KILLED_NOTE
    return header, bytes(outcome["result"])


def _cpu_limit_killed(exit_code: int, cpu_seconds: float, limits: jail.Limits) -> bool:
    """The kernel's hard CPU limit sends SIGKILL (the only signal init cannot ignore); we did not
    send this one (that would be a timeout or an output limit), and the CPU time says why. The
    child's rusage can read a little below the limit the kernel enforced, hence the margin."""
    return exit_code == -signal.SIGKILL and cpu_seconds >= max(
        limits.cpu_seconds - 0.5, 0.5 * limits.cpu_seconds
    )


def _confinement_failed(message: str, started: float) -> tuple[dict[str, Any], bytes]:
    header = {
        "outcome": "exited",
        "exit_code": CONFINEMENT_FAILED,
        "wall_seconds": time.monotonic() - started,
        "cpu_seconds": 0.0,
        "max_rss_kb": 0,
        "output": f"sandbox confinement failed: {message}\n",
        "output_truncated": False,
    }
    return header, b""


def _supervise(
    pid: int, out_r: int, res_r: int, deadline: float, max_output: int, max_result: int
) -> dict[str, Any]:
    """Collect output and result until the child exits, killing it on any limit."""
    pidfd = os.pidfd_open(pid)
    selector = selectors.DefaultSelector()
    for fd in (out_r, res_r):
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    selector.register(pidfd, selectors.EVENT_READ)
    buffers = {out_r: bytearray(), res_r: bytearray()}
    caps = {out_r: max_output, res_r: max_result}
    outcome, exited = "exited", False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            outcome = "timeout"
            break
        events = selector.select(remaining)
        for key, _ in events:
            if key.fd == pidfd:
                exited = True
                continue
            chunk = _read_some(key.fd)
            if chunk is None:
                continue
            if not chunk:
                selector.unregister(key.fd)
                continue
            buffers[key.fd] += chunk
            if len(buffers[key.fd]) > caps[key.fd]:
                outcome = "output_limit" if key.fd == out_r else "result_too_large"
        if outcome != "exited" or (exited and len(selector.get_map()) == 1):
            break
        if exited:
            # The child is gone; whatever is left in the pipes is already there.
            for fd in (out_r, res_r):
                while (chunk := _read_some(fd)) and len(buffers[fd]) <= caps[fd]:
                    buffers[fd] += chunk
            break
    if outcome != "exited":
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    selector.close()
    for fd in (out_r, res_r, pidfd):
        os.close(fd)
    return {"outcome": outcome, "output": buffers[out_r], "result": buffers[res_r]}


def _read_some(fd: int) -> bytes | None:
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return None


def _request_limits(request: dict[str, Any]) -> jail.Limits | None:
    try:
        return jail.Limits(**request.get("limits", {}))
    except TypeError:
        return None


def main() -> int:
    loaded = sorted(m for m in FORBIDDEN_MODULES if m in sys.modules)
    available, how = jail.isolation_available()
    jail_dir = tempfile.mkdtemp(prefix="descent-jail-")
    os.chmod(jail_dir, 0o755)
    # Everything imported so far is in the permanent generation: a child's collections never walk
    # (and so never write to, and copy) the pages the zygote's objects share with it.
    gc.collect()
    gc.freeze()
    hello = {"ready": not loaded, "isolation": available, "how": how, "forbidden_loaded": loaded}
    write_all(1, encode_frame(hello))
    # The supervisor (with its confined child) prepared for the next run, made as soon as the last
    # run has answered, with that run's limits; supervisors that answered and are winding down.
    ready: Supervisor | None = None
    last_limits: jail.Limits | None = None
    finishing: dict[int, int] = {}  # pid -> pidfd
    try:
        while True:
            if ready is None and last_limits is not None:
                ready = Supervisor(last_limits, jail_dir, reads_stream=True)
            if ready is not None:
                supervisor, ready = ready, None
                finishing[supervisor.pid] = os.pidfd_open(supervisor.pid)
                message = supervisor.outcome(finishing)
                if message.get("eof"):
                    return 0
                if message.get("released"):
                    continue
                request = message["handback"]
            else:
                _reap_until_readable(0, finishing)
                try:
                    request = read_header(0, max_payload=MAX_PLAN_BYTES)
                except EOFError:
                    return 0
            op = request.get("op")
            limits = _request_limits(request)
            if op == "selftest" and request.get("syscall") not in (None, *selftest.syscall_probe_names()):
                read_exact(0, request["payload_bytes"])
                write_all(1, encode_frame({"outcome": "bad_request", "error": "unknown syscall probe"}))
            elif op in ("run", "selftest") and limits is None:
                read_exact(0, request["payload_bytes"])
                write_all(1, encode_frame({"outcome": "bad_request", "error": "unknown limits"}))
            elif op in ("run", "selftest"):
                assert limits is not None
                probe, syscall = op == "selftest", request.get("syscall")
                supervisor = Supervisor(limits, jail_dir, probe=probe, syscall=syscall)
                finishing[supervisor.pid] = os.pidfd_open(supervisor.pid)
                supervisor.go(request, finishing)
                if op == "run":
                    last_limits = limits
            elif op == "exit":
                return 0
            else:
                read_exact(0, request["payload_bytes"])
                write_all(1, encode_frame({"outcome": "bad_request", "error": f"unknown op {op!r}"}))
    finally:
        if ready is not None:
            ready.discard()
            finishing[ready.pid] = os.pidfd_open(ready.pid)
        for pid, pidfd in finishing.items():
            os.close(pidfd)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass  # reaped already
        os.rmdir(jail_dir)


def _reap_until_readable(fd: int, finishing: dict[int, int]) -> None:
    """Wait until `fd` is readable, reaping supervisors as they exit meanwhile, so that between
    runs the zygote keeps no process but the one prepared for the next."""
    while True:
        readable, _, _ = select.select([fd, *finishing.values()], [], [])
        for pid, pidfd in list(finishing.items()):
            if pidfd in readable:
                os.close(pidfd)
                os.waitpid(pid, 0)
                del finishing[pid]
        if fd in readable:
            return


if __name__ == "__main__":
    sys.exit(main())
