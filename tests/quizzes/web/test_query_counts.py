"""A class takes a quiz at once: the student's pages must not ask the database once per item."""

from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Item
from quizzes.services.attempts import attempt_answer, attempt_finish, attempt_save_draft, attempt_start

FEW = ["numeric", "truefalse"]
MANY = ["numeric", "truefalse", "single", "multiple", "ordering", "calculation"]


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def attempt_page_queries(kinds, make_quiz, student, student_client) -> int:
    quiz = make_quiz(slug=f"quiz-of-{len(kinds)}", rules=({"kinds": kinds, "count": 10},))
    attempt = attempt_start(quiz=quiz, student=student)
    url = reverse("quizzes:attempt", args=[attempt.pk])
    student_client.get(url)  # the session's first use out of the way
    return queries_of(lambda: student_client.get(url))


def test_the_attempt_page_asks_as_many_queries_for_six_items_as_for_two(
    make_item, make_quiz, student, student_client
):
    for kind in MANY:
        make_item(kind)
    few = attempt_page_queries(FEW, make_quiz, student, student_client)
    many = attempt_page_queries(MANY, make_quiz, student, student_client)
    assert many == few


def test_starting_an_attempt_asks_as_many_queries_for_six_items_as_for_two(make_item, make_quiz, student):
    for kind in MANY:
        make_item(kind)
    two = make_quiz(slug="two", rules=({"count": 2},))
    six = make_quiz(slug="six", rules=({"count": 6},))
    attempt_start(quiz=make_quiz(slug="warm"), student=student)  # every item gets its first version

    assert queries_of(lambda: attempt_start(quiz=six, student=student)) == queries_of(
        lambda: attempt_start(quiz=two, student=student)
    )


class LoadedItems:
    """The items Django builds from database rows while the block runs (its post_init signal)."""

    def __enter__(self) -> list[Item]:
        self.loaded: list[Item] = []
        post_init.connect(self.count, sender=Item)
        return self.loaded

    def __exit__(self, *exc) -> None:
        post_init.disconnect(self.count, sender=Item)

    def count(self, sender, instance, **kwargs) -> None:
        self.loaded.append(instance)


def test_a_start_that_draws_5_of_40_candidates_loads_only_the_5_drawn_items(make_item, make_quiz, student):
    for number in range(40):
        make_item("truefalse", f"item-{number}")
    quiz = make_quiz(rules=({"count": 3}, {"count": 2}))
    with LoadedItems() as loaded:
        attempt = attempt_start(quiz=quiz, student=student)
    drawn = set(attempt.attempt_items.values_list("item_id", flat=True))
    assert len(drawn) == 5
    # The candidates are read as ids, names and siblings; only the drawn items are read whole.
    assert sorted(item.pk for item in loaded) == sorted(drawn)


def test_a_finish_reads_the_items_only_of_the_drafts_it_checks(make_item, make_quiz, student):
    for number in range(5):
        make_item("numeric", f"item-{number}")
    attempt = attempt_start(quiz=make_quiz(feedback_mode="end"), student=student)
    rows = list(attempt.attempt_items.order_by("position"))
    for row in rows[:4]:
        attempt_answer(attempt_item=row, student=student, response="0.0371")
    attempt_save_draft(attempt_item=rows[4], student=student, response="0.0371")
    attempt_save_draft(attempt_item=rows[0], student=student, response="0.0371")  # the same answer again

    with LoadedItems() as loaded:
        attempt_finish(attempt=attempt)

    assert [item.pk for item in loaded] == [rows[4].item_id]
    assert attempt.attempt_items.get(pk=rows[4].pk).score == 1.0


def test_the_quiz_list_asks_as_many_queries_for_five_quizzes_with_attempts_as_for_one(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    url = reverse("quizzes:list")
    student_client.get(url)  # the session's first use out of the way

    def listing_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert student_client.get(url).status_code == 200
        return len(captured.captured_queries)

    attempt_start(quiz=make_quiz(slug="quiz-0", max_attempts=2), student=student)
    one = listing_queries()
    for number in range(1, 5):
        quiz = make_quiz(slug=f"quiz-{number}", max_attempts=2)
        attempt_finish(attempt=attempt_start(quiz=quiz, student=student))
        attempt_start(quiz=quiz, student=student)
    assert listing_queries() == one


def test_an_answer_post_reads_its_item_attempt_and_version_in_one_query(
    make_item, make_quiz, student, student_client
):
    make_item("numeric")
    attempt = attempt_start(quiz=make_quiz(), student=student)
    url = reverse("quizzes:answer", args=[attempt.pk, 1])
    with CaptureQueriesContext(connection) as captured:
        student_client.post(url, {"answer": "1"})
    sql = [query["sql"] for query in captured.captured_queries]
    # The item is found joined with its attempt, quiz and version, then locked for the write; the
    # attempt is read on its own only to be locked.
    assert len([text for text in sql if 'FROM "quizzes_attemptitem"' in text]) == 2
    assert len([text for text in sql if 'FROM "quizzes_attempt" ' in text]) == 1
