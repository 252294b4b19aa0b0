"""The sandbox without root: the real client and zygote run as an unprivileged user.

Without root the jail rests on a user namespace (`jail.enter_run_namespaces`) instead of the
switch to nobody. This test runs the whole stack that way: the self-test must pass at start and
every hostile fixture must be contained, with the host watched from here (as root) for files,
connections, surviving processes and leaked secrets.

The Python interpreter may live under a directory only root can enter (e.g. a home directory).
Rather than loosening its modes, the unprivileged run gets a private mount namespace in which
that directory is covered by an empty tmpfs with only the interpreter's own tree bound back in;
the host's view is untouched. It needs root to set that up, so it is skipped otherwise.
"""

import base64
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.grading import hostile_support as hs

RUNNER = """\
import base64, json, os, sys
sys.path.insert(0, {project_root!r})
from grading.sandbox.client import Sandbox, SandboxUnavailable

jobs = json.load(open(sys.argv[1]))
report = {{"uid": os.getuid(), "runs": {{}}}}
try:
    box = Sandbox(wall_seconds=3)
    box.start()
except SandboxUnavailable as exc:
    report["refused"] = str(exc)
else:
    report["how"] = box.isolation
    for name, job in jobs.items():
        raw = box.run(job["plan"], wall_seconds=job["wall_seconds"])
        report["runs"][name] = {{
            "outcome": raw.outcome, "exit_code": raw.exit_code, "output": raw.output,
            "result": base64.b64encode(raw.result_bytes).decode(),
        }}
    box.close()
print(json.dumps(report))
"""

# Make the interpreter reachable inside a private mount namespace, then drop to the test user.
WRAPPER = """\
set -e
if [ -n "$HIDDEN" ]; then
    mount --bind "$BASE" "$STAGE"
    mount -t tmpfs -o mode=0755 tmpfs "$HIDDEN"
    mkdir -p "$BASE"
    mount --bind "$STAGE" "$BASE"
fi
exec setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups --inh-caps=-all --bounding-set=-all \\
    -- "$PYTHON" "$RUNNER" "$JOBS"
"""

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"),
    reason="needs root (to stage an unprivileged user's view), unshare and setpriv",
)


def _free_uid() -> int:
    """A uid with no account and no process: nothing on the host belongs to it."""
    for uid in range(61000, 62000):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            if not hs.processes_of(uid):
                return uid
    raise RuntimeError("no free uid in 61000-61999")


def _hidden_ancestor(path: Path) -> Path | None:
    """The outermost directory on the way to `path` that other users cannot enter."""
    for ancestor in reversed(path.parents):
        if not os.stat(ancestor).st_mode & 0o001:
            return ancestor
    return None


@pytest.fixture(scope="module")
def unprivileged_report():
    uid = _free_uid()
    watch = hs.ConnectionWatch()
    canary_dir = Path("/tmp") / f"descent-canary-{secrets.token_hex(4)}"
    canary_path, file_token = hs.make_canary_file(canary_dir)
    env_token = "descent-canary-env-" + secrets.token_hex(12)
    targets = hs.HostTargets(
        watch.tcp_port, watch.udp_port, watch.abstract_name, canary_path, file_token, env_token, False
    )
    fixtures = {fixture.name: fixture for fixture in hs.load_fixtures()}
    jobs = {
        name: {"plan": hs.build_plan(targets.fill(f.source)), "wall_seconds": f.wall_seconds}
        for name, f in fixtures.items()
    }
    jobs["benign"] = {"plan": hs.build_plan(hs.BENIGN_SGD), "wall_seconds": hs.DEFAULT_WALL_SECONDS}
    stage = Path(tempfile.mkdtemp(prefix="descent-unprivileged-"))
    files_before = hs.FileSnapshot.take()
    try:
        stage.chmod(0o755)
        (stage / "python").mkdir()
        (stage / "runner.py").write_text(RUNNER.format(project_root=str(hs.PROJECT_ROOT)))
        (stage / "jobs.json").write_text(json.dumps(jobs))
        base = Path(sys.base_prefix).resolve()
        hidden = _hidden_ancestor(base)
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HIDDEN": str(hidden or ""),
            "BASE": str(base),
            "STAGE": str(stage / "python"),
            "TEST_UID": str(uid),
            "PYTHON": sys.executable,
            "RUNNER": str(stage / "runner.py"),
            "JOBS": str(stage / "jobs.json"),
            "DESCENT_CANARY_SECRET": env_token,  # held by the runner's environment: must not reach a run
        }
        completed = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", WRAPPER],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        survivors = hs.processes_of(uid)
        assert completed.returncode == 0, completed.stderr[-2000:]
        report = json.loads(completed.stdout.strip().splitlines()[-1])
        yield {
            "report": report,
            "uid": uid,
            "fixtures": fixtures,
            "jobs": jobs,
            "targets": targets,
            "events": list(watch.events),
            "survivors": survivors,
            "planted": hs.FileSnapshot.take().planted_since(files_before),
        }
    finally:
        watch.close()
        shutil.rmtree(canary_dir)
        shutil.rmtree(stage)


def test_the_stack_really_ran_unprivileged_and_passed_its_self_test(unprivileged_report):
    report = unprivileged_report["report"]
    assert "refused" not in report, report.get("refused")
    assert report["uid"] == unprivileged_report["uid"]
    assert "unprivileged" in report["how"]


def test_an_honest_submission_still_grades_correctly(unprivileged_report):
    run = unprivileged_report["report"]["runs"]["benign"]
    plan = unprivileged_report["jobs"]["benign"]["plan"]
    parsed = hs.parse_result(plan, base64.b64decode(run["result"]))
    assert run["outcome"] == "exited" and run["exit_code"] == 0, run["output"]
    assert hs.would_pass(plan, parsed)


@pytest.mark.parametrize("name", [fixture.name for fixture in hs.load_fixtures()])
def test_every_hostile_fixture_is_contained_without_root(unprivileged_report, name):
    report = unprivileged_report["report"]
    assert "refused" not in report, report.get("refused")
    fixture = unprivileged_report["fixtures"][name]
    plan = unprivileged_report["jobs"][name]["plan"]
    run = report["runs"][name]
    result_bytes = base64.b64decode(run["result"])
    raw = type("Raw", (), {"outcome": run["outcome"], "exit_code": run["exit_code"]})()
    parsed = hs.parse_result(plan, result_bytes)
    outcome = hs.classify(raw, parsed)
    assert outcome in fixture.outcomes, (
        f"{outcome} ({run['outcome']}, exit {run['exit_code']}): {run['output'][:600]}"
    )
    assert not hs.would_pass(plan, parsed)
    for secret in unprivileged_report["targets"].secrets():
        assert secret not in run["output"] and secret.encode() not in result_bytes


def test_the_host_saw_nothing_of_the_unprivileged_runs(unprivileged_report):
    assert not unprivileged_report["events"], f"the host received: {unprivileged_report['events']}"
    assert not unprivileged_report["survivors"], "processes of the test user outlived the runs"
    assert not unprivileged_report["planted"], f"files planted: {unprivileged_report['planted']}"
    assert not hs.jail_dir_leftovers()
