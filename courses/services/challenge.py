"""A course's optimizer-challenge leaderboard: its students' best entries, ranked with the tuned
baselines as rows.

Who sees what: the course's teachers (any role) see every student's name (the username, as
the course pages show it) and may open each entry; a student sees every row's rank and score,
but names only for the baselines and their own row (others read "a classmate"). Only students
enrolled in this course appear; entries count whenever they were made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from courses.models import Course
from grading import api as grading_api


class ChallengeNotEnabled(Exception):
    """The course has not turned the challenge on."""


@dataclass(frozen=True)
class BoardRow:
    rank: int
    name: str
    is_baseline: bool
    is_you: bool
    score: float
    ratio: float | None
    reached_fraction: float
    submission_id: int | None  # only for rows the viewer may open


def challenge_set_enabled(*, course: Course, enabled: bool) -> None:
    Course.objects.filter(pk=course.pk).update(challenge_enabled=enabled)
    course.challenge_enabled = enabled


def leaderboard(course: Course, *, viewer, teaches: bool) -> list[BoardRow]:
    if not course.challenge_enabled:
        raise ChallengeNotEnabled(course.pk)
    students = dict(course.enrollments.values_list("student_id", "student__username"))
    entries = grading_api.challenge_best_entries(list(students))
    rows: list[tuple[float, int, BoardRow]] = []
    for baseline in grading_api.challenge_baselines():
        row = BoardRow(
            0, baseline.title, True, False, baseline.score, baseline.ratio, baseline.reached_fraction, None
        )
        rows.append((-baseline.score, 0, row))
    for student_id, entry in entries.items():
        you = student_id == viewer.pk
        name = students[student_id] if teaches or you else "a classmate"
        row = BoardRow(
            0,
            name,
            False,
            you,
            entry.score,
            entry.ratio,
            entry.reached_fraction,
            entry.submission_id if teaches or you else None,
        )
        rows.append((-entry.score, 1, row))
    rows.sort(key=lambda item: (item[0], item[1], item[2].name))
    ranked, rank, previous = [], 0, None
    for position, (negative_score, _, row) in enumerate(rows, start=1):
        if negative_score != previous:
            rank, previous = position, negative_score
        ranked.append(replace(row, rank=rank))
    return ranked
