"""The trusted side of the sandbox: starts the zygote, checks its isolation, runs plans.

Used by the grading worker and by `manage.py grade`. The zygote is started with an empty
environment and no inherited descriptors beyond its two pipes, so nothing the worker knows
(settings, database credentials) can reach it or its children.
"""

import json
import os
import select
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any, cast

from grading.sandbox import selftest
from grading.sandbox.jail import Limits
from grading.sandbox.protocol import (
    MAX_PLAN_BYTES,
    ProtocolError,
    decode_frame,
    encode_frame,
    read_frame,
    write_all,
)

ZYGOTE = Path(__file__).resolve().parent / "zygote.py"
# Loudly named on purpose: without kernel isolation, student code could read the host.
INSECURE_ENV_FLAG = "DESCENT_SANDBOX_INSECURE_NO_ISOLATION"
# How long past a run's own wall limit the zygote may take to answer before we give up on it:
# the supervisor enforces the limit itself, so silence beyond this means it is stuck.
ANSWER_GRACE_SECONDS = 5.0
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


class SandboxUnavailable(Exception):
    """The machine cannot provide the isolation grading needs; the message says what is missing."""


@dataclass
class RawRun:
    """What the zygote observed (trusted) plus the child's result frame (untrusted bytes)."""

    outcome: str
    exit_code: int
    wall_seconds: float
    cpu_seconds: float
    max_rss_kb: int
    output: str
    output_truncated: bool
    result_bytes: bytes = field(repr=False)


class Sandbox:
    def __init__(self, *, wall_seconds: float = 10.0, limits: dict[str, int] | None = None):
        self.wall_seconds = wall_seconds
        self.limits = dict(limits or {})
        # Checked here, where a typo is the caller's bug, rather than in the zygote, where it
        # would end the process serving every run and look like a broken sandbox.
        unknown = sorted(set(self.limits) - {f.name for f in fields(Limits)})
        if unknown:
            raise ValueError(f"unknown sandbox limits {unknown}; known: {[f.name for f in fields(Limits)]}")
        if not all(type(value) is int and value > 0 for value in self.limits.values()):
            raise ValueError(f"sandbox limits must be positive integers: {self.limits}")
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.isolation = ""

    def start(self) -> None:
        process = subprocess.Popen(
            [sys.executable, "-I", str(ZYGOTE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=CLEAN_ENV,
            cwd="/",
            close_fds=True,
            start_new_session=True,
        )
        self._process = process
        try:
            hello, _ = read_frame(_pipe_out(process).fileno(), max_payload=0)
        except (EOFError, ProtocolError) as exc:
            self.close()
            raise SandboxUnavailable(f"the sandbox process did not start: {exc}") from None
        if hello.get("forbidden_loaded"):
            self.close()
            raise SandboxUnavailable(
                f"reference code was loaded into the sandbox: {hello['forbidden_loaded']}"
            )
        self.isolation = hello.get("how", "")
        if not hello.get("isolation"):
            if os.environ.get(INSECURE_ENV_FLAG) != "1":
                self.close()
                raise SandboxUnavailable(
                    f"kernel isolation is not available here ({hello.get('how')}); grading refuses to run. "
                    f"Run the worker as root or enable user namespaces; for local development only, "
                    f"{INSECURE_ENV_FLAG}=1 runs submissions WITHOUT isolation."
                )
            return
        self._self_test()

    def _self_test(self) -> None:
        run = self._request({"op": "selftest", "wall_seconds": 10})
        failures = []
        if run.outcome != "exited" or run.exit_code != 0:
            failures.append(
                f"probe process ended with {run.outcome}, exit code {run.exit_code}: {run.output.strip()}"
            )
        else:
            header, _ = decode_frame(run.result_bytes, max_payload=0)
            probes = header.get("probes", {})
            probes = dict(probes, **self._syscall_probes(failures))
            for name, expected in selftest.EXPECTED.items():
                if probes.get(name) is not expected:
                    failures.append(
                        f"{name}: expected {'allowed' if expected else 'blocked'}, got {probes.get(name)}"
                    )
        if failures:
            self.close()
            raise SandboxUnavailable("sandbox self-test failed: " + "; ".join(failures))

    def _syscall_probes(self, failures: list[str]) -> dict[str, bool | None]:
        """One run per call the filter must kill: blocked only if the kernel killed the child (SIGSYS)."""
        probes: dict[str, bool | None] = {}
        for name in selftest.syscall_probe_names():
            run = self._request({"op": "selftest", "syscall": name, "wall_seconds": 10})
            if run.outcome == "exited" and run.exit_code == -signal.SIGSYS:
                probes[name] = False
            elif run.outcome == "exited" and run.exit_code == 0:
                try:
                    header, _ = decode_frame(run.result_bytes, max_payload=0)
                    probes[name] = header.get("probes", {}).get(name)
                except ProtocolError as exc:
                    failures.append(f"{name}: unreadable probe result ({exc})")
            else:
                failures.append(
                    f"{name}: probe process ended with {run.outcome}, exit code {run.exit_code}: {run.output.strip()}"
                )
        return probes

    def run(self, plan: dict[str, Any], *, wall_seconds: float | None = None) -> RawRun:
        if self._process is None or self._process.poll() is not None:
            self.start()
        return self._request(
            {
                "op": "run",
                "plan": plan,
                "wall_seconds": wall_seconds or self.wall_seconds,
                "limits": self.limits,
            }
        )

    def _request(self, request: dict[str, Any]) -> RawRun:
        # The plan (the submission) travels as the frame's payload: the zygote reads only the
        # header and leaves the payload to the short-lived process that serves this one run.
        header = {key: value for key, value in request.items() if key != "plan"}
        plan = json.dumps(request["plan"], allow_nan=True).encode() if "plan" in request else b""
        if len(plan) > MAX_PLAN_BYTES:
            # The submission's fault, not the sandbox's: refuse it without touching the zygote.
            raise ValueError(f"plan too large for the sandbox ({len(plan)} bytes, at most {MAX_PLAN_BYTES})")
        with self._lock:
            assert self._process is not None
            try:
                write_all(_pipe_in(self._process).fileno(), encode_frame(header, plan))
                answer_within = float(request.get("wall_seconds", self.wall_seconds)) + ANSWER_GRACE_SECONDS
                if not select.select([_pipe_out(self._process)], [], [], answer_within)[0]:
                    self._kill()
                    raise SandboxUnavailable(f"the sandbox process did not answer within {answer_within:g} s")
                header, payload = read_frame(_pipe_out(self._process).fileno(), max_payload=64 * 1024 * 1024)
            except (BrokenPipeError, EOFError, ProtocolError) as exc:
                self.close()
                raise SandboxUnavailable(f"lost the sandbox process: {exc}") from None
        return RawRun(
            outcome=str(header.get("outcome")),
            exit_code=int(header.get("exit_code", -1)),
            wall_seconds=float(header.get("wall_seconds", 0.0)),
            cpu_seconds=float(header.get("cpu_seconds", 0.0)),
            max_rss_kb=int(header.get("max_rss_kb", 0)),
            output=str(header.get("output", "")),
            output_truncated=bool(header.get("output_truncated")),
            result_bytes=payload,
        )

    def abort(self) -> None:
        """Kill the zygote with the run it has in hand; safe from another thread.

        The pipes are left to the thread using the sandbox: it sees SandboxUnavailable and cleans up.
        """
        process = self._process
        if process is not None:
            _kill_session(process)

    def _kill(self) -> None:
        """Stop a zygote that is stuck, with whatever runs it started."""
        process, self._process = self._process, None
        if process is None:
            return
        _kill_session(process)
        process.wait()
        for stream in (_pipe_in(process), _pipe_out(process)):
            stream.close()

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            write_all(_pipe_in(process).fileno(), encode_frame({"op": "exit"}))
        except OSError:
            pass
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (_pipe_in(process), _pipe_out(process)):
            stream.close()

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _kill_session(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a zygote and every run it started (they share its session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# The zygote is always started with stdin=PIPE and stdout=PIPE, so these streams exist; the casts
# only tell the type checker so and check nothing at run time.
def _pipe_in(process: subprocess.Popen[bytes]) -> IO[bytes]:
    return cast(IO[bytes], process.stdin)


def _pipe_out(process: subprocess.Popen[bytes]) -> IO[bytes]:
    return cast(IO[bytes], process.stdout)
