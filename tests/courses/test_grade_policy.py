"""The grade policy on its own (no database, no Django): late penalties, extensions, which piece of
work counts, overrides and the weighted total."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from courses.grade_policy import LatePenalty, Override, Pick, Work, score_that_counts, weighted_total

DUE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]
TEN_A_DAY_AT_MOST_30 = LatePenalty(per_day=10, cap=30)


def work(score, *, late_by=timedelta(0), ref=None):
    return Work(score=score, finished_at=DUE + late_by, ref=ref)


def test_work_on_the_due_minute_is_on_time():
    outcome = score_that_counts([work(0.8)], due_at=DUE, penalty=TEN_A_DAY_AT_MOST_30)
    assert outcome.final == outcome.raw == 0.8 and not outcome.works[0].late


def test_one_minute_late_costs_a_whole_day():
    outcome = score_that_counts(
        [work(0.8, late_by=timedelta(minutes=1))], due_at=DUE, penalty=TEN_A_DAY_AT_MOST_30
    )
    assert outcome.works[0].late
    assert outcome.final == pytest.approx(0.8 * 0.9)
    assert outcome.raw == 0.8 and outcome.penalty_applied and outcome.differs


def test_the_penalty_grows_per_started_day_up_to_its_cap():
    def final(late_by):
        return score_that_counts([work(1.0, late_by=late_by)], due_at=DUE, penalty=TEN_A_DAY_AT_MOST_30).final

    assert final(timedelta(days=1)) == pytest.approx(0.9)  # exactly one day: one day
    assert final(timedelta(days=1, seconds=1)) == pytest.approx(0.8)  # into the second day
    assert final(timedelta(days=2, hours=12)) == pytest.approx(0.7)  # three started days
    assert final(timedelta(days=30)) == pytest.approx(0.7)  # the cap: never more than 30%


def test_the_docstring_example_holds():
    outcome = score_that_counts(
        [work(0.8, late_by=timedelta(days=2.5))], due_at=DUE, penalty=TEN_A_DAY_AT_MOST_30
    )
    assert outcome.final == pytest.approx(0.56)


def test_a_fixed_penalty_is_a_daily_penalty_equal_to_its_cap():
    fixed = LatePenalty(per_day=20, cap=20)
    for late_by in (timedelta(minutes=5), timedelta(days=3), timedelta(days=40)):
        assert score_that_counts(
            [work(1.0, late_by=late_by)], due_at=DUE, penalty=fixed
        ).final == pytest.approx(0.8)


def test_without_a_penalty_late_work_is_flagged_but_keeps_its_score():
    outcome = score_that_counts([work(0.6, late_by=timedelta(days=9))], due_at=DUE)
    assert outcome.works[0].late and outcome.final == 0.6 and not outcome.penalty_applied


def test_an_extension_moves_the_due_date_the_penalty_counts_from():
    late = work(0.9, late_by=timedelta(days=2, hours=1))
    extended = score_that_counts(
        [late], due_at=DUE, extension_due_at=DUE + timedelta(days=3), penalty=TEN_A_DAY_AT_MOST_30
    )
    assert extended.final == 0.9 and not extended.works[0].late and extended.extended
    assert extended.due_at == DUE + timedelta(days=3)
    # An extension can also bring the date forward.
    earlier = score_that_counts(
        [work(0.9)], due_at=DUE, extension_due_at=DUE - timedelta(hours=1), penalty=TEN_A_DAY_AT_MOST_30
    )
    assert earlier.final == pytest.approx(0.81)


def test_best_is_picked_on_penalised_scores_and_raw_on_unpenalised_ones():
    on_time, late = work(0.6, ref="on time"), work(0.9, late_by=timedelta(days=6), ref="late")
    outcome = score_that_counts([late, on_time], due_at=DUE, penalty=LatePenalty(per_day=10, cap=50))
    assert outcome.counted.work.ref == "on time" and outcome.final == pytest.approx(0.6)
    assert outcome.raw == pytest.approx(0.9)  # what would have counted without the penalty
    assert [scored.work.ref for scored in outcome.works] == ["on time", "late"]  # oldest first


def test_equal_best_scores_count_the_first_one_that_earned_it():
    outcome = score_that_counts([work(0.5, ref=1), work(0.5, late_by=timedelta(hours=-1), ref=0)], due_at=DUE)
    assert outcome.counted.work.ref == 0


def test_last_counts_the_last_piece_even_when_it_is_worse():
    outcome = score_that_counts(
        [work(0.9, late_by=timedelta(days=-2)), work(0.4, late_by=timedelta(days=1))],
        due_at=DUE,
        penalty=TEN_A_DAY_AT_MOST_30,
        pick=Pick.LAST,
    )
    assert outcome.final == pytest.approx(0.36) and outcome.raw == pytest.approx(0.4)


def test_an_override_replaces_the_score_and_its_penalty():
    outcome = score_that_counts(
        [work(0.4, late_by=timedelta(days=1))],
        due_at=DUE,
        penalty=TEN_A_DAY_AT_MOST_30,
        override=Override(0.75, "re-marked by hand"),
    )
    assert outcome.final == 0.75 and outcome.penalised == pytest.approx(0.36) and outcome.raw == 0.4
    # An override also counts when there is no work at all (an excused absence).
    assert score_that_counts([], due_at=DUE, override=Override(1.0)).final == 1.0


def test_no_work_and_no_override_counts_nothing():
    outcome = score_that_counts([], due_at=DUE)
    assert (outcome.raw, outcome.penalised, outcome.final, outcome.counted) == (None, None, None, None)
    assert not outcome.differs


def test_the_weighted_total_counts_missing_work_as_zero_and_leaves_out_zero_weights():
    assert weighted_total([(0.5, 1), (1.0, 1)]) == pytest.approx(0.75)
    assert weighted_total([(0.5, 1), (1.0, 3)]) == pytest.approx(0.875)
    assert weighted_total([(None, 1), (1.0, 1)]) == pytest.approx(0.5)
    assert weighted_total([(0.2, 0), (0.8, 2)]) == pytest.approx(0.8)
    assert weighted_total([(0.2, 0)]) is None and weighted_total([]) is None


@pytest.mark.parametrize("per_day, cap", [(-1, 10), (101, 100), (10, 120), (float("nan"), 10)])
def test_a_penalty_outside_0_to_100_percent_is_refused(per_day, cap):
    with pytest.raises(ValueError, match="between 0 and 100"):
        LatePenalty(per_day=per_day, cap=cap)


@pytest.mark.parametrize("score", [-0.1, 1.5, float("nan")])
def test_an_override_outside_0_to_1_is_refused(score):
    with pytest.raises(ValueError, match="between 0 and 1"):
        Override(score)


def test_the_policy_module_runs_without_django():
    code = "import sys, courses.grade_policy; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, env={"PATH": ""}
    )
    assert result.stdout.strip() == "[]"
