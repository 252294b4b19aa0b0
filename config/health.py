"""Probes for load balancers and supervisors.

- `/healthz`: the process answers (no database access at all).
- `/readyz`: 200 only when the database answers and every migration is applied, with the grading
  queue's state (depth, age of the oldest queued submission, workers and their last heartbeat,
  whether their sandbox self-test passed); 503 otherwise, with the reason.

They sit in config (the top of the project) because they read the state of grading.
"""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from grading.services import queue_status

_migrations_applied = False  # once true it stays true: new migrations come with a new process


def unapplied_migrations() -> list[str]:
    """Migrations known to the code but not applied to the database, as "app.name"."""
    global _migrations_applied
    if _migrations_applied:
        return []
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    _migrations_applied = not pending
    return pending


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = unapplied_migrations()
        if pending:
            return JsonResponse(
                {"status": "not ready", "database": "ok", "unapplied_migrations": pending}, status=503
            )
        queue = queue_status()
    except DatabaseError as error:
        message = str(error).strip().splitlines()
        return JsonResponse(
            {
                "status": "not ready",
                "database": f"unreachable: {type(error).__name__}: {message[0] if message else ''}"[:300],
            },
            status=503,
        )
    return JsonResponse({"status": "ready", "database": "ok", "migrations": "applied", "grading": queue})
