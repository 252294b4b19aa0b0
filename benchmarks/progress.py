"""Progress: the cost of processing one graded submission, and of the achievement evaluation in it.

Seeds `STUDENTS` students × `SUBMISSIONS_EACH` graded submissions (a realistic table for the
criteria's queries), runs the progress event for the history of `WARM_STUDENTS` of them (so they
have mastery rows, awards and passed exercises), then times `submission_graded` on fresh
submissions of those students, and, separately, the achievement evaluation alone (the earned-set
query plus every criterion listening to the event, as if none were earned yet). Target from issue 5: evaluation < 20 ms.

    python -m benchmarks.progress          # or: python benchmarks/run.py --only progress (once listed)
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

if __name__ == "__main__":  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.django_env import demo_database, graded_submission  # noqa: E402
from benchmarks.timing import Stats, ms, time_each, verdict  # noqa: E402

SECTION = "progress"
STUDENTS = 500
SUBMISSIONS_EACH = 20
WARM_STUDENTS = 40
TIMED_EVENTS = 200
EVALUATION_TARGET = 0.020


class ProgressFigure(NamedTuple):
    """(figure name, value); also readable as a `benchmarks.timing.Figure` by the runner's table."""

    name: str
    value: str

    @property
    def section(self) -> str:
        return SECTION

    @property
    def target(self) -> str:
        return ""

    @property
    def note(self) -> str:
        return ""


def _seed():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from grading.exercises import EXERCISES
    from grading.models import Submission

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench-progress-{n}", password="!") for n in range(STUDENTS)]  # "!": unusable
    )
    slugs = list(EXERCISES)
    start = timezone.now() - timedelta(days=60)
    rows = []
    for index, user in enumerate(users):
        for n in range(SUBMISSIONS_EACH):
            slug = slugs[(index + n) % len(slugs)]
            passed = n % 3 == 2
            graded_at = start + timedelta(days=n * 3, minutes=index)
            score = 1.0 if passed else 0.4
            rows.append(
                graded_submission(
                    user,
                    slug,
                    passed=passed,
                    score=score,
                    graded_at=graded_at,
                    mistake="missing-bias-correction",
                )
            )
    Submission.objects.bulk_create(rows, batch_size=2000)
    return users


def run() -> list[ProgressFigure]:
    demo_database()
    from django.db import transaction

    from grading.models import Submission
    from progress.achievements import EXERCISE, EventContext, due_achievements
    from progress.events import submission_graded
    from progress.models import Award, ConceptMastery, StudentProgress

    users = _seed()
    warm = users[:WARM_STUDENTS]
    for submission in Submission.objects.filter(student__in=warm).order_by("graded_at", "pk"):
        submission_graded(submission)

    fresh = []
    for n in range(TIMED_EVENTS):
        user = warm[n % len(warm)]
        last = (
            Submission.objects.filter(student=user)
            .order_by("-graded_at")
            .values_list("graded_at", flat=True)[0]
        )
        submission = graded_submission(
            user, "adam", passed=True, score=1.0, graded_at=last + timedelta(days=1)
        )
        submission.save()
        fresh.append(submission)
    whole = Stats.of(time_each(lambda s=s: submission_graded(s) for s in fresh))

    def evaluate(submission):
        # What the event does after its own writes: read the earned set, run the listening criteria.
        with transaction.atomic():
            student = submission.student
            context = EventContext(
                student=student,
                kind=EXERCISE,
                progress=StudentProgress.objects.get(student=student),
                masteries=dict(
                    ConceptMastery.objects.filter(student=student).values_list("concept", "level")
                ),
                today=submission.graded_at.date(),
                submission=submission,
            )
            set(Award.objects.filter(student=student).values_list("slug", flat=True))
            due_achievements(context, set())  # worst case: as if nothing were earned, every criterion runs

    evaluation = Stats.of(time_each(lambda s=s: evaluate(s) for s in fresh))
    return [
        ProgressFigure("seeded", f"{STUDENTS} students × {SUBMISSIONS_EACH} graded submissions"),
        ProgressFigure(
            "achievement evaluation after a graded submission p50 / p95",
            f"{ms(evaluation.p50)} / {ms(evaluation.p95)} (target < 20 ms: {verdict(evaluation.p95 < EVALUATION_TARGET)})",
        ),
        ProgressFigure(
            "whole submission_graded event p50 / p95 (mastery, XP, streak, awards)",
            f"{ms(whole.p50)} / {ms(whole.p95)}",
        ),
    ]


if __name__ == "__main__":
    for name, value in run():
        print(f"{name}: {value}")
