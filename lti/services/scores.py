"""Scores on their way to the LMS gradebook (Assignment and Grade Services), with retries.

`record_score` only queues a score; it never talks to the LMS, so a slow or unreachable LMS cannot
slow the request that finished an attempt. Scores are sent by `push_due_scores`, which the grading
workers run between jobs on a thread of their own (lti.passback) and `manage.py lti_push_scores`
runs from cron. Sending one score first *claims* it (its next try moves a claim's length ahead, in
one short UPDATE), talks to the LMS outside any transaction, then records the outcome unless a newer
score replaced it meanwhile. So several senders never send the same score at once, no database lock
is held while the LMS answers, and a sender that dies leaves the score due again once the claim ends.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
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
    awaiting_manual: bool = False,
) -> list[ScoreSync]:
    """Queue the student's newest score for every LMS activity that opens this assignment.

    The AGS grading progress says how final the score is: "FullyGraded"; "PendingManual" while some of
    the work (an essay) waits for a person's grade, so the LMS shows the score as provisional; or
    "Pending" when there is no work yet.

    The score is due at once; a sender (`push_due_scores`) picks it up once the surrounding
    transaction has committed, so a rolled-back score never reaches the LMS.
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
                "grading_progress": _grading_progress(completed, awaiting_manual),
                "scored_at": scored_at,
                "status": SyncStatus.PENDING,
                "tries": 0,
                "last_error": "",
                "next_try_at": None,
            },
        )
        syncs.append(sync)
    return syncs


def _grading_progress(completed: bool, awaiting_manual: bool) -> str:
    if not completed:
        return "Pending"
    return "PendingManual" if awaiting_manual else "FullyGraded"


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


# What was sent: the outcome is recorded only if the row still holds these values.
SENT_FIELDS = ("score_given", "score_maximum", "activity_progress", "grading_progress", "scored_at")


def claim_length() -> timedelta:
    """How long a sender holds a score: a token request and a score request, each with its timeout."""
    return timedelta(seconds=2 * settings.LTI_HTTP_TIMEOUT_SECONDS + 30)


def _send(sync: ScoreSync) -> None:
    link = sync.link
    if SCORE_SCOPE not in link.ags_scopes:
        raise LtiException("the LMS did not grant the score scope for this activity")
    registration = tool.registration_for(link.context.tool)
    connector = ServiceConnector(registration, tool.http_session())
    service = AssignmentsGradesService(
        connector, {"scope": list(link.ags_scopes), "lineitem": link.lineitem_url}
    )
    service.put_grade(_grade(sync))


def push_score(sync_id: int, *, now: datetime | None = None, force: bool = False) -> ScoreSync | None:
    """Send one queued score if it is due (any unsent one with `force`) and nobody else holds it;
    on failure keep it queued with the error and the next retry time. None when it was not sent
    by this call: not due, held by another sender, already sent, or replaced by a newer score."""
    now = now or timezone.now()
    claimable = ScoreSync.objects.filter(pk=sync_id).exclude(status=SyncStatus.SENT)
    if not force:
        claimable = claimable.filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
    if not claimable.update(next_try_at=now + claim_length()):
        return None
    sync = ScoreSync.objects.select_related("link__context__tool", "account").get(pk=sync_id)
    sent = {field: getattr(sync, field) for field in SENT_FIELDS}
    failure: Exception | None = None
    try:
        _send(sync)  # no transaction is open here: the LMS may take its time
    except (LtiException, RequestException, ValueError) as error:
        failure = error
    with transaction.atomic():
        current = (
            ScoreSync.objects.select_for_update()
            .filter(pk=sync_id, **sent)
            .exclude(status=SyncStatus.SENT)
            .first()
        )
        if current is None:  # a newer score was recorded meanwhile; it is due on its own
            return None
        if failure is not None:
            current.tries += 1
            current.status = SyncStatus.FAILED
            current.last_error = str(failure)[:2000]
            current.next_try_at = now + retry_delay(current.tries)
            log.warning("LTI score %s not sent (try %s): %s", current.pk, current.tries, failure)
        else:
            current.status = SyncStatus.SENT
            current.sent_at = timezone.now()
            current.last_error = ""
            current.next_try_at = None
        current.save(update_fields=["tries", "status", "last_error", "next_try_at", "sent_at"])
    return current


def push_due_scores(now: datetime | None = None, *, force: bool = False) -> dict[str, int]:
    """Send every queued score whose time has come (every unsent one with `force`); returns how many
    were sent and how many failed."""
    now = now or timezone.now()
    due = ScoreSync.objects.exclude(status=SyncStatus.SENT).filter(tries__lt=MAX_TRIES)
    if not force:
        due = due.filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
    counts = {"sent": 0, "failed": 0}
    for sync_id in list(due.order_by("pk").values_list("pk", flat=True)):
        result = push_score(sync_id, now=now, force=force)
        if result is not None:
            counts["sent" if result.status == SyncStatus.SENT else "failed"] += 1
    return counts
