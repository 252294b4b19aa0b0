"""LTI 1.3 endpoints: OIDC login, launch, the tool's key set, deep linking, roster and score status."""

from __future__ import annotations

import logging
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool, LtiToolKey
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem
from requests import RequestException

from accounts.roles import instructor_required
from accounts.token_page import issue_from_form
from courses.models import Assignment, AssignmentKind, Course
from courses.services.access import get_course_for_instructor
from lti import frame, tool
from lti.claims import TARGET_PARAMETER, LaunchRole, launch_facts
from lti.forms import RegistrationForm, ServiceTokenForm
from lti.keys import create_tool_key
from lti.models import PlatformContext, ScoreSync, ServiceToken
from lti.services.launches import LaunchRefused, account_for, context_for, resource_link_for
from lti.services.roster import sync_roster
from lti.services.scores import push_due_scores
from lti.services.service_tokens import ServiceTokenRefused, service_token_issue, service_token_revoke

log = logging.getLogger(__name__)
SESSION_LAUNCH = "lti_launch_id"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    log.info("LTI launch refused: %s", reason)
    return render(request, "lti/refused.html", {"reason": reason}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: check the platform is registered, then send the browser to it."""
    if settings.LTI_REQUIRE_HTTPS and not request.is_secure():
        return _refused(request, "LTI launches are accepted over HTTPS only.", status=400)
    target = request.POST.get("target_link_uri") or request.GET.get("target_link_uri") or ""
    try:
        return tool.oidc_login(request).redirect(target or request.build_absolute_uri(reverse("lti:launch")))
    except (LtiException, OIDCException) as error:  # OIDCException: a login missing its parameters
        return _refused(request, f"The login request could not be accepted: {error}", status=400)


def _consume_nonce(body: dict) -> bool:
    """True the first time this platform's nonce is seen; a replayed id_token fails here."""
    key = f"lti-used-nonce:{body.get('iss')}:{body.get('nonce')}"
    return cache.add(key, 1, timeout=settings.LTI_NONCE_SECONDS)


@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """Validate the id_token (signature against the platform's key set, issuer, audience, deployment,
    nonce, state, expiry), then sign the person in and open what the activity points at."""
    if settings.LTI_REQUIRE_HTTPS and not request.is_secure():
        return _refused(request, "LTI launches are accepted over HTTPS only.", status=400)
    try:
        message_launch = tool.message_launch(request)  # refuses a browser without the login's cookie
        body = message_launch.get_launch_data()
    except LtiException as error:
        return _refused(request, f"This launch could not be verified: {error}")
    except RequestException as error:
        return _refused(request, f"The LMS's keys could not be fetched: {error}", status=502)
    if not _consume_nonce(dict(body)):
        return _refused(request, "This launch was already used. Open the activity again from your LMS.")
    facts = launch_facts(dict(body))
    lti_tool = tool.tool_conf().get_lti_tool(facts.issuer, facts.client_id)
    try:
        account = account_for(
            issuer=facts.issuer,
            subject=facts.subject,
            role=facts.role,
            given_name=facts.given_name,
            family_name=facts.family_name,
            email=facts.email,
        )
        context = context_for(tool=lti_tool, facts=facts, account=account)
    except LaunchRefused as error:
        return _refused(request, str(error))
    login(request, account.user, backend=MODEL_BACKEND)
    request.session[SESSION_LAUNCH] = message_launch.get_launch_id()
    frame.mark_session(request, lti_tool.pk)  # its pages may now be framed by this platform

    if message_launch.is_deep_link_launch():
        if facts.role != LaunchRole.INSTRUCTOR or context is None:
            return _refused(request, "Only the course's instructor can add Descent activities.")
        return redirect("lti:deep_link", launch_id=message_launch.get_launch_id())
    if context is None:
        return redirect("home")
    link = resource_link_for(context=context, facts=facts)
    if link is not None and link.assignment is not None:
        return redirect(_assignment_url(link.assignment))
    return redirect("courses:detail", course_id=context.course_id)


def _assignment_url(assignment: Assignment) -> str:
    if assignment.kind == AssignmentKind.QUIZ and assignment.quiz is not None:
        return reverse("quizzes:detail", kwargs={"slug": assignment.quiz.slug})
    return reverse("grading:exercise", kwargs={"slug": assignment.exercise_slug})


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys: every key still configured, so a rotated-out key verifies until removed."""
    return JsonResponse(tool.tool_conf().get_jwks())


@instructor_required
@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest, launch_id: str) -> HttpResponse:
    """Pick an assignment of the connected course; the LMS gets it back as an activity with a grade column."""
    if request.session.get(SESSION_LAUNCH) != launch_id:
        raise Http404("No such launch in this session.")
    try:
        message_launch = tool.restored_launch(request, launch_id)
    except LtiException:
        raise Http404("That launch has expired; start again from the LMS.") from None
    if not message_launch.is_deep_link_launch():
        raise Http404("Not a deep-linking launch.")
    facts = launch_facts(dict(message_launch.get_launch_data()))
    if not facts.deep_link_return_url:
        raise Http404("The LMS gave no address to return the choice to.")
    lti_tool = tool.tool_conf().get_lti_tool(facts.issuer, facts.client_id)
    context = get_object_or_404(
        PlatformContext, tool=lti_tool, deployment_id=facts.deployment_id, context_id=facts.context_id
    )
    if context.course.owner_id != request.user.pk:
        raise Http404("Not your course.")
    assignments = list(context.course.assignments.select_related("quiz"))
    if request.method == "GET":
        return render(request, "lti/deep_link.html", {"course": context.course, "assignments": assignments})
    chosen = [a for a in assignments if str(a.pk) in request.POST.getlist("assignment")]
    if not chosen:
        return render(
            request,
            "lti/deep_link.html",
            {
                "course": context.course,
                "assignments": assignments,
                "error": "Choose at least one assignment.",
            },
            status=400,
        )
    launch_url = request.build_absolute_uri(reverse("lti:launch"))
    resources = [
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(assignment.target_label)
        .set_custom_params({TARGET_PARAMETER: str(assignment.pk)})
        .set_lineitem(
            LineItem()
            .set_score_maximum(1)
            .set_label(assignment.target_label)
            .set_resource_id(f"descent-assignment-{assignment.pk}")
            .set_end_date_time(assignment.due_at.isoformat())
        )
        for assignment in chosen
    ]
    deep_link_service = message_launch.get_deep_link()
    response = render(
        request,
        "lti/deep_link_return.html",
        {
            "return_url": facts.deep_link_return_url,
            "jwt": deep_link_service.get_response_jwt(resources),
            "chosen": chosen,
        },
    )
    # This one form posts to the LMS: the policy's form-action allows its origin on this page only.
    return_origin = frame.origin_of(facts.deep_link_return_url)
    if return_origin:
        site_form_action = cast(list[str], settings.SECURE_CSP.get("form-action", []))
        form_action = [*site_form_action, return_origin]
        response._csp_config = {**settings.SECURE_CSP, "form-action": form_action}  # type: ignore[attr-defined]
    return response


def _connected_course(request: HttpRequest, course_id: int) -> tuple[Course, list[PlatformContext]]:
    """A course the user teaches (viewers may look; acting on it needs edit rights), with its LMS links."""
    level = "edit" if request.method == "POST" else "view"
    course = get_course_for_instructor(request.user, course_id, to=level)
    return course, list(PlatformContext.objects.filter(course=course).select_related("tool"))


@instructor_required
@require_http_methods(["GET", "POST"])
def course_lms(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's LMS connection: roster sync and every score's way to the LMS gradebook."""
    course, contexts = _connected_course(request, course_id)
    if not contexts:
        raise Http404("This course is not connected to an LMS.")
    message = ""
    if request.method == "POST":
        if request.POST.get("action") == "roster":
            try:
                totals = [sync_roster(context) for context in contexts]
                message = "Roster synced: " + ", ".join(
                    f"{t['members']} members, {t['enrolled']} newly enrolled" for t in totals
                )
            except (LtiException, RequestException, ValueError) as error:
                message = f"The roster could not be read: {error}"
        elif request.POST.get("action") == "retry":
            counts = push_due_scores(force=True)
            message = f"Scores sent: {counts['sent']}; still failing: {counts['failed']}."
    syncs = (
        ScoreSync.objects.filter(link__context__course=course)
        .select_related("account__user", "link")
        .order_by("account__user__username", "link__title")
    )
    return render(
        request,
        "lti/course_lms.html",
        {"course": course, "contexts": contexts, "syncs": syncs, "message": message},
    )


def _tool_endpoints(request: HttpRequest) -> dict[str, str]:
    return {
        "OIDC login initiation URL": request.build_absolute_uri(reverse("lti:login")),
        "Redirect (launch) URL": request.build_absolute_uri(reverse("lti:launch")),
        "Deep linking URL": request.build_absolute_uri(reverse("lti:launch")),
        "Public key set (JWKS) URL": request.build_absolute_uri(reverse("lti:jwks")),
    }


@staff_member_required
@require_http_methods(["GET", "POST"])
def registrations(request: HttpRequest, tool_id: int | None = None) -> HttpResponse:
    """Staff register LMS platforms here; the page lists what to enter on the LMS side too."""
    instance = get_object_or_404(LtiTool, pk=tool_id) if tool_id else None
    form = RegistrationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        registration = form.save(commit=False)
        if not registration.tool_key_id:
            registration.tool_key = LtiToolKey.objects.order_by("-id").first() or create_tool_key(
                "descent-key-1"
            )
        registration.save()
        return redirect("lti:registrations")
    return render(
        request,
        "lti/registrations.html",
        {
            "form": form,
            "editing": instance,
            "registrations": LtiTool.objects.select_related("tool_key").order_by("title"),
            "endpoints": _tool_endpoints(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache  # the page right after issuing holds the token: no cache may keep it
@staff_member_required
@require_http_methods(["GET", "POST"])
def service_tokens(request: HttpRequest) -> HttpResponse:
    """Staff issue an LMS its read-only API token for one connected course, and revoke tokens."""
    form, issued, status = issue_from_form(
        request,
        ServiceTokenForm,
        lambda data: service_token_issue(context=data["context"], name=data["name"], issued_by=request.user),
        ServiceTokenRefused,
    )
    tokens = ServiceToken.objects.select_related("context__tool", "context__course", "created_by")
    context = {"form": form, "created": issued, "tokens": tokens}  # the names token_page.html reads
    return render(request, "lti/service_tokens.html", context, status=status)


@staff_member_required
@require_POST
def service_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = service_token_revoke(token_id=token_id)
    messages.success(request, f"The service token “{token.name}” is revoked: the API refuses it from now on.")
    return redirect("lti:service_tokens")
