"""Grading workers as operators see them: one row per process, kept fresh by the worker itself,
and a snapshot of the queue (depth, age of the oldest queued submission, live workers).

Read by /readyz and `manage.py queue_status`; written by `grading.worker`.
"""

from datetime import datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from grading.models import AuthoringJob, GradingWorker, Submission
from grading.services.queue import lease_seconds

# A worker's row is refreshed every BEAT_SECONDS (more often with a short lease); the row of a
# worker that has not beaten for a lease is shown as not live, and deleted after PRUNE_AFTER.
BEAT_SECONDS = 5.0
PRUNE_AFTER = timedelta(minutes=10)


def beat_interval() -> float:
    return min(BEAT_SECONDS, lease_seconds() / 3)


def worker_register(
    *, worker_id: str, host: str, pid: int, sandbox_ok: bool, sandbox_detail: str, started_at: datetime
) -> None:
    now = timezone.now()
    GradingWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": host[:255],
            "pid": pid,
            "started_at": started_at,
            "beat_at": now,
            "sandbox_ok": sandbox_ok,
            "sandbox_detail": sandbox_detail[:500],
            "current_submission_id": None,
            "stopping": False,
        },
    )


def worker_beat(worker_id: str, *, current_submission_id: int | None, stopping: bool = False) -> bool:
    """Refresh the worker's row; False if it was pruned meanwhile (the caller registers again)."""
    return (
        GradingWorker.objects.filter(worker_id=worker_id).update(
            beat_at=timezone.now(), current_submission_id=current_submission_id, stopping=stopping
        )
        == 1
    )


def worker_unregister(worker_id: str) -> None:
    GradingWorker.objects.filter(worker_id=worker_id).delete()


def prune_dead_workers(*, now: datetime | None = None) -> int:
    """Delete the rows of workers that stopped beating long ago; returns how many."""
    now = now or timezone.now()
    deleted, _ = GradingWorker.objects.filter(beat_at__lt=now - PRUNE_AFTER).delete()
    return deleted


def queue_status(*, now: datetime | None = None) -> dict:
    """Queue depth, age of the oldest queued submission, and every known worker (JSON-ready)."""
    now = now or timezone.now()
    live_after = now - timedelta(seconds=lease_seconds())
    counts = {status: 0 for status in Submission.PENDING}
    for status in Submission.PENDING:
        counts[status] = Submission.objects.filter(status=status).count()
    oldest = Submission.objects.filter(status=Submission.Status.QUEUED).aggregate(oldest=Min("created_at"))[
        "oldest"
    ]
    workers = []
    for row in GradingWorker.objects.all():
        workers.append(
            {
                "worker_id": row.worker_id,
                "host": row.host,
                "pid": row.pid,
                "started_at": row.started_at.isoformat(),
                "last_beat_at": row.beat_at.isoformat(),
                "seconds_since_beat": round(max((now - row.beat_at).total_seconds(), 0.0), 1),
                "live": row.beat_at >= live_after,
                "sandbox_ok": row.sandbox_ok,
                "sandbox_detail": row.sandbox_detail,
                "current_submission": row.current_submission_id,
                "stopping": row.stopping,
            }
        )
    return {
        "queued": counts[Submission.Status.QUEUED],
        "running": counts[Submission.Status.RUNNING],
        "oldest_queued_seconds": round((now - oldest).total_seconds(), 1) if oldest else None,
        # Authors' validations and previews (grading.services.queue_authoring), which yield to students.
        "authoring_queued": AuthoringJob.objects.filter(status=AuthoringJob.Status.QUEUED).count(),
        "authoring_running": AuthoringJob.objects.filter(status=AuthoringJob.Status.RUNNING).count(),
        "live_workers": sum(1 for worker in workers if worker["live"]),
        "live_workers_with_sandbox": sum(1 for w in workers if w["live"] and w["sandbox_ok"]),
        "workers": workers,
    }
