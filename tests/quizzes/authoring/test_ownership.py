"""Banks, items and quizzes belong to their owner; co-authors may edit, viewers may look; others get 404."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.services import user_create
from quizzes.models import Bank, BankShare, Item, Quiz, ShareRole

BANK_YAML = """\
format: descent-bank/1
bank:
  slug: {slug}
  name: Taken over
items:
  - key: only-item
    kind: truefalse
    stem: Momentum damps oscillation.
    explanation: It averages gradients.
    answer: true
"""


@pytest.fixture
def second_instructor(db):
    return user_create(username="otto", password="pass-word-123", instructor=True)


@pytest.fixture
def second_client(client, second_instructor):
    client.force_login(second_instructor)
    return client


def item_url(name, item):
    return reverse(name, kwargs={"slug": item.bank.slug, "key": item.key})


def test_a_second_instructor_cannot_rename_the_bank(second_client, bank):
    url = reverse("quizzes:author_bank_edit", kwargs={"slug": bank.slug})
    assert second_client.get(url).status_code == 404
    assert second_client.post(url, {"slug": bank.slug, "name": "Renamed"}).status_code == 404
    bank.refresh_from_db()
    assert bank.name == "Optimizers, the core"


def test_a_second_instructor_cannot_flip_the_key_of_an_item(second_client, truefalse_item):
    url = item_url("quizzes:author_item_edit", truefalse_item)
    response = second_client.post(
        url, {"key": truefalse_item.key, "kind": "truefalse", "spec": "answer: true"}
    )
    assert response.status_code == 404
    truefalse_item.refresh_from_db()
    assert truefalse_item.spec == {"answer": False}


@pytest.mark.parametrize(
    "name", ["quizzes:author_item_preview", "quizzes:author_item_delete", "quizzes:author_item_versions"]
)
def test_a_second_instructor_cannot_preview_try_or_delete_an_item(second_client, truefalse_item, name):
    url = item_url(name, truefalse_item)
    assert second_client.get(url).status_code == 404
    assert second_client.post(url, {"seed": 1, "answer": "true"}).status_code in (404, 405)
    assert Item.objects.filter(pk=truefalse_item.pk).exists()


@pytest.mark.parametrize("name", ["quizzes:author_bank_export", "quizzes:author_bank_validate"])
def test_a_second_instructor_cannot_export_or_validate_the_bank(second_client, bank, name):
    assert second_client.get(reverse(name, kwargs={"slug": bank.slug}) + "?fmt=yaml").status_code == 404


def test_a_missing_bank_and_someone_elses_bank_look_the_same(second_client, bank):
    mine = second_client.get(reverse("quizzes:author_bank", kwargs={"slug": bank.slug}))
    missing = second_client.get(reverse("quizzes:author_bank", kwargs={"slug": "no-such-bank"}))
    assert mine.status_code == missing.status_code == 404


def test_replace_import_cannot_choose_someone_elses_bank(second_client, bank, truefalse_item):
    response = second_client.post(
        reverse("quizzes:author_import"),
        {"text": BANK_YAML.format(slug=bank.slug), "fmt": "yaml", "bank": bank.pk, "replace": "on"},
    )
    assert "bank" in response.context["form"].errors
    assert list(bank.items.values_list("key", flat=True)) == [truefalse_item.key]


def test_replace_import_of_a_file_naming_someone_elses_bank_is_refused(second_client, bank, truefalse_item):
    response = second_client.post(
        reverse("quizzes:author_import"),
        {"text": BANK_YAML.format(slug=bank.slug), "fmt": "yaml", "replace": "on"},
    )
    assert response.status_code == 400
    (problem,) = response.context["report"].problems
    assert "is taken" in problem.message
    bank.refresh_from_db()
    assert bank.name == "Optimizers, the core"
    assert list(bank.items.values_list("key", flat=True)) == [truefalse_item.key]


def test_the_bank_list_shows_only_the_banks_an_instructor_may_reach(second_client, bank, second_instructor):
    Bank.objects.create(slug="ottos-bank", name="Otto's bank", owner=second_instructor)
    shared = Bank.objects.create(slug="shared-bank", name="Shared bank", owner=bank.owner)
    BankShare.objects.create(bank=shared, user=second_instructor, role=ShareRole.VIEWER)
    rows = second_client.get(reverse("quizzes:author_banks")).context["rows"]
    assert sorted(row.bank.slug for row in rows) == ["ottos-bank", "shared-bank"]


def test_a_co_author_may_edit_the_bank_and_its_items_but_not_delete_or_share_it(
    second_client, second_instructor, bank, truefalse_item
):
    BankShare.objects.create(bank=bank, user=second_instructor, role=ShareRole.EDITOR)
    assert (
        second_client.get(reverse("quizzes:author_bank_edit", kwargs={"slug": bank.slug})).status_code == 200
    )
    assert second_client.get(item_url("quizzes:author_item_edit", truefalse_item)).status_code == 200
    assert (
        second_client.get(reverse("quizzes:author_bank_delete", kwargs={"slug": bank.slug})).status_code
        == 404
    )
    assert (
        second_client.get(reverse("quizzes:author_bank_sharing", kwargs={"slug": bank.slug})).status_code
        == 404
    )


def test_a_viewer_may_view_preview_try_and_export_but_not_edit(
    second_client, second_instructor, bank, truefalse_item
):
    BankShare.objects.create(bank=bank, user=second_instructor, role=ShareRole.VIEWER)
    export = second_client.get(
        reverse("quizzes:author_bank_export", kwargs={"slug": bank.slug}) + "?fmt=yaml"
    )
    assert export.status_code == 200 and b"bias-correction-late" in export.content
    tried = second_client.post(
        item_url("quizzes:author_item_preview", truefalse_item), {"seed": 1, "answer": "false"}
    )
    assert tried.status_code == 200 and tried.context["result"]["score"] == 1.0
    assert second_client.get(item_url("quizzes:author_item_edit", truefalse_item)).status_code == 404
    assert (
        second_client.get(reverse("quizzes:author_item_create", kwargs={"slug": bank.slug})).status_code
        == 404
    )


def test_the_owner_shares_a_bank_by_username_and_takes_it_back(instructor_client, second_instructor, bank):
    url = reverse("quizzes:author_bank_sharing", kwargs={"slug": bank.slug})
    assert instructor_client.post(url, {"username": "otto", "role": "editor"}).status_code == 302
    assert BankShare.objects.get(bank=bank).user == second_instructor
    assert instructor_client.post(url, {"remove": second_instructor.pk}).status_code == 302
    assert not BankShare.objects.exists()


@pytest.mark.parametrize("username", ["sam", "nobody", "iris"])
def test_a_bank_is_shared_only_with_another_instructor(instructor_client, student, bank, username):
    url = reverse("quizzes:author_bank_sharing", kwargs={"slug": bank.slug})
    response = instructor_client.post(url, {"username": username, "role": "viewer"})
    assert response.status_code == 400
    assert not BankShare.objects.exists()


def test_a_second_instructor_cannot_see_or_edit_the_quiz(second_client, answered):
    for name in ("quizzes:author_quiz", "quizzes:author_quiz_edit", "quizzes:author_quiz_delete"):
        assert second_client.get(reverse(name, kwargs={"slug": "week-1"})).status_code == 404
    assert second_client.get(reverse("quizzes:author_quizzes")).context["rows"] == []


def test_a_quiz_rule_may_draw_only_from_banks_the_author_may_view(second_client, bank):
    response = second_client.post(
        reverse("quizzes:author_quiz_create"),
        {
            "slug": "stolen",
            "title": "Stolen",
            "grading_policy": "best",
            "feedback_mode": "immediate",
            "penalty_per_extra_attempt": "0",
            "rules-TOTAL_FORMS": "1",
            "rules-INITIAL_FORMS": "0",
            "rules-0-bank": bank.pk,
            "rules-0-count": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["rules"].forms[0].errors["bank"]
    assert not Quiz.objects.filter(slug="stolen").exists()


def test_a_superuser_reaches_every_bank(client, bank, truefalse_item):
    client.force_login(get_user_model().objects.create_superuser("root", password="pass-word-123"))
    assert client.get(item_url("quizzes:author_item_edit", truefalse_item)).status_code == 200
    assert client.get(reverse("quizzes:author_bank_sharing", kwargs={"slug": bank.slug})).status_code == 200


def test_any_bank_means_any_bank_the_quiz_owner_may_view(second_instructor, bank, truefalse_item, student):
    from quizzes.models import QuizRule
    from quizzes.services.attempts import attempt_start
    from quizzes.services.quiz_authoring import draw_preview, quiz_rule_specs

    own = Bank.objects.create(slug="ottos-bank", name="Otto's bank", owner=second_instructor)
    mine = Item.objects.create(bank=own, key="ottos-item", kind="truefalse", stem="?", spec={"answer": True})
    quiz = Quiz.objects.create(slug="any-bank", title="Any bank", owner=second_instructor)
    QuizRule.objects.create(quiz=quiz, bank=None, count=5)

    assert draw_preview(specs=quiz_rule_specs(quiz), seed=1, quiz=quiz) == [mine]
    attempt = attempt_start(quiz=quiz, student=student)
    assert [row.item for row in attempt.attempt_items.all()] == [mine]
