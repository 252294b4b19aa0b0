"""Verdict statuses are enums in code and plain strings in storage."""

import json

import pytest

from grading.verdict import SandboxOutcome, Verdict, VerdictStatus, is_gradable


def failed_verdict() -> Verdict:
    return Verdict(
        status="failed", score=0.5, fidelity=0.5, convergence=1.0, message="m", sandbox_outcome="completed"
    )


def test_a_verdict_made_from_strings_holds_enums_and_stores_plain_strings():
    verdict = failed_verdict()
    assert verdict.status is VerdictStatus.FAILED and verdict.sandbox_outcome is SandboxOutcome.COMPLETED
    stored = json.loads(json.dumps(verdict.to_dict()))
    assert type(verdict.to_dict()["status"]) is str
    assert (stored["status"], stored["sandbox_outcome"]) == ("failed", "completed")
    assert Verdict.from_dict(stored) == verdict


def test_an_unknown_status_or_outcome_is_refused_by_name():
    with pytest.raises(ValueError, match="status must be one of"):
        Verdict(status="great", score=1, fidelity=1, convergence=1, message="", sandbox_outcome="completed")
    with pytest.raises(ValueError, match="sandbox_outcome must be one of"):
        Verdict(status="error", score=0, fidelity=0, convergence=0, message="", sandbox_outcome="exploded")


def test_only_passed_and_failed_verdicts_count_as_gradable():
    assert is_gradable(failed_verdict().to_dict())
    assert not is_gradable(Verdict.error(SandboxOutcome.LOAD_ERROR, "syntax error").to_dict())
    assert not is_gradable(None) and not is_gradable({"status": "queued"})
