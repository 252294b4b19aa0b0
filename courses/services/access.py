"""Every permission-checked fetch of course data, in one place.

A course belongs to its owner, who may share it with co-teachers ("editor": manage assignments,
students and the enrolment code) and viewers (see the course, its gradebook and statistics).
`to` names what the caller is about to do: "view", "edit", or "own" (change who the course is
shared with). Superusers reach every course. A student reaches only the courses they joined.
Anything else is a 404 rather than a 403, so course and assignment ids cannot be probed. Views that
are for instructors only are additionally wrapped in `accounts.roles.instructor_required` (403 for
students).

Students' work shown to instructors (code submissions, diagnoses) is scoped here too: an
instructor sees a submission only if the exercise is assigned in a course they teach (own or
share) that the student is enrolled in, and only if it was made after the student joined it.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.models import Assignment, AssignmentKind, Course, Enrollment
from grading.api import CHALLENGE_SLUG
from quizzes.models import Attempt, AttemptStatus, ShareRole
from quizzes.permissions import owned_or_shared

VIEW, EDIT, OWN = "view", "edit", "own"  # the levels of quizzes.permissions, which scopes courses too


def courses_taught_by(user, *, to: str = VIEW) -> QuerySet[Course]:
    """Courses the user teaches for `to`: owned, shared with a fitting role, or all for superusers."""
    return owned_or_shared(Course, user, to)


def courses_joined_by(user) -> QuerySet[Course]:
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(enrollments__student=user)


def get_course_for_instructor(user, course_id: int, *, to: str = EDIT) -> Course:
    """A course the user teaches for `to` (by default: may edit it); 404 for every other course."""
    return get_object_or_404(courses_taught_by(user, to=to), pk=course_id)


def course_access(user, course: Course) -> dict[str, bool]:
    """What `user` may do in a course they reached, for showing only the controls that will work."""
    if not user.is_authenticated:
        return {"view": False, "edit": False, "own": False}
    if user.is_superuser or course.owner_id == user.pk:
        return {"view": True, "edit": True, "own": True}
    role = course.shares.filter(user=user).values_list("role", flat=True).first()
    return {"view": role is not None, "edit": role == ShareRole.EDITOR, "own": False}


def get_course_for_member(user, course_id: int) -> tuple[Course, bool]:
    """A course the user teaches (any role) or joined, and whether they teach it; 404 otherwise."""
    if not user.is_authenticated:
        raise Http404("No such course.")
    course = Course.objects.filter(pk=course_id).select_related("owner").first()
    if course is None:
        raise Http404("No such course.")
    if course_access(user, course)["view"]:
        return course, True
    if course.enrollments.filter(student=user).exists():
        return course, False
    raise Http404("No such course.")


def get_assignment_for_instructor(user, course_id: int, assignment_id: int, *, to: str = EDIT) -> Assignment:
    """An assignment of a course the user teaches for `to` (checked through the course); 404 otherwise."""
    course = get_course_for_instructor(user, course_id, to=to)
    assignment = get_object_or_404(
        Assignment.objects.select_related("quiz", "course"), pk=assignment_id, course=course
    )
    return assignment


def exercises_assigned_to(user) -> set[str]:
    """The slugs of the code exercises assigned in the courses `user` joined (opened or not yet)."""
    if not user.is_authenticated:
        return set()
    return set(
        Assignment.objects.filter(
            kind=AssignmentKind.EXERCISE, course__enrollments__student=user
        ).values_list("exercise_slug", flat=True)
    )


def courses_assigning(slug: str) -> list[str]:
    """The names of the courses that assign the code exercise `slug`."""
    return list(
        Course.objects.filter(
            assignments__kind=AssignmentKind.EXERCISE, assignments__exercise_slug=slug
        ).values_list("name", flat=True)
    )


def taught_students(user) -> QuerySet:
    """Ids (a values("student_id") subquery) of the students enrolled in a course the user teaches."""
    return Enrollment.objects.filter(course__in=courses_taught_by(user)).values("student_id")


def taught_work_q(
    user,
    *,
    student_field: str = "student",
    exercise_field: str = "exercise_slug",
    time_field: str = "created_at",
) -> Q:
    """A filter for rows of students' exercise work (code submissions) that `user` may see.

    A row passes when its student is enrolled in a course the user teaches (any role), that course
    assigns the row's exercise, and the row was made at or after the student joined that course;
    or when it is an optimizer-challenge entry and that course has the challenge on.
    Superusers see every row. For use inside `|` with other conditions (e.g. "or their own").
    """
    if user.is_superuser:
        return Q()
    assigned = Assignment.objects.filter(
        course=OuterRef("course"),
        kind=AssignmentKind.EXERCISE,
        exercise_slug=OuterRef(OuterRef(exercise_field)),
    )
    enrolments = Enrollment.objects.filter(
        course__in=courses_taught_by(user),
        student=OuterRef(student_field),
        joined_at__lte=OuterRef(time_field),
    ).filter(Exists(assigned))
    # Entries to the optimizer challenge, when a course they teach has it on (whenever made:
    # its leaderboard counts them all).
    challenge_courses = Enrollment.objects.filter(
        course__in=courses_taught_by(user), course__challenge_enabled=True, student=OuterRef(student_field)
    )
    return Q(Exists(enrolments)) | (Q(**{exercise_field: CHALLENGE_SLUG}) & Q(Exists(challenge_courses)))


def limit_to_taught_students(
    queryset: QuerySet,
    user,
    *,
    student_field: str = "student",
    exercise_field: str = "exercise_slug",
    time_field: str = "created_at",
) -> QuerySet:
    """The rows of `queryset` the user may see as a teacher (see `taught_work_q`); superusers: all.

    For anything other apps show instructors about students' exercise work (code submissions,
    diagnoses): rows must carry the student, the exercise slug and a creation time.
    """
    if user.is_superuser:
        return queryset
    return queryset.filter(
        taught_work_q(user, student_field=student_field, exercise_field=exercise_field, time_field=time_field)
    )


def course_work_since_joining(
    queryset: QuerySet, course: Course, *, student_field: str = "student", time_field: str = "created_at"
) -> QuerySet:
    """Rows of `queryset` made by a student of `course` at or after they joined it."""
    joined = Enrollment.objects.filter(
        course=course, student=OuterRef(student_field), joined_at__lte=OuterRef(time_field)
    )
    return queryset.filter(Exists(joined))


def get_course_for_student(user, course_id: int) -> Course:
    """A course the user joined as a student; 404 for every other course (also ones they teach)."""
    if not user.is_authenticated:
        raise Http404("No such course.")
    return get_object_or_404(Course.objects.select_related("owner"), pk=course_id, enrollments__student=user)


def get_enrolled_student(course: Course, student_id: int):
    """A student enrolled in the course; 404 for anyone else."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("student"), course=course, student_id=student_id
    )
    return enrollment.student


def get_course_attempt(course: Course, attempt_id: int) -> Attempt:
    """A finished attempt by a student of the course at a quiz the course assigns; 404 otherwise.

    The gradebook counts such attempts whenever they were made, so their staff may read them.
    """
    enrolled = Enrollment.objects.filter(course=course, student=OuterRef("student"))
    assigned = Assignment.objects.filter(course=course, quiz=OuterRef("quiz"))
    attempts = Attempt.objects.filter(Exists(enrolled), Exists(assigned), status=AttemptStatus.FINISHED)
    return get_object_or_404(attempts.select_related("quiz", "student"), pk=attempt_id)
