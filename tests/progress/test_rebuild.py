from datetime import timedelta
from io import StringIO

from django.core.management import call_command

from progress.events import quiz_finished, submission_graded
from progress.models import Activity, ConceptMastery, StudentProgress
from tests.progress.conftest import MONDAY


def snapshot(student):
    progress = StudentProgress.objects.get(student=student)
    levels = dict(ConceptMastery.objects.filter(student=student).values_list("concept", "level"))
    return progress.xp, progress.streak_weeks, progress.longest_streak, levels


def test_replaying_the_history_gives_the_incremental_result(
    student, make_item, finished_attempt, graded_submission
):
    items = [make_item(f"m{n}", topics=["momentum", "adam"]) for n in range(3)]
    quiz_finished(finished_attempt(student, [(item, 1.0) for item in items]))
    submission_graded(
        graded_submission(student, "adam", passed=False, score=0.4, at=MONDAY + timedelta(weeks=1))
    )
    quiz_finished(finished_attempt(student, [(items[0], 0.0)], at=MONDAY + timedelta(weeks=2)))
    incremental = snapshot(student)

    call_command("rebuild_progress", user=student.username, stdout=StringIO())
    assert snapshot(student) == incremental
    assert Activity.objects.filter(student=student).count() == 3


def test_history_from_before_the_progress_app_is_backfilled(student, make_item, finished_attempt):
    finished_attempt(student, [(make_item("m1"), 1.0)])  # never reported to progress
    call_command("rebuild_progress", stdout=StringIO())
    assert StudentProgress.objects.get(student=student).xp == 10
