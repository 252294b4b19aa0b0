"""The grader's form for one hand-graded answer: a score in percent and a comment."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from quizzes.services.manual_grading import MAX_COMMENT_CHARS


class GradeForm(forms.Form):
    score = forms.DecimalField(
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        max_digits=5,
        label="Score (%)",
        error_messages={"required": "Give a score from 0 to 100."},
    )
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment",
    )

    def fraction(self) -> float:
        return float(self.cleaned_data["score"]) / 100

    def error_text(self) -> str:
        return " ".join(str(error) for errors in self.errors.values() for error in errors)
