"""Grading fails closed: without the isolation it needs, the sandbox refuses and says what is missing.

This machine can isolate, and the client has no switch to pretend otherwise (a test-only backdoor
would be a backdoor). So the refusal logic is tested at its two seams: `jail.isolation_available`
with its inputs replaced, and the client talking to a stand-in zygote (a tiny script speaking the
real frame protocol) that reports missing isolation, loaded reference code or a failed probe.
"""

import io
import textwrap
import time
from pathlib import Path

import pytest

from grading.sandbox import client, jail, seccomp, selftest
from grading.sandbox.client import INSECURE_ENV_FLAG, Sandbox, SandboxUnavailable
from grading.sandbox.protocol import encode_frame

ALL_BLOCKED = {name: name == "scratch_writable" for name in selftest.EXPECTED}


# --- jail.isolation_available -----------------------------------------------------------------------


def _user_namespaces(monkeypatch, content: str | None) -> None:
    """Pretend to be an unprivileged user whose kernel reports `content` as the namespace limit."""
    monkeypatch.setattr(jail.os, "geteuid", lambda: 1000)

    def fake_open(path, *args, **kwargs):
        if path != "/proc/sys/user/max_user_namespaces":
            return open(path, *args, **kwargs)
        if content is None:
            raise PermissionError(path)
        return io.StringIO(content)

    monkeypatch.setattr(jail, "open", fake_open, raising=False)


def test_isolation_is_unavailable_without_the_seccomp_filter(monkeypatch):
    monkeypatch.setattr(seccomp, "supported", lambda: False)
    available, how = jail.isolation_available()
    assert not available
    assert "seccomp" in how


@pytest.mark.parametrize("machine", ["riscv64", "armv7l", "i686", "ppc64le"])
def test_isolation_is_unavailable_on_an_architecture_without_a_syscall_table(monkeypatch, machine):
    monkeypatch.setattr(seccomp, "machine", lambda: machine)
    available, how = jail.isolation_available()
    assert not available
    assert machine in how and "x86_64 and aarch64" in how
    with pytest.raises(seccomp.UnsupportedArchitecture, match=machine):
        seccomp.install()  # refuses before touching the process


def test_isolation_is_unavailable_when_user_namespaces_are_disabled(monkeypatch):
    _user_namespaces(monkeypatch, "0\n")
    available, how = jail.isolation_available()
    assert not available
    assert "user namespaces are disabled" in how


def test_isolation_is_unavailable_when_the_namespace_limit_cannot_be_read(monkeypatch):
    _user_namespaces(monkeypatch, None)
    available, how = jail.isolation_available()
    assert not available
    assert "max_user_namespaces" in how


def test_unprivileged_user_namespaces_are_enough(monkeypatch):
    _user_namespaces(monkeypatch, "15000\n")
    available, how = jail.isolation_available()
    assert available
    assert "unprivileged" in how


# --- the client against a stand-in zygote --------------------------------------------------------------


def _stand_in_zygote(tmp_path: Path, hello: dict, selftest_probes: dict | None = None) -> Path:
    """A script that greets like the zygote and, if asked for a self-test, reports these probes."""
    answer = b""
    if selftest_probes is not None:
        result = encode_frame({"probes": selftest_probes})
        answer = encode_frame(
            {"outcome": "exited", "exit_code": 0, "wall_seconds": 0.01, "output": ""}, result
        )
    script = tmp_path / "stand_in_zygote.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, struct, json
            os.write(1, {encode_frame(hello)!r})
            def read_request():
                head = os.read(0, 4)
                if len(head) < 4:
                    return None
                raw = b""
                (size,) = struct.unpack(">I", head)
                while len(raw) < size:
                    raw += os.read(0, size - len(raw))
                request = json.loads(raw)
                remaining = request.get("payload_bytes", 0)
                while remaining:
                    remaining -= len(os.read(0, remaining))
                return request
            while (request := read_request()) is not None and request.get("op") != "exit":
                os.write(1, {answer!r})
            """
        )
    )
    return script


def _hello(**overrides) -> dict:
    return {"ready": True, "isolation": True, "how": "stand-in", "forbidden_loaded": []} | overrides


def test_client_refuses_when_the_zygote_reports_no_isolation(tmp_path, monkeypatch):
    monkeypatch.delenv(INSECURE_ENV_FLAG, raising=False)
    how = "user namespaces are disabled (user.max_user_namespaces = 0)"
    monkeypatch.setattr(client, "ZYGOTE", _stand_in_zygote(tmp_path, _hello(isolation=False, how=how)))
    with pytest.raises(SandboxUnavailable) as refused:
        Sandbox().start()
    assert how in str(refused.value)
    assert INSECURE_ENV_FLAG in str(refused.value), "the message should name the explicit development escape"


def test_only_the_loudly_named_setting_allows_grading_without_isolation(tmp_path, monkeypatch):
    monkeypatch.setenv(INSECURE_ENV_FLAG, "1")
    monkeypatch.setattr(client, "ZYGOTE", _stand_in_zygote(tmp_path, _hello(isolation=False, how="none")))
    box = Sandbox()
    box.start()
    box.close()
    monkeypatch.setenv(INSECURE_ENV_FLAG, "yes")  # anything but exactly "1" keeps refusing
    with pytest.raises(SandboxUnavailable):
        Sandbox().start()


def test_client_refuses_when_reference_code_was_loaded_into_the_zygote(tmp_path, monkeypatch):
    hello = _hello(ready=False, forbidden_loaded=["optimlab.optimizers"])
    monkeypatch.setattr(client, "ZYGOTE", _stand_in_zygote(tmp_path, hello))
    with pytest.raises(SandboxUnavailable, match="optimlab.optimizers"):
        Sandbox().start()


def test_client_refuses_when_the_zygote_dies_before_greeting(tmp_path, monkeypatch):
    script = tmp_path / "dead_zygote.py"
    script.write_text("raise SystemExit(3)\n")
    monkeypatch.setattr(client, "ZYGOTE", script)
    with pytest.raises(SandboxUnavailable, match="did not start"):
        Sandbox().start()


@pytest.mark.parametrize("leaky_probe", ["read_host_file", "connect_network", "fork", "sees_environment"])
def test_client_refuses_when_a_self_test_probe_got_through(tmp_path, monkeypatch, leaky_probe):
    probes = ALL_BLOCKED | {leaky_probe: True}
    monkeypatch.setattr(client, "ZYGOTE", _stand_in_zygote(tmp_path, _hello(), selftest_probes=probes))
    with pytest.raises(SandboxUnavailable, match=f"self-test failed: {leaky_probe}"):
        Sandbox().start()


def test_client_accepts_a_self_test_where_every_probe_was_blocked(tmp_path, monkeypatch):
    monkeypatch.setattr(client, "ZYGOTE", _stand_in_zygote(tmp_path, _hello(), selftest_probes=ALL_BLOCKED))
    box = Sandbox()
    box.start()
    box.close()


def test_client_refuses_a_self_test_with_missing_probes(tmp_path, monkeypatch):
    probes = {name: value for name, value in ALL_BLOCKED.items() if name != "exec"}
    monkeypatch.setattr(client, "ZYGOTE", _stand_in_zygote(tmp_path, _hello(), selftest_probes=probes))
    with pytest.raises(SandboxUnavailable, match="exec: expected blocked, got None"):
        Sandbox().start()


# --- the real zygote --------------------------------------------------------------------------------


def test_real_self_test_fails_closed_when_the_trusted_side_expects_otherwise(monkeypatch):
    """The probes really run: expecting `fork` to succeed makes the (blocked) fork a failure."""
    available, how = jail.isolation_available()
    if not available:
        pytest.skip(f"no isolation on this machine: {how}")
    monkeypatch.setitem(selftest.EXPECTED, "fork", True)
    with pytest.raises(SandboxUnavailable, match="fork: expected allowed, got False"):
        Sandbox().start()


def test_a_zygote_that_never_answers_is_given_up_on_instead_of_hanging_the_worker(tmp_path, monkeypatch):
    script = tmp_path / "silent_zygote.py"
    script.write_text(
        "import os, time\n"
        f"os.write(1, {encode_frame(_hello(isolation=False, how='stand-in'))!r})\n"
        "time.sleep(60)\n"
    )
    monkeypatch.setenv(INSECURE_ENV_FLAG, "1")
    monkeypatch.setattr(client, "ZYGOTE", script)
    monkeypatch.setattr(client, "ANSWER_GRACE_SECONDS", 0.5)
    box = Sandbox(wall_seconds=0.5)
    box.start()
    started = time.monotonic()
    with pytest.raises(SandboxUnavailable, match="did not answer"):
        box.run({"source": "", "cases": []})
    assert time.monotonic() - started < 5
    assert box._process is None, "the unresponsive zygote should have been stopped"


# --- the real zygote on an architecture without a system-call table ------------------------------------

FOREIGN_ARCH = {"x86_64": "i686", "aarch64": "armv8l"}.get(seccomp.machine())
FOREIGN_RUNNER = """\
import json, sys
sys.path.insert(0, {root!r})
from grading.sandbox.client import Sandbox, SandboxUnavailable
from tests.grading import hostile_support as hs
try:
    box = Sandbox(wall_seconds=5, limits={{"cpu_seconds": 1}})
    box.start()
except SandboxUnavailable as exc:
    print(json.dumps({{"refused": str(exc)}}))
else:
    raw = box.run(hs.build_plan(hs.BENIGN_SGD))
    loop = box.run(hs.build_plan("while True:\\n    pass\\n"), wall_seconds=30)
    box.close()
    print(json.dumps({{"exit_code": raw.exit_code, "output": raw.output, "loop": [loop.outcome, loop.exit_code, loop.cpu_seconds, loop.wall_seconds]}}))
"""


def _run_under_foreign_architecture(env_flag: str | None) -> dict:
    import json
    import os
    import shutil
    import subprocess
    import sys

    if FOREIGN_ARCH is None or not shutil.which("setarch"):
        pytest.skip("needs setarch and a 32-bit personality of this machine")
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "test-only-secret"}
    if env_flag is not None:
        env[INSECURE_ENV_FLAG] = env_flag
    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        ["setarch", FOREIGN_ARCH, sys.executable, "-c", FOREIGN_RUNNER.format(root=root)],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert os.path.exists(root)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_real_sandbox_refuses_to_grade_on_an_architecture_without_a_filter():
    report = _run_under_foreign_architecture(None)
    assert "refused" in report, report
    assert FOREIGN_ARCH in report["refused"] and "seccomp filter" in report["refused"]
    assert INSECURE_ENV_FLAG in report["refused"]


def test_the_development_flag_still_grades_there_without_isolation_but_with_a_cpu_limit():
    report = _run_under_foreign_architecture("1")
    assert "refused" not in report, report
    assert report["exit_code"] == 0, report["output"]
    outcome, exit_code, cpu_seconds, wall_seconds = report["loop"]
    # Ended by the kernel at 1 s of CPU (SIGXCPU, or SIGKILL that the zygote calls a timeout),
    # long before the 30 s wall clock would have.
    assert exit_code in (-9, -24) and outcome in ("exited", "timeout"), report["loop"]
    assert cpu_seconds < 2 and wall_seconds < 20, report["loop"]
