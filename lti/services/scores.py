"""Scores on their way to the LMS gradebook (Assignment and Grade Services), with retries."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from lti import tool
from lti.claims import SCORE_SCOPE
from lti.models import PlatformAccount, ResourceLink, ScoreSync, SyncStatus

log = logging.getLogger(__name__)

MAX_TRIES = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)


def retry_delay(tries: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling, never more than two hours."""
    return min(FIRST_RETRY * (2 ** max(tries - 1, 0)), LONGEST_RETRY)


def record_score(
    *,
    user,
    assignment_id: int,
    score: float,
    maximum: float = 1.0,
    scored_at: datetime | None = None,
    completed: bool = True,
) -> list[ScoreSync]:
    """Queue the student's newest score for every LMS activity that opens this assignment.

    Sending happens after the surrounding transaction commits, so a rolled-back score never reaches
    the LMS; what fails to send stays queued and is retried by `manage.py lti_push_scores`.
    """
    scored_at = scored_at or timezone.now()
    syncs = []
    links = (
        ResourceLink.objects.filter(assignment_id=assignment_id)
        .exclude(lineitem_url="")
        .select_related("context__tool")
    )
    for link in links:
        account = PlatformAccount.objects.filter(user=user, issuer=link.context.tool.issuer).first()
        if account is None:
            continue
        sync, _ = ScoreSync.objects.update_or_create(
            link=link,
            account=account,
            defaults={
                "score_given": max(0.0, min(score, maximum)),
                "score_maximum": maximum,
                "activity_progress": "Completed" if completed else "InProgress",
                "grading_progress": "FullyGraded" if completed else "Pending",
                "scored_at": scored_at,
                "status": SyncStatus.PENDING,
                "tries": 0,
                "last_error": "",
                "next_try_at": None,
            },
        )
        syncs.append(sync)
        transaction.on_commit(partial(push_score, sync.pk))
    return syncs


def _grade(sync: ScoreSync) -> Grade:
    return (
        Grade()
        .set_score_given(sync.score_given)
        .set_score_maximum(sync.score_maximum)
        .set_activity_progress(sync.activity_progress)
        .set_grading_progress(sync.grading_progress)
        .set_timestamp(sync.scored_at.isoformat())
        .set_user_id(sync.account.subject)
    )


def push_score(sync_id: int) -> ScoreSync | None:
    """Send one queued score now; on failure keep it queued with the error and the next retry time."""
    with transaction.atomic():
        sync = (
            ScoreSync.objects.select_for_update()
            .select_related("link__context__tool", "account")
            .filter(pk=sync_id)
            .exclude(status=SyncStatus.SENT)
            .first()
        )
        if sync is None:
            return None
        link = sync.link
        try:
            if SCORE_SCOPE not in link.ags_scopes:
                raise LtiException("the LMS did not grant the score scope for this activity")
            registration = tool.registration_for(link.context.tool)
            connector = ServiceConnector(registration, tool.http_session())
            service = AssignmentsGradesService(
                connector, {"scope": list(link.ags_scopes), "lineitem": link.lineitem_url}
            )
            service.put_grade(_grade(sync))
        except (LtiException, RequestException, ValueError) as error:
            sync.tries += 1
            sync.status = SyncStatus.FAILED
            sync.last_error = str(error)[:2000]
            sync.next_try_at = timezone.now() + retry_delay(sync.tries)
            log.warning("LTI score %s not sent (try %s): %s", sync.pk, sync.tries, error)
        else:
            sync.status = SyncStatus.SENT
            sync.sent_at = timezone.now()
            sync.last_error = ""
            sync.next_try_at = None
        sync.save()
    return sync


def push_due_scores(now: datetime | None = None, *, force: bool = False) -> dict[str, int]:
    """Retry every queued score whose time has come (every unsent one with `force`); returns how many
    were sent and how many failed."""
    now = now or timezone.now()
    due = ScoreSync.objects.exclude(status=SyncStatus.SENT).filter(tries__lt=MAX_TRIES)
    if not force:
        due = due.filter(next_try_at__isnull=True) | due.filter(next_try_at__lte=now)
    counts = {"sent": 0, "failed": 0}
    for sync_id in due.values_list("pk", flat=True):
        result = push_score(sync_id)
        if result is not None:
            counts["sent" if result.status == SyncStatus.SENT else "failed"] += 1
    return counts
