"""The seccomp program decides what we think it decides, checked by running it on a small BPF
interpreter (only the instructions the filter uses) rather than by reading its bytes, for both
architectures; and its system-call tables match the kernel's, as libseccomp knows them."""

import ctypes
import ctypes.util
import errno
import struct

import pytest

from grading.sandbox import seccomp, selftest

ALLOW = 0x7FFF0000
KILL_PROCESS = 0x80000000
EPERM = 0x00050000 | errno.EPERM
ARCHES = sorted(seccomp.ARCHITECTURES)
PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4
# Calls issue 9 found open under the old deny list, and a few other favourites of kernel exploits.
NEWLY_KILLED = (
    "modify_ldt", "mbind", "pkey_alloc", "pkey_mprotect", "landlock_create_ruleset", "landlock_add_rule",
    "landlock_restrict_self", "memfd_secret", "io_uring_setup", "io_uring_enter", "bpf", "perf_event_open",
    "userfaultfd", "ptrace", "keyctl", "add_key", "process_vm_readv", "process_vm_writev", "mount",
    "pivot_root", "init_module", "kexec_load", "set_mempolicy", "symlink", "link", "chdir", "dup2",
)  # fmt: skip


def run_filter(nr: int, args: tuple[int, ...] = (), *, arch_name: str, audit_arch: int | None = None) -> int:
    """Execute the filter on one system call, as the kernel would."""
    arch = seccomp.ARCHITECTURES[arch_name]
    args = tuple(args) + (0,) * (6 - len(args))
    audit = arch.audit_arch if audit_arch is None else audit_arch
    data = struct.pack("<iIQ6Q", nr, audit, 0, *(a & 0xFFFFFFFFFFFFFFFF for a in args))
    program = seccomp.build_program(arch_name)
    accumulator, pc = 0, 0
    for _ in range(10 * len(program)):
        code, jt, jf, k = program[pc]
        if code == 0x20:  # BPF_LD | BPF_W | BPF_ABS
            (accumulator,) = struct.unpack_from("<I", data, k)
            pc += 1
        elif code == 0x15:  # BPF_JMP | BPF_JEQ | BPF_K
            pc += 1 + (jt if accumulator == k else jf)
        elif code == 0x35:  # BPF_JMP | BPF_JGE | BPF_K
            pc += 1 + (jt if accumulator >= k else jf)
        elif code == 0x45:  # BPF_JMP | BPF_JSET | BPF_K
            pc += 1 + (jt if accumulator & k else jf)
        elif code == 0x06:  # BPF_RET | BPF_K
            return k
        else:
            raise AssertionError(f"unexpected instruction {code:#x} at {pc}")
    raise AssertionError("the filter did not terminate")


def call(name: str, args: tuple[int, ...] = (), *, arch_name: str) -> int:
    return run_filter(seccomp.ARCHITECTURES[arch_name].numbers[name], args, arch_name=arch_name)


@pytest.mark.parametrize("arch_name", ARCHES)
def test_every_jump_lands_inside_the_program_and_every_path_returns(arch_name):
    program = seccomp.build_program(arch_name)
    for at, (code, jt, jf, _) in enumerate(program):
        if code in (0x15, 0x35, 0x45):
            assert at + 1 + max(jt, jf) < len(program)
            assert 0 <= jt <= 255 and 0 <= jf <= 255
    assert program[-1][0] == 0x06


def test_the_lists_do_not_overlap_and_every_name_has_a_number_somewhere():
    allowed, refused, ruled = set(seccomp.ALLOWED), set(seccomp.REFUSED), set(seccomp.ARGUMENT_RULES)
    assert not allowed & refused and not allowed & ruled and not refused & ruled
    known = set(seccomp.X86_64_NUMBERS) | set(seccomp.AARCH64_NUMBERS)
    assert allowed | refused | ruled <= known
    assert set(seccomp.ARGUMENT_RULES) <= set(seccomp.X86_64_NUMBERS) & set(seccomp.AARCH64_NUMBERS)


@pytest.mark.parametrize("arch_name", ARCHES)
def test_allowed_calls_are_allowed(arch_name):
    numbers = seccomp.ARCHITECTURES[arch_name].numbers
    for name in seccomp.ALLOWED:
        if name in numbers:
            assert run_filter(numbers[name], arch_name=arch_name) == ALLOW, name


@pytest.mark.parametrize("arch_name", ARCHES)
def test_refused_calls_fail_with_eperm(arch_name):
    numbers = seccomp.ARCHITECTURES[arch_name].numbers
    for name in seccomp.REFUSED:
        if name in numbers:
            assert run_filter(numbers[name], arch_name=arch_name) == EPERM, name


@pytest.mark.parametrize("arch_name", ARCHES)
def test_calls_outside_the_list_kill_the_process(arch_name):
    numbers = seccomp.ARCHITECTURES[arch_name].numbers
    for name in NEWLY_KILLED:
        if name in numbers:
            assert run_filter(numbers[name], arch_name=arch_name) == KILL_PROCESS, name
    listed = set(seccomp.ALLOWED) | set(seccomp.REFUSED) | set(seccomp.ARGUMENT_RULES)
    listed_numbers = {numbers[name] for name in listed if name in numbers}
    for nr in range(0, 600):  # every other number, known to the tables or not
        if nr not in listed_numbers:
            assert run_filter(nr, arch_name=arch_name) == KILL_PROCESS, nr


@pytest.mark.parametrize("arch_name", ARCHES)
def test_the_newly_closed_calls_of_the_issue_are_not_allowed(arch_name):
    for name in ("memfd_create", "modify_ldt", "mbind", "pkey_alloc", "landlock_create_ruleset",
                 "memfd_secret", "sysinfo", "uname"):  # fmt: skip
        if name in seccomp.ARCHITECTURES[arch_name].numbers:
            assert call(name, arch_name=arch_name) in (EPERM, KILL_PROCESS), name


@pytest.mark.parametrize("arch_name", ARCHES)
def test_a_calls_made_under_another_audit_architecture_kill_the_process(arch_name):
    for foreign in (0x40000003, 0x40000028, 0xC000003E, 0xC00000B7):  # i386, arm, x86-64, aarch64
        if foreign != seccomp.ARCHITECTURES[arch_name].audit_arch:
            assert call("read", arch_name=arch_name) == ALLOW
            assert run_filter(0, arch_name=arch_name, audit_arch=foreign) == KILL_PROCESS


def test_the_x32_abi_kills_the_process():
    assert run_filter(0x40000000 | 1, arch_name="x86_64") == KILL_PROCESS


@pytest.mark.parametrize("arch_name", ARCHES)
@pytest.mark.parametrize(
    ("cmd", "expected"), [(8, EPERM), (10, EPERM), (15, EPERM), (3, ALLOW), (4, ALLOW), (1, ALLOW)]
)
def test_fcntl_cannot_hand_signals_to_another_process(arch_name, cmd, expected):
    """F_SETOWN / F_SETSIG / F_SETOWN_EX refused; F_GETFL, F_SETFL, F_GETFD still work."""
    assert call("fcntl", (3, cmd, 1234), arch_name=arch_name) == expected


@pytest.mark.parametrize("arch_name", ARCHES)
@pytest.mark.parametrize(("request_code", "expected"), [(0x8901, EPERM), (0x8902, EPERM), (0x5401, ALLOW)])
def test_ioctl_cannot_set_a_signal_owner(arch_name, request_code, expected):
    assert call("ioctl", (1, request_code, 0), arch_name=arch_name) == expected


@pytest.mark.parametrize("arch_name", ARCHES)
@pytest.mark.parametrize(("pid", "expected"), [(0, ALLOW), (1, EPERM), (4242, EPERM), (-1, EPERM)])
def test_prlimit_only_on_itself(arch_name, pid, expected):
    assert call("prlimit64", (pid, 0, 0, 0), arch_name=arch_name) == expected


@pytest.mark.parametrize("arch_name", ARCHES)
@pytest.mark.parametrize("name", ["mmap", "mprotect"])
@pytest.mark.parametrize(
    ("prot", "expected"),
    [
        (PROT_READ, ALLOW),
        (PROT_READ | PROT_WRITE, ALLOW),
        (0, ALLOW),
        (PROT_EXEC, EPERM),
        (PROT_READ | PROT_EXEC, EPERM),
        (PROT_READ | PROT_WRITE | PROT_EXEC, EPERM),
        (0x1000000 | PROT_READ, ALLOW),  # PROT_GROWSDOWN and friends are not PROT_EXEC
    ],
)
def test_no_executable_memory(arch_name, name, prot, expected):
    assert call(name, (0, 4096, prot, 0x22, -1, 0), arch_name=arch_name) == expected


def test_the_architecture_test_refuses_machines_without_a_table(monkeypatch):
    monkeypatch.setattr(seccomp, "machine", lambda: "riscv64")
    assert not seccomp.supported()
    assert "x86_64 and aarch64" in seccomp.unsupported_reason()
    assert "riscv64" in seccomp.unsupported_reason()
    with pytest.raises(seccomp.UnsupportedArchitecture, match="riscv64"):
        seccomp.build_program()
    assert selftest.syscall_probe_names() == []


def test_every_probe_of_a_killed_call_names_a_call_outside_the_lists():
    listed = set(seccomp.ALLOWED) | set(seccomp.REFUSED) | set(seccomp.ARGUMENT_RULES)
    assert not set(selftest.SYSCALL_PROBES) & listed
    assert "modify_ldt" in selftest.syscall_probe_names("x86_64")
    assert "modify_ldt" not in selftest.syscall_probe_names("aarch64")  # no such call there


# --- the tables against libseccomp's (optional: only where libseccomp.so is installed) ---------------

_LIBSECCOMP = ctypes.util.find_library("seccomp")


@pytest.mark.skipif(_LIBSECCOMP is None, reason="libseccomp is not installed")
@pytest.mark.parametrize("arch_name", ARCHES)
def test_syscall_numbers_match_libseccomps_tables(arch_name):
    lib = ctypes.CDLL(_LIBSECCOMP)
    lib.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    lib.seccomp_syscall_resolve_name_arch.restype = ctypes.c_int
    arch = seccomp.ARCHITECTURES[arch_name]
    every_name = set(seccomp.X86_64_NUMBERS) | set(seccomp.AARCH64_NUMBERS)
    for name in sorted(every_name):
        resolved = lib.seccomp_syscall_resolve_name_arch(arch.audit_arch, name.encode())
        if name in arch.numbers:
            assert resolved == arch.numbers[name], (
                f"{arch_name} {name}: ours {arch.numbers[name]}, libseccomp {resolved}"
            )
        else:
            assert resolved < 0, (
                f"{name} exists on {arch_name} (libseccomp: {resolved}) but is missing from our table"
            )
