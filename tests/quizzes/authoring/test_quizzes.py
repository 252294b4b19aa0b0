"""Quiz pages: list with attempt counts, create/edit with rules, shortfall warnings, draw preview, delete."""

import pytest
from django.urls import reverse

from quizzes.models import Attempt, AttemptItem, Item, Quiz, QuizRule

SETTINGS = {
    "title": "Week 2: momentum",
    "slug": "week-2",
    "description": "Momentum and friends.",
    "published": "on",
    "time_limit_minutes": "20",
    "max_attempts": "3",
    "penalty_per_extra_attempt": "0.1",
    "grading_policy": "best",
    "feedback_mode": "end",
    "one_item_per_page": "",
}


def quiz_post(rules: list[dict], *, initial: int = 0, **settings) -> dict:
    """Form data for the quiz page: the settings plus the rule formset, as a browser posts them."""
    data = {**SETTINGS, **settings}
    data.update({"rules-TOTAL_FORMS": str(len(rules)), "rules-INITIAL_FORMS": str(initial)})
    data.update({"rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "1000"})
    for index, rule in enumerate(rules):
        for name, value in rule.items():
            data[f"rules-{index}-{name}"] = value
    return data


def rule(*, bank="", topics="", kinds=(), count="1", delete=False) -> dict:
    fields = {"bank": str(bank), "topics": topics, "kinds": list(kinds), "count": str(count)}
    if delete:
        fields["DELETE"] = "on"
    return fields


@pytest.fixture
def four_items(calculation_item, truefalse_item, table_item, ordering_item):
    return [calculation_item, truefalse_item, table_item, ordering_item]


@pytest.fixture
def quiz_with_rule(bank, four_items, instructor):
    quiz = Quiz.objects.create(slug="week-3", title="Week 3", owner=instructor)
    QuizRule.objects.create(quiz=quiz, bank=bank, count=2, position=0)
    return quiz


def start_attempt(quiz, student, items, number=1):
    attempt = Attempt.objects.create(quiz=quiz, student=student, number=number)
    for position, item in enumerate(items, start=1):
        AttemptItem.objects.create(attempt=attempt, item=item, position=position, seed=position)
    return attempt


def test_quiz_list_counts_rules_attempts_and_students(
    instructor_client, quiz_with_rule, four_items, student, second_student
):
    start_attempt(quiz_with_rule, student, four_items[:1])
    start_attempt(quiz_with_rule, student, four_items[1:2], number=2)
    start_attempt(quiz_with_rule, second_student, four_items[:1])
    response = instructor_client.get(reverse("quizzes:author_quizzes"))
    (row,) = response.context["rows"]
    assert (row.rule_count, row.attempt_count, row.student_count) == (1, 3, 2)
    assert "Week 3" in response.text


def test_instructor_creates_a_quiz_with_its_rules_in_order(instructor_client, instructor, bank, four_items):
    data = quiz_post([rule(bank=bank.pk, kinds=["calculation"]), rule(topics="bias-correction", count=1)])
    response = instructor_client.post(reverse("quizzes:author_quiz_create"), data)
    quiz = Quiz.objects.get(slug="week-2")
    assert response["Location"] == reverse("quizzes:author_quiz", kwargs={"slug": "week-2"})
    assert quiz.owner == instructor
    assert (quiz.time_limit_minutes, quiz.max_attempts, quiz.penalty_per_extra_attempt) == (20, 3, 0.1)
    assert (quiz.feedback_mode, quiz.published, quiz.one_item_per_page) == ("end", True, False)
    first, second = quiz.rules.order_by("position")
    assert (first.bank, first.kinds, first.topics) == (bank, ["calculation"], [])
    assert (second.bank, second.kinds, second.topics) == (None, [], ["bias-correction"])


def test_blank_extra_rule_row_is_ignored(instructor_client, bank, four_items):
    data = quiz_post([rule(bank=bank.pk, count=2), rule()])
    instructor_client.post(reverse("quizzes:author_quiz_create"), data)
    assert Quiz.objects.get(slug="week-2").rules.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("penalty_per_extra_attempt", "1.5"),
        ("penalty_per_extra_attempt", "-0.1"),
        ("time_limit_minutes", "0"),
    ],
)
def test_out_of_range_settings_are_refused_and_nothing_is_saved(instructor_client, bank, field, value):
    data = quiz_post([rule(bank=bank.pk)], **{field: value})
    response = instructor_client.post(reverse("quizzes:author_quiz_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Quiz.objects.exists()


def test_a_rule_drawing_zero_items_is_refused(instructor_client, bank):
    response = instructor_client.post(reverse("quizzes:author_quiz_create"), quiz_post([rule(count=0)]))
    assert response.context["rules"].forms[0].errors["count"]
    assert not Quiz.objects.exists()


def test_a_quiz_without_rules_is_refused(instructor_client, bank):
    response = instructor_client.post(reverse("quizzes:author_quiz_create"), quiz_post([rule()]))
    assert "at least one rule" in str(response.context["rules"].non_form_errors())
    assert not Quiz.objects.exists()


def test_a_misspelt_topic_is_refused_naming_the_topics_that_exist(instructor_client, four_items):
    response = instructor_client.post(reverse("quizzes:author_quiz_create"), quiz_post([rule(topics="sdg")]))
    (message,) = response.context["rules"].forms[0].errors["topics"]
    assert "sdg" in message and "sgd" in message and "bias-correction" in message
    assert not Quiz.objects.exists()


def test_a_rule_asking_for_more_than_match_is_saved_with_a_warning_saying_how_many(
    instructor_client, bank, four_items
):
    data = quiz_post([rule(bank=bank.pk, kinds=["truefalse", "ordering"], count=5)])
    response = instructor_client.post(reverse("quizzes:author_quiz_create"), data, follow=True)
    assert Quiz.objects.get(slug="week-2").rules.get().count == 5
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "asks for 5 but only 2 items match" in warnings[0]
    (check,) = response.context["checks"]
    assert check.short and check.matching == 2


def test_a_rule_with_enough_items_gives_no_warning(instructor_client, bank, four_items):
    data = quiz_post([rule(bank=bank.pk, count=4)])
    response = instructor_client.post(reverse("quizzes:author_quiz_create"), data, follow=True)
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]


def test_edit_form_starts_from_the_saved_rules(instructor_client, quiz_with_rule, bank):
    response = instructor_client.get(reverse("quizzes:author_quiz_edit", kwargs={"slug": "week-3"}))
    rules = response.context["rules"]
    assert rules.initial_form_count() == 1
    assert rules.forms[0].initial["bank"] == bank and rules.forms[0].initial["count"] == 2


def test_editing_rules_replaces_them_but_never_changes_started_attempts(
    instructor_client, quiz_with_rule, four_items, student, bank
):
    attempt = start_attempt(quiz_with_rule, student, four_items[:2])
    before = list(attempt.attempt_items.values_list("position", "item_id"))
    data = quiz_post(
        [rule(bank=bank.pk, count=2, delete=True), rule(kinds=["table"], count=1)],
        initial=1,
        title="Week 3",
        slug="week-3",
    )
    instructor_client.post(reverse("quizzes:author_quiz_edit", kwargs={"slug": "week-3"}), data)
    (only,) = quiz_with_rule.rules.all()
    assert (only.kinds, only.count, only.bank) == (["table"], 1, None)
    assert list(attempt.attempt_items.values_list("position", "item_id")) == before


def test_an_unchanged_saved_rule_is_kept_on_edit(instructor_client, quiz_with_rule, bank):
    data = quiz_post([rule(bank=bank.pk, count=2)], initial=1, title="Renamed", slug="week-3")
    instructor_client.post(reverse("quizzes:author_quiz_edit", kwargs={"slug": "week-3"}), data)
    quiz_with_rule.refresh_from_db()
    assert quiz_with_rule.title == "Renamed"
    assert quiz_with_rule.rules.get().count == 2


def test_an_invalid_edit_keeps_the_old_rules(instructor_client, quiz_with_rule, bank):
    data = quiz_post([rule(bank=bank.pk, count=0)], initial=1, title="Week 3", slug="week-3")
    instructor_client.post(reverse("quizzes:author_quiz_edit", kwargs={"slug": "week-3"}), data)
    assert quiz_with_rule.rules.get().count == 2


def preview_keys(client, seed) -> list[str]:
    response = client.get(reverse("quizzes:author_quiz", kwargs={"slug": "week-3"}), {"seed": seed})
    return [item.key for item in response.context["drawn"]]


def test_draw_preview_is_reproducible_per_seed_and_creates_no_attempt(instructor_client, quiz_with_rule):
    first = preview_keys(instructor_client, 1)
    assert len(first) == 2 and len(set(first)) == 2
    assert preview_keys(instructor_client, 1) == first
    draws = {tuple(preview_keys(instructor_client, seed)) for seed in range(2, 12)}
    assert len(draws) > 1  # 12 possible ordered pairs: ten seeds all giving one pair would mean no randomness
    assert not Attempt.objects.exists()


def test_draw_preview_follows_the_rule_filters(instructor_client, quiz_with_rule):
    quiz_with_rule.rules.update(kinds=["truefalse"], count=3)
    for seed in range(5):
        assert preview_keys(instructor_client, seed) == ["bias-correction-late"]


def test_a_bad_seed_in_the_address_falls_back_to_the_default(instructor_client, quiz_with_rule):
    assert preview_keys(instructor_client, "abc") == preview_keys(instructor_client, 1)


def test_a_quiz_nobody_attempted_is_deleted_and_its_items_stay(instructor_client, quiz_with_rule):
    url = reverse("quizzes:author_quiz_delete", kwargs={"slug": "week-3"})
    assert "Delete the quiz" in instructor_client.get(url).text
    response = instructor_client.post(url)
    assert response["Location"] == reverse("quizzes:author_quizzes")
    assert not Quiz.objects.filter(slug="week-3").exists()
    assert not QuizRule.objects.exists()
    assert Item.objects.count() == 4


def test_a_quiz_with_attempts_is_not_deleted_and_unpublishing_is_offered(
    instructor_client, quiz_with_rule, four_items, student
):
    start_attempt(quiz_with_rule, student, four_items[:2])
    url = reverse("quizzes:author_quiz_delete", kwargs={"slug": "week-3"})
    page = instructor_client.get(url).text
    assert "cannot be deleted" in page and "Unpublish the quiz" in page
    response = instructor_client.post(url, follow=True)
    assert Quiz.objects.filter(slug="week-3").exists()
    assert any("Unpublish it instead" in str(m) for m in response.context["messages"])

    instructor_client.post(url, {"action": "unpublish"})
    quiz_with_rule.refresh_from_db()
    assert not quiz_with_rule.published
    assert AttemptItem.objects.count() == 2


QUIZ_PAGES = [
    ("quizzes:author_quizzes", {}),
    ("quizzes:author_quiz_create", {}),
    ("quizzes:author_quiz", {"slug": "week-3"}),
    ("quizzes:author_quiz_edit", {"slug": "week-3"}),
    ("quizzes:author_quiz_delete", {"slug": "week-3"}),
]
QUIZ_PAGE_IDS = [name.split(":")[1] for name, _ in QUIZ_PAGES]


@pytest.mark.parametrize(("name", "kwargs"), QUIZ_PAGES, ids=QUIZ_PAGE_IDS)
def test_quiz_pages_are_for_instructors_only(client, student, instructor, quiz_with_rule, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(student)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(instructor)
    assert client.get(url).status_code == 200


def test_student_posts_change_no_quiz(student_client, quiz_with_rule, bank):
    student_client.post(
        reverse("quizzes:author_quiz_delete", kwargs={"slug": "week-3"}), {"action": "unpublish"}
    )
    student_client.post(reverse("quizzes:author_quiz_create"), quiz_post([rule(bank=bank.pk)]))
    quiz_with_rule.refresh_from_db()
    assert quiz_with_rule.published
    assert list(Quiz.objects.values_list("slug", flat=True)) == ["week-3"]
