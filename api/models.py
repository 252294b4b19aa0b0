"""Per-user API tokens. Only a SHA-256 digest of each token is stored; the token itself is shown once."""

from django.conf import settings
from django.db import models

from accounts.tokens import DigestToken


class ApiToken(DigestToken):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="api_tokens", on_delete=models.CASCADE)
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'gradebook export'.")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user_id}"
