"""What the student pages show, assembled from the models and the engine.

The one rule that matters most here: an item's correct answer and explanation reach the page
only through `ItemPanel.result`, which is filled only once the item is answered AND the quiz's
feedback mode allows it (immediately, or after the attempt is finished), and through
`ItemPanel.missed`, filled only for an item left unanswered in a FINISHED attempt. Everything
else on the page comes from the engine's `render_item`, which never carries the key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Count, prefetch_related_objects
from django.urls import get_script_prefix, reverse

from quizzes.engine import answer_key, render_item
from quizzes.engine.common import explanation as filled_explanation
from quizzes.engine.common import stable_id
from quizzes.engine.kinds import HAND_GRADED_KINDS, ItemKind
from quizzes.engine.result import Variant, Widget
from quizzes.engine.variants import rebuild_variant
from quizzes.models import Attempt, AttemptItem, AttemptStatus, FeedbackMode, Quiz
from quizzes.services.attempts import (
    answers_change_until_finish,
    attempt_close_if_expired,
    attempts_left_after,
    grade_among,
    is_blank,
    is_expired,
    penalty_factor,
    seconds_left,
    unanswered_among,
)
from quizzes.services.responses import WidgetState, widget_state

TRUE_FALSE_OPTIONS = (("true", "True"), ("false", "False"))

# Stated on every multiple-choice item (the rule is quizzes/engine/kinds/choices.py's).
MULTIPLE_SCORING_RULE = (
    "Scoring: the share of the correct choices you tick, minus the share of the wrong choices you "
    "tick, never below 0. Ticking every box scores 0."
)


@dataclass
class QuizSummary:
    quiz: Quiz
    attempts: list[Attempt]
    grade: float | None
    attempts_left: int | None
    in_progress: Attempt | None

    @property
    def next_penalty_factor(self) -> float:
        return penalty_factor(self.quiz, len(self.attempts) + 1)

    @property
    def can_start(self) -> bool:
        return self.in_progress is None and (self.attempts_left is None or self.attempts_left > 0)


def quiz_summary(quiz: Quiz, student) -> QuizSummary:
    """The quiz as one student sees it: their attempts, grade and what they may do next."""
    return quiz_summaries([quiz], student)[0]


def quiz_summaries(quizzes: Iterable[Quiz], student) -> list[QuizSummary]:
    """`quiz_summary` of each quiz, the student's attempts at all of them read in one query.

    An attempt that ran out of time is closed first (and the attempts read again: finishing it may
    leave answers waiting for a person's grade).
    """
    quizzes = list(quizzes)
    if not student.is_authenticated:
        return [QuizSummary(quiz, [], None, quiz.max_attempts, None) for quiz in quizzes]
    by_id = {quiz.pk: quiz for quiz in quizzes}
    attempts = _attempts_at(by_id, student)
    expired = [
        attempt for attempt in attempts if attempt.status == AttemptStatus.IN_PROGRESS and is_expired(attempt)
    ]
    if expired:
        for attempt in expired:
            attempt_close_if_expired(attempt=attempt)
        attempts = _attempts_at(by_id, student)
    of_quiz: dict[int, list[Attempt]] = {pk: [] for pk in by_id}
    for attempt in attempts:
        of_quiz[attempt.quiz_id].append(attempt)
    summaries = []
    for quiz in quizzes:
        mine = of_quiz[quiz.pk]
        in_progress = next((a for a in mine if a.status == AttemptStatus.IN_PROGRESS), None)
        summaries.append(
            QuizSummary(
                quiz, mine, grade_among(quiz, mine), attempts_left_after(quiz, len(mine)), in_progress
            )
        )
    return summaries


def _attempts_at(quizzes_by_id: dict[int, Quiz], student) -> list[Attempt]:
    """The student's attempts at these quizzes, in number order, each knowing its quiz and how many
    of its answers still wait for a person's grade (`awaiting_grading`: its score counts them 0).

    The count is asked only when there are attempts: a student who has not started (the class
    opening the quiz page) costs one plain query.
    """
    attempts = list(
        Attempt.objects.filter(quiz__in=list(quizzes_by_id), student=student).order_by("quiz_id", "number")
    )
    waiting: dict[int, int] = {}
    if attempts:
        waiting = dict(
            AttemptItem.objects.filter(
                attempt__in=[attempt.pk for attempt in attempts],
                item__kind__in=HAND_GRADED_KINDS,
                answered_at__isnull=False,
                score__isnull=True,
            )
            .values("attempt_id")
            .annotate(waiting=Count("pk"))
            .values_list("attempt_id", "waiting")
        )
    for attempt in attempts:
        attempt.quiz = quizzes_by_id[attempt.quiz_id]
        attempt.awaiting_grading = waiting.get(attempt.pk, 0)  # type: ignore[attr-defined]
    return attempts


@dataclass(frozen=True)
class MissedItem:
    """The key and explanation of an item the student left unanswered, for the finished review."""

    correct_answer: str
    explanation: str
    # What the student typed but the engine could not read at Finish (so it was not scored).
    unreadable_draft: str = ""


@dataclass
class ItemPanel:
    """One item on the attempt or review page, with everything its template needs."""

    attempt_item: AttemptItem
    rendered: dict[str, Any]
    state: WidgetState
    locked: bool
    result: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)
    missed: MissedItem | None = None
    # The choices' ids that are correct, set only when the key may be shown (result or missed).
    correct_ids: set[str] | None = None
    draft_saved_at: Any = None

    @property
    def changeable(self) -> bool:
        """Answered, and with feedback at the end the answer may still change until Finish."""
        return self.answered and not self.locked

    @property
    def scoring_rule(self) -> str:
        return MULTIPLE_SCORING_RULE if self.rendered.get("kind") == ItemKind.MULTIPLE else ""

    @property
    def position(self) -> int:
        return self.attempt_item.position

    @property
    def urls(self) -> PanelUrls:
        """Where the panel's form posts its answer, saves drafts and previews an expression."""
        return panel_urls(self.attempt_item.attempt_id, self.attempt_item.position, get_script_prefix())

    @property
    def answered(self) -> bool:
        return self.attempt_item.answered_at is not None

    @property
    def saved_only(self) -> bool:
        """Answered, but the verdict waits for the end of the attempt."""
        return self.answered and self.result is None

    @property
    def options(self) -> list[dict[str, Any]]:
        """Choices for radio buttons and checkboxes, marked with what the student picked."""
        if self.rendered["input"] == Widget.TRUEFALSE:
            pairs = [{"id": value, "text": label} for value, label in TRUE_FALSE_OPTIONS]
        else:
            pairs = self.rendered.get("choices") or []
        marks = self.correct_ids
        return [
            {
                **choice,
                "checked": choice["id"] in self.state.selected,
                # None while the key is hidden; then True (a correct choice) or False.
                "correct": None if marks is None else choice["id"] in marks,
            }
            for choice in pairs
        ]

    @property
    def match_rows(self) -> list[dict[str, Any]]:
        """A matching item's prompts, each with the shared options and the student's pick marked."""
        options = self.rendered.get("choices") or []
        return [
            {
                **prompt,
                "options": [
                    {**option, "selected": self.state.matches.get(prompt["id"]) == option["id"]}
                    for option in options
                ],
            }
            for prompt in self.rendered.get("prompts") or []
        ]

    @property
    def table_rows(self) -> list[dict[str, Any]]:
        """Rows of named cells with the student's values and, once revealed, each cell's verdict."""
        table = self.rendered.get("table") or {}
        verdicts = cell_verdicts(self.result)
        return [
            {
                "step": row.get("step"),
                "cells": [
                    {"name": cell, "value": self.state.cells.get(cell, ""), "verdict": verdicts.get(cell)}
                    for cell in row.get("cells", [])
                ],
            }
            for row in table.get("rows", [])
        ]


@dataclass(frozen=True)
class PanelUrls:
    answer: str
    draft: str
    preview: str


# Every attempt page reverses these for each of its panels, and a student sees the page again after
# each answer: reversing is a measurable part of the page, and the same arguments give the same URLs.
@lru_cache(maxsize=8192)
def panel_urls(attempt_id: int, position: int, script_prefix: str) -> PanelUrls:
    args = [attempt_id, position]
    return PanelUrls(
        answer=reverse("quizzes:answer", args=args),
        draft=reverse("quizzes:draft", args=args),
        preview=reverse("quizzes:preview_expression", args=args),
    )


def cell_verdicts(result: dict[str, Any] | None) -> dict[str, str]:
    """Per-cell status from a table result's details, when the engine provides them."""
    if not result:
        return {}
    cells = (result.get("details") or {}).get("cells") or {}
    verdicts = {}
    for name, info in cells.items():
        if isinstance(info, dict):
            verdicts[name] = str(info.get("status", ""))
        elif isinstance(info, str):
            verdicts[name] = info
    return verdicts


def results_visible(attempt: Attempt) -> bool:
    return attempt.status == AttemptStatus.FINISHED or attempt.quiz.feedback_mode == FeedbackMode.IMMEDIATE


def missed_item(attempt_item: AttemptItem) -> MissedItem:
    """Key and filled explanation for an unanswered item. Call only once its attempt is finished."""
    item = attempt_item.item_data()
    draft = attempt_item.draft if isinstance(attempt_item.draft, str) and attempt_item.draft.strip() else ""
    try:
        variant = rebuild_variant(item, attempt_item.variant or None)
        return MissedItem(
            correct_answer=answer_key(item, variant),
            explanation=filled_explanation(item, variant),
            unreadable_draft=draft,
        )
    except (ValueError, TypeError, KeyError, ArithmeticError):
        # The item was edited into a broken state after the attempt: its explanation still helps.
        return MissedItem(
            correct_answer="", explanation=str(item.get("explanation") or ""), unreadable_draft=draft
        )


def correct_choice_ids(item: dict[str, Any]) -> set[str] | None:
    """The ids of the correct choices of a single, multiple or true/false item; None for other kinds."""
    kind = item.get("kind")
    if kind == ItemKind.TRUEFALSE:
        return {"true" if item.get("answer") else "false"}
    if kind in {ItemKind.SINGLE, ItemKind.MULTIPLE}:
        return {stable_id("c", choice) for choice in item.get("choices") or [] if choice.get("correct")}
    return None


def rendered_item(attempt_item: AttemptItem) -> dict[str, Any]:
    """The student-facing item for this attempt's variant (no key, no explanation)."""
    return render_item(attempt_item.item_data(), Variant.from_dict(attempt_item.variant)).to_dict()


def page_items(attempt: Attempt) -> list[AttemptItem]:
    """The attempt's items in position order, with what their panels need, in one query (two when
    an item has no pinned version and is shown as it is now, with its topics; three then). The attempt page
    reads them once for its progress header and its panels."""
    # A panel reads the pinned version's data, not the item (whose large spec would be decoded for nothing).
    attempt_items = list(attempt.attempt_items.select_related("version").order_by("position"))
    unpinned = [attempt_item for attempt_item in attempt_items if attempt_item.version_id is None]
    if unpinned:
        prefetch_related_objects(unpinned, "item__topics")
    for attempt_item in attempt_items:
        attempt_item.attempt = attempt
    return attempt_items


def item_panels(
    attempt: Attempt,
    *,
    positions: list[int] | None = None,
    drafts: dict[int, Any] | None = None,
    errors: dict[int, list[str]] | None = None,
    attempt_items: list[AttemptItem] | None = None,
) -> list[ItemPanel]:
    """Panels for the attempt's items (or only `positions`).

    `drafts` are unsaved responses to show again by position (an invalid answer, a reordered
    list); `errors` the messages that go with them. Otherwise an open item shows its saved draft
    (what the student typed last), else its answer. `attempt_items`: the attempt's `page_items`,
    when the caller has read them already.
    """
    drafts, errors = drafts or {}, errors or {}
    reveal = results_visible(attempt)
    finished = attempt.status == AttemptStatus.FINISHED
    changeable = not finished and answers_change_until_finish(attempt.quiz)
    if attempt_items is None:
        attempt_items = page_items(attempt)
    if positions is not None:
        attempt_items = [attempt_item for attempt_item in attempt_items if attempt_item.position in positions]
    panels = []
    for attempt_item in attempt_items:
        rendered = rendered_item(attempt_item)
        answered = attempt_item.answered_at is not None
        locked = finished or (answered and not changeable)
        response = attempt_item.response
        if attempt_item.position in drafts:
            response = drafts[attempt_item.position]
        elif not locked and not is_blank(attempt_item.draft):
            response = attempt_item.draft
        result = attempt_item.result if answered and reveal else None
        # A description asks nothing, so it is never "not answered".
        missed = (
            missed_item(attempt_item)
            if finished and not answered and rendered["input"] != Widget.NONE
            else None
        )
        panels.append(
            ItemPanel(
                attempt_item=attempt_item,
                rendered=rendered,
                state=widget_state(rendered, response),
                locked=locked,
                result=result,
                errors=errors.get(attempt_item.position, []),
                missed=missed,
                correct_ids=correct_choice_ids(attempt_item.item_data()) if result or missed else None,
                draft_saved_at=None if locked else attempt_item.draft_saved_at,
            )
        )
    return panels


def attempt_progress(attempt: Attempt, attempt_items: list[AttemptItem] | None = None) -> dict[str, Any]:
    """Counts and time for the attempt header (from `attempt_items`, its `page_items`, when given)."""
    if attempt_items is None:
        attempt_items = list(
            attempt.attempt_items.only("position", "answered_at", "draft").order_by("position")
        )
    answered = [
        attempt_item.position for attempt_item in attempt_items if attempt_item.answered_at is not None
    ]
    return {
        "total": len(attempt_items),
        "answered": len(answered),
        "answered_positions": set(answered),
        "positions": [attempt_item.position for attempt_item in attempt_items],
        "seconds_left": seconds_left(attempt),
        "unanswered": unanswered_among(attempt_items),
    }
