"""The concepts a student's progress is measured on, and how topic tags map onto them.

Quiz items and code exercises are tagged with topic slugs (docs/bank-format.md, the exercises'
`info.yaml`). Several tags describe one idea from different angles (`warmup` is part of learning
rate schedules, `momentum-conventions` is part of momentum), so a small synonym table folds them
into one concept. Tags that belong to no concept (`minibatches`, `adaptive-learning-rates`) are
simply not tracked. Django-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    slug: str
    name: str


# In teaching order: the dashboard lists them this way and "next up" breaks ties by it.
CONCEPTS: tuple[Concept, ...] = (
    Concept("gradient-descent", "Gradient descent and SGD"),
    Concept("learning-rate", "Learning rate and stability"),
    Concept("momentum", "Momentum"),
    Concept("nesterov", "Nesterov momentum"),
    Concept("ewma", "Exponential moving averages"),
    Concept("adagrad", "AdaGrad"),
    Concept("rmsprop", "RMSProp"),
    Concept("adam", "Adam"),
    Concept("bias-correction", "Bias correction"),
    Concept("adamw", "AdamW and decoupled weight decay"),
    Concept("schedules", "Learning-rate schedules"),
    Concept("diagnosing-training", "Diagnosing training"),
)
CONCEPTS_BY_SLUG: dict[str, Concept] = {concept.slug: concept for concept in CONCEPTS}
CONCEPT_ORDER: dict[str, int] = {concept.slug: index for index, concept in enumerate(CONCEPTS)}

# topic tag -> concept slug, for tags that are not themselves a concept's slug.
TOPIC_SYNONYMS: dict[str, str] = {
    "sgd": "gradient-descent",
    "stability": "learning-rate",
    "ill-conditioning": "learning-rate",
    "momentum-conventions": "momentum",
    "effective-sample-size": "ewma",
    "amsgrad": "adam",
    "weight-decay": "adamw",
    "decoupled-weight-decay": "adamw",
    "warmup": "schedules",
    "gradient-clipping": "diagnosing-training",
    "tuning": "diagnosing-training",
}


def concept_for_topic(topic: str) -> str | None:
    """The concept a topic tag counts towards, or None when it is not tracked."""
    if topic in CONCEPTS_BY_SLUG:
        return topic
    return TOPIC_SYNONYMS.get(topic)


def concepts_for_topics(topics: Iterable[str]) -> tuple[str, ...]:
    """The distinct concepts a set of topic tags covers, in teaching order."""
    found = {concept for topic in topics if (concept := concept_for_topic(topic)) is not None}
    return tuple(sorted(found, key=CONCEPT_ORDER.__getitem__))


def topics_for_concept(concept: str) -> frozenset[str]:
    """Every topic tag that counts towards `concept` (its own slug and its synonyms)."""
    if concept not in CONCEPTS_BY_SLUG:
        raise ValueError(f"unknown concept {concept!r}; known: {', '.join(CONCEPTS_BY_SLUG)}")
    return frozenset({concept, *(topic for topic, target in TOPIC_SYNONYMS.items() if target == concept)})
