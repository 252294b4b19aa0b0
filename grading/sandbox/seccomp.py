"""A seccomp-BPF filter that refuses the system calls a graded optimizer never needs.

Built by hand (a few dozen BPF instructions) rather than through libseccomp, so the
sandbox has no native dependency. The filter is a deny list on x86-64: it kills the
process on any other architecture or on the x32 ABI, returns EPERM for the listed calls
(process creation, exec, sockets, signals to others, mounts, namespaces, kernel
interfaces), and allows everything else. The empty root, the unprivileged identity and
the network namespace are the other walls; this one keeps the process from building doors.

A few calls are only dangerous with certain arguments: there is no PID namespace, so every
sandboxed child shares the identity `nobody` with the children of other workers, and a call
aimed at another process of the same user would reach a submission graded next door. Those
calls are refused unless they target the caller itself (`ARGUMENT_RULES`).
"""

import ctypes
import errno
import os
import platform

# x86-64 system call numbers.
DENIED_SYSCALLS: dict[str, int] = {
    "clone": 56, "fork": 57, "vfork": 58, "execve": 59, "execveat": 322, "clone3": 435,
    "socket": 41, "connect": 42, "accept": 43, "bind": 49, "listen": 50, "socketpair": 53, "accept4": 288,
    "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
    "pidfd_open": 434, "pidfd_send_signal": 424, "pidfd_getfd": 438,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
    "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "unshare": 272, "setns": 308,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "mount_setattr": 442,
    "setuid": 105, "setgid": 106, "setreuid": 113, "setregid": 114, "setgroups": 116, "setresuid": 117,
    "setresgid": 119,
    "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "init_module": 175, "finit_module": 313, "delete_module": 176, "kexec_load": 246, "kexec_file_load": 320,
    "reboot": 169, "swapon": 167, "swapoff": 168, "syslog": 103, "acct": 163, "settimeofday": 164,
    "clock_settime": 227, "open_by_handle_at": 304, "name_to_handle_at": 303, "iopl": 172, "ioperm": 173,
    "personality": 135, "mknod": 133, "mknodat": 259, "quotactl": 179, "vhangup": 153,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "fanotify_init": 300,
    # Reach other processes of the same user (re-nice, re-pin, move their memory, compare their files).
    "setpriority": 141, "sched_setparam": 142, "sched_setscheduler": 144, "sched_setaffinity": 203,
    "sched_setattr": 314, "ioprio_set": 251, "migrate_pages": 256, "move_pages": 279, "kcmp": 312,
    "process_madvise": 440, "process_mrelease": 448,
}  # fmt: skip

# Calls allowed in general but refused when one argument takes one of these values:
# (syscall number, argument index, refused values). Arguments are compared on their low 32 bits,
# which is all the kernel reads for these (an int command, a pid_t).
_F_SETOWN, _F_SETSIG, _F_SETOWN_EX = 8, 10, 15  # fcntl: deliver SIGIO (or any signal) to another process
_FIOSETOWN, _SIOCSPGRP = 0x8901, 0x8902  # ioctl: the same through the generic ioctl path
ARGUMENT_RULES: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (72, 1, (_F_SETOWN, _F_SETSIG, _F_SETOWN_EX)),  # fcntl(fd, cmd, ...)
    (16, 1, (_FIOSETOWN, _SIOCSPGRP)),  # ioctl(fd, request, ...)
)
# prlimit64(pid, ...) is what glibc's getrlimit/setrlimit use with pid 0: allow only pid 0 (itself).
_PRLIMIT64 = 302

_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
_SECCOMP_RET_KILL_PROCESS = 0x80000000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_ALLOW = 0x7FFF0000
_OFFSET_NR = 0
_OFFSET_ARCH = 4
_OFFSET_ARGS = 16  # seccomp_data.args[i] is 8 bytes at 16 + 8 * i; its low half comes first on x86-64
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in {"x86_64", "AMD64"}


def _arg_low(index: int) -> int:
    return _OFFSET_ARGS + 8 * index


def build_program(
    denied: dict[str, int] = DENIED_SYSCALLS,
    argument_rules: tuple[tuple[int, int, tuple[int, ...]], ...] = ARGUMENT_RULES,
) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) tuples.

    Layout: check the architecture and refuse the x32 ABI; one compare per denied call that
    jumps to the shared EPERM return; then one compare per argument-checked call that jumps to
    its own small block (load the argument, compare it with each refused value); falling off
    the chains reaches ALLOW. Jumps are written against labels and resolved at the end.
    """
    numbers = sorted(set(denied.values()))
    # Each entry: (code, true-label or offset, false-label or offset, k). A str is a label.
    program: list[tuple[int, int | str, int | str, int]] = [
        (_BPF_LD_W_ABS, 0, 0, _OFFSET_ARCH),
        (_BPF_JEQ_K, 1, 0, _AUDIT_ARCH_X86_64),
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_KILL_PROCESS),
        (_BPF_LD_W_ABS, 0, 0, _OFFSET_NR),
        (_BPF_JGE_K, 0, 1, _X32_SYSCALL_BIT),
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_KILL_PROCESS),
    ]
    program += [(_BPF_JEQ_K, "eperm", 0, number) for number in numbers]
    program += [(_BPF_JEQ_K, f"args-{nr}", 0, nr) for nr, _, _ in argument_rules]
    program.append((_BPF_JEQ_K, "prlimit64", 0, _PRLIMIT64))
    labels: dict[str, int] = {}
    program.append((_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW))
    for nr, index, refused in argument_rules:
        labels[f"args-{nr}"] = len(program)
        program.append((_BPF_LD_W_ABS, 0, 0, _arg_low(index)))
        program += [(_BPF_JEQ_K, "eperm", 0, value) for value in refused]
        program.append((_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW))
    labels["prlimit64"] = len(program)
    program.append((_BPF_LD_W_ABS, 0, 0, _arg_low(0)))
    program.append((_BPF_JEQ_K, 0, "eperm", 0))
    program.append((_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW))
    labels["eperm"] = len(program)
    program.append((_BPF_RET_K, 0, 0, _SECCOMP_RET_ERRNO | errno.EPERM))

    def resolve(target: int | str, at: int) -> int:
        return labels[target] - at - 1 if isinstance(target, str) else target

    return [(code, resolve(jt, at), resolve(jf, at), k) for at, (code, jt, jf, k) in enumerate(program)]


def install() -> None:
    """Install the filter on the calling process (irreversible; inherited by nothing, since fork is denied)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    program = build_program()
    if max(max(jt, jf) for _, jt, jf, _ in program) > 255:
        raise RuntimeError("seccomp program jump out of range")
    filters = (_SockFilter * len(program))(*[_SockFilter(*instruction) for instruction in program])
    fprog = _SockFprog(len(program), filters)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()) + " (seccomp filter)")
