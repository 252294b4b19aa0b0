"""A seccomp-BPF allow-list: the confined child may make the system calls CPython and NumPy need
to run a submission, and nothing else.

Three answers, decided per call (and for a few calls per argument):
- ALLOW for the calls in `ALLOWED`, found by tracing real grading runs (every exercise's reference,
  starter and catalogued mistakes, plus submissions that print, sleep, raise, allocate, write
  scratch files, use NumPy's linear algebra, FFT and random generators), each group commented
  with the reason it is there;
- EPERM for the calls in `REFUSED`: those Python's standard library offers on ordinary paths
  (os.fork and threading, subprocess, socket, os.kill and abort(), os.set*id, os.uname, os.nice,
  os.memfd_create ...) and that the host-information probes of libraries make (uname, sysinfo).
  A submission that reaches them by plain Python gets an OSError with its own line in the
  feedback (threads: "can't start new thread") rather than a dead process; NumPy and glibc
  handle the refusal gracefully;
- KILL_PROCESS for everything else: a call no honest submission makes can only come from
  ctypes or cffi (`syscall(2)` by number), and the process ends at the first attempt.

Executable memory: `mmap` and `mprotect` may not ask for PROT_EXEC (EPERM: libffi's closures and
dlopen fail cleanly), so no code can be written and then run, whether in anonymous memory or in a
memfd. Neither CPython nor NumPy generates code at run time. personality(2), whose
READ_IMPLIES_EXEC would make every readable mapping executable, is outside the list.

Architectures: x86-64 and aarch64, with one system-call table each (the numbers differ). The
filter kills any call made under another audit architecture (the i386 or arm32 compat entry
points) and, on x86-64, through the x32 ABI; on any other machine `supported()` is False and
the sandbox refuses to start.

Built by hand (a few hundred BPF instructions, no native dependency) rather than through
libseccomp: the one Python binding on PyPI for it (pyseccomp, a ctypes shim) has had no release
since Python 3.8 and still needs libseccomp.so on the worker, and Debian's python3-seccomp only
serves the system interpreter. The tables were generated with libseccomp's resolver, and the
tests cross-check them against it whenever libseccomp.so is installed.

Some allowed calls are only dangerous with certain arguments: every sandboxed child shares its
identity with the children of other workers, so a call aimed at another process of the same
user is refused unless it targets the caller itself (`ARGUMENT_RULES`).
"""

import ctypes
import errno
import os
import platform
from dataclasses import dataclass

# System call numbers, per architecture; a name missing from one table does not exist there.
X86_64_NUMBERS: dict[str, int] = {
    "read": 0, "write": 1, "readv": 19, "writev": 20, "pread64": 17, "pwrite64": 18, "lseek": 8, "close": 3,
    "fcntl": 72, "ioctl": 16, "openat": 257, "newfstatat": 262, "fstat": 5, "getdents64": 217, "getcwd": 79,
    "mkdir": 83, "mkdirat": 258, "unlink": 87, "unlinkat": 263, "rmdir": 84, "brk": 12, "mmap": 9,
    "munmap": 11, "mremap": 25, "mprotect": 10, "madvise": 28, "clock_gettime": 228, "clock_getres": 229,
    "gettimeofday": 96, "clock_nanosleep": 230, "restart_syscall": 219, "rt_sigaction": 13,
    "rt_sigprocmask": 14, "rt_sigreturn": 15, "sigaltstack": 131, "getpid": 39, "gettid": 186,
    "getppid": 110, "getuid": 102, "geteuid": 107, "getgid": 104, "getegid": 108, "getpgid": 121,
    "getpgrp": 111, "getsid": 124, "sched_getscheduler": 145, "sched_getaffinity": 204, "capget": 125,
    "prlimit64": 302, "getrusage": 98, "getrandom": 318, "futex": 202, "exit": 60, "exit_group": 231,
    "fork": 57, "vfork": 58, "clone": 56, "clone3": 435, "execve": 59, "execveat": 322, "socket": 41,
    "socketpair": 53, "connect": 42, "bind": 49, "listen": 50, "accept": 43, "accept4": 288, "kill": 62,
    "tgkill": 234, "pidfd_open": 434, "pidfd_send_signal": 424, "setuid": 105, "setgid": 106,
    "setreuid": 113, "setregid": 114, "setresuid": 117, "setresgid": 119, "setgroups": 116, "chroot": 161, "shmget": 29, "shmctl": 31, "shmat": 30, "shmdt": 67,
    "unshare": 272, "setns": 308, "mknod": 133, "mknodat": 259, "setpriority": 141, "sched_setparam": 142,
    "sched_setscheduler": 144, "sched_setaffinity": 203, "clock_settime": 227, "memfd_create": 319,
    "uname": 63, "sysinfo": 99, "modify_ldt": 154, "mbind": 237, "pkey_alloc": 330, "pkey_mprotect": 329,
    "landlock_create_ruleset": 444, "landlock_add_rule": 445, "landlock_restrict_self": 446,
    "memfd_secret": 447, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "bpf": 321,
    "perf_event_open": 298, "userfaultfd": 323, "ptrace": 101, "keyctl": 250, "add_key": 248,
    "request_key": 249, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312, "pidfd_getfd": 438,
    "mount": 165, "umount2": 166, "pivot_root": 155, "tkill": 200, "rt_sigqueueinfo": 129,
    "rt_tgsigqueueinfo": 297, "symlink": 88, "symlinkat": 266, "link": 86, "linkat": 265, "chdir": 80,
    "fchdir": 81, "dup": 32, "dup2": 33, "dup3": 292, "pipe": 22, "pipe2": 293, "set_mempolicy": 238,
    "migrate_pages": 256, "move_pages": 279, "init_module": 175, "finit_module": 313, "kexec_load": 246,
    "reboot": 169, "personality": 135, "open_by_handle_at": 304, "name_to_handle_at": 303, "iopl": 172,
    "ioperm": 173,
}  # fmt: skip
AARCH64_NUMBERS: dict[str, int] = {
    "read": 63, "write": 64, "readv": 65, "writev": 66, "pread64": 67, "pwrite64": 68, "lseek": 62,
    "close": 57, "fcntl": 25, "ioctl": 29, "openat": 56, "newfstatat": 79, "fstat": 80, "getdents64": 61,
    "getcwd": 17, "mkdirat": 34, "unlinkat": 35, "brk": 214, "mmap": 222, "munmap": 215, "mremap": 216,
    "mprotect": 226, "madvise": 233, "clock_gettime": 113, "clock_getres": 114, "gettimeofday": 169,
    "clock_nanosleep": 115, "restart_syscall": 128, "rt_sigaction": 134, "rt_sigprocmask": 135,
    "rt_sigreturn": 139, "sigaltstack": 132, "getpid": 172, "gettid": 178, "getppid": 173, "getuid": 174,
    "geteuid": 175, "getgid": 176, "getegid": 177, "getpgid": 155, "getsid": 156, "sched_getscheduler": 120,
    "sched_getaffinity": 123, "capget": 90, "prlimit64": 261, "getrusage": 165, "getrandom": 278,
    "futex": 98, "exit": 93, "exit_group": 94, "clone": 220, "clone3": 435, "execve": 221, "execveat": 281,
    "socket": 198, "socketpair": 199, "connect": 203, "bind": 200, "listen": 201, "accept": 202,
    "accept4": 242, "kill": 129, "tgkill": 131, "pidfd_open": 434, "pidfd_send_signal": 424, "setuid": 146,
    "setgid": 144, "setreuid": 145, "setregid": 143, "setresuid": 147, "setresgid": 149, "setgroups": 159,
    "chroot": 51, "shmget": 194, "shmctl": 195, "shmat": 196, "shmdt": 197, "unshare": 97, "setns": 268, "mknodat": 33, "setpriority": 140, "sched_setparam": 118,
    "sched_setscheduler": 119, "sched_setaffinity": 122, "clock_settime": 112, "memfd_create": 279,
    "uname": 160, "sysinfo": 179, "mbind": 235, "pkey_alloc": 289, "pkey_mprotect": 288,
    "landlock_create_ruleset": 444, "landlock_add_rule": 445, "landlock_restrict_self": 446,
    "memfd_secret": 447, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "bpf": 280,
    "perf_event_open": 241, "userfaultfd": 282, "ptrace": 117, "keyctl": 219, "add_key": 217,
    "request_key": 218, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272, "pidfd_getfd": 438,
    "mount": 40, "umount2": 39, "pivot_root": 41, "tkill": 130, "rt_sigqueueinfo": 138,
    "rt_tgsigqueueinfo": 240, "symlinkat": 36, "linkat": 37, "chdir": 49, "fchdir": 50, "dup": 23,
    "dup3": 24, "pipe2": 59, "set_mempolicy": 237, "migrate_pages": 238, "move_pages": 239,
    "init_module": 105, "finit_module": 273, "kexec_load": 104, "reboot": 142, "personality": 92,
    "open_by_handle_at": 265, "name_to_handle_at": 264,
}  # fmt: skip

ALLOWED: tuple[str, ...] = (
    # Memory: the allocator (brk, mmap/munmap/mremap for large blocks, madvise to give pages back).
    # mmap and mprotect themselves are in ARGUMENT_RULES (no executable mappings).
    "brk", "munmap", "mremap", "madvise",
    # The import system and open(): look up, open and list files (only the jail's empty root and
    # its /tmp scratch exist); isatty() and fcntl() are in ARGUMENT_RULES.
    "openat", "newfstatat", "fstat", "getdents64", "getcwd",
    # Descriptors already open (stdin, the output pipe, the result pipe, scratch files).
    "read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close",
    # A pipe to itself (os.pipe): nobody else can hold the other end.
    "pipe", "pipe2",
    # Scratch files in /tmp (the tempfile module writes and removes a probe file to choose a directory).
    "mkdir", "mkdirat", "unlink", "unlinkat", "rmdir",
    # Clocks and sleeping (time.time, perf_counter and process_time fall back to these off the vDSO).
    "clock_gettime", "clock_getres", "gettimeofday", "clock_nanosleep", "restart_syscall",
    # Signal handling inside the process itself (signal.signal, abort(), handler returns).
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
    # Who am I: ids, the process's own usage and limits (prlimit64 is in ARGUMENT_RULES). capget is
    # the confinement's own last check that no capability is left.
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "capget", "getrusage",
    # Read-only questions about a process by pid: in the run's PID namespace the child can only
    # name itself, so the namespace, not the filter, answers them (the self-test checks that wall).
    "getpgid", "getpgrp", "getsid", "sched_getscheduler", "sched_getaffinity",
    # Randomness (os.urandom, unseeded NumPy generators, tempfile names).
    "getrandom",
    # Locks waiting with a timeout; with no second thread they can only wait on the process's own memory.
    "futex",
    # Leaving.
    "exit", "exit_group",
)  # fmt: skip

REFUSED: tuple[str, ...] = (
    # Processes and programs: os.fork, threading, subprocess, multiprocessing, os.exec*, os.system.
    "fork", "vfork", "clone", "clone3", "execve", "execveat",
    # Sockets (the socket module): the network namespace is empty anyway.
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    # Signals (os.kill, signal.pthread_kill, abort(), the pidfd API).
    "kill", "tgkill", "pidfd_open", "pidfd_send_signal",
    # Identity, root, namespaces, device nodes (os.set*id, os.chroot, os.unshare, os.setns, os.mknod).
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups",
    "chroot", "unshare", "setns", "mknod", "mknodat",
    # Priority and placement, which reach other processes of the same user (os.nice, os.sched_set*).
    "setpriority", "sched_setparam", "sched_setscheduler", "sched_setaffinity",
    # The clock, anonymous files (os.memfd_create: the first step to executable memory without a file).
    "clock_settime", "memfd_create",
    # System V shared memory (no wrapper in the standard library, but the self-test looks for the host's
    # segments with shmctl; the run's IPC namespace is empty anyway).
    "shmget", "shmctl", "shmat", "shmdt",
    # Host information: the kernel version and the machine's memory (os.uname, platform, socket.gethostname,
    # os.sysconf('SC_PHYS_PAGES')), which libraries probe and do without.
    "uname", "sysinfo",
)  # fmt: skip

# Calls allowed only with certain arguments: name -> (argument index, kind, values).
# kind "refuse": EPERM when the argument equals one of the values; "only": EPERM unless it does;
# "no-bits": EPERM when the argument has any of the bits set. Arguments are compared on their
# low 32 bits, which is all the kernel reads for these (an int command or prot, a pid_t).
_F_SETOWN, _F_SETSIG, _F_SETOWN_EX = 8, 10, 15  # fcntl: deliver SIGIO (or any signal) to another process
_FIOSETOWN, _SIOCSPGRP = 0x8901, 0x8902  # ioctl: the same through the generic ioctl path
PROT_EXEC = 0x4
ARGUMENT_RULES: dict[str, tuple[int, str, tuple[int, ...]]] = {
    "fcntl": (1, "refuse", (_F_SETOWN, _F_SETSIG, _F_SETOWN_EX)),  # fcntl(fd, cmd, ...)
    "ioctl": (1, "refuse", (_FIOSETOWN, _SIOCSPGRP)),  # ioctl(fd, request, ...)
    # getrlimit/setrlimit go through prlimit64 with pid 0 (the caller): no other pid.
    "prlimit64": (0, "only", (0,)),
    # No executable memory: mmap(addr, length, prot, ...), mprotect(addr, length, prot).
    "mmap": (2, "no-bits", (PROT_EXEC,)),
    "mprotect": (2, "no-bits", (PROT_EXEC,)),
}


@dataclass(frozen=True)
class Architecture:
    audit_arch: int  # AUDIT_ARCH_* from <linux/audit.h>, as seccomp_data.arch reports it
    numbers: dict[str, int]
    x32_bit: bool  # x86-64 only: a second ABI shares the audit arch and sets bit 30 of the number


ARCHITECTURES: dict[str, Architecture] = {
    "x86_64": Architecture(0xC000003E, X86_64_NUMBERS, True),
    "aarch64": Architecture(0xC00000B7, AARCH64_NUMBERS, False),
}

_X32_SYSCALL_BIT = 0x40000000
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_JSET_K = 0x45
_BPF_RET_K = 0x06
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
_OFFSET_NR = 0
_OFFSET_ARCH = 4
_OFFSET_ARGS = 16  # seccomp_data.args[i] is 8 bytes at 16 + 8 * i; its low half comes first (little-endian)
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


class UnsupportedArchitecture(RuntimeError):
    pass


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def machine() -> str:
    return platform.machine()


def supported() -> bool:
    return platform.system() == "Linux" and machine() in ARCHITECTURES


def unsupported_reason() -> str:
    return (
        f"the seccomp filter is only built for Linux on {' and '.join(ARCHITECTURES)}; "
        f"this machine is {platform.system()} on {machine() or 'an unknown architecture'}"
    )


def architecture(name: str | None = None) -> Architecture:
    name = machine() if name is None else name
    if name not in ARCHITECTURES:
        raise UnsupportedArchitecture(
            unsupported_reason() if name == machine() else f"no syscall table for {name}"
        )
    return ARCHITECTURES[name]


def build_program(arch_name: str | None = None) -> list[tuple[int, int, int, int]]:
    """The filter for one architecture, as (code, jt, jf, k) tuples.

    Layout: check the architecture (and refuse the x32 ABI); one compare per allowed call that
    jumps to the shared ALLOW return, one per refused call to the shared EPERM return, one per
    argument-checked call to its own small block; falling off the chains reaches KILL_PROCESS.
    Jumps are written against labels and resolved at the end.
    """
    arch = architecture(arch_name)
    numbers = arch.numbers
    program: list[tuple[int, int | str, int | str, int]] = [
        (_BPF_LD_W_ABS, 0, 0, _OFFSET_ARCH),
        (_BPF_JEQ_K, 1, 0, arch.audit_arch),
        (_BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        (_BPF_LD_W_ABS, 0, 0, _OFFSET_NR),
    ]
    if arch.x32_bit:
        program += [(_BPF_JGE_K, 0, 1, _X32_SYSCALL_BIT), (_BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS)]
    program += [(_BPF_JEQ_K, "allow", 0, numbers[name]) for name in ALLOWED if name in numbers]
    program += [(_BPF_JEQ_K, "eperm", 0, numbers[name]) for name in REFUSED if name in numbers]
    program += [(_BPF_JEQ_K, f"args-{name}", 0, numbers[name]) for name in ARGUMENT_RULES]
    program.append((_BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS))
    labels: dict[str, int] = {}
    for name, (index, kind, values) in ARGUMENT_RULES.items():
        labels[f"args-{name}"] = len(program)
        program.append((_BPF_LD_W_ABS, 0, 0, _OFFSET_ARGS + 8 * index))
        if kind == "refuse":
            program += [(_BPF_JEQ_K, "eperm", 0, value) for value in values]
            program.append((_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
        elif kind == "only":
            program += [(_BPF_JEQ_K, "allow", 0, value) for value in values]
            program.append((_BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM))
        elif kind == "no-bits":
            program.append((_BPF_JSET_K, "eperm", 0, sum(values)))
            program.append((_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
        else:
            raise ValueError(f"unknown argument rule {kind!r} for {name}")
    labels["allow"] = len(program)
    program.append((_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    labels["eperm"] = len(program)
    program.append((_BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM))

    def resolve(target: int | str, at: int) -> int:
        return labels[target] - at - 1 if isinstance(target, str) else target

    resolved = [(code, resolve(jt, at), resolve(jf, at), k) for at, (code, jt, jf, k) in enumerate(program)]
    if max(max(jt, jf) for _, jt, jf, _ in resolved) > 255:
        raise RuntimeError("seccomp program jump out of range")
    return resolved


def install() -> None:
    """Install the filter on the calling process (irreversible; inherited by nothing, since fork is refused)."""
    program = build_program()  # raises UnsupportedArchitecture before anything is changed
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    filters = (_SockFilter * len(program))(*[_SockFilter(*instruction) for instruction in program])
    fprog = _SockFprog(len(program), filters)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()) + " (seccomp filter)")
