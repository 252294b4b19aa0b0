"""Code analytics of one exercise for one course: pass rate, attempts until the first pass, and the
most common diagnosed mistakes with example submissions to open.

Only graded submissions by the course's students count (a submission the grader could not grade
says nothing about the student). The per-student walk reads three small columns per submission;
verdicts are read only for failed submissions and only their `diagnosis` key.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from courses.models import Course, Enrollment
from courses.services.access import course_work_since_joining
from grading.models import Submission

EXAMPLES_PER_DIAGNOSIS = 3
TOP_DIAGNOSES = 8


@dataclass(frozen=True)
class DiagnosisSummary:
    name: str
    title: str
    submissions: int
    students: int
    example_ids: list[int] = field(default_factory=list)  # most recent first


@dataclass(frozen=True)
class ExerciseAnalytics:
    exercise_slug: str
    enrolled: int
    students_submitted: int
    students_passed: int
    graded_submissions: int
    passed_submissions: int
    attempts_until_pass_median: float | None
    attempts_until_pass_mean: float | None
    diagnoses: list[DiagnosisSummary]

    @property
    def student_pass_rate(self) -> float | None:
        """Share of the students who submitted that have passed."""
        return self.students_passed / self.students_submitted if self.students_submitted else None

    @property
    def submission_pass_rate(self) -> float | None:
        return self.passed_submissions / self.graded_submissions if self.graded_submissions else None


def _attempts_until_first_pass(rows) -> dict[int, int]:
    """student id -> how many graded submissions they made up to and including their first pass."""
    counted: dict[int, int] = defaultdict(int)
    first_pass: dict[int, int] = {}
    for student_id, passed in rows:  # ordered by student, then submission time
        if student_id in first_pass:
            continue
        counted[student_id] += 1
        if passed:
            first_pass[student_id] = counted[student_id]
    return first_pass


def _diagnoses(graded) -> list[DiagnosisSummary]:
    counts: Counter[str] = Counter()
    students: dict[str, set[int]] = defaultdict(set)
    examples: dict[str, list[int]] = defaultdict(list)
    titles: dict[str, str] = {}
    failed = graded.filter(passed=False).order_by("-created_at", "-id")
    for submission_id, student_id, diagnosis in failed.values_list("id", "student_id", "verdict__diagnosis"):
        for entry in diagnosis if isinstance(diagnosis, list) else []:
            name = entry.get("name") if isinstance(entry, dict) else None
            if not name:
                continue
            counts[name] += 1
            students[name].add(student_id)
            titles.setdefault(name, entry.get("title") or name)
            if len(examples[name]) < EXAMPLES_PER_DIAGNOSIS:
                examples[name].append(submission_id)
    return [
        DiagnosisSummary(name, titles[name], count, len(students[name]), examples[name])
        for name, count in counts.most_common(TOP_DIAGNOSES)
    ]


def exercise_analytics(*, course: Course, exercise_slug: str) -> ExerciseAnalytics:
    enrolled = Enrollment.objects.filter(course=course)
    # Only what the course's students submitted after joining it (courses.services.access).
    graded = course_work_since_joining(
        Submission.objects.filter(exercise_slug=exercise_slug, status=Submission.Status.GRADED), course
    )
    rows = list(graded.order_by("student_id", "created_at", "id").values_list("student_id", "passed"))
    until_pass = list(_attempts_until_first_pass(rows).values())
    return ExerciseAnalytics(
        exercise_slug=exercise_slug,
        enrolled=enrolled.count(),
        students_submitted=len({student_id for student_id, _ in rows}),
        students_passed=len(until_pass),
        graded_submissions=len(rows),
        passed_submissions=sum(1 for _, passed in rows if passed),
        attempts_until_pass_median=statistics.median(until_pass) if until_pass else None,
        attempts_until_pass_mean=statistics.fmean(until_pass) if until_pass else None,
        diagnoses=_diagnoses(graded),
    )
