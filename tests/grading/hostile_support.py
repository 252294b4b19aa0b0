"""Host-side checks for the hostile-submission suite.

The fixtures in `hostile/` are submissions whose malice runs at import time or inside `step`.
This module loads them (with their header: category, expected verdict, expected outcomes),
builds the plan they run against, classifies what the sandbox reported in the same vocabulary
as `Verdict.sandbox_outcome`, and watches the host: files, listening sockets, processes and
secrets, so a test can say *what* leaked rather than only that something did.
"""

import os
import re
import secrets
import socket
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grading.sandbox import seccomp
from grading.sandbox.protocol import ProtocolError, decode_frame
from grading.suite import build_problem

HOSTILE_DIR = Path(__file__).resolve().parent / "hostile"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOBODY_UID = 65534
# Names the fixtures use for files they try to plant, so a planted file is recognisable.
TELLTALE_NAME = re.compile(r"pwned|hostile|escape", re.IGNORECASE)
OUTCOMES = {"completed", "timeout", "memory", "output_too_large", "crashed", "invalid_output", "load_error"}
DEFAULT_WALL_SECONDS = 3.0
# Every fixture is graded as the SGD exercise: its step takes `lr`, and the trusted side can
# recompute the honest trajectory exactly.
SGD_CASES = (
    {
        "id": "parabola",
        "problem": "parabola",
        "params": [{"shape": [1], "values": [3.0]}],
        "steps": 8,
        "lr": 0.2,
    },
    {
        "id": "d2l",
        "problem": "ill-conditioned-quadratic",
        "params": [{"shape": [2], "values": [-5.0, -2.0]}],
        "steps": 10,
        "lr": 0.4,
    },
    {
        "id": "layer",
        "problem": "linear-layer",
        "params": [{"shape": [3, 2], "values": [0.0] * 6}, {"shape": [2], "values": [0.0, 0.0]}],
        "steps": 6,
        "lr": 0.05,
    },
)
BENIGN_SGD = """\
import numpy as np


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params - lr * grads, state
"""


@dataclass(frozen=True)
class HostileFixture:
    name: str
    category: str
    expect: str
    outcomes: frozenset[str]
    wall_seconds: float
    source: str
    known_gap: str | None = None  # a grader shortcoming this fixture exposes (its verdict test is xfail)

    def __str__(self) -> str:
        return self.name


def _header_value(source: str, key: str) -> str | None:
    match = re.search(rf"^# {re.escape(key)}: *(.+)$", source, re.MULTILINE)
    return match.group(1).strip() if match else None


def load_fixtures() -> list[HostileFixture]:
    fixtures = []
    for path in sorted(HOSTILE_DIR.glob("*.py")):
        source = path.read_text()
        category, expect = _header_value(source, "category"), _header_value(source, "expect")
        outcomes = frozenset((_header_value(source, "expect-outcome") or "").split("|"))
        if not category or expect != "not-passed" or not outcomes or not outcomes <= OUTCOMES:
            raise ValueError(f"{path.name}: header needs category, expect: not-passed and known outcomes")
        wall = float(_header_value(source, "wall-seconds") or DEFAULT_WALL_SECONDS)
        gap = _header_value(source, "known-gap")
        fixtures.append(HostileFixture(path.stem, category, expect, outcomes, wall, source, gap))
    return fixtures


@dataclass
class HostTargets:
    """Things on the host that a contained submission must never reach."""

    tcp_port: int
    udp_port: int
    abstract_name: str
    canary_path: Path
    canary_file_token: str
    canary_env_token: str
    dev_port_watched: bool

    def fill(self, source: str) -> str:
        """Fixtures name host targets with placeholders; the real values are only known here.
        `__NR_name__` is a system call's number on this machine's architecture, or -1 where the
        call does not exist (the filter kills an unknown number like any unlisted one)."""
        return (
            fill_syscall_numbers(source)
            .replace("__PROJECT_ROOT__", str(PROJECT_ROOT))
            .replace("__LISTEN_PORT__", str(self.tcp_port))
            .replace("__UDP_PORT__", str(self.udp_port))
            .replace("__ABSTRACT_SOCKET__", self.abstract_name)
            .replace("__CANARY_PATH__", str(self.canary_path))
        )

    def secrets(self) -> tuple[str, str]:
        return self.canary_env_token, self.canary_file_token


def fill_syscall_numbers(source: str) -> str:
    numbers = seccomp.ARCHITECTURES[seccomp.machine()].numbers if seccomp.supported() else {}
    return re.sub(r"__NR_(\w+?)__", lambda match: str(numbers.get(match.group(1), -1)), source)


class ConnectionWatch:
    """Listening TCP (an ephemeral port and, when free, the dev server's 8000), UDP and abstract
    unix sockets on the host; every connection or datagram they receive is recorded."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self.tcp_port = self._listen(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 0))
        self.dev_port_watched = self._try_listen_dev_port()
        self.udp_port = self._listen(socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", 0))
        self.abstract_name = f"descent-hostile-{secrets.token_hex(4)}"
        self._listen(socket.AF_UNIX, socket.SOCK_STREAM, "\0" + self.abstract_name)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _listen(self, family: int, kind: int, address: Any) -> int:
        sock = socket.socket(family, kind)
        if family == socket.AF_INET:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        if kind == socket.SOCK_STREAM:
            sock.listen(16)
        sock.settimeout(0.05)
        self._sockets.append(sock)
        return sock.getsockname()[1] if family == socket.AF_INET else 0

    def _try_listen_dev_port(self) -> bool:
        try:
            self._listen(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 8000))
        except OSError:
            return False  # someone's dev server is running there; the ephemeral port still counts
        return True

    def _watch(self) -> None:
        while not self._stop.is_set():
            for sock in self._sockets:
                try:
                    if sock.type == socket.SOCK_STREAM:
                        conn, peer = sock.accept()
                        self.events.append(f"connection on {sock.getsockname()!r} from {peer!r}")
                        conn.close()
                    else:
                        data, peer = sock.recvfrom(65536)
                        self.events.append(f"datagram on {sock.getsockname()!r}: {data[:40]!r}")
                except (TimeoutError, BlockingIOError, OSError):
                    continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for sock in self._sockets:
            sock.close()


def make_canary_file(directory: Path) -> tuple[Path, str]:
    """A file only root may read, holding a token that must never show up anywhere."""
    token = "descent-canary-file-" + secrets.token_hex(12)
    directory.mkdir(mode=0o700)
    path = directory / "secret.txt"
    path.write_text(token)
    path.chmod(0o600)
    return path, token


# --- host state snapshots -------------------------------------------------------------------------


def _walk(root: Path, max_depth: int, skip: frozenset[str]) -> set[str]:
    found: set[str] = set()
    stack = [(str(root), 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            found.add(entry.path)
            if entry.name in skip or depth >= max_depth:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, depth + 1))
            except OSError:
                continue
    return found


@dataclass
class FileSnapshot:
    paths: set[str] = field(default_factory=set)

    @classmethod
    def take(cls, *, deep_tmp: bool = False) -> "FileSnapshot":
        skip = frozenset({".venv", ".git", "node_modules"})
        paths = _walk(PROJECT_ROOT, 50, skip)
        paths |= _walk(Path.cwd(), 50, skip)
        paths |= _walk(Path("/tmp"), 50 if deep_tmp else 2, skip)
        paths |= _walk(Path("/"), 0, skip)
        return cls(paths)

    def planted_since(self, before: "FileSnapshot") -> list[str]:
        """New paths that the sandbox could have written: owned by nobody or carrying a fixture's
        telltale name. Other engineers create files in this tree concurrently; those are neither."""
        planted = []
        for path in sorted(self.paths - before.paths):
            try:
                owner = os.lstat(path).st_uid
            except OSError:
                owner = None
            if owner == NOBODY_UID or TELLTALE_NAME.search(os.path.basename(path)):
                planted.append(path)
        return planted


def jail_dirs() -> list[Path]:
    return sorted(Path("/tmp").glob("descent-jail-*"))


def jail_dir_leftovers() -> list[str]:
    """The zygote's jail directory is only a mount point: anything inside it on the host leaked."""
    return [str(entry) for directory in jail_dirs() for entry in directory.iterdir()]


def processes_of(uid: int) -> set[int]:
    pids = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        match = re.search(r"^Uid:\s+(\d+)\s+(\d+)\s+(\d+)", status, re.MULTILINE)
        if match and uid in {int(value) for value in match.groups()}:
            pids.add(int(entry.name))
    return pids


def _parent_of(pid: int) -> int | None:
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat_line.rsplit(")", 1)[1].split()[1])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def surviving_sandbox_processes(before: set[int], own_zygote: int, settle_seconds: float = 0.3) -> set[int]:
    """New processes of the sandbox user that are still alive after a moment.

    Other engineers' sandboxes run on this machine too: a live child of *another* zygote is
    theirs. A child of ours, or an orphan re-parented away from any zygote, is a survivor.
    """
    new = processes_of(NOBODY_UID) - before
    if new:
        time.sleep(settle_seconds)
        new &= processes_of(NOBODY_UID)
    survivors = set()
    for pid in new:
        parent = _parent_of(pid)
        if parent is None:
            continue  # gone meanwhile
        if parent != own_zygote and "zygote.py" in _cmdline(parent):
            continue
        survivors.add(pid)
    return survivors


def children_of(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(value) for value in text.split()}


def lingering_children_of(pid: int, before: set[int], settle_seconds: float = 2.0) -> set[int]:
    """Children of the zygote still there after a moment that belong to a finished run.

    A run's supervisor sends its answer and then exits (tearing down the run's namespaces), so
    right after the answer it may not be reaped yet. Between runs the zygote keeps exactly one
    child: a supervisor prepared for the next run, forked after the last run answered. So every
    child the zygote had before the run (`before`, which includes the one that served it) must be
    gone, and at most one new one may remain.
    """
    deadline = time.monotonic() + settle_seconds
    while True:
        children = children_of(pid)
        lingering = (children & before) if len(children) <= 1 else children
        if not lingering or time.monotonic() >= deadline:
            return lingering
        time.sleep(0.01)


def is_world_readable(path: Path) -> bool:
    return bool(path.stat().st_mode & stat.S_IROTH)


# --- what the sandbox reported --------------------------------------------------------------------


def build_plan(source: str) -> dict[str, Any]:
    cases = [
        {key: value for key, value in case.items() if key != "lr"} | {"hp": {"lr": case["lr"]}}
        for case in SGD_CASES
    ]
    return {"source": source, "cases": cases}


def honest_sgd_rows(case: dict[str, Any]) -> np.ndarray:
    """The trajectory an honest SGD submission produces, computed here, outside the sandbox."""
    problem = build_problem(case["problem"], case.get("problem_args") or {})
    params = [np.array(p["values"], dtype=np.float64).reshape(p["shape"]) for p in case["params"]]
    rows = [np.concatenate([p.ravel() for p in params])]
    for step in range(case["steps"]):
        grads = problem.grad([p.copy() for p in params], step)
        params = [p - case["hp"]["lr"] * g for p, g in zip(params, grads, strict=True)]
        rows.append(np.concatenate([p.ravel() for p in params]))
    return np.stack(rows)


@dataclass
class ParsedRun:
    """The untrusted frame, checked against our own plan (never against what it claims)."""

    header: dict[str, Any] | None
    rows: dict[str, np.ndarray]
    problem: str | None


def parse_result(plan: dict[str, Any], result_bytes: bytes) -> ParsedRun:
    if not result_bytes:
        return ParsedRun(None, {}, "no result frame")
    try:
        header, payload = decode_frame(result_bytes, max_payload=64 * 1024 * 1024)
    except ProtocolError as exc:
        return ParsedRun(None, {}, f"malformed frame: {exc}")
    if header.get("load_error") is not None:
        return ParsedRun(header, {}, None)
    cases = header.get("cases")
    if not isinstance(cases, list) or len(cases) > len(plan["cases"]):
        return ParsedRun(None, {}, "case list does not match the plan")
    rows, offset = {}, 0
    for planned, reported in zip(plan["cases"], cases, strict=False):
        if not isinstance(reported, dict) or reported.get("id") != planned["id"]:
            return ParsedRun(None, {}, "case ids do not match the plan")
        steps_done = reported.get("steps_done")
        if type(steps_done) is not int or not 0 <= steps_done <= planned["steps"]:
            return ParsedRun(None, {}, "steps_done out of range")
        width = sum(int(np.prod(p["shape"])) for p in planned["params"])
        size = (steps_done + 1) * width * 8
        if offset + size > len(payload):
            return ParsedRun(None, {}, "payload shorter than the plan needs")
        rows[planned["id"]] = np.frombuffer(payload, dtype="<f8", count=size // 8, offset=offset).reshape(
            -1, width
        )
        offset += size
    if offset != len(payload):
        return ParsedRun(None, {}, "payload longer than the plan needs")
    return ParsedRun(header, rows, None)


def _errors(header: dict[str, Any]) -> list[dict[str, Any]]:
    errors = [header.get("load_error")] + [case.get("error") for case in header.get("cases", [])]
    return [error for error in errors if isinstance(error, dict)]


def classify(run: Any, parsed: ParsedRun) -> str:
    """The sandbox outcome in the grading contract's words, decided from trusted facts first."""
    if run.outcome == "timeout" or run.exit_code == -24:  # -24: SIGXCPU, the CPU-time rlimit
        return "timeout"
    if run.outcome in {"output_limit", "result_too_large"}:
        return "output_too_large"
    if run.exit_code != 0 or parsed.problem == "no result frame":
        return "crashed"
    if parsed.header is None:
        return "invalid_output"
    if any(str(error.get("type", "")).endswith("MemoryError") for error in _errors(parsed.header)):
        return "memory"
    if parsed.header.get("load_error") is not None:
        return "load_error"
    return "completed"


def would_pass(plan: dict[str, Any], parsed: ParsedRun) -> bool:
    """True when the run is indistinguishable from an honest SGD: every case, every step."""
    if parsed.header is None or parsed.header.get("load_error") is not None:
        return False
    if len(parsed.rows) != len(plan["cases"]) or _errors(parsed.header):
        return False
    for case in plan["cases"]:
        expected = honest_sgd_rows(case)
        got = parsed.rows[case["id"]]
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            return False
    return True
