"""Reading an LTI 1.3 launch's claims: pure functions over the decoded id_token, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_SERVICE = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

# Custom parameter that a deep link stores on the LMS activity: which Descent assignment it opens.
TARGET_PARAMETER = "descent_assignment"


class LaunchRole(StrEnum):
    """What a launch may do in Descent, from the LMS roles; the strongest role wins."""

    INSTRUCTOR = "instructor"
    TEACHING_ASSISTANT = "teaching-assistant"
    LEARNER = "learner"
    OTHER = "other"


_INSTRUCTOR_ROLES = {
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "Instructor",
    "ContentDeveloper",
    "Administrator",
}
_ASSISTANT_ROLES = {
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor",
    "TeachingAssistant",
}
_LEARNER_ROLES = {
    "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
    "http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#Learner",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student",
    "Learner",
    "Student",
}


def role_from_claims(roles: list[str] | None) -> LaunchRole:
    """The Descent role for a list of LTI role URIs (full or short form).

    A teaching assistant is checked before the instructor: its URI is a sub-role of Instructor
    and platforms often send both, but it must not give ownership of the course.
    """
    given = set(roles or [])
    if given & _ASSISTANT_ROLES:
        return LaunchRole.TEACHING_ASSISTANT
    if given & _INSTRUCTOR_ROLES:
        return LaunchRole.INSTRUCTOR
    if given & _LEARNER_ROLES:
        return LaunchRole.LEARNER
    return LaunchRole.OTHER


@dataclass(frozen=True)
class LaunchFacts:
    """The parts of a launch Descent acts on."""

    issuer: str
    client_id: str
    deployment_id: str
    subject: str
    role: LaunchRole
    given_name: str
    family_name: str
    email: str
    context_id: str
    context_title: str
    resource_link_id: str
    resource_title: str
    assignment_id: int | None
    lineitem_url: str
    ags_scopes: tuple[str, ...]
    memberships_url: str
    deep_link_return_url: str


def _client_id(body: dict[str, Any]) -> str:
    audience = body.get("aud")
    if isinstance(audience, list):
        return str(body.get("azp") or (audience[0] if audience else ""))
    return str(audience or "")


def launch_facts(body: dict[str, Any]) -> LaunchFacts:
    """The facts of a validated launch body (an id_token's claims)."""
    context = body.get(LTI + "context") or {}
    resource = body.get(LTI + "resource_link") or {}
    custom = body.get(LTI + "custom") or {}
    ags = body.get(AGS_ENDPOINT) or {}
    nrps = body.get(NRPS_SERVICE) or {}
    raw_target = str(custom.get(TARGET_PARAMETER, "")).strip()
    return LaunchFacts(
        issuer=str(body.get("iss", "")),
        client_id=_client_id(body),
        deployment_id=str(body.get(LTI + "deployment_id", "")),
        subject=str(body.get("sub", "")),
        role=role_from_claims(body.get(LTI + "roles")),
        given_name=str(body.get("given_name", ""))[:150],
        family_name=str(body.get("family_name", ""))[:150],
        email=str(body.get("email", ""))[:254],
        context_id=str(context.get("id", "")),
        context_title=str(context.get("title") or context.get("label") or "")[:200],
        resource_link_id=str(resource.get("id", "")),
        resource_title=str(resource.get("title", ""))[:255],
        assignment_id=int(raw_target) if raw_target.isdigit() else None,
        lineitem_url=str(ags.get("lineitem", "")),
        ags_scopes=tuple(str(scope) for scope in ags.get("scope", []) or []),
        memberships_url=str(nrps.get("context_memberships_url", "")),
        deep_link_return_url=str((body.get(DEEP_LINKING_SETTINGS) or {}).get("deep_link_return_url", "")),
    )
