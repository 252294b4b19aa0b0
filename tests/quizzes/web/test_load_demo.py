from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.roles import is_instructor
from quizzes.models import Bank, Item, Quiz, QuizRule
from quizzes.services.attempts import attempt_start
from quizzes.services.demo import QuizDefinitionError, quiz_definitions_parse

REQUIRED_TITLES = {
    "Warm-up: SGD and learning rates",
    "Momentum deep dive",
    "Adaptive methods: AdaGrad to AdamW",
    "Diagnosing training",
}

TINY_BANK = """
format: descent-bank/1
bank: {slug: tiny, name: Tiny}
items:
  - key: step-size
    kind: numeric
    title: Step size
    topics: [sgd]
    stem: What is $0.1 \\times 5$?
    explanation: Multiply.
    answer: 0.5
    tolerance: {mode: relative, value: 1e-3}
"""

TINY_QUIZZES = """
format: descent-quizzes/1
quizzes:
  - slug: tiny-quiz
    title: Tiny quiz
    settings: {feedback_mode: end, max_attempts: 2}
    rules:
      - {topics: [sgd], count: 3}
"""


def load(content: Path | None = None) -> str:
    out = StringIO()
    call_command("load_demo", *(["--content", str(content)] if content else []), stdout=out)
    return out.getvalue()


@pytest.fixture
def tiny_content(tmp_path):
    (tmp_path / "banks").mkdir()
    (tmp_path / "banks" / "tiny.yaml").write_text(TINY_BANK)
    (tmp_path / "quizzes.yaml").write_text(TINY_QUIZZES)
    return tmp_path


def snapshot():
    return (
        get_user_model().objects.count(),
        Bank.objects.count(),
        Item.objects.count(),
        Quiz.objects.count(),
        QuizRule.objects.count(),
    )


@pytest.mark.django_db
def test_running_twice_creates_nothing_new(tiny_content):
    load(tiny_content)
    first = snapshot()
    load(tiny_content)
    assert snapshot() == first == (2, 1, 1, 1, 1)
    users = get_user_model().objects
    assert is_instructor(users.get(username="instructor")) and not is_instructor(
        users.get(username="student")
    )
    assert users.get(username="student").check_password("descent-student")


@pytest.mark.django_db
def test_an_edited_quiz_file_updates_the_quiz_in_place(tiny_content):
    load(tiny_content)
    (tiny_content / "quizzes.yaml").write_text(TINY_QUIZZES.replace("max_attempts: 2", "max_attempts: 5"))
    load(tiny_content)
    assert Quiz.objects.get(slug="tiny-quiz").max_attempts == 5 and QuizRule.objects.count() == 1


@pytest.mark.django_db
def test_a_bank_that_does_not_import_fails_loudly_with_its_problems(tiny_content):
    (tiny_content / "banks" / "broken.yaml").write_text(TINY_BANK.replace("kind: numeric", "kind: freeform"))
    with pytest.raises(CommandError, match="broken.yaml did not import") as error:
        load(tiny_content)
    assert "freeform" in str(error.value)
    assert not Quiz.objects.exists()


@pytest.mark.django_db
def test_a_rule_naming_a_missing_bank_is_reported(tiny_content):
    (tiny_content / "quizzes.yaml").write_text(
        TINY_QUIZZES.replace("{topics: [sgd], count: 3}", "{bank: nope, count: 3}")
    )
    with pytest.raises(CommandError, match="no bank 'nope'"):
        load(tiny_content)


def test_quiz_file_problems_are_all_listed():
    text = """
format: descent-quizzes/1
quizzes:
  - slug: Bad Slug
    title: ""
    settings: {feedback_mode: sometimes, colour: blue}
    rules: [{kinds: [freeform], count: 0}]
"""
    with pytest.raises(QuizDefinitionError) as error:
        quiz_definitions_parse(text)
    problems = "\n".join(error.value.problems)
    for fragment in ("slug", "title", "feedback_mode", "colour", "freeform", "count"):
        assert fragment in problems


@pytest.mark.slow
@pytest.mark.django_db
def test_the_real_demo_content_loads_twice_and_every_quiz_can_be_taken():
    load()
    first = snapshot()
    output = load()
    assert snapshot() == first
    assert "already there" in output

    quizzes = {quiz.title: quiz for quiz in Quiz.objects.all()}
    assert REQUIRED_TITLES <= set(quizzes)
    timed = [quiz for quiz in quizzes.values() if quiz.time_limit_minutes]
    assert any(
        q.feedback_mode == "end" and q.max_attempts == 2 and q.penalty_per_extra_attempt == 0.1 for q in timed
    )

    student = get_user_model().objects.get(username="student")
    kinds_by_quiz = {}
    for title, quiz in quizzes.items():
        attempt = attempt_start(quiz=quiz, student=student)
        kinds_by_quiz[title] = set(attempt.attempt_items.values_list("item__kind", flat=True))
        assert kinds_by_quiz[title], f"{title} drew no items"
    assert "calculation" in kinds_by_quiz["Warm-up: SGD and learning rates"]
    assert {"calculation", "symbolic"} <= kinds_by_quiz["Momentum deep dive"]
