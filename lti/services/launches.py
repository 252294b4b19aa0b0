"""What a validated launch does in Descent: an account, a course, an enrolment, an activity link."""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from accounts.services import user_add_role, user_create
from courses.models import Enrollment
from courses.services.courses import course_create
from lti.claims import LaunchFacts, LaunchRole
from lti.models import PlatformAccount, PlatformContext, ResourceLink


class LaunchRefused(Exception):
    """A launch that validated but cannot be acted on; the message is shown to the person."""


def _username_for(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:20]
    return f"lti-{digest}"


def account_for(
    *,
    issuer: str,
    subject: str,
    role: LaunchRole,
    given_name: str = "",
    family_name: str = "",
    email: str = "",
):
    """The Descent user for an LMS person: found by issuer and subject, created (with no password) if new.

    Names and e-mail follow the LMS on every launch. A person who is an instructor anywhere joins the
    instructors group; nobody is ever moved out of it by a launch as a learner elsewhere.
    """
    if not subject:
        raise LaunchRefused("The LMS sent no user id, so Descent cannot tell who you are.")
    instructor = role in (LaunchRole.INSTRUCTOR, LaunchRole.TEACHING_ASSISTANT)
    with transaction.atomic():
        link = PlatformAccount.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
        if link is None:
            # No password: the account gets an unusable one and can only be entered by a launch.
            user = user_create(username=_username_for(issuer, subject), password=None, instructor=instructor)
            try:
                with transaction.atomic():
                    link = PlatformAccount.objects.create(user=user, issuer=issuer, subject=subject)
            except IntegrityError:  # two first launches at once: keep the other one's account
                user.delete()
                link = PlatformAccount.objects.select_related("user").get(issuer=issuer, subject=subject)
        user = link.user
        changed = []
        for field, value in (("first_name", given_name), ("last_name", family_name), ("email", email)):
            if value and getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        user_add_role(user, instructor=instructor)
    return link


def context_for(*, tool: LtiTool, facts: LaunchFacts, account: PlatformAccount) -> PlatformContext | None:
    """The Descent course of the LMS course; an instructor's first launch creates it, owned by them."""
    if not facts.context_id:
        return None
    context = (
        PlatformContext.objects.select_related("course")
        .filter(tool=tool, deployment_id=facts.deployment_id, context_id=facts.context_id)
        .first()
    )
    if context is None:
        if facts.role != LaunchRole.INSTRUCTOR:
            raise LaunchRefused(
                "This LMS course is not connected to Descent yet. Its instructor connects it by opening "
                "Descent from the course once."
            )
        with transaction.atomic():
            course = course_create(owner=account.user, name=facts.context_title or "LMS course")
            context, _ = PlatformContext.objects.get_or_create(
                tool=tool,
                deployment_id=facts.deployment_id,
                context_id=facts.context_id,
                defaults={"title": facts.context_title, "course": course},
            )
            if context.course_id != course.pk:  # another launch connected it first
                course.delete()
    updates = {}
    if facts.context_title and context.title != facts.context_title:
        updates["title"] = facts.context_title
    if facts.memberships_url and context.memberships_url != facts.memberships_url:
        updates["memberships_url"] = facts.memberships_url
    if updates:
        PlatformContext.objects.filter(pk=context.pk).update(**updates)
        for name, value in updates.items():
            setattr(context, name, value)
    if facts.role == LaunchRole.LEARNER and context.course.owner_id != account.user_id:
        Enrollment.objects.get_or_create(course=context.course, student=account.user)
    return context


def resource_link_for(*, context: PlatformContext, facts: LaunchFacts) -> ResourceLink | None:
    """The activity row, with the assignment it opens and the line item its scores go to."""
    if not facts.resource_link_id:
        return None
    link, _ = ResourceLink.objects.get_or_create(
        context=context, resource_link_id=facts.resource_link_id, defaults={"title": facts.resource_title}
    )
    changed = []
    if facts.assignment_id is not None and link.assignment_id != facts.assignment_id:
        if context.course.assignments.filter(pk=facts.assignment_id).exists():
            link.assignment_id = facts.assignment_id
            changed.append("assignment")
    if facts.lineitem_url and link.lineitem_url != facts.lineitem_url:
        link.lineitem_url = facts.lineitem_url
        changed.append("lineitem_url")
    if list(facts.ags_scopes) != list(link.ags_scopes):
        link.ags_scopes = list(facts.ags_scopes)
        changed.append("ags_scopes")
    if facts.resource_title and link.title != facts.resource_title:
        link.title = facts.resource_title
        changed.append("title")
    if changed:
        link.save(update_fields=changed)
    return link
