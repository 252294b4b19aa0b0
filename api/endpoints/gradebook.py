"""A course's gradebook, as JSON or as the page's CSV file."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from api.auth import SERVICE_AUTH, service_course_id
from api.endpoints.common import instructors_only
from api.schemas import ErrorOut, GradebookOut
from courses.models import Course
from courses.services.access import VIEW, get_course_for_instructor
from courses.services.gradebook import course_gradebook
from courses.services.gradebook_csv import cell_adjustment, gradebook_csv

router = Router(tags=["gradebook"])


def _readable_course(request: HttpRequest, course_id: int) -> Course:
    """A course an instructor may view, or the one course an LMS's service token was issued for."""
    scoped = service_course_id(request)
    if scoped is not None:
        if scoped != course_id:
            raise Http404("No such course.")
        return Course.objects.get(pk=course_id)
    instructors_only(request)
    return get_course_for_instructor(request.user, course_id, to=VIEW)


@router.get("/courses/{course_id}/gradebook", response={200: GradebookOut, 404: ErrorOut}, auth=SERVICE_AUTH)
def course_gradebook_json(request: HttpRequest, course_id: int) -> dict:
    """Per enrolled student and assignment: best and latest score (0 to 1), attempts, completion,
    lateness, the score that counts under the course's policy (raw, final, what adjusted it) and how
    many essays behind it still wait for a grade (the score is provisional until they are graded);
    per student the weighted total."""
    course = _readable_course(request, course_id)
    book = course_gradebook(course=course)
    return {
        "course_id": course.pk,
        "course": course.name,
        "assignments": [
            {
                "id": a.pk,
                "kind": a.kind,
                "target": a.quiz.slug if a.is_quiz and a.quiz else a.exercise_slug,
                "label": a.target_label,
                "opens_at": a.opens_at,
                "due_at": a.due_at,
                "weight": a.weight,
                "late_penalty_per_day": a.late_penalty_per_day,
                "late_penalty_cap": a.late_penalty_cap,
            }
            for a in book.assignments
        ],
        "rows": [
            {
                "student": row.username,
                "joined_at": row.joined_at,
                "cells": [_cell(a, cell) for a, cell in zip(book.assignments, row.cells, strict=True)],
                "total": row.total,
            }
            for row in book.rows
        ],
    }


def _cell(assignment, cell) -> dict:
    return {
        "assignment_id": assignment.pk,
        "best": cell.best,
        "latest": cell.latest,
        "attempts": cell.attempts,
        "completed_at": cell.completed_at,
        "late": cell.late,
        "due_at": cell.outcome.due_at if cell.outcome else assignment.due_at,
        "raw": cell.raw,
        "final": cell.final,
        "adjusted": cell_adjustment(cell),
        "awaiting_grading": cell.awaiting if cell.provisional else 0,
    }


@router.get(
    "/courses/{course_id}/gradebook.csv",
    response={200: None, 404: ErrorOut},
    auth=SERVICE_AUTH,
    openapi_extra={"responses": {200: {"description": "The gradebook as CSV", "content": {"text/csv": {}}}}},
)
def course_gradebook_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    """The same CSV file the gradebook page offers (UTF-8 with BOM, percentages, formula-safe)."""
    course = _readable_course(request, course_id)
    response = HttpResponse(
        gradebook_csv(course_gradebook(course=course)), content_type="text/csv; charset=utf-8"
    )
    filename = f"gradebook-course-{course.pk}-{timezone.now():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
