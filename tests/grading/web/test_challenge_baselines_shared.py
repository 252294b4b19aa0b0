"""The challenge baselines' runs are computed once and shared by every process through the
database, keyed by a digest of the suite, the baselines and their code.

In-process tests use pytest-django's database; the last ones run real `manage.py` processes on a
SQLite file of their own (the in-memory test database is invisible to other processes).
"""

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from grading.challenge import baselines
from grading.challenge.baselines import (
    TUNED_LR,
    baseline_digest,
    baseline_runs,
    compute_baseline_runs,
    definitions_digest,
    runs_from_payload,
    runs_to_payload,
)
from grading.challenge.problems import challenge_problems
from grading.models import ChallengeBaselineRuns

ROOT = Path(settings.BASE_DIR)
NOT_PRECOMPUTED = "were not precomputed"


@pytest.fixture(scope="module")
def computed():
    return compute_baseline_runs()


@pytest.fixture
def fresh_process(db):
    """This process as if it had just started: nothing remembered of the runs."""
    baselines.forget_runs()
    yield
    baselines.forget_runs()


def doctored(computed) -> dict:
    """The runs, with Adam's step count on the noisy quadratic changed to a value nobody computes."""
    payload = runs_to_payload(computed)
    payload["noisy-quadratic"][2]["steps_to_target"] = 7
    return payload


def test_the_runs_survive_the_trip_through_json_exactly(computed):
    back = runs_from_payload(json.loads(json.dumps(runs_to_payload(computed))))
    assert back is not None
    for problem_id, runs in computed.items():
        for mine, stored in zip(runs, back[problem_id], strict=True):
            assert (stored.optimizer, stored.lr, stored.steps_to_target) == (
                mine.optimizer,
                mine.lr,
                mine.steps_to_target,
            )
            np.testing.assert_array_equal(stored.losses, mine.losses)  # NaN where NaN


def test_the_first_process_computes_the_runs_and_stores_them_under_the_digest(fresh_process, computed):
    assert not ChallengeBaselineRuns.objects.exists()
    runs = baseline_runs()
    row = ChallengeBaselineRuns.objects.get()
    assert row.digest == baseline_digest()
    assert row.runs == json.loads(json.dumps(runs_to_payload(runs)))
    assert [r.steps_to_target for r in runs["rosenbrock"]] == [
        r.steps_to_target for r in computed["rosenbrock"]
    ]


def test_a_process_reads_the_stored_runs_instead_of_computing_them(fresh_process, computed):
    ChallengeBaselineRuns.objects.create(digest=baseline_digest(), runs=doctored(computed))
    assert baseline_runs()["noisy-quadratic"][2].steps_to_target == 7


def test_runs_stored_under_another_digest_are_not_used(fresh_process, computed):
    ChallengeBaselineRuns.objects.create(digest="0" * 64, runs=doctored(computed))
    runs = baseline_runs()
    assert runs["noisy-quadratic"][2].steps_to_target == computed["noisy-quadratic"][2].steps_to_target
    assert set(ChallengeBaselineRuns.objects.values_list("digest", flat=True)) == {
        "0" * 64,
        baseline_digest(),
    }


def test_a_malformed_stored_row_is_ignored_then_replaced_by_the_computed_runs(fresh_process, computed):
    ChallengeBaselineRuns.objects.create(digest=baseline_digest(), runs={"noisy-quadratic": "junk"})
    runs = baseline_runs()
    assert runs["himmelblau"][0].steps_to_target == computed["himmelblau"][0].steps_to_target
    assert runs_from_payload(ChallengeBaselineRuns.objects.get().runs) is not None


def test_the_command_stores_the_runs_once_and_prunes_other_digests(fresh_process, capsys):
    from django.core.management import call_command

    ChallengeBaselineRuns.objects.create(digest="0" * 64, runs={})
    call_command("challenge_baselines", "--prune")
    assert "computed and stored" in capsys.readouterr().out
    call_command("challenge_baselines")
    assert "stored already" in capsys.readouterr().out
    assert list(ChallengeBaselineRuns.objects.values_list("digest", flat=True)) == [baseline_digest()]


def test_warming_a_process_that_has_the_runs_stores_its_copy_without_computing(fresh_process, computed):
    from grading.services.challenge_baselines import warm

    ChallengeBaselineRuns.objects.create(digest=baseline_digest(), runs=doctored(computed))
    assert baseline_runs()["noisy-quadratic"][2].steps_to_target == 7  # this process's copy
    ChallengeBaselineRuns.objects.all().delete()
    assert warm() is False  # nothing computed: the copy (doctored, so recognisable) is stored
    assert ChallengeBaselineRuns.objects.get().runs["noisy-quadratic"][2]["steps_to_target"] == 7
    baselines.forget_runs()
    assert warm() is False  # stored already


def test_the_digest_changes_with_a_target_a_learning_rate_or_the_code():
    problems = challenge_problems()
    sources = {"grading/suite.py": b"print(1)\n"}
    base = definitions_digest(problems, TUNED_LR, sources)
    assert definitions_digest(problems, TUNED_LR, dict(sources)) == base
    easier = (replace(problems[0], target=0.02), *problems[1:])
    assert definitions_digest(easier, TUNED_LR, sources) != base
    longer = (replace(problems[0], hold=problems[0].hold + 1), *problems[1:])
    assert definitions_digest(longer, TUNED_LR, sources) != base
    retuned = {**TUNED_LR, "rosenbrock": {**TUNED_LR["rosenbrock"], "adam": 0.3}}
    assert definitions_digest(problems, retuned, sources) != base
    assert definitions_digest(problems, TUNED_LR, {"grading/suite.py": b"print(2)\n"}) != base


# ---------------------------------------------------------------- real processes

READ_BASELINES = textwrap.dedent(
    """
    import json, time
    from grading.api import challenge_baselines
    started = time.process_time()
    rows = challenge_baselines()
    print(json.dumps({"cpu": time.process_time() - started, "scores": [b.score for b in rows]}))
    """
)


def manage(database: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", SECRET_KEY="baselines-test-only")
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == expect, done.stderr
    return done


def read_in_a_new_process(database: Path) -> tuple[dict, str]:
    """What a new process reads (its CPU and the scores), and its log (on stdout or stderr)."""
    done = manage(database, "shell", "--no-imports", "-c", READ_BASELINES)
    output = done.stdout + done.stderr
    result = next(line for line in output.splitlines() if line.startswith('{"cpu"'))
    return json.loads(result), output


def test_a_grading_worker_stores_the_runs_as_it_starts_and_other_processes_only_read_them(tmp_path):
    database = tmp_path / "shared.sqlite3"
    manage(database, "migrate", "--noinput")
    missing = manage(database, "challenge_baselines", "--check", expect=1)
    assert "not stored" in missing.stderr

    # Nobody warmed them: the first reader computes them (and says so), then stores them.
    cold, cold_log = read_in_a_new_process(database)
    assert NOT_PRECOMPUTED in cold_log
    manage(database, "challenge_baselines", "--check")

    # Start again with an empty table; a grading worker on an empty queue warms it, then exits.
    manage(
        database,
        "shell",
        "-c",
        "from grading.models import ChallengeBaselineRuns as R; R.objects.all().delete()",
    )
    manage(database, "challenge_baselines", "--check", expect=1)
    manage(database, "grading_worker", "--batch")
    manage(database, "challenge_baselines", "--check")

    warm, warm_log = read_in_a_new_process(database)
    assert NOT_PRECOMPUTED not in warm_log
    assert warm["scores"] == cold["scores"]
    assert warm["cpu"] < cold["cpu"] / 3
