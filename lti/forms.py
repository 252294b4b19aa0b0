import json

from django import forms
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from accounts.tokens import MAX_NAME_LENGTH
from lti.models import PlatformContext


class RegistrationForm(forms.ModelForm):
    """A platform registration as the LMS's administrator reads it off the LMS's tool settings."""

    deployment_list = forms.CharField(
        label="Deployment ids",
        help_text="One or more, separated by commas or new lines.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = LtiTool
        fields = [
            "title",
            "issuer",
            "client_id",
            "auth_login_url",
            "auth_token_url",
            "key_set_url",
            "is_active",
        ]
        labels = {
            "auth_login_url": "OIDC authentication URL",
            "auth_token_url": "Access token URL",
            "key_set_url": "Public key set (JWKS) URL",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_set_url"].required = True
        if self.instance.pk and self.instance.deployment_ids:
            self.initial["deployment_list"] = ", ".join(json.loads(self.instance.deployment_ids))

    def clean_deployment_list(self) -> list[str]:
        raw = self.cleaned_data["deployment_list"].replace("\n", ",")
        ids = [part.strip() for part in raw.split(",") if part.strip()]
        if not ids:
            raise forms.ValidationError("Give at least one deployment id.")
        return ids

    def clean(self):
        cleaned = super().clean() or {}
        # Set before the model's own validation, which checks the stored JSON list.
        self.instance.deployment_ids = json.dumps(cleaned.get("deployment_list") or [])
        issuer, client_id = cleaned.get("issuer"), cleaned.get("client_id")
        clash = LtiTool.objects.filter(issuer=issuer, client_id=client_id).exclude(pk=self.instance.pk)
        if issuer and client_id and clash.exists():
            raise forms.ValidationError("This platform and client id are registered already.")
        return cleaned


class ContextChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: PlatformContext) -> str:
        return f"{obj.tool.title}: {obj} → {obj.course.name}"


class ServiceTokenForm(forms.Form):
    """Staff pick the connected LMS course a new service token reads, and name it."""

    context = ContextChoiceField(
        queryset=PlatformContext.objects.select_related("tool", "course").order_by("tool__title", "title"),
        label="LMS course",
        help_text="The token reads this course's results only.",
    )
    name = forms.CharField(max_length=MAX_NAME_LENGTH, help_text="Who uses it, e.g. “Moodle gradebook sync”.")
