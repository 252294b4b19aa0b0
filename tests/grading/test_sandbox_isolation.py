"""The kernel walls around one run, checked from inside the run with the real zygote.

Each test submits a small program that reports what it can see or reach, then checks the
report (or the trusted facts the sandbox observed) against what the isolation promises:
a PID namespace of its own, a CPU limit that ends a runaway promptly even though the
submission is the namespace's init, and a client that refuses bad requests without losing
its zygote.
"""

import json
import os
import re
import secrets
import signal

import pytest

from grading.sandbox import client
from grading.sandbox.client import Sandbox, SandboxUnavailable
from grading.sandbox.protocol import MAX_PLAN_BYTES, decode_frame
from tests.grading import hostile_support as hs


@pytest.fixture(scope="module")
def sandbox():
    try:
        box = Sandbox(wall_seconds=5)
        box.start()
    except SandboxUnavailable as exc:
        pytest.skip(f"this machine cannot isolate submissions: {exc}")
    yield box
    box.close()


def _report(raw) -> dict:
    """The JSON line a probing submission printed."""
    match = re.search(r"^REPORT (.+)$", raw.output, re.MULTILINE)
    assert match, f"no report (outcome {raw.outcome}, exit {raw.exit_code}): {raw.output[:800]!r}"
    return json.loads(match.group(1))


def _probe_source(body: str) -> str:
    return "import json, os\nreport = {}\n" + body + "\nprint('REPORT ' + json.dumps(report), flush=True)\n"


def _supervisor_pids(sandbox: Sandbox) -> list[int]:
    """Host pids that exist while a run is going on: the zygote, and ourselves (the worker)."""
    return [sandbox._process.pid, os.getpid()]


def test_a_run_is_the_only_process_in_its_pid_namespace(sandbox):
    host_pids = _supervisor_pids(sandbox)
    body = f"""
report["pid"] = os.getpid()
report["ppid"] = os.getppid()
reached = []
for pid in {host_pids!r} + [2, 300, 4242]:
    for name in ("getpgid", "getsid"):
        try:
            getattr(os, name)(pid)
            reached.append([name, pid])
        except OSError:
            pass
    try:
        os.sched_getscheduler(pid)
        reached.append(["sched_getscheduler", pid])
    except OSError:
        pass
report["reached"] = reached
"""
    report = _report(sandbox.run({"source": _probe_source(body), "cases": []}))
    assert report["pid"] == 1, "the submission should be init of a PID namespace of its own"
    assert report["ppid"] == 0, "its parent (the supervisor) must be outside its namespace"
    assert report["reached"] == [], f"processes outside the run answered: {report['reached']}"


def test_cpu_limit_ends_a_pure_python_loop_promptly(sandbox):
    """pid 1 ignores SIGXCPU's default action, so the soft limit alone would not stop it."""
    box = Sandbox(wall_seconds=8, limits={"cpu_seconds": 1})
    box.start()
    try:
        raw = box.run({"source": "while True:\n    pass\n", "cases": []})
    finally:
        box.close()
    assert raw.outcome == "timeout", (raw.outcome, raw.exit_code, raw.cpu_seconds)
    assert 0.5 <= raw.cpu_seconds < 1.5, f"the CPU limit fired late: {raw.cpu_seconds:.2f} s of CPU"
    assert raw.wall_seconds < 7, "the run ended on the wall clock, not on the CPU limit"


def test_cpu_limit_ends_a_loop_inside_c_code_promptly():
    source = "import numpy as np\nbig = np.ones((400, 400))\nwhile True:\n    np.linalg.inv(big @ big.T + np.eye(400))\n"
    box = Sandbox(wall_seconds=8, limits={"cpu_seconds": 1})
    box.start()
    try:
        raw = box.run({"source": source, "cases": []})
    finally:
        box.close()
    assert raw.outcome == "timeout", (raw.outcome, raw.exit_code, raw.cpu_seconds)
    assert 0.5 <= raw.cpu_seconds < 1.5, f"ended after {raw.cpu_seconds:.2f} s of CPU: {raw.output[-300:]!r}"


def test_large_matrix_products_run_single_threaded_without_hanging(sandbox):
    """A BLAS that starts threads in the zygote tries to restart them in the child, where creating
    threads is refused, and hangs; products big enough to go multi-threaded must just work."""
    source = _probe_source(
        "import numpy as np\nbig = np.ones((600, 600))\nreport['sum'] = float((big @ big.T).sum())\n"
    )
    raw = sandbox.run({"source": source, "cases": []}, wall_seconds=5)
    assert _report(raw) == {"sum": 600.0**3}


def test_a_submission_that_finishes_under_the_cpu_limit_is_not_a_timeout(sandbox):
    raw = sandbox.run(hs.build_plan(hs.BENIGN_SGD))
    assert raw.outcome == "exited" and raw.exit_code == 0


def test_self_test_reports_every_probe_it_expects(sandbox):
    """The self-test ran at start; run it again and look at each probe, not only the verdict."""
    run = sandbox._request({"op": "selftest", "wall_seconds": 10})
    header, _ = decode_frame(run.result_bytes, max_payload=0)
    probes = header["probes"]
    killed = client.selftest.syscall_probe_names()
    assert set(probes) == set(client.selftest.EXPECTED) - set(killed)
    for name in killed:  # the calls the filter kills for are probed one run each
        run = sandbox._request({"op": "selftest", "syscall": name, "wall_seconds": 10})
        probes[name] = False if run.exit_code == -signal.SIGSYS else run.exit_code
    leaks = {name: value for name, value in probes.items() if value is not client.selftest.EXPECTED[name]}
    assert not leaks, f"probes that did not get the expected answer: {leaks}"


def test_self_test_probes_each_newly_closed_call():
    expected = client.selftest.EXPECTED
    for name in ("uname", "sysinfo", "memfd_exec_mapping", "anonymous_exec_mapping", "mprotect_exec"):
        assert expected[name] is False
    for name in ("mbind", "pkey_alloc", "landlock_create_ruleset", "memfd_secret", "io_uring_setup", "bpf"):
        assert expected[name] is False
    if client.selftest.seccomp.machine() == "x86_64":
        assert expected["modify_ldt"] is False


@pytest.mark.parametrize(
    "probe",
    [
        "sees_other_processes",
        "proc_visible",
        "opens_device",
        "inherited_descriptors",
        "host_hostname",
        "host_ipc_visible",
        "holds_capabilities",
    ],
)
def test_self_test_covers_the_isolation_gaps_worth_failing_closed_on(probe):
    assert client.selftest.EXPECTED.get(probe) is False


@pytest.mark.skipif(os.geteuid() != 0, reason="holding capabilities needs root")
def test_visibility_probes_do_see_the_host_when_nothing_confines_them():
    """Run here, in the unconfined test process, every probe must report the leak: a probe that
    says "blocked" everywhere would make the self-test pass on a machine that isolates nothing."""
    fixtures = client.selftest.create_host_fixtures()
    try:
        probes = client.selftest.visibility_probes(client.selftest.prepare(fixtures))
    finally:
        client.selftest.remove_host_fixtures(fixtures)
    blind = sorted(name for name, value in probes.items() if value is not True)
    assert not blind, f"probes blind to the unconfined host: {blind}"


def test_an_oversized_plan_is_refused_before_it_reaches_the_zygote(sandbox):
    zygote_pid = sandbox._process.pid
    huge = "# " + "x" * MAX_PLAN_BYTES + "\n"
    with pytest.raises(ValueError, match="too large"):
        sandbox.run({"source": huge, "cases": []})
    assert sandbox._process is not None and sandbox._process.pid == zygote_pid, "the zygote was lost"
    assert sandbox.run(hs.build_plan(hs.BENIGN_SGD)).exit_code == 0


def test_unknown_limits_are_refused_when_the_sandbox_is_built():
    with pytest.raises(ValueError, match="cpu_secs"):
        Sandbox(limits={"cpu_secs": 1})


def test_a_call_outside_the_list_ends_the_run_with_a_note_saying_so(sandbox):
    source = hs.fill_syscall_numbers(
        "import ctypes\nctypes.CDLL(None).syscall(int('__NR_memfd_secret__'), 0)\n" + hs.BENIGN_SGD
    )
    raw = sandbox.run(hs.build_plan(source))
    assert raw.exit_code == -signal.SIGSYS
    assert "system call the sandbox does not allow" in raw.output
    assert sandbox.run(hs.build_plan(hs.BENIGN_SGD)).exit_code == 0


def test_the_zygote_refuses_a_probe_of_a_call_it_does_not_know(sandbox):
    run = sandbox._request({"op": "selftest", "syscall": "execve", "wall_seconds": 5})
    assert run.outcome == "bad_request"
    assert sandbox.run(hs.build_plan(hs.BENIGN_SGD)).exit_code == 0


def test_a_child_prepared_in_advance_serves_one_run_only(sandbox):
    """The next run's child is forked and confined before its submission arrives; whatever a
    submission leaves in its process (here a mark on a module every run imports) dies with it."""
    token = secrets.token_hex(8)
    marker = f"import numpy\nnumpy.descent_mark = {token!r}\n"
    looker = (
        "import json, numpy\nprint('REPORT ' + json.dumps({'mark': getattr(numpy, 'descent_mark', None)}))\n"
    )
    sandbox.run(hs.build_plan(hs.BENIGN_SGD))  # from here on, every run finds its child prepared
    for _ in range(3):
        assert sandbox.run(hs.build_plan(marker + hs.BENIGN_SGD)).exit_code == 0
        raw = sandbox.run(hs.build_plan(looker + hs.BENIGN_SGD))
        assert _report(raw) == {"mark": None}


def test_a_run_with_other_limits_gets_a_child_confined_with_them(sandbox):
    """A prepared child carries the limits of the run before; a run that asks for others must not
    inherit them (and the next run with the new limits finds a child prepared with those)."""
    looker = _probe_source(
        "import resource\nreport['open_files'] = resource.getrlimit(resource.RLIMIT_NOFILE)[0]\n"
    )
    box = Sandbox(wall_seconds=5, limits={"open_files": 32})
    try:
        box.start()
        assert _report(box.run(hs.build_plan(looker + hs.BENIGN_SGD)))["open_files"] == 32
        box.limits = {"open_files": 24}
        for _ in range(2):
            assert _report(box.run(hs.build_plan(looker + hs.BENIGN_SGD)))["open_files"] == 24
        box.limits = {"open_files": 32}
        assert _report(box.run(hs.build_plan(looker + hs.BENIGN_SGD)))["open_files"] == 32
    finally:
        box.close()


def test_other_requests_still_reach_the_zygote_after_a_run(sandbox):
    """After a run the prepared supervisor reads the next request; one that is not a run goes
    back to the zygote, which answers it, and the next run still works."""
    sandbox.run(hs.build_plan(hs.BENIGN_SGD))
    assert sandbox._request({"op": "no-such-op", "wall_seconds": 5}).outcome == "bad_request"
    assert (
        sandbox._request({"op": "selftest", "syscall": "execve", "wall_seconds": 5}).outcome == "bad_request"
    )
    probe = sandbox._request({"op": "selftest", "wall_seconds": 10})
    assert probe.outcome == "exited" and probe.exit_code == 0
    assert sandbox.run(hs.build_plan(hs.BENIGN_SGD)).exit_code == 0
