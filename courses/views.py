"""Course pages. Thin: rules in courses.services.courses, permission-checked fetches in
courses.services.access, and the reports in their own service modules."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import instructor_required, is_instructor
from courses.forms import AssignmentDatesForm, AssignmentForm, CourseForm, JoinForm, dates_initial
from courses.models import AssignmentKind
from courses.services.access import (
    EDIT,
    OWN,
    VIEW,
    course_access,
    courses_joined_by,
    courses_taught_by,
    get_assignment_for_instructor,
    get_course_for_instructor,
    get_course_for_member,
)
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
from courses.services.gradebook import course_gradebook
from courses.services.gradebook_csv import gradebook_csv
from courses.services.item_stats import quiz_item_statistics
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
    form = AssignmentDatesForm(request.POST or None, initial=dates_initial(assignment))
    if request.method == "POST" and form.is_valid():
        try:
            assignment_update(assignment=assignment, **form.cleaned_data)
        except CourseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Dates saved.")
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
        return render(request, "courses/item_statistics.html", context)
    context["analytics"] = exercise_analytics(
        course=assignment.course, exercise_slug=assignment.exercise_slug
    )
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
