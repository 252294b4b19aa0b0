"""What every item kind provides (`KindHandler`), the kinds themselves (`ItemKind`) and the defaults.

A kind's module subclasses `BaseKind`, sets `kind`, `fields`, `widget` and `example`, and overrides
the hooks that differ from the defaults; `registry.py` lists one handler per `ItemKind`. The web layer
never needs more than the handler: the form fields a response comes from are named here too.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Protocol

from quizzes.engine.common import explanation, hidden_names
from quizzes.engine.result import CheckResult, RenderedItem, Variant, Widget, status_for_score
from quizzes.engine.templates import fill, plain_values

ItemDict = dict[str, Any]
"""An item as the engine sees it: `Item.to_dict()`, the shape of docs/bank-format.md."""

# Form field names shared with the templates and static/js/quiz.js.
ANSWER_FIELD = "answer"
ORDER_FIELD = "order"
CELL_PREFIX = "cell-"
MATCH_PREFIX = "match-"
# Longest text accepted in a typed answer: generous for formulas, small enough to store.
MAX_TEXT_LENGTH = 500


class ItemKind(StrEnum):
    """The item kinds. Values are what bank files and the database store."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUEFALSE = "truefalse"
    ORDERING = "ordering"
    NUMERIC = "numeric"
    CALCULATION = "calculation"
    SYMBOLIC = "symbolic"
    TABLE = "table"
    SHORTANSWER = "shortanswer"
    MATCHING = "matching"
    DESCRIPTION = "description"
    CLOZE = "cloze"
    ESSAY = "essay"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ItemKind.SINGLE: "Single choice",
    ItemKind.MULTIPLE: "Multiple choice",
    ItemKind.TRUEFALSE: "True/false",
    ItemKind.ORDERING: "Ordering",
    ItemKind.NUMERIC: "Numeric",
    ItemKind.CALCULATION: "Calculation template",
    ItemKind.SYMBOLIC: "Symbolic expression",
    ItemKind.TABLE: "Multi-step table",
    ItemKind.SHORTANSWER: "Short text answer",
    ItemKind.MATCHING: "Matching",
    ItemKind.DESCRIPTION: "Description (no answer)",
    ItemKind.CLOZE: "Embedded answers (cloze)",
    ItemKind.ESSAY: "Essay (graded by hand)",
}


class FormData(Protocol):
    """A posted form (Django's QueryDict has this shape)."""

    def get(self, key: str, default: str = ...) -> Any: ...

    def getlist(self, key: str) -> list[str]: ...


class KindHandler(Protocol):
    """Everything the rest of the code asks about one kind of item."""

    kind: ItemKind
    fields: frozenset[str]  # the kind-specific fields a spec may hold
    widget: Widget  # RenderedItem.input: which input the page shows
    example: str  # a commented YAML spec a new item of this kind starts from
    templated: bool  # the key can depend on drawn template parameters
    scored: bool  # false: never scored, left out of an attempt's mean and of item statistics
    graded_by_hand: bool  # true: a checked answer is pending until a person grades it

    def problems(self, item: ItemDict) -> list[str]:
        """Every problem of the kind-specific fields, as "field: problem"."""
        ...

    def values(self, item: ItemDict, params: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        """For drawn `params`: the values placeholders see, and the misconception answers."""
        ...

    def has_key_values(self, item: ItemDict, variant: Variant) -> bool:
        """Whether a stored variant still holds its key (else it is recomputed from its params)."""
        ...

    def hidden_names(self, item: ItemDict, variant: Variant) -> set[str]:
        """Values a student must not see before answering."""
        ...

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem: ...

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult: ...

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        """The key in this kind's response format: it must score 1.0."""
        ...

    def answer_key(self, item: ItemDict, variant: Variant) -> str:
        """Markdown of the key alone, the same text `check(...).correct_answer` gives."""
        ...

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        """The response in this kind's format from a posted item form."""
        ...


class BaseKind:
    """Defaults shared by most kinds; see `KindHandler` for what each hook means."""

    kind: ItemKind
    fields: frozenset[str]
    widget: Widget
    example: str
    templated: bool = False
    scored: bool = True
    graded_by_hand: bool = False

    def problems(self, item: ItemDict) -> list[str]:
        return []

    def values(self, item: ItemDict, params: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        return plain_values(item, params)

    def has_key_values(self, item: ItemDict, variant: Variant) -> bool:
        return True

    def key_cells(self, item: ItemDict) -> Iterable[str]:
        """Names of values that are part of the key besides `answer` (table cells)."""
        return ()

    def hidden_names(self, item: ItemDict, variant: Variant) -> set[str]:
        return hidden_names(item, variant, self.key_cells(item))

    def visible_values(self, item: ItemDict, variant: Variant) -> dict[str, Any]:
        hidden = self.hidden_names(item, variant)
        return {name: value for name, value in variant.values.items() if name not in hidden}

    def base_rendering(self, item: ItemDict, variant: Variant) -> RenderedItem:
        """Stem, title and hints filled with the values a student may see (never the key)."""
        values = self.visible_values(item, variant)
        return RenderedItem(
            key=str(item.get("key", "")),
            kind=str(item.get("kind", "")),
            title=fill(str(item.get("title") or ""), values),
            stem=fill(str(item.get("stem") or ""), values),
            input=self.widget,
            hints=[fill(str(hint), values) for hint in item.get("hints") or []],
        )

    def render(self, item: ItemDict, variant: Variant) -> RenderedItem:
        return self.base_rendering(item, variant)

    def explanation(self, item: ItemDict, variant: Variant) -> str:
        return explanation(item, variant)

    def check(self, item: ItemDict, variant: Variant, response: Any) -> CheckResult:
        raise NotImplementedError

    def result_for_score(
        self,
        item: ItemDict,
        variant: Variant,
        score: float,
        feedback: list[str],
        correct_answer: str,
        details: dict[str, Any],
    ) -> CheckResult:
        """The result of a checked answer worth `score` (0 to 1), with the item's explanation."""
        return CheckResult(
            status_for_score(score),
            score,
            feedback,
            correct_answer=correct_answer,
            explanation=self.explanation(item, variant),
            details=details,
        )

    def correct_response(self, item: ItemDict, variant: Variant) -> Any:
        raise NotImplementedError

    def answer_key(self, item: ItemDict, variant: Variant) -> str:
        return self.check(item, variant, self.correct_response(item, variant)).correct_answer

    def response_from_form(self, rendered: dict[str, Any], form: FormData) -> Any:
        """Default: one typed text, cut to MAX_TEXT_LENGTH."""
        return str(form.get(ANSWER_FIELD, ""))[:MAX_TEXT_LENGTH]
