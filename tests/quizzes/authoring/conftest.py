"""Banks and items for the authoring tests, built through the models (not through the pages under test)."""

import pytest

from quizzes.models import Attempt, AttemptItem, Bank, Item, Quiz, Topic
from tests.quizzes.engine import sample_items

# The SGD step of the bank-format docs: eta drawn from three values, g from a grid of 46.
CALCULATION_SPEC = {
    "params": {"eta": {"choices": [0.1, 0.01, 0.001]}, "g": {"min": 5, "max": 50, "step": 1}},
    "answer": {"expr": "eta * g"},
    "tolerance": {"mode": "relative", "value": 1e-6},
    "misconceptions": [{"answer": {"expr": "g / eta"}, "feedback": "That divides by the learning rate."}],
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every test logs someone in; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bank(db, instructor):
    return Bank.objects.create(slug="optimizers-core", name="Optimizers, the core", owner=instructor)


@pytest.fixture
def calculation_item(bank):
    item = Item.objects.create(
        bank=bank,
        key="sgd-update-size",
        kind="calculation",
        title="Size of one SGD step",
        stem="With $\\eta = {{eta}}$ and $g = {{g}}$, how large is the SGD update $\\eta g$?",
        explanation="The step is $\\eta g = {{answer}}$.",
        hints=["Multiply the learning rate by the gradient."],
        difficulty=1,
        spec=CALCULATION_SPEC,
    )
    item.topics.add(Topic.objects.create(slug="sgd", name="SGD"))
    return item


@pytest.fixture
def truefalse_item(bank):
    item = Item.objects.create(
        bank=bank,
        key="bias-correction-late",
        kind="truefalse",
        title="When bias correction matters",
        stem="Adam's bias correction matters most late in training.",
        explanation="It divides by $1-\\beta^t$, which is near 1 once $t$ is large.",
        difficulty=2,
        spec={"answer": False},
    )
    item.topics.add(Topic.objects.create(slug="bias-correction", name="Bias correction"))
    return item


@pytest.fixture
def table_item(bank):
    """Two steps of momentum with the learning rate inside the velocity, on J(theta) = theta^2."""
    return Item.objects.create(
        bank=bank,
        key="momentum-table",
        kind="table",
        stem="Fill in $m_t$ and $\\theta_t$ for two steps.",
        explanation="$m_1 = 2$, $\\theta_1 = 8$; then $m_2 = 3.4$, $\\theta_2 = 4.6$.",
        spec={key: sample_items.table()[key] for key in ("table", "tolerance")},
    )


@pytest.fixture
def ordering_item(bank):
    return Item.objects.create(
        bank=bank,
        key="tuning-order",
        kind="ordering",
        stem="Order these tuning steps.",
        explanation="Trust the logs first, then the learning rate, then the optimizer.",
        spec={"steps": ["Check the logged loss", "Tune the learning rate", "Choose the optimizer"]},
    )


@pytest.fixture
def answered(calculation_item, student, instructor):
    """A student's recorded answer to `calculation_item`: it must now survive any delete."""
    quiz = Quiz.objects.create(slug="week-1", title="Week 1", owner=instructor)
    attempt = Attempt.objects.create(quiz=quiz, student=student, number=1)
    return AttemptItem.objects.create(attempt=attempt, item=calculation_item, position=0, seed=7)
