"""Forms for the instructor quiz pages: the quiz's settings and its rules as a formset."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from quizzes.forms_authoring import topic_slugs
from quizzes.models import Bank, ItemKind, Quiz, Topic
from quizzes.services.quiz_authoring import RuleSpec


class QuizForm(forms.ModelForm):
    # Zero minutes or zero attempts would make a quiz nobody can take: empty means "no limit".
    time_limit_minutes = forms.IntegerField(
        required=False, min_value=1, label="Time limit (minutes)", help_text="Empty: no time limit."
    )
    max_attempts = forms.IntegerField(
        required=False, min_value=1, label="Maximum attempts", help_text="Empty: unlimited."
    )
    penalty_per_extra_attempt = forms.FloatField(
        initial=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        label="Penalty per extra attempt",
        help_text="Fraction of the score lost for each attempt after the first, from 0 to 1 (0.1 = 10%).",
    )

    class Meta:
        model = Quiz
        fields = [
            "title",
            "slug",
            "description",
            "published",
            "time_limit_minutes",
            "max_attempts",
            "penalty_per_extra_attempt",
            "grading_policy",
            "feedback_mode",
            "one_item_per_page",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "slug": "Part of the quiz's address; lowercase letters, digits and hyphens.",
            "description": "Markdown, shown to students above the Start button.",
            "published": "Students see and can start only published quizzes.",
        }


class RuleForm(forms.Form):
    bank = forms.ModelChoiceField(
        queryset=Bank.objects.order_by("name"), required=False, empty_label="Any bank"
    )
    topics = forms.CharField(
        required=False,
        help_text="Topic slugs separated by commas; an item with any of them matches. Empty: any topic.",
    )
    kinds = forms.MultipleChoiceField(
        choices=ItemKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any kind.",
    )
    count = forms.IntegerField(min_value=1, initial=1, help_text="How many items this rule draws.")

    def __init__(self, *args, banks=None, **kwargs):
        """`banks`: the banks the author may draw from (the pages pass those the user may view)."""
        super().__init__(*args, **kwargs)
        if banks is not None:
            bank_field = cast(forms.ModelChoiceField, self.fields["bank"])
            bank_field.queryset = banks.order_by("name")

    def clean_topics(self) -> list[str]:
        slugs = topic_slugs(self.cleaned_data["topics"])
        # A misspelt topic would silently match nothing: name the ones that exist instead.
        known = set(Topic.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        unknown = [slug for slug in slugs if slug not in known]
        if unknown:
            existing = ", ".join(Topic.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise ValidationError(f"No such topic: {', '.join(unknown)}. Existing topics: {existing}.")
        return slugs

    def rule_spec(self) -> RuleSpec:
        data = self.cleaned_data
        return RuleSpec(
            bank=data["bank"], topics=data["topics"], kinds=list(data["kinds"]), count=data["count"]
        )


class BaseRuleFormSet(forms.BaseFormSet):
    if TYPE_CHECKING:  # Django's own helper, which the type stubs leave out as private

        def _should_delete_form(self, form: forms.Form) -> bool: ...

    def rule_specs(self) -> list[RuleSpec]:
        """The kept rules in page order: blank extra rows and rows marked for deletion are left out.

        A blank extra row is skipped by validation and so has empty `cleaned_data`; saved rows
        always have theirs, even when the author changed nothing in them.
        """
        return [
            form.rule_spec()
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.rule_specs():
            raise ValidationError("A quiz needs at least one rule, or it has no questions to draw.")


RuleFormSet = cast(
    type[BaseRuleFormSet],
    forms.formset_factory(RuleForm, formset=BaseRuleFormSet, extra=1, can_delete=True),
)


def rule_initial(specs: list[RuleSpec]) -> list[dict]:
    """Initial data for the formset from saved rules."""
    return [
        {"bank": spec.bank, "topics": ", ".join(spec.topics), "kinds": list(spec.kinds), "count": spec.count}
        for spec in specs
    ]
