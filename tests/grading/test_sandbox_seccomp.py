"""The seccomp program decides what we think it decides, checked by running it on a small BPF
interpreter (only the instructions the filter uses) rather than by reading its bytes."""

import errno
import struct

import pytest

from grading.sandbox import seccomp

ALLOW = 0x7FFF0000
KILL_PROCESS = 0x80000000
EPERM = 0x00050000 | errno.EPERM
X86_64 = 0xC000003E


def run_filter(nr: int, args: tuple[int, ...] = (), arch: int = X86_64) -> int:
    """Execute the filter on one system call, as the kernel would."""
    args = tuple(args) + (0,) * (6 - len(args))
    data = struct.pack("<iIQ6Q", nr, arch, 0, *(a & 0xFFFFFFFFFFFFFFFF for a in args))
    program = seccomp.build_program()
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
        elif code == 0x06:  # BPF_RET | BPF_K
            return k
        else:
            raise AssertionError(f"unexpected instruction {code:#x} at {pc}")
    raise AssertionError("the filter did not terminate")


def test_every_jump_lands_inside_the_program_and_every_path_returns():
    program = seccomp.build_program()
    for at, (code, jt, jf, _) in enumerate(program):
        if code in (0x15, 0x35):
            assert at + 1 + max(jt, jf) < len(program)
            assert 0 <= jt <= 255 and 0 <= jf <= 255
    assert program[-1][0] == 0x06


@pytest.mark.parametrize("name", sorted(seccomp.DENIED_SYSCALLS))
def test_denied_calls_fail_with_eperm(name):
    assert run_filter(seccomp.DENIED_SYSCALLS[name]) == EPERM


@pytest.mark.parametrize(
    ("name", "nr"),
    [
        ("read", 0),
        ("write", 1),
        ("openat", 257),
        ("mmap", 9),
        ("brk", 12),
        ("exit_group", 231),
        ("getpid", 39),
    ],
)
def test_calls_a_numpy_optimizer_needs_are_allowed(name, nr):
    assert run_filter(nr) == ALLOW


def test_other_architectures_and_the_x32_abi_kill_the_process():
    assert run_filter(0, arch=0x40000003) == KILL_PROCESS  # i386
    assert run_filter(0x40000000 | 1) == KILL_PROCESS


@pytest.mark.parametrize(
    ("cmd", "expected"), [(8, EPERM), (10, EPERM), (15, EPERM), (3, ALLOW), (4, ALLOW), (1, ALLOW)]
)
def test_fcntl_cannot_hand_signals_to_another_process(cmd, expected):
    """F_SETOWN / F_SETSIG / F_SETOWN_EX refused; F_GETFL, F_SETFL, F_GETFD still work."""
    assert run_filter(72, (3, cmd, 1234)) == expected


@pytest.mark.parametrize(("request_code", "expected"), [(0x8901, EPERM), (0x8902, EPERM), (0x5401, ALLOW)])
def test_ioctl_cannot_set_a_signal_owner(request_code, expected):
    assert run_filter(16, (1, request_code, 0)) == expected


@pytest.mark.parametrize(("pid", "expected"), [(0, ALLOW), (1, EPERM), (4242, EPERM), (-1, EPERM)])
def test_prlimit_only_on_itself(pid, expected):
    assert run_filter(302, (pid, 0, 0, 0)) == expected
