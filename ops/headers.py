"""Security headers that Django has no setting for."""

from django.conf import settings


def permissions_policy_value(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} -> 'camera=(), fullscreen=(self)'."""
    parts = []
    for feature, allow in policy.items():
        parts.append(f"{feature}=({' '.join(allow)})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy` built from settings.PERMISSIONS_POLICY (unless a view set one)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = permissions_policy_value(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.value and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.value
        return response
