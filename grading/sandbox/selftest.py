"""Hostile probes run in a confined child when a sandbox starts; grading refuses to run unless
every probe is blocked. Each probe returns True when the forbidden thing *succeeded*.

Some probes need something real on the host to aim at: the supervisor creates it before it
forks the probing child (`create_host_fixtures`: its own and the zygote's pids, the host name,
a shared-memory segment anyone may read) and removes it afterwards.
"""

import ctypes
import os
from typing import Any

_IPC_PRIVATE, _IPC_CREAT, _IPC_RMID, _IPC_STAT = 0, 0o1000, 0, 2
_DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/mem", "/dev/kmsg", "/dev/tty", "/dev/shm")


def create_host_fixtures() -> dict[str, Any]:
    """Run by the supervisor, outside the child's namespaces."""
    libc = ctypes.CDLL(None, use_errno=True)
    # World-readable, so that only the IPC namespace (not file modes) can hide it from the child.
    shm_id = libc.shmget(_IPC_PRIVATE, 4096, _IPC_CREAT | 0o644)
    return {
        "pids": [os.getpid(), os.getppid()],
        "hostname": os.uname().nodename,
        "shm_id": shm_id if shm_id >= 0 else None,
    }


def remove_host_fixtures(fixtures: dict[str, Any]) -> None:
    if fixtures.get("shm_id") is not None:
        ctypes.CDLL(None).shmctl(fixtures["shm_id"], _IPC_RMID, None)


def prepare(fixtures: dict[str, Any]) -> dict[str, Any]:
    """Before confinement: load modules a hostile submission might smuggle in via sys.modules,
    so the probes test the kernel's walls rather than a missing import."""
    import socket

    return dict(fixtures, socket=socket, libc=ctypes.CDLL(None, use_errno=True))


def _succeeded(action) -> bool:
    try:
        action()
    except BaseException:
        return False
    return True


def _read_host_file() -> None:
    for path in ("/etc/passwd", "/etc/hostname", "/proc/1/environ", "/proc/self/environ"):
        try:
            with open(path, "rb") as handle:
                handle.read(1)
                return
        except OSError:
            continue
    raise PermissionError("no host file readable")


def _write_outside_scratch() -> None:
    with open("/escape-probe", "w") as handle:
        handle.write("x")


def _connect(socket_module) -> None:
    with socket_module.create_connection(("127.0.0.1", 9), timeout=0.5):
        pass


def _socket(socket_module) -> None:
    socket_module.socket(socket_module.AF_INET, socket_module.SOCK_STREAM).close()


def _fork() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def _signal_parent(parent_pid: int) -> None:
    os.kill(parent_pid, 0)


def _reach_process(pids: list[int]) -> None:
    """Calls that take any pid and need no permission: they only answer if the pid is visible."""
    for pid in pids:
        for call in (os.getpgid, os.getsid, os.sched_getscheduler):
            try:
                call(pid)
                return
            except OSError:
                continue
    raise ProcessLookupError("no outside process visible")


def _see_proc(pids: list[int]) -> None:
    for path in ["/proc/self/status", "/proc/1/status"] + [f"/proc/{pid}/mem" for pid in pids]:
        if os.path.exists(path):
            return
    raise FileNotFoundError("no /proc")


def _open_device() -> None:
    for path in _DEVICES:
        try:
            os.close(os.open(path, os.O_RDONLY))
            return
        except OSError:
            continue
    raise FileNotFoundError("no device")


def _inherited_descriptor() -> None:
    """Anything above 0-3 (stdin, output, output, result) came from a process that should not share."""
    for fd in range(4, 4096):
        try:
            os.fstat(fd)
            return
        except OSError:
            continue
    raise OSError("no inherited descriptor")


def _host_ipc_visible(libc: Any, shm_id: int | None) -> bool | None:
    if shm_id is None:
        return None  # the probe could not be set up: not a pass
    buffer = ctypes.create_string_buffer(512)  # larger than struct shmid_ds
    return libc.shmctl(shm_id, _IPC_STAT, buffer) == 0


def _holds_capabilities() -> bool:
    from grading.sandbox.jail import capabilities

    return any(capabilities())


def _exec() -> None:
    os.execv("/bin/true", ["/bin/true"])


def visibility_probes(prepared: dict[str, Any]) -> dict[str, bool | None]:
    """The probes that only look (no fork, exec or write): safe to run anywhere, which is how a
    test shows they do see the host when nothing confines them."""
    return {
        "sees_other_processes": _succeeded(lambda: _reach_process(prepared["pids"])),
        "proc_visible": _succeeded(lambda: _see_proc(prepared["pids"])),
        "opens_device": _succeeded(_open_device),
        "inherited_descriptors": _succeeded(_inherited_descriptor),
        "host_hostname": os.uname().nodename == prepared["hostname"],
        "host_ipc_visible": _host_ipc_visible(prepared["libc"], prepared["shm_id"]),
        "holds_capabilities": _holds_capabilities(),
    }


def run_probes(prepared: dict[str, Any]) -> dict[str, Any]:
    socket_module = prepared["socket"]
    results = {
        "read_host_file": _succeeded(_read_host_file),
        "write_outside_scratch": _succeeded(_write_outside_scratch),
        "open_socket": _succeeded(lambda: _socket(socket_module)),
        "connect_network": _succeeded(lambda: _connect(socket_module)),
        "fork": _succeeded(_fork),
        "exec": _succeeded(_exec),
        "signal_parent": _succeeded(lambda: _signal_parent(prepared["pids"][0])),
        **visibility_probes(prepared),
        "is_root": os.geteuid() == 0 and os.path.exists("/proc/1"),
        "sees_environment": bool(os.environ),
        "scratch_writable": _succeeded(lambda: open("/tmp/scratch-probe", "w").write("ok")),
    }
    return {"probes": results}


# Every probe but the scratch one must report False.
EXPECTED = {
    "read_host_file": False,
    "write_outside_scratch": False,
    "open_socket": False,
    "connect_network": False,
    "fork": False,
    "exec": False,
    "signal_parent": False,
    "sees_other_processes": False,
    "proc_visible": False,
    "opens_device": False,
    "inherited_descriptors": False,
    "host_hostname": False,
    "host_ipc_visible": False,
    "holds_capabilities": False,
    "is_root": False,
    "sees_environment": False,
    "scratch_writable": True,
}
