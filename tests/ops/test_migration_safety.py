"""Migrations only expand the schema and lock one existing table each, so the previous release keeps
serving while `migrate` runs (ops/migration_safety.py); one that does not must be listed with its
reason."""

from __future__ import annotations

import pytest
from django.db import migrations, models
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from ops.migration_safety import REVIEWED, migration_findings, project_app_labels, unsafe_steps

APP = "probe"


def state_with_a_model() -> ProjectState:
    state = ProjectState()
    migrations.CreateModel(
        "Sample",
        [
            ("id", models.BigAutoField(primary_key=True)),
            ("title", models.CharField(max_length=100)),
            ("note", models.TextField(null=True)),
            ("count", models.IntegerField(default=0)),
            ("label", models.CharField(max_length=20, db_default="x")),
        ],
    ).state_forwards(APP, state)
    return state


def findings_of(*operations) -> list[str]:
    migration = Migration("0002_change", APP)
    migration.operations = list(operations)
    return [finding.reason for finding in migration_findings(migration, state_with_a_model())]


def test_the_project_apps_are_the_ones_in_this_repository():
    labels = project_app_labels()
    assert {"quizzes", "grading", "courses", "accounts", "ops"} <= set(labels)
    assert "auth" not in labels and "axes" not in labels


def test_every_migration_of_the_project_with_a_finding_is_listed_with_its_reason():
    found = {finding.migration: str(finding) for finding in unsafe_steps(project_app_labels())}
    unlisted = sorted(text for migration, text in found.items() if migration not in REVIEWED)
    assert not unlisted, (
        "migrations the previous release would not survive (ops/migration_safety.py):\n" + "\n".join(unlisted)
    )
    assert not set(REVIEWED) - set(found), "listed in REVIEWED but without a finding"
    assert all(reason.strip() for reason in REVIEWED.values())


@pytest.mark.parametrize(
    "field",
    [
        models.TextField(null=True),
        models.IntegerField(db_default=0),
        models.ManyToManyField("auth.User"),
    ],
    ids=["nullable", "with a database default", "many-to-many"],
)
def test_a_column_inserts_may_leave_out_expands(field):
    assert findings_of(migrations.AddField("sample", "added", field)) == []


def test_a_not_null_column_with_only_a_python_default_contracts():
    (reason,) = findings_of(migrations.AddField("sample", "added", models.IntegerField(default=0)))
    assert "NOT NULL column without a database default" in reason


def test_columns_of_a_table_made_in_the_same_migration_are_free():
    operations = [
        migrations.CreateModel("Fresh", [("id", models.BigAutoField(primary_key=True))]),
        migrations.AddField("fresh", "size", models.IntegerField(default=0)),
    ]
    assert findings_of(*operations) == []


@pytest.mark.parametrize(
    "field",
    [
        models.CharField(max_length=100, choices=[("a", "A")], help_text="new help"),
        models.CharField(max_length=200),
        models.CharField(max_length=100, null=True),
    ],
    ids=["python-only attributes", "a longer varchar", "NOT NULL relaxed"],
)
def test_a_change_the_previous_release_cannot_tell_expands(field):
    assert findings_of(migrations.AlterField("sample", "title", field)) == []


@pytest.mark.parametrize(
    ("name", "field", "reason"),
    [
        ("title", models.CharField(max_length=50), "changes the column's type"),
        ("title", models.TextField(), "changes the column's type"),
        ("note", models.TextField(), "makes a column NOT NULL"),
        ("title", models.CharField(max_length=100, db_column="heading"), "renames a column"),
        ("label", models.CharField(max_length=20), "drops the database default"),
    ],
    ids=["shorter varchar", "another type", "NULL to NOT NULL", "another column", "database default dropped"],
)
def test_a_narrowing_change_contracts(name, field, reason):
    (found,) = findings_of(migrations.AlterField("sample", name, field))
    assert reason in found


@pytest.mark.parametrize(
    "operation",
    [
        migrations.RemoveField("sample", "note"),
        migrations.RenameField("sample", "note", "remark"),
        migrations.DeleteModel("Sample"),
        migrations.RenameModel("Sample", "Example"),
        migrations.AlterModelTable("sample", "probe_examples"),
        migrations.RunSQL("DROP TABLE probe_sample"),
    ],
    ids=["drop column", "rename column", "drop table", "rename table", "move table", "raw SQL"],
)
def test_dropping_renaming_and_raw_sql_contract(operation):
    assert len(findings_of(operation)) == 1


def test_indexes_constraints_and_data_migrations_expand():
    operations = [
        migrations.AddIndex("sample", models.Index(fields=["title"], name="probe_title_idx")),
        migrations.AddConstraint(
            "sample", models.CheckConstraint(condition=models.Q(count__gte=0), name="probe_count_ok")
        ),
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
    assert findings_of(*operations) == []


def test_the_database_side_of_a_state_split_is_judged():
    split = migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RemoveField("sample", "note")]
    )
    assert findings_of(split) == ["drops a column the previous release still reads"]


def test_an_operation_it_does_not_know_must_be_judged_by_hand():
    class Unusual(Operation):
        def state_forwards(self, app_label, state):
            pass

        def describe(self):
            return "something unusual"

    (reason,) = findings_of(Unusual())
    assert "is not known here" in reason


def test_altering_two_existing_tables_in_one_migration_is_a_finding():
    state = state_with_a_model()
    migrations.CreateModel("Other", [("id", models.BigAutoField(primary_key=True))]).state_forwards(
        APP, state
    )
    migration = Migration("0003_two_tables", APP)
    migration.operations = [
        migrations.AddField("sample", "extra", models.TextField(null=True)),
        migrations.AddField("other", "extra", models.TextField(null=True)),
    ]
    (finding,) = migration_findings(migration, state)
    assert finding.operation == "the whole migration"
    assert "locks 2 existing tables in one transaction (probe.other, probe.sample)" in finding.reason

    migration.atomic = False  # each statement commits on its own, holding one table at a time
    assert migration_findings(migration, state) == []


def test_one_existing_table_and_new_ones_in_one_migration_are_fine():
    operations = [
        migrations.AddField("sample", "extra", models.TextField(null=True)),
        migrations.AddIndex("sample", models.Index(fields=["title"], name="probe_title_idx")),
        migrations.CreateModel(
            "Child",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("sample", models.ForeignKey("probe.Sample", on_delete=models.CASCADE)),
            ],
        ),
        migrations.AddField("child", "size", models.IntegerField(default=0)),
    ]
    assert findings_of(*operations) == []
