"""Item versions: an attempt keeps the version it drew; a regrade applies a newer one, explicitly."""

import pytest
from django.urls import reverse

from accounts.services import user_create
from quizzes.models import AttemptItem, ItemVersion, Regrade
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_start
from quizzes.services.versions import item_version_current, regrade_apply, regrade_preview

RIGHT, NEW_RIGHT = 0.0371, 0.05


@pytest.fixture
def owner(db):
    return user_create(username="olga", password="pass-word-123", instructor=True)


@pytest.fixture
def numeric(make_item, bank, owner):
    bank.owner = owner
    bank.save()
    return make_item("numeric")


def edit_key(item, answer, author=None):
    """What the item pages do on save: store the new content, then record its version."""
    item.spec = {**item.spec, "answer": answer}
    item.save()
    return item_version_current(item=item, author=author)


def only_item(attempt) -> AttemptItem:
    return AttemptItem.objects.select_related("version", "item__bank").get(attempt=attempt)


def test_a_key_edited_during_an_exam_does_not_apply_to_attempts_in_progress(numeric, make_quiz, student):
    attempt = attempt_start(quiz=make_quiz(), student=student)
    edit_key(numeric, NEW_RIGHT)

    result = attempt_answer(attempt_item=only_item(attempt), student=student, response=str(RIGHT))

    assert result.score == 1.0
    assert only_item(attempt).version.number == 1


def test_an_attempt_started_after_the_edit_is_checked_against_the_new_key(numeric, make_quiz, student):
    quiz = make_quiz()
    edit_key(numeric, NEW_RIGHT)
    attempt = attempt_start(quiz=quiz, student=student)

    result = attempt_answer(attempt_item=only_item(attempt), student=student, response=str(RIGHT))

    assert result.score == 0.0
    assert only_item(attempt).version.number == 1  # the first version ever recorded is the edited item


def test_each_change_makes_a_new_numbered_version_and_an_unchanged_save_does_not(numeric, owner):
    first = item_version_current(item=numeric)
    assert item_version_current(item=numeric) == first
    second = edit_key(numeric, NEW_RIGHT, author=owner)
    assert (first.number, second.number, second.author) == (1, 2, owner)
    assert first.data["answer"] == RIGHT and second.data["answer"] == NEW_RIGHT
    assert ItemVersion.objects.filter(item=numeric).count() == 2


def test_saving_an_item_on_its_edit_page_records_a_version_by_the_author(numeric, client, owner):
    item_version_current(item=numeric)
    client.force_login(owner)
    url = reverse("quizzes:author_item_edit", kwargs={"slug": numeric.bank.slug, "key": numeric.key})
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["spec"] = data["spec"].replace(str(RIGHT), str(NEW_RIGHT))
    assert client.post(url, data).status_code == 302
    latest = numeric.versions.order_by("-number").first()
    assert (latest.number, latest.author, latest.data["answer"]) == (2, owner, NEW_RIGHT)


@pytest.fixture
def finished_wrong_by_new_key(numeric, make_quiz, student):
    """A finished attempt answered with the old key (right then), and the key corrected since."""
    attempt = attempt_start(quiz=make_quiz(), student=student)
    attempt_answer(attempt_item=only_item(attempt), student=student, response=str(RIGHT))
    attempt_finish(attempt=attempt)
    return attempt, edit_key(numeric, NEW_RIGHT)


def test_a_regrade_preview_shows_each_attempts_score_change_and_writes_nothing(
    numeric, finished_wrong_by_new_key
):
    attempt, version = finished_wrong_by_new_key

    (row,) = regrade_preview(item=numeric, to_version=version)

    assert (row.from_number, row.old_score, row.new_score) == (1, 1.0, 0.0)
    assert (row.old_attempt_score, row.new_attempt_score) == (1.0, 0.0)
    assert only_item(attempt).version.number == 1
    assert not Regrade.objects.exists()


def test_a_regrade_rescores_finished_attempts_against_the_new_version_and_logs_it(
    numeric, finished_wrong_by_new_key, owner
):
    attempt, version = finished_wrong_by_new_key

    regrade = regrade_apply(item=numeric, to_version=version, by=owner)

    attempt.refresh_from_db()
    assert (only_item(attempt).version, only_item(attempt).score, attempt.score) == (version, 0.0, 0.0)
    assert (regrade.performed_by, regrade.to_version) == (owner, version)
    (change,) = regrade.changes
    assert change["from_version"] == 1 and change["old_score"] == 1.0 and change["new_score"] == 0.0
    assert (change["old_attempt_score"], change["new_attempt_score"]) == (1.0, 0.0)
    assert regrade_preview(item=numeric, to_version=version) == []


def test_a_regrade_moves_an_unanswered_running_attempt_to_the_new_key(numeric, make_quiz, student, owner):
    attempt = attempt_start(quiz=make_quiz(), student=student)
    version = edit_key(numeric, NEW_RIGHT)
    regrade_apply(item=numeric, to_version=version, by=owner)

    result = attempt_answer(attempt_item=only_item(attempt), student=student, response=str(NEW_RIGHT))

    assert result.score == 1.0


def test_the_regrade_page_previews_and_only_a_post_applies(numeric, finished_wrong_by_new_key, client, owner):
    attempt, version = finished_wrong_by_new_key
    client.force_login(owner)
    url = reverse(
        "quizzes:author_item_regrade", kwargs={"slug": numeric.bank.slug, "key": numeric.key, "number": 2}
    )
    page = client.get(url)
    assert page.status_code == 200 and b"1.0 \xe2\x86\x92 0.0" in page.content
    assert only_item(attempt).version.number == 1

    assert client.post(url).status_code == 302
    assert only_item(attempt).version == version
    history = client.get(reverse("quizzes:author_item_versions", kwargs={"slug": "demo", "key": numeric.key}))
    assert b"olga" in history.content and history.context["regrades"][0].to_version == version


def test_a_viewer_of_the_bank_cannot_regrade(numeric, finished_wrong_by_new_key, client):
    from quizzes.models import BankShare, ShareRole

    viewer = user_create(username="vic", password="pass-word-123", instructor=True)
    BankShare.objects.create(bank=numeric.bank, user=viewer, role=ShareRole.VIEWER)
    client.force_login(viewer)
    url = reverse(
        "quizzes:author_item_regrade", kwargs={"slug": numeric.bank.slug, "key": numeric.key, "number": 2}
    )
    assert client.post(url).status_code == 404
    assert not Regrade.objects.exists()


def test_an_answer_checked_against_a_version_regraded_meanwhile_is_not_saved(
    numeric, make_quiz, student, owner
):
    from quizzes.services.attempts import AttemptError

    attempt = attempt_start(quiz=make_quiz(), student=student)
    stale = only_item(attempt)  # the answer request read the item before the regrade
    regrade_apply(item=numeric, to_version=edit_key(numeric, NEW_RIGHT), by=owner)

    with pytest.raises(AttemptError, match="answer it again"):
        attempt_answer(attempt_item=stale, student=student, response=str(RIGHT))
    assert only_item(attempt).answered_at is None
