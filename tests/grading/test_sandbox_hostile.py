"""Every hostile fixture in `hostile/` is contained, and the host is checked after each one.

Each fixture runs twice through one shared sandbox: once as a raw plan (what the sandbox itself
reports, classified here from trusted facts) and once through `grade_source` (what a student would
see). After every run: no file planted on the host, no connection or datagram received, no
process of the sandbox user left behind, no canary secret in the output, the frame or the verdict,
and the zygote still grades an honest submission correctly.
"""

import json
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from grading.sandbox.client import RawRun, Sandbox, SandboxUnavailable
from tests.grading import hostile_support as hs

FIXTURES = hs.load_fixtures()
CANARY_ENV = "DESCENT_CANARY_SECRET"


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """Secrets and listeners that exist on the host while the fixtures run."""
    env_token = "descent-canary-env-" + secrets.token_hex(12)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CANARY_ENV, env_token)  # set before the sandbox starts: it must not inherit it
        canary_dir = Path("/tmp") / f"descent-canary-{secrets.token_hex(4)}"
        canary_path, file_token = hs.make_canary_file(canary_dir)
        watch = hs.ConnectionWatch()
        targets = hs.HostTargets(
            tcp_port=watch.tcp_port,
            udp_port=watch.udp_port,
            abstract_name=watch.abstract_name,
            canary_path=canary_path,
            canary_file_token=file_token,
            canary_env_token=env_token,
            dev_port_watched=watch.dev_port_watched,
        )
        try:
            yield targets, watch
        finally:
            watch.close()
            shutil.rmtree(canary_dir)


@pytest.fixture(scope="module")
def sandbox(host, deep_tmp_before):
    try:
        box = Sandbox(wall_seconds=hs.DEFAULT_WALL_SECONDS)
        box.start()
    except SandboxUnavailable as exc:
        pytest.skip(f"this machine cannot isolate submissions: {exc}")
    yield box
    box.close()


@pytest.fixture(scope="module")
def deep_tmp_before(host):
    return hs.FileSnapshot.take(deep_tmp=True)


class HostWatch:
    """Before/after state of the host around one sandbox run."""

    def __init__(self, sandbox: Sandbox, host) -> None:
        self.sandbox = sandbox
        self.targets, self.connections = host
        self.files = hs.FileSnapshot.take()
        self.nobody = hs.processes_of(hs.NOBODY_UID)
        self.zygote_children = hs.children_of(sandbox._process.pid) if sandbox._process else set()
        self.connections.events.clear()

    def assert_clean(self, *texts: str | bytes) -> None:
        planted = hs.FileSnapshot.take().planted_since(self.files)
        assert not planted, f"files planted on the host: {planted}"
        assert not hs.jail_dir_leftovers(), f"files left in the jail mount point: {hs.jail_dir_leftovers()}"
        assert not self.connections.events, f"the host received: {self.connections.events}"
        survivors = hs.surviving_sandbox_processes(self.nobody, self.sandbox._process.pid)
        assert not survivors, f"processes of the sandbox user outlived the run: {survivors}"
        assert not hs.lingering_children_of(self.sandbox._process.pid, self.zygote_children), (
            "the zygote kept a child of the run after it (or more than one prepared for the next)"
        )
        for secret in self.targets.secrets():
            for text in texts:
                blob = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
                assert secret.encode() not in blob, "a host secret reached the submission's output"


def run_raw(sandbox: Sandbox, source: str, wall_seconds: float) -> tuple[RawRun, hs.ParsedRun, dict]:
    plan = hs.build_plan(source)
    raw = sandbox.run(plan, wall_seconds=wall_seconds)
    return raw, hs.parse_result(plan, raw.result_bytes), plan


def assert_zygote_still_grades(sandbox: Sandbox) -> None:
    raw, parsed, plan = run_raw(sandbox, hs.BENIGN_SGD, hs.DEFAULT_WALL_SECONDS)
    assert hs.classify(raw, parsed) == "completed", raw.output
    assert hs.would_pass(plan, parsed), "an honest submission no longer grades correctly after the fixture"


def test_fixture_suite_covers_every_category():
    categories = {fixture.category for fixture in FIXTURES}
    assert len(FIXTURES) >= 45
    assert categories >= {
        "file-read", "file-write", "network", "process", "signal", "secrets", "ctypes", "monkeypatch",
        "lying-objects", "forged-output", "output-flood", "runaway", "memory", "crash", "introspection",
        "privilege", "contract", "other-submissions",
    }  # fmt: skip


def test_benign_submission_passes_the_raw_check(sandbox):
    """The 'would pass' check used below is not vacuous: an honest SGD satisfies it."""
    assert_zygote_still_grades(sandbox)


@pytest.mark.parametrize("fixture", FIXTURES, ids=str)
def test_hostile_submission_is_contained(sandbox, host, fixture):
    targets, _ = host
    watch = HostWatch(sandbox, host)
    raw, parsed, plan = run_raw(sandbox, targets.fill(fixture.source), fixture.wall_seconds)
    outcome = hs.classify(raw, parsed)
    assert outcome in fixture.outcomes, (
        f"{fixture.name}: outcome {outcome} (sandbox said {raw.outcome}, exit {raw.exit_code}, "
        f"{parsed.problem}); output: {raw.output[:600]!r}"
    )
    assert not hs.would_pass(plan, parsed), f"{fixture.name} produced an honest-looking SGD trajectory"
    watch.assert_clean(raw.output, raw.result_bytes)
    assert_zygote_still_grades(sandbox)


def _with_known_gaps(fixtures: list[hs.HostileFixture]) -> list:
    """A fixture's `# known-gap:` header marks its verdict test as an expected (strict) failure,
    so the gap stays visible and the marker must go once the grader is fixed."""
    return [
        pytest.param(f, marks=pytest.mark.xfail(reason=f.known_gap, strict=True)) if f.known_gap else f
        for f in fixtures
    ]


@pytest.mark.parametrize("fixture", _with_known_gaps(FIXTURES), ids=str)
def test_hostile_submission_verdict_is_not_passed(sandbox, host, fixture, monkeypatch):
    grader = pytest.importorskip("grading.grader")
    targets, _ = host
    # The grader's wall limit is generous; the loop fixtures declare a shorter one to keep this quick.
    monkeypatch.setattr(grader, "GRADING_WALL_SECONDS", fixture.wall_seconds)
    watch = HostWatch(sandbox, host)
    verdict = grader.grade_source("sgd", targets.fill(fixture.source), sandbox=sandbox)
    assert verdict.status != "passed"
    assert verdict.sandbox_outcome in fixture.outcomes, f"{verdict.sandbox_outcome}: {verdict.message}"
    watch.assert_clean(json.dumps(verdict.to_dict()))
    assert_zygote_still_grades(sandbox)


def test_scratch_files_do_not_survive_into_the_next_run(sandbox, host):
    by_name = {fixture.name: fixture for fixture in FIXTURES}
    targets, _ = host
    writer, reader = by_name["write_scratch_note"], by_name["read_other_submissions_scratch"]
    first, _, _ = run_raw(sandbox, targets.fill(writer.source), writer.wall_seconds)
    assert "descent-hostile-note.txt" in first.output, "the writer could not even use its scratch area"
    second, _, _ = run_raw(sandbox, targets.fill(reader.source), reader.wall_seconds)
    assert "left behind by a previous submission" not in second.output
    assert "descent-hostile" not in second.output


def test_earlier_submissions_cannot_be_read_from_inherited_memory(sandbox, host):
    """A later submission scans its own address space for what an earlier one left in the zygote."""
    targets, _ = host
    scavenger = {fixture.name: fixture for fixture in FIXTURES}["memory_scavenger"]
    for lines in (10, 100, 1000):  # small sources live in other allocator arenas than large ones
        token = secrets.token_hex(8)
        victim = hs.BENIGN_SGD + "".join(f"# line {i} victim-submission-tail {token}\n" for i in range(lines))
        run_raw(sandbox, victim, hs.DEFAULT_WALL_SECONDS)
        raw, _, _ = run_raw(sandbox, targets.fill(scavenger.source), 10)
        assert "found in memory:" in raw.output, raw.output[:500]
        assert token not in raw.output, f"a later submission read an earlier {lines}-line submission's source"


@pytest.fixture
def same_user_process():
    """A process of the sandbox's own user, standing in for a submission graded next door."""
    process = subprocess.Popen(["sleep", "60"], user=hs.NOBODY_UID, group=hs.NOBODY_UID)
    yield process
    process.kill()
    process.wait()


@pytest.mark.parametrize("name", ["fcntl_setown_sigio", "prlimit_other_process"])
def test_cannot_signal_or_limit_a_process_of_the_same_user(sandbox, host, same_user_process, name):
    targets, _ = host
    fixture = {fixture.name: fixture for fixture in FIXTURES}[name]
    limits_before = Path(f"/proc/{same_user_process.pid}/limits").read_text()
    source = targets.fill(fixture.source).replace("__VICTIM_PID__", str(same_user_process.pid))
    raw, _, _ = run_raw(sandbox, source, fixture.wall_seconds)
    assert same_user_process.poll() is None, (
        f"the submission killed pid {same_user_process.pid}: {raw.output}"
    )
    assert Path(f"/proc/{same_user_process.pid}/limits").read_text() == limits_before
    assert_zygote_still_grades(sandbox)


def test_no_file_planted_anywhere_in_tmp_after_the_whole_suite(sandbox, deep_tmp_before):
    assert_zygote_still_grades(sandbox)
    planted = hs.FileSnapshot.take(deep_tmp=True).planted_since(deep_tmp_before)
    assert not planted, f"files planted on the host: {planted}"
