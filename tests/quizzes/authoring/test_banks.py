"""Bank pages: list with counts, create, edit, delete (guarded), item table with filters."""

from django.urls import reverse

from quizzes.models import Bank, Item


def test_bank_list_counts_items_per_kind(instructor_client, calculation_item, truefalse_item):
    response = instructor_client.get(reverse("quizzes:author_banks"))
    (row,) = response.context["rows"]
    assert row.total == 2
    assert dict(row.kind_counts) == {"Calculation template": 1, "True/false": 1}
    assert "Optimizers, the core" in response.text


def test_bank_list_shows_the_last_validation_until_an_item_changes(
    instructor_client, calculation_item, truefalse_item
):
    from django.core.cache import cache

    cache.clear()
    (row,) = instructor_client.get(reverse("quizzes:author_banks")).context["rows"]
    assert row.problem_count is None  # the list never validates by itself: that takes seconds
    instructor_client.get(reverse("quizzes:author_bank_validate", kwargs={"slug": row.bank.slug}))
    (row,) = instructor_client.get(reverse("quizzes:author_banks")).context["rows"]
    assert row.problem_count == 0
    truefalse_item.title = "Edited"
    truefalse_item.save()
    (row,) = instructor_client.get(reverse("quizzes:author_banks")).context["rows"]
    assert row.problem_count is None


def test_instructor_creates_a_bank_and_owns_it(instructor_client, instructor):
    response = instructor_client.post(
        reverse("quizzes:author_bank_create"),
        {"slug": "adaptive", "name": "Adaptive methods", "description": ""},
    )
    bank = Bank.objects.get(slug="adaptive")
    assert response["Location"] == reverse("quizzes:author_bank", kwargs={"slug": "adaptive"})
    assert bank.owner == instructor


def test_bank_with_a_taken_slug_is_refused(instructor_client, bank):
    response = instructor_client.post(
        reverse("quizzes:author_bank_create"), {"slug": bank.slug, "name": "Another", "description": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    assert Bank.objects.count() == 1


def test_editing_a_bank_renames_it(instructor_client, bank):
    url = reverse("quizzes:author_bank_edit", kwargs={"slug": bank.slug})
    instructor_client.post(
        url, {"slug": bank.slug, "name": "Core optimizers", "description": "SGD to AdamW."}
    )
    bank.refresh_from_db()
    assert (bank.name, bank.description) == ("Core optimizers", "SGD to AdamW.")


def test_deleting_a_bank_asks_first_then_deletes_it_and_its_items(instructor_client, calculation_item):
    url = reverse("quizzes:author_bank_delete", kwargs={"slug": "optimizers-core"})
    confirm = instructor_client.get(url)
    assert "1 item" in confirm.text and Bank.objects.exists()
    response = instructor_client.post(url)
    assert response["Location"] == reverse("quizzes:author_banks")
    assert not Bank.objects.exists() and not Item.objects.exists()


def test_a_bank_whose_items_were_answered_is_not_deleted(instructor_client, answered):
    url = reverse("quizzes:author_bank_delete", kwargs={"slug": "optimizers-core"})
    assert "cannot be deleted" in instructor_client.get(url).text
    response = instructor_client.post(url, follow=True)
    assert Bank.objects.filter(slug="optimizers-core").exists()
    assert any("recorded answer" in str(message) for message in response.context["messages"])


def _keys(response) -> list[str]:
    return [item.key for item in response.context["items"]]


def test_bank_detail_lists_items_and_filters_by_kind_and_topic(
    instructor_client, calculation_item, truefalse_item
):
    url = reverse("quizzes:author_bank", kwargs={"slug": "optimizers-core"})
    assert sorted(_keys(instructor_client.get(url))) == ["bias-correction-late", "sgd-update-size"]
    assert _keys(instructor_client.get(url, {"kind": "truefalse"})) == ["bias-correction-late"]
    assert _keys(instructor_client.get(url, {"topic": "sgd"})) == ["sgd-update-size"]
    assert _keys(instructor_client.get(url, {"kind": "truefalse", "topic": "sgd"})) == []


def test_bank_detail_shows_key_kind_title_topics_and_difficulty(instructor_client, calculation_item):
    text = instructor_client.get(reverse("quizzes:author_bank", kwargs={"slug": "optimizers-core"})).text
    for shown in ("sgd-update-size", "Calculation template", "Size of one SGD step", ">sgd<"):
        assert shown in text


def test_the_item_table_marks_hidden_items_and_shows_their_category(instructor_client, truefalse_item):
    truefalse_item.spec = {**truefalse_item.spec, "hidden": True, "category": ["Adam", "Bias correction"]}
    truefalse_item.save()

    html = instructor_client.get(
        reverse("quizzes:author_bank", kwargs={"slug": truefalse_item.bank.slug})
    ).text

    assert ">hidden</span>" in html and "Adam / Bias correction" in html
