"""Hostile probes run in a confined child when a sandbox starts; grading refuses to run unless
every probe is blocked. Each probe returns True when the forbidden thing *succeeded*.

Some probes need something real on the host to aim at: the supervisor creates it before it
forks the probing child (`create_host_fixtures`: its own and the zygote's pids, the host name,
a shared-memory segment anyone may read) and removes it afterwards.

Calls the seccomp filter answers by killing the process cannot be probed in that child (the
first would end it), so each has a child of its own (`SYSCALL_PROBES`, `run_syscall_probe`):
the client asks for one run per call and counts it blocked only when the kernel killed the
child for it (SIGSYS).
"""

import ctypes
import mmap
import os
import socket
from collections.abc import Callable
from typing import Any

from grading.sandbox import seccomp
from grading.sandbox.jail import capabilities

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
    return dict(fixtures, socket=socket, mmap=mmap, libc=ctypes.CDLL(None, use_errno=True))


def _succeeded(action: Callable[[], object]) -> bool:
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


def _connect(socket_module: Any) -> None:
    with socket_module.create_connection(("127.0.0.1", 9), timeout=0.5):
        pass


def _socket(socket_module: Any) -> None:
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
    return any(capabilities())


def _exec() -> None:
    os.execv("/bin/true", ["/bin/true"])


def _host_hostname(hostname: str) -> bool:
    try:
        return os.uname().nodename == hostname
    except OSError:
        return False  # uname refused: the host's name is not reachable this way either


_PROT_READ, _PROT_WRITE, _PROT_EXEC = 1, 2, 4
_MAP_PRIVATE, _MAP_ANONYMOUS = 0x02, 0x20


def _memfd_exec_mapping(mmap_module: Any) -> None:
    """The classic way to run code without a file: an anonymous file mapped executable."""
    fd = os.memfd_create("probe")
    try:
        os.ftruncate(fd, 4096)
        mmap_module.mmap(fd, 4096, prot=_PROT_READ | _PROT_EXEC).close()
    finally:
        os.close(fd)


def _anonymous_exec_mapping(mmap_module: Any) -> None:
    mmap_module.mmap(-1, 4096, prot=_PROT_READ | _PROT_WRITE | _PROT_EXEC).close()


def _mprotect_exec(libc: Any) -> None:
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    address = libc.mmap(None, 4096, _PROT_READ | _PROT_WRITE, _MAP_PRIVATE | _MAP_ANONYMOUS, -1, 0)
    if address in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "mmap failed")
    if libc.mprotect(ctypes.c_void_p(address), ctypes.c_size_t(4096), _PROT_READ | _PROT_EXEC) != 0:
        raise OSError(ctypes.get_errno(), "mprotect refused")


def _sysinfo(libc: Any) -> None:
    buffer = ctypes.create_string_buffer(256)  # larger than struct sysinfo
    if libc.sysinfo(buffer) != 0:
        raise OSError(ctypes.get_errno(), "sysinfo refused")


# Calls the filter must answer by killing the process: name -> arguments for syscall(2). The
# arguments are harmless even if the call got through (read the LDT, the default memory policy on
# nothing, query the Landlock ABI version, ...); what counts is that the kernel never runs it.
SYSCALL_PROBES: dict[str, tuple[int, ...]] = {
    "modify_ldt": (0, 0, 0),  # x86-64 only: read the (empty) LDT
    "mbind": (0, 0, 0, 0, 0, 0),
    "pkey_alloc": (0, 0),
    "landlock_create_ruleset": (0, 0, 1),  # LANDLOCK_CREATE_RULESET_VERSION
    "memfd_secret": (0,),
    "io_uring_setup": (1, 0),
    "bpf": (0, 0, 0),
    "userfaultfd": (0,),
    "perf_event_open": (0, 0, -1, -1, 0),
    "ptrace": (0, 0, 0, 0),  # PTRACE_TRACEME
    "mount": (0, 0, 0, 0, 0),
    "keyctl": (0, 0, 0),
}


def syscall_probe_names(machine: str | None = None) -> list[str]:
    """The killed-call probes that exist on this architecture."""
    arch = seccomp.ARCHITECTURES.get(machine or seccomp.machine())
    return [name for name in SYSCALL_PROBES if arch and name in arch.numbers]


def run_syscall_probe(name: str) -> dict[str, Any]:
    """Make one call the filter should kill us for. Returning at all means it got through."""
    libc = ctypes.CDLL(None, use_errno=True)
    number = seccomp.architecture().numbers[name]
    libc.syscall(number, *SYSCALL_PROBES[name])
    return {"probes": {name: True}}


def visibility_probes(prepared: dict[str, Any]) -> dict[str, bool | None]:
    """The probes that only look (no fork, exec or write): safe to run anywhere, which is how a
    test shows they do see the host when nothing confines them."""
    return {
        "sees_other_processes": _succeeded(lambda: _reach_process(prepared["pids"])),
        "proc_visible": _succeeded(lambda: _see_proc(prepared["pids"])),
        "opens_device": _succeeded(_open_device),
        "inherited_descriptors": _succeeded(_inherited_descriptor),
        "host_hostname": _host_hostname(prepared["hostname"]),
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
        # Refused with EPERM by the filter (a library may call them and must get an error back).
        "uname": _succeeded(os.uname),
        "sysinfo": _succeeded(lambda: _sysinfo(prepared["libc"])),
        "memfd_exec_mapping": _succeeded(lambda: _memfd_exec_mapping(prepared["mmap"])),
        "anonymous_exec_mapping": _succeeded(lambda: _anonymous_exec_mapping(prepared["mmap"])),
        "mprotect_exec": _succeeded(lambda: _mprotect_exec(prepared["libc"])),
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
    "uname": False,
    "sysinfo": False,
    "memfd_exec_mapping": False,
    "anonymous_exec_mapping": False,
    "mprotect_exec": False,
    # One run each, expected to be killed (see SYSCALL_PROBES).
    **{name: False for name in syscall_probe_names()},
}
