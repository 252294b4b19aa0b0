"""Forms for the course pages; the rules themselves live in courses.services.courses."""

from __future__ import annotations

from typing import cast

from django import forms

from courses.models import Assignment, AssignmentKind
from grading import api as grading_api
from quizzes.models import Quiz

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CourseForm(forms.Form):
    name = forms.CharField(max_length=200)


class JoinForm(forms.Form):
    code = forms.CharField(
        max_length=32, label="Enrolment code", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


def target_choices(user=None) -> list[tuple[str, list[tuple[str, str]]]]:
    """What can be assigned, grouped for the <select>: "quiz:<id>" and "exercise:<slug>" (with the
    published exercises `user` wrote or was shared, when a user is given)."""
    quizzes = [
        (f"quiz:{quiz.pk}", quiz.title) for quiz in Quiz.objects.filter(published=True).order_by("title")
    ]
    available = grading_api.exercises() if user is None else grading_api.assignable_exercises(user)
    ordered = sorted(available, key=lambda exercise: (exercise.order, exercise.slug))
    exercises = [(f"exercise:{exercise.slug}", exercise.title) for exercise in ordered]
    return [("Quizzes", quizzes), ("Code exercises", exercises)]


class AssignmentDatesForm(forms.Form):
    opens_at = forms.DateTimeField(label="Opens", widget=DATETIME_WIDGET)
    due_at = forms.DateTimeField(label="Due", widget=DATETIME_WIDGET)

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        opens_at, due_at = cleaned.get("opens_at"), cleaned.get("due_at")
        if opens_at and due_at and due_at <= opens_at:
            self.add_error("due_at", "The due date must come after the opening date.")
        return cleaned


def _policy_number(label: str, help_text: str, *, most: float) -> forms.FloatField:
    """An optional number from 0 to `most` in an assignment's grade policy (empty keeps the current value)."""
    return forms.FloatField(label=label, required=False, min_value=0, max_value=most, help_text=help_text)


class AssignmentSettingsForm(AssignmentDatesForm):
    """The dates and the grade policy of an assignment (see courses.grade_policy); a policy field
    left empty keeps its current value."""

    weight = _policy_number(
        "Weight in the course total",
        "1 for an ordinary assignment, 2 for one that counts double, 0 to leave it out.",
        most=1000,
    )
    late_penalty_per_day = _policy_number(
        "Late penalty per day (%)",
        "Percent of the score lost for every started day after the due date; 0 for none.",
        most=100,
    )
    late_penalty_cap = _policy_number(
        "Late penalty at most (%)",
        "The most lateness can take. Equal to the daily penalty for a fixed penalty.",
        most=100,
    )


class AssignmentForm(AssignmentDatesForm):
    target = forms.ChoiceField(label="Assign")
    field_order = ["target", "opens_at", "due_at"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = target_choices(user)

    def target_fields(self) -> dict:
        """The cleaned target as keyword arguments for assignment_create."""
        kind, _, value = self.cleaned_data["target"].partition(":")
        if kind == AssignmentKind.QUIZ:
            return {"kind": kind, "quiz": Quiz.objects.get(pk=int(value), published=True)}
        return {"kind": AssignmentKind.EXERCISE, "exercise_slug": value}


def dates_initial(assignment: Assignment) -> dict:
    return {"opens_at": assignment.opens_at, "due_at": assignment.due_at}


def settings_initial(assignment: Assignment) -> dict:
    return {
        **dates_initial(assignment),
        "weight": assignment.weight,
        "late_penalty_per_day": assignment.late_penalty_per_day,
        "late_penalty_cap": assignment.late_penalty_cap,
    }


class ExtensionForm(forms.Form):
    due_at = forms.DateTimeField(label="New due date", widget=DATETIME_WIDGET)
    reason = forms.CharField(
        label="Reason (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OverrideForm(forms.Form):
    score = forms.FloatField(
        label="Grade (%)", min_value=0, max_value=100, help_text="Replaces the score from the student's work."
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why: the reason is kept in the course's audit log."},
    )


class ClearExtensionForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClearOverrideForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why: the reason is kept in the course's audit log."},
    )
