"""Demo content: quiz definitions from a small YAML file, applied idempotently.

The file (`content/quizzes.yaml`) looks like this:

    format: descent-quizzes/1
    quizzes:
      - slug: warm-up-sgd
        title: "Warm-up: SGD and learning rates"
        description: Markdown.
        settings: {feedback_mode: immediate, max_attempts: 2, time_limit_minutes: 20,
                   penalty_per_extra_attempt: 0.1, grading_policy: best, one_item_per_page: false}
        rules:
          - {topics: [sgd, learning-rate], kinds: [calculation], count: 2}
          - {bank: concepts-descent, count: 3}

Every setting is optional (the model defaults apply). A rule draws `count` items matching any of
its topics and any of its kinds, from one bank or from all. Everything is checked before
anything is written, and each problem names the quiz and field it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db import transaction

from quizzes.models import Bank, FeedbackMode, GradingPolicy, ItemKind, Quiz, QuizRule

FORMAT = "descent-quizzes/1"
SETTING_CHECKS = {
    "feedback_mode": lambda value: value in FeedbackMode.values,
    "grading_policy": lambda value: value in GradingPolicy.values,
    "max_attempts": lambda value: value is None or (isinstance(value, int) and value >= 1),
    "time_limit_minutes": lambda value: value is None or (isinstance(value, int) and value >= 1),
    "penalty_per_extra_attempt": lambda value: isinstance(value, int | float) and 0 <= value <= 1,
    "one_item_per_page": lambda value: isinstance(value, bool),
    "published": lambda value: isinstance(value, bool),
}
RULE_FIELDS = {"bank", "topics", "kinds", "count"}


class QuizDefinitionError(ValueError):
    """The quiz file is malformed; `problems` lists every issue found."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class QuizDefinition:
    slug: str
    title: str
    description: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    rules: list[dict[str, Any]] = field(default_factory=list)


def quiz_definitions_parse(text: str) -> list[QuizDefinition]:
    """Read and check a quiz file; raises QuizDefinitionError listing every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise QuizDefinitionError([f"not valid YAML: {error}"]) from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise QuizDefinitionError([f"the file must be a mapping with `format: {FORMAT}`"])
    entries = data.get("quizzes")
    if not isinstance(entries, list) or not entries:
        raise QuizDefinitionError(["`quizzes` must be a non-empty list"])

    problems: list[str] = []
    definitions: list[QuizDefinition] = []
    slugs: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        where = f"quizzes[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        slug, title = entry.get("slug"), entry.get("title")
        if (
            not isinstance(slug, str)
            or not slug
            or not slug.replace("-", "").isalnum()
            or slug != slug.lower()
        ):
            problems.append(f"{where}.slug: {slug!r} is not a lowercase slug")
        elif slug in slugs:
            problems.append(f"{where}.slug: {slug!r} appears twice")
        slugs.add(str(slug))
        where = f"quiz {slug!r}"
        if not isinstance(title, str) or not title.strip():
            problems.append(f"{where}.title: required")
        settings = entry.get("settings") or {}
        problems += _setting_problems(where, settings)
        rules = entry.get("rules")
        if not isinstance(rules, list) or not rules:
            problems.append(f"{where}.rules: at least one rule is required")
            rules = []
        for number, rule in enumerate(rules, start=1):
            problems += _rule_problems(f"{where}.rules[{number}]", rule)
        definitions.append(
            QuizDefinition(
                slug=str(slug),
                title=str(title or "").strip(),
                description=str(entry.get("description") or "").strip(),
                settings=dict(settings) if isinstance(settings, dict) else {},
                rules=list(rules),
            )
        )
    if problems:
        raise QuizDefinitionError(problems)
    return definitions


def _setting_problems(where: str, settings: Any) -> list[str]:
    if not isinstance(settings, dict):
        return [f"{where}.settings: must be a mapping"]
    problems = []
    for name, value in settings.items():
        check = SETTING_CHECKS.get(name)
        if check is None:
            problems.append(f"{where}.settings.{name}: unknown setting (known: {', '.join(SETTING_CHECKS)})")
        elif not check(value):
            problems.append(f"{where}.settings.{name}: {value!r} is not allowed")
    return problems


def _rule_problems(where: str, rule: Any) -> list[str]:
    if not isinstance(rule, dict):
        return [f"{where}: must be a mapping"]
    problems = [f"{where}.{name}: unknown field" for name in rule if name not in RULE_FIELDS]
    count = rule.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        problems.append(f"{where}.count: a whole number of at least 1 is required")
    for name in ("topics", "kinds"):
        value = rule.get(name, [])
        if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
            problems.append(f"{where}.{name}: must be a list of names")
    unknown_kinds = [kind for kind in rule.get("kinds") or [] if kind not in ItemKind.values]
    if unknown_kinds and isinstance(rule.get("kinds"), list):
        problems.append(f"{where}.kinds: unknown kind(s) {', '.join(map(str, unknown_kinds))}")
    if "bank" in rule and not isinstance(rule["bank"], str):
        problems.append(f"{where}.bank: must be a bank slug")
    return problems


@transaction.atomic
def quiz_definitions_apply(definitions: list[QuizDefinition], *, owner=None) -> list[Quiz]:
    """Create or update each quiz by slug and replace its rules; all or nothing.

    Raises QuizDefinitionError if a rule names a bank that does not exist.
    """
    banks = {bank.slug: bank for bank in Bank.objects.all()}
    missing = [
        f"quiz {definition.slug!r}.rules[{number}].bank: no bank {rule['bank']!r}"
        for definition in definitions
        for number, rule in enumerate(definition.rules, start=1)
        if rule.get("bank") and rule["bank"] not in banks
    ]
    if missing:
        raise QuizDefinitionError(missing)

    quizzes = []
    for definition in definitions:
        quiz, _ = Quiz.objects.update_or_create(
            slug=definition.slug,
            defaults={
                "title": definition.title,
                "description": definition.description,
                **definition.settings,
            },
            create_defaults={
                "title": definition.title,
                "description": definition.description,
                "owner": owner,
                **definition.settings,
            },
        )
        # Rules carry no history (attempts store their own items), so replacing them is safe.
        quiz.rules.all().delete()
        QuizRule.objects.bulk_create(
            QuizRule(
                quiz=quiz,
                bank=banks.get(rule.get("bank") or ""),
                topics=list(rule.get("topics") or []),
                kinds=list(rule.get("kinds") or []),
                count=rule["count"],
                position=position,
            )
            for position, rule in enumerate(definition.rules, start=1)
        )
        quizzes.append(quiz)
    return quizzes
