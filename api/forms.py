from django import forms

from accounts.tokens import MAX_NAME_LENGTH


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=MAX_NAME_LENGTH, help_text="What the token is for, e.g. “gradebook export to the LMS”."
    )
