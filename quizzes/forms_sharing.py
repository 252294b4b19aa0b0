"""The form an owner uses to share a bank (or, from courses, a course) with another instructor."""

from django import forms

from quizzes.models import ShareRole


class ShareForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="The other instructor's username.")
    role = forms.ChoiceField(choices=ShareRole.choices, initial=ShareRole.VIEWER)
