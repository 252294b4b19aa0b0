"""The gradebook of a course: per enrolled student and assignment, the score that counts under the
course's grade policy (`courses.grade_policy`), with the raw score it came from, the piece of work
it came from, best and latest score, how many attempts, when the work was first completed and
whether that was late; per student, the weighted total.

What counts:
- quiz: finished attempts only (an attempt in progress has no score yet); the score is the
  attempt's score after the extra-attempt penalty; "completed" is the first finished attempt;
  the quiz's own rule (best or last attempt) picks the attempt that counts;
- code exercise: graded submissions only (a submission the grader could not grade is not the
  student's attempt); "completed" is the submission time of the first passing submission; the
  best submission counts. Submission time, not grading time: a slow grading queue must not make
  anyone late.
- awaiting: answers of the student's finished attempts at a quiz (essays) that wait for a person's
  grade; they count 0 until graded, so the cell's scores are provisional and say so.
- late: completed after the student's due date (an extension's date when they have one). Work done
  before the assignment opened still counts: the quizzes and exercises are open to everyone, and
  practising early is not something to punish.

Every enrolled student has a row, with empty cells until they hand something in. The same code gives
one student's outcome on one assignment (`student_outcome`), which is what the LMS receives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import cast

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from courses import grade_policy as policy
from courses.models import Assignment, Course, DueDateExtension, Enrollment, GradeOverride
from grading.models import Submission
from quizzes.models import Attempt, AttemptStatus, GradingPolicy
from quizzes.services.manual_grading import waiting_per_student_quiz

ATTEMPT, SUBMISSION = "attempt", "submission"
# Whose work to read: student ids, or a values("student_id") subquery.
StudentIds = Iterable[int] | QuerySet


@dataclass(frozen=True)
class WorkRef:
    """Where a score came from: a quiz attempt (by its number) or a code submission."""

    kind: str  # ATTEMPT or SUBMISSION
    pk: int
    number: int  # the attempt's number, or the submission's place among the student's (1, 2, ...)
    passed: bool = False  # submissions: whether the code passed


@dataclass(frozen=True)
class GradeCell:
    best: float | None = None
    latest: float | None = None
    attempts: int = 0
    completed_at: datetime | None = None
    late: bool = False
    assignment_id: int | None = None
    outcome: policy.Outcome | None = field(default=None, compare=False)
    # Quizzes: answers (essays) of the student's finished attempts that wait for a person's grade;
    # until they are graded they count 0 and every score here is provisional.
    awaiting: int = 0

    @property
    def raw(self) -> float | None:
        return self.outcome.raw if self.outcome else None

    @property
    def final(self) -> float | None:
        return self.outcome.final if self.outcome else None

    @property
    def counted(self) -> WorkRef | None:
        counted = self.outcome.counted if self.outcome else None
        return cast(WorkRef, counted.work.ref) if counted else None  # the gradebook's refs are WorkRefs

    @property
    def overridden(self) -> bool:
        return bool(self.outcome and self.outcome.override is not None)

    @property
    def penalised(self) -> bool:
        return bool(self.outcome and self.outcome.penalty_applied)

    @property
    def extended(self) -> bool:
        return bool(self.outcome and self.outcome.extended)

    @property
    def provisional(self) -> bool:
        """The final score may still change by hand grading (a grade set by hand does not wait)."""
        return self.awaiting > 0 and not self.overridden


@dataclass(frozen=True)
class GradebookRow:
    student_id: int
    username: str
    joined_at: datetime
    cells: list[GradeCell]
    total: float | None = None

    @property
    def awaiting(self) -> int:
        """Answers waiting for a person's grade behind this row's provisional scores."""
        return sum(cell.awaiting for cell in self.cells if cell.provisional)


@dataclass(frozen=True)
class Gradebook:
    course: Course
    assignments: list[Assignment]
    rows: list[GradebookRow]

    @property
    def awaiting(self) -> int:
        return sum(row.awaiting for row in self.rows)


@dataclass
class _Found:
    """The work of one student on one assignment target: the pieces (oldest first) and their figures.

    In the whole-course gradebook `works` holds only the pieces that can count (see `_condensed`);
    the figures are always over every piece.
    """

    works: list[policy.Work] = field(default_factory=list)
    count: int = 0  # quiz attempts, or graded submissions with or without a score
    best: float | None = None
    latest: float | None = None
    completed_at: datetime | None = None  # first finished attempt, or first passing submission


def _quiz_work(quiz_ids: set[int], student_ids: StudentIds) -> dict[tuple[int, int], _Found]:
    """Every finished attempt, per (student id, quiz id), in the order they were finished."""
    found: dict[tuple, _Found] = defaultdict(_Found)
    if not quiz_ids:
        return found
    attempts = _finished_attempts().filter(quiz_id__in=quiz_ids, student_id__in=student_ids)
    rows = attempts.values_list("pk", "student_id", "quiz_id", "number", "score", "finished_at")
    highest: dict[tuple, int] = {}
    for pk, student_id, quiz_id, number, score, finished_at in rows.order_by("finished_at", "pk"):
        key = (student_id, quiz_id)
        entry = found[key]
        entry.count += 1
        entry.completed_at = entry.completed_at or finished_at
        entry.best = score if entry.best is None else max(entry.best, score)
        if number > highest.get(key, 0):  # "latest" is the attempt with the highest number
            highest[key], entry.latest = number, score
        entry.works.append(
            policy.Work(score=score, finished_at=finished_at, ref=WorkRef(ATTEMPT, pk, number))
        )
    return found


def _exercise_work(slugs: set[str], student_ids: StudentIds) -> dict[tuple[int, str], _Found]:
    """Every graded submission, per (student id, exercise slug)."""
    found: dict[tuple, _Found] = defaultdict(_Found)
    if not slugs:
        return found
    graded = _graded_submissions().filter(exercise_slug__in=slugs, student_id__in=student_ids)
    rows = graded.values_list("pk", "student_id", "exercise_slug", "score", "passed", "created_at")
    for pk, student_id, slug, score, passed, created_at in rows.order_by("created_at", "pk"):
        entry = found[(student_id, slug)]
        entry.count += 1
        if passed and entry.completed_at is None:
            entry.completed_at = created_at
        if score is None:
            continue
        entry.best = score if entry.best is None else max(entry.best, score)
        entry.latest = score
        ref = WorkRef(SUBMISSION, pk, entry.count, passed=bool(passed))
        entry.works.append(policy.Work(score=score, finished_at=created_at, ref=ref))
    return found


def _finished_attempts() -> QuerySet:
    # A finished attempt has its score and finishing time; a damaged row without them is left out.
    return Attempt.objects.filter(
        status=AttemptStatus.FINISHED, score__isnull=False, finished_at__isnull=False
    )


def _graded_submissions() -> QuerySet:
    return Submission.objects.filter(status=Submission.Status.GRADED)


def _condensed(assignment: Assignment, student_ids: StudentIds, cutoff: datetime) -> dict[tuple, _Found]:
    """The whole-course gradebook's read of one assignment's work: per student, the figures over every
    piece, but only the pieces that can count.

    Work finished by `cutoff` (the earliest due date any student has) is on time for everyone, so it
    keeps its score, and of those pieces only the best (the first of equal bests) and the newest can
    count, besides the one finished last (what "last attempt counts" takes) and the one the "latest"
    figure shows; every later piece may carry a penalty and is read. The database does the sorting (window
    functions), so a course of 500 students with 20 attempts each reads about 1,000 rows, not 10,000.
    """
    completed: F | Case
    if assignment.is_quiz:
        pieces = _finished_attempts().filter(quiz_id=assignment.quiz_id)
        time_field, sequence, completed = "finished_at", ["number"], F("finished_at")
    else:
        pieces = _graded_submissions().filter(exercise_slug=assignment.exercise_slug)
        time_field, sequence = "created_at", ["created_at", "pk"]
        completed = Case(When(passed=True, then=F("created_at")), output_field=DateTimeField())
    student = [F("student_id")]
    oldest_first = [F(name).asc() for name in sequence]
    newest_first = [F(name).desc() for name in sequence]
    first_done = [F(time_field).asc(), F("pk").asc()]
    last_done = [F(time_field).desc(), F("pk").desc()]
    # What "last" counts: the piece finished last (for submissions, the newest: the same row).
    last = (  # quiz attempts here all have a score
        {"done_last": Window(RowNumber(), partition_by=[F("student_id")], order_by=last_done)}
        if assignment.is_quiz
        else {}
    )
    scored = Case(When(score__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    # On-time scored pieces share one group; every later piece is a group of its own.
    group = Case(
        When(score__isnull=True, then=Value(-1)),
        When(**{f"{time_field}__lte": cutoff}, then=Value(0)),
        default=F("pk"),
        output_field=BigIntegerField(),
    )
    rows = (
        pieces.filter(student_id__in=student_ids)
        .annotate(
            n=Window(Count("pk"), partition_by=student),
            completed=Window(Min(completed), partition_by=student),
            top=Window(Max("score"), partition_by=student),
            # An attempt has its number; a submission is numbered by its place among the student's.
            ordinal=F("number")
            if assignment.is_quiz
            else Window(RowNumber(), partition_by=student, order_by=oldest_first),
            # The "latest" figure: the highest attempt number, or the newest scored submission.
            newest=Window(RowNumber(), partition_by=[*student, scored], order_by=newest_first),
            best_in_group=Window(
                RowNumber(), partition_by=[*student, group], order_by=[F("score").desc(), *first_done]
            ),
            **last,
        )
        .filter(Q(newest=1) | Q(best_in_group=1) | Q(**({"done_last": 1} if last else {"newest": 1})))
        .values_list(
            "pk",
            "student_id",
            "score",
            time_field,
            "ordinal",
            "n",
            "completed",
            "top",
            "newest",
            Value(False, output_field=BooleanField()) if assignment.is_quiz else "passed",
        )
    )
    value = assignment.quiz_id if assignment.is_quiz else assignment.exercise_slug
    found: dict[tuple, _Found] = defaultdict(_Found)
    for pk, student_id, score, finished_at, number, n, completed_at, top, newest, passed in rows:
        entry = found[(student_id, value)]
        entry.count, entry.completed_at, entry.best = n, completed_at, top
        if score is None:
            continue
        if newest == 1:
            entry.latest = score
        ref = (
            WorkRef(ATTEMPT, pk, number)
            if assignment.is_quiz
            else WorkRef(SUBMISSION, pk, number, bool(passed))
        )
        entry.works.append(policy.Work(score=score, finished_at=finished_at, ref=ref))
    for entry in found.values():
        entry.works.sort(key=lambda work: (work.finished_at, cast(WorkRef, work.ref).pk))
    return found


def late_penalty_of(assignment: Assignment) -> policy.LatePenalty:
    return policy.LatePenalty(per_day=assignment.late_penalty_per_day, cap=assignment.late_penalty_cap)


def _pick_of(assignment: Assignment) -> policy.Pick:
    quiz = assignment.quiz if assignment.is_quiz else None
    if quiz is not None and quiz.grading_policy == GradingPolicy.LAST:
        return policy.Pick.LAST
    return policy.Pick.BEST


def _cell(
    assignment: Assignment,
    found: _Found | None,
    extension: datetime | None,
    override: GradeOverride | None,
) -> GradeCell:
    works = found.works if found else []
    outcome = policy.score_that_counts(
        works,
        due_at=assignment.due_at,
        extension_due_at=extension,
        penalty=late_penalty_of(assignment),
        pick=_pick_of(assignment),
        override=policy.Override(override.score, override.reason) if override is not None else None,
    )
    completed_at = found.completed_at if found else None
    return GradeCell(
        best=found.best if found else None,
        latest=found.latest if found else None,
        # Every graded submission is an attempt, even one without a score.
        attempts=found.count if found else 0,
        completed_at=completed_at,
        late=completed_at is not None and completed_at > outcome.due_at,
        assignment_id=assignment.pk,
        outcome=outcome,
    )


def _cells_for(
    assignments: list[Assignment], student_ids: StudentIds, *, every_piece: bool
) -> dict[tuple[int, int], GradeCell]:
    """(student id, assignment id) -> cell, for every pair with work, an extension or an override.

    With `every_piece` the outcomes list all of the work (one student's pages); without, only the
    pieces that can count (the whole-course gradebook, see `_condensed`).
    """
    ids = [a.pk for a in assignments]
    extensions = {
        (e.student_id, e.assignment_id): e.due_at
        for e in DueDateExtension.objects.filter(assignment_id__in=ids, student_id__in=student_ids)
    }
    overrides = {
        (o.student_id, o.assignment_id): o
        for o in GradeOverride.objects.filter(assignment_id__in=ids, student_id__in=student_ids)
    }
    if every_piece:
        quizzes = _quiz_work({a.quiz_id for a in assignments if a.is_quiz and a.quiz_id}, student_ids)
        exercises = _exercise_work({a.exercise_slug for a in assignments if not a.is_quiz}, student_ids)
    cells = {}
    for assignment in assignments:
        value = assignment.quiz_id if assignment.is_quiz else assignment.exercise_slug
        if every_piece:
            results: dict = quizzes if assignment.is_quiz else exercises
        else:
            dues = [due for (_, aid), due in extensions.items() if aid == assignment.pk]
            results = _condensed(assignment, student_ids, min([assignment.due_at, *dues]))
        students = {sid for (sid, target) in results if target == value}
        students |= {sid for (sid, aid) in [*extensions, *overrides] if aid == assignment.pk}
        for student_id in students:
            key = (student_id, assignment.pk)
            cells[key] = _cell(
                assignment, results.get((student_id, value)), extensions.get(key), overrides.get(key)
            )
    awaiting = waiting_per_student_quiz(
        quiz_ids={a.quiz_id for a in assignments if a.is_quiz and a.quiz_id}, student_ids=student_ids
    )
    if awaiting:
        quiz_of = {a.pk: a.quiz_id for a in assignments if a.is_quiz and a.quiz_id}
        for (student_id, assignment_id), cell in cells.items():
            if assignment_id in quiz_of and (count := awaiting.get((student_id, quiz_of[assignment_id]))):
                cells[(student_id, assignment_id)] = replace(cell, awaiting=count)
    return cells


def _empty_cell(assignment: Assignment) -> GradeCell:
    return _cell(assignment, None, None, None)


def course_gradebook(*, course: Course, student_id: int | None = None) -> Gradebook:
    """The whole gradebook, or only one enrolled student's row (`student_id`)."""
    assignments = list(course.assignments.select_related("quiz").order_by("due_at", "id"))
    enrollments = Enrollment.objects.filter(course=course).select_related("student")
    if student_id is not None:
        enrollments = enrollments.filter(student_id=student_id)
    cells = _cells_for(assignments, enrollments.values("student_id"), every_piece=student_id is not None)
    empty = {a.pk: _empty_cell(a) for a in assignments}
    rows = []
    for enrollment in enrollments.order_by("student__username"):
        row_cells = [cells.get((enrollment.student_id, a.pk), empty[a.pk]) for a in assignments]
        total = policy.weighted_total(
            (cell.final, a.weight) for a, cell in zip(assignments, row_cells, strict=True)
        )
        rows.append(
            GradebookRow(
                enrollment.student_id, enrollment.student.username, enrollment.joined_at, row_cells, total
            )
        )
    return Gradebook(course=course, assignments=assignments, rows=rows)


def student_outcome(*, assignment: Assignment, student_id: int) -> GradeCell:
    """One student's cell on one assignment (enrolled or not: the LMS may ask about anyone who launched)."""
    cells = _cells_for([assignment], {student_id}, every_piece=True)
    return cells.get((student_id, assignment.pk)) or _empty_cell(assignment)


def counting_score(*, assignment: Assignment, student_id: int) -> float | None:
    """The score that counts for the student on the assignment under the course's policy (late
    penalty, extension, override); None when there is neither work nor an override."""
    return student_outcome(assignment=assignment, student_id=student_id).final
