import pytest

from grading.exercises import EXERCISES
from progress.concepts import CONCEPTS_BY_SLUG, concept_for_topic, concepts_for_topics, topics_for_concept

REQUIRED = {
    "learning-rate", "momentum", "nesterov", "ewma", "adagrad", "rmsprop",
    "adam", "bias-correction", "adamw", "schedules", "diagnosing-training",
}  # fmt: skip


def test_the_issue_concepts_are_all_tracked():
    assert REQUIRED <= set(CONCEPTS_BY_SLUG)


def test_synonyms_fold_into_one_concept():
    assert concept_for_topic("weight-decay") == "adamw"
    assert concept_for_topic("warmup") == "schedules"
    assert concepts_for_topics(["momentum-conventions", "momentum", "nesterov"]) == ("momentum", "nesterov")


def test_untracked_topics_are_ignored():
    assert concepts_for_topics(["minibatches", "adaptive-learning-rates"]) == ()


def test_topics_for_concept_include_synonyms():
    assert topics_for_concept("adamw") >= {"adamw", "weight-decay"}
    with pytest.raises(ValueError, match="unknown concept"):
        topics_for_concept("nope")


def test_every_exercise_counts_towards_some_concept():
    for exercise in EXERCISES.values():
        assert concepts_for_topics(exercise.topics), exercise.slug
