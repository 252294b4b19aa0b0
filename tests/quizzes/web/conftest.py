"""Items of every kind, built straight in the database, and a quiz factory.

Each item's explanation carries a unique marker so tests can tell whether it reached a page.
"""

import pytest

from quizzes.models import Bank, Item, Quiz, QuizRule, Topic
from tests.quizzes.engine import sample_items

SPECS = {
    "single": {
        "choices": [
            {
                "text": "It damps oscillation across the valley",
                "correct": True,
                "feedback": "Yes, it averages.",
            },
            {"text": "It sets the learning rate to zero", "feedback": "No: the step size is unchanged."},
        ]
    },
    "multiple": {
        "choices": [
            {"text": "Adam keeps a second-moment estimate", "correct": True},
            {"text": "AdaGrad's accumulator only grows", "correct": True},
            {"text": "SGD rescales each coordinate", "feedback": "Plain SGD uses one step size."},
        ]
    },
    "truefalse": {"answer": True, "feedback_false": "It does: the sum only grows."},
    "ordering": {"steps": ["Check the data pipeline", "Tune the learning rate", "Choose the schedule"]},
    "numeric": {
        "answer": 0.0371,
        "tolerance": {"mode": "relative", "value": 1e-3},
        "misconceptions": [{"answer": 26.95, "feedback": "You divided by the learning rate."}],
    },
    "calculation": {
        "params": {"eta": {"choices": [0.1, 0.01, 0.001]}, "g": {"min": 5, "max": 500, "step": 1}},
        "answer": {"expr": "eta * g"},
        "tolerance": {"mode": "relative", "value": 1e-6},
    },
    "symbolic": {"symbols": ["beta", "eta", "g0", "g1"], "answer": "beta*eta*g0 + eta*g1"},
    "table": {key: sample_items.table()[key] for key in ("table", "tolerance")},
    "shortanswer": {
        "answers": [
            {"text": "RMSProp"},
            {"text": "AdaGrad", "fraction": 0.5, "feedback": "It sums the squares instead."},
        ]
    },
    "matching": {
        "pairs": [
            {"prompt": "Momentum", "answer": "A sum of past gradients"},
            {"prompt": "RMSProp", "answer": "An average of squared gradients"},
        ],
        "distractors": ["A step size that doubles"],
    },
    "cloze": {},  # the blanks are in the stem (STEMS)
}
# Kinds a student never answers: kept out of SPECS, which the answering tests go through.
UNANSWERED_SPECS = {"description": {}}
# Kinds a person grades: their answers are pending, never "correct" on their own.
HAND_GRADED_SPECS = {
    "essay": {"grader_info": "Full marks: names the decaying average.", "min_words": 3, "max_words": 50}
}

# Items whose stem uses their template parameters.
STEMS = {
    "calculation": "With $\\eta = {{eta}}$ and $g = {{g}}$, how large is the step?",
    "cloze": (
        "Adam's default $\\beta_1$ is {1:NUMERICAL:=0.9:0.005#Right~%50%0.99:0.005#That is beta2} and its first "
        "moment averages the {2:MULTICHOICE:=gradients#Yes~squared gradients#That is the second moment}; "
        "the variant with decoupled decay is {1:SHORTANSWER_C:=AdamW#Right~%50%adamw#Mind the capitals}."
    ),
}


def explanation_marker(key: str) -> str:
    return f"Explanation-marker-{key}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Full-strength hashing of the fixture and demo passwords would dominate these tests' run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bank(db):
    return Bank.objects.create(slug="demo", name="Demo bank")


@pytest.fixture
def make_item(bank):
    def make(kind: str, key: str | None = None, *, topics=(), target_bank=None, **spec_overrides) -> Item:
        key = key or f"{kind}-item"
        item = Item.objects.create(
            bank=target_bank or bank,
            key=key,
            kind=kind,
            title=f"A {kind} question",
            stem=STEMS.get(kind, f"Question text for {key}."),
            explanation=explanation_marker(key),
            hints=["First hint", "Second hint"],
            spec={**{**SPECS, **UNANSWERED_SPECS, **HAND_GRADED_SPECS}[kind], **spec_overrides},
        )
        for slug in topics:
            item.topics.add(Topic.objects.get_or_create(slug=slug, defaults={"name": slug})[0])
        return item

    return make


@pytest.fixture
def make_quiz(db):
    def make(*, rules=({"count": 10},), slug="demo-quiz", **settings) -> Quiz:
        quiz = Quiz.objects.create(slug=slug, title=f"Quiz {slug}", **settings)
        for position, rule in enumerate(rules, start=1):
            QuizRule.objects.create(quiz=quiz, position=position, **rule)
        return quiz

    return make
