"""Course pages. Thin: rules in courses.services.courses, permission-checked fetches in
courses.services.access, and the reports in their own service modules."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import instructor_required, is_instructor
from courses.forms import (
    AssignmentForm,
    AssignmentSettingsForm,
    ClearExtensionForm,
    ClearOverrideForm,
    CourseForm,
    ExtensionForm,
    JoinForm,
    OverrideForm,
    settings_initial,
)
from courses.models import AssignmentKind
from courses.services.access import (
    EDIT,
    OWN,
    VIEW,
    course_access,
    courses_joined_by,
    courses_taught_by,
    get_assignment_for_instructor,
    get_course_attempt,
    get_course_for_instructor,
    get_course_for_member,
    get_course_for_student,
    get_enrolled_student,
)
from courses.services.challenge import challenge_set_enabled, leaderboard
from courses.services.code_analytics import exercise_analytics
from courses.services.courses import (
    CourseError,
    assignment_create,
    assignment_delete,
    assignment_state,
    assignment_update,
    course_create,
    course_regenerate_code,
    course_share_remove,
    course_share_set,
    enrollment_join,
    enrollment_remove,
)
from courses.services.grade_changes import (
    extension_clear,
    extension_set,
    grade_log,
    override_clear,
    override_set,
)
from courses.services.gradebook import course_gradebook, student_outcome
from courses.services.gradebook_csv import gradebook_csv
from courses.services.item_stats import quiz_item_statistics
from courses.services.staff_review import attempt_items_for_staff
from quizzes.models import Quiz
from quizzes.services.manual_grading import hand_graded_items
from quizzes.views.authoring_sharing import sharing_page
from quizzes.views.grading import grade_posted, queue_page


@login_required
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    context = {
        "taught": courses_taught_by(request.user).order_by("name") if is_instructor(request.user) else [],
        "joined": courses_joined_by(request.user).select_related("owner").order_by("name"),
        "course_form": CourseForm(),
        "join_form": JoinForm(),
    }
    return render(request, "courses/course_list.html", context)


@instructor_required
@require_POST
def course_new(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST)
    if form.is_valid():
        try:
            course = course_create(owner=request.user, name=form.cleaned_data["name"])
        except CourseError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Course “{course.name}” created. Share its enrolment code with your students."
            )
            return redirect("courses:detail", course_id=course.pk)
    else:
        messages.error(request, "A course needs a name of at most 200 characters.")
    return redirect("courses:list")


@login_required
@require_http_methods(["GET", "POST"])
def course_join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            enrollment, created = enrollment_join(student=request.user, code=form.cleaned_data["code"])
        except CourseError as error:
            form.add_error("code", str(error))
        else:
            course = enrollment.course
            messages.success(
                request, f"You joined “{course.name}”." if created else f"You are already in “{course.name}”."
            )
            return redirect("courses:detail", course_id=course.pk)
    return render(request, "courses/join.html", {"form": form})


@login_required
@require_GET
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course, teaches = get_course_for_member(request.user, course_id)
    context = _detail_context(course, teaches, access=course_access(request.user, course), user=request.user)
    return render(request, "courses/course_detail.html", context)


def _detail_context(
    course,
    teaches: bool,
    assignment_form: AssignmentForm | None = None,
    *,
    access: dict | None = None,
    user=None,
) -> dict:
    now = timezone.now()
    assignments = [
        (assignment, assignment_state(assignment, now))
        for assignment in course.assignments.select_related("quiz").order_by("due_at", "id")
    ]
    context = {"course": course, "teaches": teaches, "assignments": assignments, "access": access or {}}
    if teaches:
        context["enrollments"] = course.enrollments.select_related("student").order_by("student__username")
        context["assignment_form"] = assignment_form or AssignmentForm(user=user)
    return context


@instructor_required
@require_POST
def course_code_regenerate(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_instructor(request.user, course_id)
    try:
        course_regenerate_code(course=course)
    except CourseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "New enrolment code; the old one no longer works. Enrolled students stay enrolled."
        )
    return redirect("courses:detail", course_id=course.pk)


@instructor_required
@require_POST
def student_remove(request: HttpRequest, course_id: int, student_id: int) -> HttpResponse:
    course = get_course_for_instructor(request.user, course_id)
    if enrollment_remove(course=course, student_id=student_id):
        messages.success(request, "Student removed from the course; their work is kept.")
    return redirect("courses:detail", course_id=course.pk)


@instructor_required
@require_POST
def assignment_new(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_instructor(request.user, course_id)
    form = AssignmentForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            assignment_create(
                course=course,
                opens_at=form.cleaned_data["opens_at"],
                due_at=form.cleaned_data["due_at"],
                **form.target_fields(),
            )
        except (CourseError, Quiz.DoesNotExist) as error:
            form.add_error(
                None, str(error) if isinstance(error, CourseError) else "That quiz is no longer available."
            )
        else:
            messages.success(request, "Assignment added.")
            return redirect("courses:detail", course_id=course.pk)
    # Re-show the course page with the form and its errors, keeping what was typed.
    context = _detail_context(course, True, form, access=course_access(request.user, course))
    return render(request, "courses/course_detail.html", context, status=400)


@instructor_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_instructor(request.user, course_id, assignment_id)
    form = AssignmentSettingsForm(request.POST or None, initial=settings_initial(assignment))
    if request.method == "POST" and form.is_valid():
        try:
            assignment_update(assignment=assignment, **form.cleaned_data)
        except CourseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Dates and grading saved.")
            return redirect("courses:detail", course_id=assignment.course_id)
    return render(request, "courses/assignment_edit.html", {"assignment": assignment, "form": form})


@instructor_required
@require_POST
def assignment_remove(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    assignment = get_assignment_for_instructor(request.user, course_id, assignment_id)
    assignment_delete(assignment=assignment)
    messages.success(request, "Assignment removed; the students' attempts and submissions are kept.")
    return redirect("courses:detail", course_id=course_id)


@instructor_required
@require_GET
def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_instructor(request.user, course_id, to=VIEW)
    return render(
        request, "courses/gradebook.html", {"course": course, "book": course_gradebook(course=course)}
    )


@instructor_required
@require_GET
def gradebook_download(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_instructor(request.user, course_id, to=VIEW)
    body = gradebook_csv(course_gradebook(course=course))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"gradebook-course-{course.pk}-{timezone.now():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@instructor_required
@require_GET
def assignment_statistics(request: HttpRequest, course_id: int, assignment_id: int) -> HttpResponse:
    """Item statistics for a quiz assignment, code analytics for an exercise assignment."""
    assignment = get_assignment_for_instructor(request.user, course_id, assignment_id, to=VIEW)
    context: dict[str, Any] = {"course": assignment.course, "assignment": assignment}
    if assignment.is_quiz:
        quiz = cast(Quiz, assignment.quiz)  # a quiz assignment always has its quiz
        context["stats"] = quiz_item_statistics(course=assignment.course, quiz=quiz)
        context["statistics_title"] = "Item statistics"
        return render(request, "courses/item_statistics.html", context)
    context["analytics"] = exercise_analytics(
        course=assignment.course, exercise_slug=assignment.exercise_slug
    )
    context["statistics_title"] = "Code analytics"
    return render(request, "courses/code_analytics.html", context)


@instructor_required
@require_http_methods(["GET", "POST"])
def course_sharing(request: HttpRequest, course_id: int) -> HttpResponse:
    """The owner's page for who else teaches (co-teachers may edit) or views the course."""
    course = get_course_for_instructor(request.user, course_id, to=OWN)
    back = redirect("courses:sharing", course_id=course.pk)
    template = "courses/sharing.html"
    return sharing_page(request, {"course": course}, course_share_set, course_share_remove, back, template)


def _course_answers(course):
    """Hand-graded answers of the course's students to the quizzes it assigns."""
    return hand_graded_items().filter(
        attempt__quiz__in=course.assignments.filter(kind=AssignmentKind.QUIZ).values("quiz_id"),
        attempt__student__in=course.enrollments.values("student_id"),
    )


@login_required
@require_GET
def my_grades(request: HttpRequest, course_id: int) -> HttpResponse:
    """A student's own grades in a course they joined: the score that counts per assignment, and why."""
    course = get_course_for_student(request.user, course_id)
    book = course_gradebook(course=course, student_id=request.user.pk)
    row = book.rows[0] if book.rows else None
    cells = list(zip(book.assignments, row.cells, strict=True)) if row else []
    return render(request, "courses/my_grades.html", {"course": course, "row": row, "cells": cells})


GRADE_ACTIONS = {"extension", "clear_extension", "override", "clear_override"}


@instructor_required
@require_http_methods(["GET", "POST"])
def grade_cell(request: HttpRequest, course_id: int, student_id: int, assignment_id: int) -> HttpResponse:
    """One student's work on one assignment for the course staff, with the extension and override forms."""
    to = EDIT if request.method == "POST" else VIEW
    assignment = get_assignment_for_instructor(request.user, course_id, assignment_id, to=to)
    course = assignment.course
    student = get_enrolled_student(course, student_id)
    forms = {
        "extension": ExtensionForm(prefix="extension"),
        "clear_extension": ClearExtensionForm(prefix="clear-extension"),
        "override": OverrideForm(prefix="override"),
        "clear_override": ClearOverrideForm(prefix="clear-override"),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in GRADE_ACTIONS:
            return HttpResponseBadRequest("Unknown change: use the forms on the page.")
        form = type(forms[action])(request.POST, prefix=forms[action].prefix)
        forms[action] = form
        if form.is_valid() and _apply_grade_change(action, form, assignment, student, request):
            return redirect(
                "courses:grade_cell", course_id=course.pk, student_id=student.pk, assignment_id=assignment.pk
            )
        status = 400
    context = {
        "course": course,
        "assignment": assignment,
        "student": student,
        "cell": student_outcome(assignment=assignment, student_id=student.pk),
        "forms": forms,
        "access": course_access(request.user, course),
        "log": grade_log(course=course, student_id=student.pk, assignment_id=assignment.pk),
    }
    return render(request, "courses/grade_cell.html", context, status=status)


def _apply_grade_change(action: str, form, assignment, student, request: HttpRequest) -> bool:
    """Make the change the form asks for; on a refusal put the reason on the form and return False."""
    data = form.cleaned_data
    common = {"assignment": assignment, "student_id": student.pk, "actor": request.user}
    try:
        if action == "extension":
            extension_set(due_at=data["due_at"], reason=data["reason"], **common)
            done = "Extension saved."
        elif action == "clear_extension":
            extension_clear(reason=data["reason"], **common)
            done = "Extension removed: the assignment's due date applies again."
        elif action == "override":
            override_set(score=data["score"] / 100, reason=data["reason"], **common)
            done = "Grade overridden."
        else:
            override_clear(reason=data["reason"], **common)
            done = "Override removed: the score from the student's work counts again."
    except CourseError as error:
        form.add_error(None, str(error))
        return False
    messages.success(request, done)
    return True


@instructor_required
@require_GET
def grading_queue(request: HttpRequest, course_id: int) -> HttpResponse:
    """Essays of the course's students waiting for a grade; viewers see them, co-teachers who may edit
    the course grade them."""
    course = get_course_for_instructor(request.user, course_id, to=VIEW)
    can_grade = course_access(request.user, course)["edit"]
    context = {"heading": f"Needs grading · {course.name}", "course": course, "can_grade": can_grade}

    def action(pk: int) -> str:
        return reverse("courses:grade", kwargs={"course_id": course.pk, "attempt_item_id": pk})

    return queue_page(request, _course_answers(course), context, action, "courses/grading_queue.html")


@instructor_required
@require_POST
def grade(request: HttpRequest, course_id: int, attempt_item_id: int) -> HttpResponse:
    course = get_course_for_instructor(request.user, course_id, to=EDIT)
    grade_posted(request, _course_answers(course), attempt_item_id)
    return redirect("courses:grading", course_id=course.pk)


@instructor_required
@require_GET
def grade_changes(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's audit log of extensions and overrides."""
    course = get_course_for_instructor(request.user, course_id, to=VIEW)
    return render(request, "courses/grade_log.html", {"course": course, "log": grade_log(course=course)})


@instructor_required
@require_GET
def student_attempt(request: HttpRequest, course_id: int, attempt_id: int) -> HttpResponse:
    """A student's finished attempt at a quiz the course assigns, as the course staff read it."""
    course = get_course_for_instructor(request.user, course_id, to=VIEW)
    attempt = get_course_attempt(course, attempt_id)
    context = {"course": course, "attempt": attempt, "items": attempt_items_for_staff(attempt)}
    return render(request, "courses/student_attempt.html", context)


@login_required
@require_GET
def challenge_board(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's optimizer-challenge leaderboard (students: once their teachers turned it on)."""
    course, teaches = get_course_for_member(request.user, course_id)
    access = course_access(request.user, course)
    if not course.challenge_enabled:
        if not teaches:
            raise Http404("No such page.")
        return render(
            request, "courses/challenge_board.html", {"course": course, "access": access, "rows": None}
        )
    rows = leaderboard(course, viewer=request.user, teaches=teaches)
    context = {"course": course, "access": access, "rows": rows, "teaches": teaches}
    return render(request, "courses/challenge_board.html", context)


@instructor_required
@require_POST
def challenge_enable(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_instructor(request.user, course_id, to=EDIT)
    enabled = request.POST.get("enabled") == "on"
    challenge_set_enabled(course=course, enabled=enabled)
    messages.success(
        request,
        "The optimizer challenge is on: your students see its leaderboard."
        if enabled
        else "The optimizer challenge is off for this course.",
    )
    return redirect("courses:challenge", course_id=course.pk)
