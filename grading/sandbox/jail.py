"""Confinement of the child process, applied after fork and before any student code runs.

Layers, outermost first:
- new mount, network, IPC and UTS namespaces: no interfaces but a downed loopback, and
  mounts that never reach the host;
- an empty tmpfs as the root directory (chroot), with a world-writable /tmp as the only
  scratch space; it vanishes with the mount namespace, so nothing written survives the run
  and no host file (project, database, other submissions, /proc) can even be named;
- an unprivileged identity (nobody) with no supplementary groups, so the chroot cannot be
  undone and no other process can be signalled or traced;
- rlimits on CPU time, address space, file size, open files, processes and core dumps;
- a seccomp filter refusing process creation, exec, sockets, signals, mounts and
  namespaces (seccomp.py).
"""

import ctypes
import os
import resource
from dataclasses import dataclass

from grading.sandbox import seccomp

NOBODY = 65534
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 2, 4, 8
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
        return False, "seccomp filter is only built for Linux x86-64"
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


def confine(*, jail_dir: str, limits: Limits) -> None:
    """Confine the calling process for good. Raises ConfinementError if any layer fails."""
    try:
        with open("/proc/self/statm") as handle:
            mapped_bytes = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError as exc:
        raise ConfinementError(f"cannot read own memory map size: {exc}") from None
    namespaces = os.CLONE_NEWNS | os.CLONE_NEWNET | os.CLONE_NEWIPC | os.CLONE_NEWUTS
    root = os.geteuid() == 0
    uid, gid = os.getuid(), os.getgid()
    try:
        if root:
            os.unshare(namespaces)
        else:
            os.unshare(namespaces | os.CLONE_NEWUSER)
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1")
            _write("/proc/self/gid_map", f"0 {gid} 1")
        _libc_mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None)
        options = f"size={limits.scratch_bytes},mode=0755".encode()
        _libc_mount(b"tmpfs", jail_dir.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, options)
        os.mkdir(os.path.join(jail_dir, "tmp"), 0o1777)
        os.chmod(os.path.join(jail_dir, "tmp"), 0o1777)
        os.chdir(jail_dir)
        os.chroot(".")
        os.chdir("/tmp")
        if root:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        for which, value in (
            (resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1)),
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
    except OSError as exc:
        raise ConfinementError(f"{type(exc).__name__}: {exc}") from None
    if root and (os.getuid() == 0 or os.geteuid() == 0):
        raise ConfinementError("still root after setuid")
