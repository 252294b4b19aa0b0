"""Names and Role Provisioning Services: bring an LMS course's roster into its Descent course."""

from __future__ import annotations

from django.utils import timezone
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from courses.models import Enrollment
from lti import tool
from lti.claims import LaunchRole, role_from_claims
from lti.models import PlatformContext
from lti.services.launches import account_for


def sync_roster(context: PlatformContext) -> dict[str, int]:
    """Create accounts for the course's members and enrol its learners, launched or not.

    Members who left the LMS course are not unenrolled: their work stays in the gradebook, and an
    instructor removes them by hand if that is wanted.
    """
    if not context.memberships_url:
        raise ValueError("The LMS has not offered a roster for this course (no Names and Roles service).")
    registration = tool.registration_for(context.tool)
    service = NamesRolesProvisioningService(
        ServiceConnector(registration, tool.http_session()),
        {"context_memberships_url": context.memberships_url},
    )
    counts = {"members": 0, "learners": 0, "enrolled": 0}
    for member in service.get_members():
        if member.get("status", "Active") != "Active":
            continue
        counts["members"] += 1
        role = role_from_claims(member.get("roles"))
        account = account_for(
            issuer=context.tool.issuer,
            subject=str(member.get("user_id", "")),
            role=role,
            given_name=str(member.get("given_name", "")),
            family_name=str(member.get("family_name", "")),
            email=str(member.get("email", "")),
        )
        if role == LaunchRole.LEARNER and account.user_id != context.course.owner_id:
            counts["learners"] += 1
            _, created = Enrollment.objects.get_or_create(course=context.course, student=account.user)
            counts["enrolled"] += int(created)
    PlatformContext.objects.filter(pk=context.pk).update(roster_synced_at=timezone.now())
    return counts
