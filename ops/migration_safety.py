"""Which migrations the previous release keeps running through: expand now, contract later.

An upgrade runs in this order (README, "Upgrading without downtime"): the new code goes on disk,
`migrate` runs while the previous release still serves, then the web processes and workers restart
on the new code. So a migration must only *expand* the schema: afterwards the previous release
still reads and writes every table and column it knows. Django names every column it selects and
inserts, so it does not notice a column it does not know, as long as its INSERTs may leave that
column out.

Expanding (safe while the previous release serves):
- a new table, index or constraint, or an index or constraint taken away;
- a new column that INSERTs may leave out: nullable, with a database default (`db_default`), or a
  many-to-many table;
- a changed column that the previous release cannot tell apart: a Python-only attribute (choices,
  help text, validators, a default that Django fills in), NOT NULL relaxed to NULL, a longer varchar;
- data migrations (RunPython), which move rows without changing the shape.

Contracting (breaks the previous release, so it ships a release later, once no running code uses
the old shape): dropping or renaming a table or column; a NOT NULL column without a database
default (the previous release's INSERTs leave it out and fail); a column narrowed (another type,
NULL to NOT NULL, a shorter varchar, its database default dropped); raw SQL, which cannot be judged
here; an operation this module does not know.

One more rule, about locks rather than shapes: a migration changes the shape of at most one
existing table. PostgreSQL runs each migration in one transaction (unless it sets `atomic = False`)
and holds every table it altered until the end, so a migration that alters two hot tables deadlocks with a request that read the
second and waits for the first (measured: tests/ops/test_upgrade_while_serving.py).

`unsafe_steps` lists every finding in the project's migrations; a test requires each migration
with findings to be listed in `REVIEWED` with the reason it may run anyway
(tests/ops/test_migration_safety.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.state import ProjectState
from django.db.models import NOT_PROVIDED, Field

# Migrations with findings, allowed with the reason each may run. A contracting one ships in the
# release after the one that stopped using what it removes, and says so here.
BEFORE_THE_FIRST_RELEASE = "made before the first production release: no previous release served while it ran"
REVIEWED: dict[str, str] = {
    "courses.0004_gradebook_policy": BEFORE_THE_FIRST_RELEASE,
    "courses.0005_course_challenge_enabled": BEFORE_THE_FIRST_RELEASE,
    "grading.0002_worker_rows_client_token_fair_queue": BEFORE_THE_FIRST_RELEASE,
    "quizzes.0007_bank_categories": BEFORE_THE_FIRST_RELEASE,
}

EXPANDING = (
    ops.CreateModel,
    ops.AddIndex,
    ops.RemoveIndex,
    ops.RenameIndex,
    ops.AddConstraint,
    ops.RemoveConstraint,
    ops.AlterUniqueTogether,
    ops.AlterModelOptions,
    ops.AlterModelManagers,
    ops.AlterModelTableComment,
    ops.RunPython,
)
CONTRACTING_KINDS = {
    ops.RemoveField: "drops a column the previous release still reads",
    ops.DeleteModel: "drops a table the previous release still uses",
    ops.RenameField: "renames a column the previous release still uses by its old name",
    ops.RenameModel: "renames a table the previous release still uses by its old name",
    ops.AlterModelTable: "moves a table the previous release still uses by its old name",
    ops.AlterOrderWithRespectTo: "adds or drops the _order column the previous release relies on",
    ops.RunSQL: "runs raw SQL, which cannot be judged here",
}
VARCHAR = re.compile(r"varchar\((\d+)\)", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """What breaks the previous release: the migration ("app.0003_name"), what it does, and why."""

    migration: str
    operation: str
    reason: str

    def __str__(self) -> str:
        return f"{self.migration}: {self.operation}: {self.reason}"


def project_app_labels() -> list[str]:
    """The apps whose code lives in this repository (not the installed libraries)."""
    root = Path(settings.BASE_DIR).resolve()
    return [
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root) and "site-packages" not in Path(config.path).parts
    ]


def unsafe_steps(app_labels: Iterable[str]) -> list[Finding]:
    """Every finding in the migrations of these apps, in the order they apply."""
    labels = set(app_labels)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan: dict[tuple[str, str], None] = {}  # every migration once, each after those it depends on
    for leaf in loader.graph.leaf_nodes():
        plan.update(dict.fromkeys(loader.graph.forwards_plan(leaf)))
    state = ProjectState(real_apps=loader.unmigrated_apps)
    findings = []
    for key in plan:
        migration = loader.graph.nodes[key]
        if key[0] in labels:
            findings += migration_findings(migration, state)
        state = migration.mutate_state(state, preserve=False)
    return findings


def migration_findings(migration: Migration, state: ProjectState) -> list[Finding]:
    """The findings of one migration (contracting operations, tables it locks together), given the
    project's state before it."""
    name = f"{migration.app_label}.{migration.name}"
    created: set[str] = set()
    findings = []
    locked: set[str] = set()
    for operation in migration.operations:
        after = state.clone()
        operation.state_forwards(migration.app_label, after)
        reason = judge(operation, migration.app_label, state, after, created)
        if reason:
            findings.append(Finding(name, operation.describe(), reason))
        locked |= tables_locked(operation, migration.app_label, created)
        if isinstance(operation, ops.CreateModel):
            created.add(operation.name_lower)
        state = after
    if len(locked) > 1 and migration.atomic:  # without its transaction, each statement locks alone
        findings.append(Finding(name, "the whole migration", several_tables(sorted(locked))))
    return findings


def several_tables(tables: list[str]) -> str:
    return (
        f"locks {len(tables)} existing tables in one transaction ({', '.join(tables)}): a request that "
        "holds one of them while it waits for another deadlocks with it; one existing table per migration"
    )


# Operations that change no table (state only) or only rows (their locks are row locks).
LOCK_FREE = (ops.AlterModelOptions, ops.AlterModelManagers, ops.RunPython)


def tables_locked(operation, app_label: str, created: set[str]) -> set[str]:
    """The existing table whose own shape the operation changes: PostgreSQL locks it against every
    reader and writer until the migration commits. (A table that a new foreign key points at gets a
    weaker lock, against writers, only while the constraint is added; it is not counted.)"""
    if isinstance(operation, ops.SeparateDatabaseAndState):
        return set().union(
            *(tables_locked(inner, app_label, created) for inner in operation.database_operations)
        )
    if isinstance(operation, (ops.CreateModel, *LOCK_FREE)):
        return set()
    own = getattr(operation, "model_name_lower", None) or getattr(operation, "old_name_lower", None)
    own = own or getattr(operation, "name_lower", None)
    return {f"{app_label}.{own}"} if own and own not in created else set()


def judge(
    operation, app_label: str, before: ProjectState, after: ProjectState, created: set[str]
) -> str | None:
    """Why the operation breaks the previous release, or None when it only expands the schema."""
    if isinstance(operation, ops.SeparateDatabaseAndState):
        reasons = [judge(inner, app_label, before, after, created) for inner in operation.database_operations]
        return "; ".join(reason for reason in reasons if reason) or None
    if isinstance(operation, EXPANDING):
        return None
    if isinstance(operation, ops.AddField):
        return None if operation.model_name_lower in created else added_column(operation.field)
    if isinstance(operation, ops.AlterField):
        # The fields as the models have them (bound to their column, relations resolved).
        old, new = (
            state.apps.get_model(app_label, operation.model_name)._meta.get_field(operation.name)
            for state in (before, after)
        )
        return changed_column(old, new)
    for kind, reason in CONTRACTING_KINDS.items():
        if isinstance(operation, kind):
            return reason
    return f"{type(operation).__name__} is not known here: judge it, then teach this module"


def added_column(field: Field) -> str | None:
    if field.many_to_many or field.null or field.db_default is not NOT_PROVIDED or field.generated:
        return None
    return "adds a NOT NULL column without a database default: the previous release's INSERTs leave it out and fail"


def changed_column(before: Field, after: Field) -> str | None:
    if before.column != after.column:
        return "renames a column the previous release still uses by its old name"
    if before.null and not after.null:
        return "makes a column NOT NULL that the previous release may leave empty"
    if not after.null and before.db_default is not NOT_PROVIDED and after.db_default is NOT_PROVIDED:
        return "drops the database default that the previous release's INSERTs rely on"
    old_type, new_type = before.db_type(connection), after.db_type(connection)
    if old_type != new_type and not longer_varchar(old_type, new_type):
        return f"changes the column's type from {old_type} to {new_type}"
    return None


def longer_varchar(old_type: str | None, new_type: str | None) -> bool:
    old, new = VARCHAR.fullmatch(old_type or ""), VARCHAR.fullmatch(new_type or "")
    return bool(old and new and int(new.group(1)) >= int(old.group(1)))
