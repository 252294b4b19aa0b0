"""What the instructor quiz pages do, kept out of the views.

A quiz is its settings plus an ordered list of rules ("draw N items from this bank, with these
topics and kinds"). Saving replaces the rules in one transaction. Attempts never look at rules
again once started (an attempt stores the items it drew), so editing rules changes only the
attempts that start afterwards. A quiz with attempts is never deleted: that would cascade into
students' graded work; it can be unpublished instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from quizzes.models import Bank, Item, ItemKind, Quiz, QuizRule
from quizzes.selection import draw_items, max_without_siblings, rule_candidates


class QuizDeleteRefused(Exception):
    """The quiz has attempts; deleting it would erase students' graded work."""


@dataclass(frozen=True)
class RuleSpec:
    """One rule as the form cleaned it, before it is saved."""

    bank: Bank | None
    topics: list[str]
    kinds: list[str]
    count: int

    def as_rule(self, *, quiz: Quiz | None = None, position: int = 0) -> QuizRule:
        """An unsaved QuizRule, which is what `quizzes.selection` draws from."""
        return QuizRule(
            quiz=quiz,
            bank=self.bank,
            topics=list(self.topics),
            kinds=list(self.kinds),
            count=self.count,
            position=position,
        )

    @classmethod
    def from_rule(cls, rule: QuizRule) -> RuleSpec:
        return cls(bank=rule.bank, topics=list(rule.topics), kinds=list(rule.kinds), count=rule.count)


@dataclass(frozen=True)
class RuleCheck:
    """How many items a rule can draw from, compared with how many it asks for."""

    number: int  # 1-based, as the page shows it
    spec: RuleSpec
    matching: int
    # The most of the matching items one attempt may hold, siblings never together (= matching without any).
    drawable: int | None = None

    @property
    def short(self) -> bool:
        return self.matching < self.spec.count

    @property
    def short_because_of_siblings(self) -> bool:
        return self.drawable is not None and self.drawable < self.spec.count <= self.matching

    @property
    def description(self) -> str:
        where = f"bank “{self.spec.bank.name}”" if self.spec.bank else "any bank"
        topics = ", ".join(self.spec.topics) if self.spec.topics else "any topic"
        labels = dict(ItemKind.choices)
        kinds = (
            ", ".join(labels.get(kind, kind) for kind in self.spec.kinds) if self.spec.kinds else "any kind"
        )
        return f"{where}; {topics}; {kinds}"

    @property
    def warning(self) -> str | None:
        """A sentence for the instructor when the rule cannot draw its full count, else None."""
        if self.short_because_of_siblings:
            return (
                f"Rule {self.number} asks for {self.spec.count} and {self.matching} items match it "
                f"({self.description}), but some are siblings (restatements of one another), which are "
                f"never drawn into one attempt: attempts will get at most {self.drawable} from this rule."
            )
        if not self.short:
            return None
        noun = "item matches" if self.matching == 1 else "items match"
        return (
            f"Rule {self.number} asks for {self.spec.count} but only {self.matching} {noun} it "
            f"({self.description}); attempts will get {self.matching} from this rule."
        )


@dataclass(frozen=True)
class QuizRow:
    quiz: Quiz
    rule_count: int
    attempt_count: int
    student_count: int


def quiz_rows(quizzes=None) -> list[QuizRow]:
    """The quizzes (every quiz by default) for the instructor list, with rule and attempt counts (one query)."""
    quizzes = (
        (Quiz.objects.all() if quizzes is None else quizzes)
        .annotate(
            n_rules=Count("rules", distinct=True),
            n_attempts=Count("attempts", distinct=True),
            n_students=Count("attempts__student", distinct=True),
        )
        .order_by("title")
    )
    return [QuizRow(quiz, quiz.n_rules, quiz.n_attempts, quiz.n_students) for quiz in quizzes]


def quiz_rule_specs(quiz: Quiz) -> list[RuleSpec]:
    return [RuleSpec.from_rule(rule) for rule in quiz.rules.select_related("bank").order_by("position", "id")]


def rule_checks(specs: list[RuleSpec], *, quiz: Quiz | None = None) -> list[RuleCheck]:
    """Each rule's number of matching items, on its own (ignoring items an earlier rule may take).

    With `quiz`, rules draw only from the banks its owner may view, as its attempts do.
    """
    checks = []
    for number, spec in enumerate(specs, start=1):
        candidates = rule_candidates(spec.as_rule(quiz=quiz))
        checks.append(
            RuleCheck(
                number=number,
                spec=spec,
                matching=len(candidates),
                drawable=max_without_siblings(candidates),
            )
        )
    return checks


def rule_warnings(specs: list[RuleSpec], *, quiz: Quiz | None = None) -> list[str]:
    return [check.warning for check in rule_checks(specs, quiz=quiz) if check.warning]


@transaction.atomic
def quiz_save(*, quiz: Quiz, rules: list[RuleSpec], owner=None) -> Quiz:
    """Save the quiz's settings and replace its rules by `rules`, in order, all or nothing.

    `owner` is set only on a quiz that has none yet (the creator keeps ownership on later edits).
    Started attempts keep the items they drew: those are stored per attempt, not re-derived.
    """
    if owner is not None and quiz.owner_id is None:
        quiz.owner = owner
    quiz.full_clean(exclude=["owner"])
    quiz.save()
    quiz.rules.all().delete()
    QuizRule.objects.bulk_create(
        [spec.as_rule(quiz=quiz, position=position) for position, spec in enumerate(rules)]
    )
    return quiz


def draw_preview(*, specs: list[RuleSpec], seed: int, quiz: Quiz | None = None) -> list[Item]:
    """The items a first attempt could draw for `seed`, exactly as `attempt_start` draws them.

    Nothing is written: no attempt is created, and a fresh RNG is used so the preview never
    disturbs any other random state.
    """
    rules = [spec.as_rule(quiz=quiz, position=position) for position, spec in enumerate(specs)]
    return draw_items(rules, seen_item_ids=set(), rng=random.Random(seed))


def quiz_attempt_count(quiz: Quiz) -> int:
    return quiz.attempts.count()


def quiz_delete(*, quiz: Quiz) -> None:
    """Delete a quiz that nobody has attempted; refuse otherwise (attempts cascade with the quiz)."""
    with transaction.atomic():
        # Lock the row so an attempt cannot be opened between the count and the delete.
        locked = Quiz.objects.select_for_update().get(pk=quiz.pk)
        attempts = quiz_attempt_count(locked)
        if attempts:
            noun = "attempt" if attempts == 1 else "attempts"
            raise QuizDeleteRefused(
                f"Students have made {attempts} {noun} at this quiz; deleting it would erase their "
                "graded work. Unpublish it instead: students can no longer start it, and their "
                "results stay."
            )
        locked.delete()


def quiz_unpublish(*, quiz: Quiz) -> Quiz:
    """Close the quiz to new attempts; finished attempts and grades stay as they are."""
    Quiz.objects.filter(pk=quiz.pk).update(published=False)
    quiz.published = False
    return quiz
