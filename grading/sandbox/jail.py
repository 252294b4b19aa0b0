"""Confinement of the child process, applied after fork and before any student code runs.

Layers, outermost first:
- a PID namespace of its own, entered by the per-run supervisor before it forks the child
  (`enter_run_namespaces`): the child is its init (pid 1) and no process outside the run
  has a pid it could name; as root the supervisor also keeps the host's user namespace,
  without root it first creates a user namespace that owns all the others;
- new mount, network, IPC and UTS namespaces: no interfaces but a downed loopback, no host
  IPC objects, a fixed hostname, and mounts that never reach the host;
- an empty, read-only tmpfs as the root directory (chroot), with a world-writable tmpfs
  on /tmp as the only scratch space; both vanish with the mount namespace, so nothing
  written survives the run and no host file (project, database, other submissions, /proc)
  can even be named;
- an unprivileged identity (nobody) with no supplementary groups, so the chroot cannot be
  undone and no other process can be signalled or traced; without root there is only one
  identity to map, so the child instead drops every capability it holds in its namespace;
- rlimits on CPU time, address space, file size, open files, processes and core dumps. The
  CPU limit's soft and hard values are equal on purpose: init ignores SIGXCPU's default
  action, so only the hard limit's SIGKILL ends a runaway (the supervisor reports it as a
  timeout);
- a seccomp filter that allows only the system calls CPython and NumPy need (seccomp.py): process
  creation, exec, sockets and signals to others fail with EPERM, executable memory is refused,
  and any call outside the list kills the process.
"""

import ctypes
import os
import resource
import socket
from dataclasses import dataclass

from grading.sandbox import seccomp

NOBODY = 65534
SANDBOX_HOSTNAME = "sandbox"
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT = 1, 2, 4, 8, 32
_MS_REC, _MS_PRIVATE = 16384, 1 << 18


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 5
    memory_bytes: int = 512 * 1024 * 1024  # on top of what the pre-imported interpreter already maps
    scratch_bytes: int = 8 * 1024 * 1024
    file_bytes: int = 1024 * 1024
    open_files: int = 32


class ConfinementError(Exception):
    pass


def isolation_available() -> tuple[bool, str]:
    """Whether this process can build the jail: root, or unprivileged user namespaces."""
    if not seccomp.supported():
        return False, seccomp.unsupported_reason()
    if os.geteuid() == 0:
        return True, "root: namespaces, chroot and setuid to nobody"
    try:
        with open("/proc/sys/user/max_user_namespaces") as handle:
            if int(handle.read().strip() or 0) <= 0:
                return False, "user namespaces are disabled (user.max_user_namespaces = 0)"
    except OSError:
        return False, "cannot read /proc/sys/user/max_user_namespaces"
    return True, "unprivileged: a user namespace provides the other namespaces and the chroot"


def _libc_mount(
    source: bytes | None, target: bytes, fstype: bytes | None, flags: int, data: bytes | None
) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(source, target, fstype, flags, data) != 0:
        errno = ctypes.get_errno()
        raise ConfinementError(f"mount {target!r} failed: {os.strerror(errno)}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def _map_single_identity(uid: int, gid: int) -> None:
    """After unshare(CLONE_NEWUSER): be root inside, mapped to our own (unprivileged) ids outside."""
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")


def enter_run_namespaces(*, privileged: bool) -> None:
    """Called by the per-run supervisor before it forks the child: that child becomes pid 1 of a
    new PID namespace. Without root, a new user namespace comes first (it grants the right to
    create the PID namespace here and the others in the child). Raises ConfinementError."""
    try:
        if privileged:
            os.unshare(os.CLONE_NEWPID)
        else:
            uid, gid = os.getuid(), os.getgid()
            os.unshare(os.CLONE_NEWUSER | os.CLONE_NEWPID)
            _map_single_identity(uid, gid)
    except OSError as exc:
        raise ConfinementError(f"cannot create the run's PID namespace: {exc}") from None


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def capabilities() -> tuple[int, int]:
    """(effective, permitted) capability sets of the calling thread, as 64-bit masks."""
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    effective = data[0].effective | data[1].effective << 32
    permitted = data[0].permitted | data[1].permitted << 32
    return effective, permitted


def _drop_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise ConfinementError(f"capset failed: {os.strerror(ctypes.get_errno())}")


def limit_unconfined(limits: Limits) -> None:
    """Development only, where no jail can be built (the client insists on its loudly named flag):
    the child runs WITHOUT isolation, with just the CPU-time and memory limits, so that an endless
    loop or a runaway allocation still ends. Raises ConfinementError."""
    try:
        with open("/proc/self/statm") as handle:
            mapped_bytes = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (mapped_bytes + limits.memory_bytes,) * 2)
    except (OSError, ValueError) as exc:
        raise ConfinementError(f"cannot set limits: {exc}") from None


def confine(*, jail_dir: str, limits: Limits, privileged: bool) -> None:
    """Confine the calling process for good. Raises ConfinementError if any layer fails.

    `privileged`: the zygote runs as real root (switch to nobody); otherwise the supervisor has
    already put us in a user namespace of our own (`enter_run_namespaces`), where we are root
    in name only and drop every capability once the jail is built.
    """
    try:
        with open("/proc/self/statm") as handle:
            mapped_bytes = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError as exc:
        raise ConfinementError(f"cannot read own memory map size: {exc}") from None
    try:
        os.unshare(os.CLONE_NEWNS | os.CLONE_NEWNET | os.CLONE_NEWIPC | os.CLONE_NEWUTS)
        # The host's name is nobody's business, and a fixed one proves the UTS namespace exists.
        socket.sethostname(SANDBOX_HOSTNAME)
        _libc_mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None)
        # The root is read-only, /tmp a second tmpfs: without root the child owns the root
        # directory (it is root of its user namespace), so file modes alone would not stop it.
        scratch = os.path.join(jail_dir, "tmp")
        flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
        _libc_mount(b"tmpfs", jail_dir.encode(), b"tmpfs", flags, b"size=64k,mode=0755")
        os.mkdir(scratch, 0o755)
        _libc_mount(
            b"tmpfs", scratch.encode(), b"tmpfs", flags, f"size={limits.scratch_bytes},mode=1777".encode()
        )
        _libc_mount(None, jail_dir.encode(), None, _MS_REMOUNT | _MS_RDONLY | flags, None)
        os.chdir(jail_dir)
        os.chroot(".")
        os.chdir("/tmp")
        if privileged:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        else:
            _drop_capabilities()
        for which, value in (
            (resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds)),
            (resource.RLIMIT_AS, (mapped_bytes + limits.memory_bytes,) * 2),
            (resource.RLIMIT_FSIZE, (limits.file_bytes,) * 2),
            (resource.RLIMIT_NOFILE, (limits.open_files,) * 2),
            (resource.RLIMIT_NPROC, (0, 0)),
            (resource.RLIMIT_CORE, (0, 0)),
            (resource.RLIMIT_MEMLOCK, (0, 0)),
        ):
            resource.setrlimit(which, value)
        seccomp.install()
    except ConfinementError:
        raise
    except seccomp.UnsupportedArchitecture as exc:
        raise ConfinementError(str(exc)) from None
    except OSError as exc:
        raise ConfinementError(f"{type(exc).__name__}: {exc}") from None
    if privileged and (os.getuid() == 0 or os.geteuid() == 0):
        raise ConfinementError("still root after setuid")
    if any(capabilities()):
        raise ConfinementError("capabilities left after confinement")
