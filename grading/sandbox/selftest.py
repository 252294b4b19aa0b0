"""Hostile probes run in a confined child when a sandbox starts; grading refuses to run unless
every probe is blocked. Each probe returns True when the forbidden thing *succeeded*."""

import os
from typing import Any


def prepare() -> dict[str, Any]:
    """Before confinement: load modules a hostile submission might smuggle in via sys.modules,
    so the probes test the kernel's walls rather than a missing import."""
    import socket

    return {"socket": socket, "parent_pid": os.getppid()}


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


def _exec() -> None:
    os.execv("/bin/true", ["/bin/true"])


def run_probes(prepared: dict[str, Any]) -> dict[str, Any]:
    socket_module = prepared["socket"]
    results = {
        "read_host_file": _succeeded(_read_host_file),
        "write_outside_scratch": _succeeded(_write_outside_scratch),
        "open_socket": _succeeded(lambda: _socket(socket_module)),
        "connect_network": _succeeded(lambda: _connect(socket_module)),
        "fork": _succeeded(_fork),
        "exec": _succeeded(_exec),
        "signal_parent": _succeeded(lambda: _signal_parent(prepared["parent_pid"])),
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
    "is_root": False,
    "sees_environment": False,
    "scratch_writable": True,
}
