"""The data migration for existing rows: every item gets version 1, attempt items point at it,
and banks and quizzes without an owner go to the first superuser."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("quizzes", "0002_item_versions_and_bank_shares")]
AFTER = [("quizzes", "0003_versions_and_owners_for_existing_rows")]


@pytest.mark.django_db(transaction=True)
def test_existing_items_get_version_one_and_running_attempts_keep_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("auth", "User")
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    bank = old.get_model("quizzes", "Bank").objects.create(slug="old-bank", name="Old bank")
    item = old.get_model("quizzes", "Item").objects.create(
        bank=bank, key="old-item", kind="truefalse", stem="Old?", spec={"answer": True}
    )
    quiz = old.get_model("quizzes", "Quiz").objects.create(slug="old-quiz", title="Old quiz")
    student = User.objects.create(username="old-student")
    attempt = old.get_model("quizzes", "Attempt").objects.create(quiz=quiz, student=student, number=1)
    attempt_item = old.get_model("quizzes", "AttemptItem").objects.create(
        attempt=attempt, item=item, position=1, seed=3
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    version = new.get_model("quizzes", "ItemVersion").objects.get(item_id=item.pk)
    assert version.number == 1
    assert version.data == {
        "key": "old-item",
        "kind": "truefalse",
        "title": "",
        "topics": [],
        "difficulty": 2,
        "stem": "Old?",
        "explanation": "",
        "hints": [],
        "answer": True,
    }
    assert new.get_model("quizzes", "AttemptItem").objects.get(pk=attempt_item.pk).version_id == version.pk
    assert new.get_model("quizzes", "Bank").objects.get(pk=bank.pk).owner_id == root.pk
    assert new.get_model("quizzes", "Quiz").objects.get(pk=quiz.pk).owner_id == root.pk

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # The migrated snapshot is exactly what the model gives: the next draw makes no version 2.
    from quizzes.models import Item
    from quizzes.services.versions import item_version_current

    assert item_version_current(item=Item.objects.get(pk=item.pk)).pk == version.pk
