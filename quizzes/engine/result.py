"""Value objects the engine hands back: a drawn variant, a rendered item, a check result.

All three are plain data and convert to JSON-ready dicts, so the web layer can store them
in JSON fields and rebuild them later without talking to the engine about its internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """A verdict's status; stored and compared as its value ("correct", ...)."""

    CORRECT = "correct"
    PARTIAL = "partial"
    INCORRECT = "incorrect"
    INVALID = "invalid"
    # Recorded, but the score waits for a person (an essay): not 0, not yet anything.
    PENDING = "pending"


CORRECT = Status.CORRECT
PARTIAL = Status.PARTIAL
INCORRECT = Status.INCORRECT
INVALID = Status.INVALID
PENDING = Status.PENDING
STATUSES = tuple(Status)


class Widget(StrEnum):
    """`RenderedItem.input`: which input the page shows (templates compare against these values)."""

    CHOICE = "choice"
    CHOICES = "choices"
    TRUEFALSE = "truefalse"
    ORDERING = "ordering"
    NUMBER = "number"
    EXPRESSION = "expression"
    TABLE = "table"
    TEXT = "text"
    MATCHING = "matching"
    NONE = "none"
    CLOZE = "cloze"
    ESSAY = "essay"


@dataclass
class Variant:
    """One concrete instance of an item.

    `params` are the drawn template parameters; `values` are the params plus everything
    computed from them (`answer` and calculator extras) and are what placeholders see.
    `misconception_answers` holds the computed wrong answers, in the order of the spec's
    `misconceptions` list (None where one could not be computed). Items without template
    parameters still get a Variant: its seed drives the shuffling of choices and steps.
    """

    seed: int
    params: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    misconception_answers: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "params": dict(self.params),
            "values": dict(self.values),
            "misconception_answers": list(self.misconception_answers),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Variant:
        return cls(
            seed=int(data.get("seed", 0)),
            params=dict(data.get("params") or {}),
            values=dict(data.get("values") or {}),
            misconception_answers=list(data.get("misconception_answers") or []),
        )


@dataclass
class RenderedItem:
    """What a student may see. Never carries the key, the explanation or misconceptions.

    `input` tells the template which widget to show (a `Widget` value).
    `choices` / `steps` are lists of {"id", "text"} (Markdown text, placeholders filled).
    `prompts` are a matching item's left-hand entries ({"id", "text"}); its options are in `choices`.
    `table` is {"rows": [{"step": i, "cells": [cell names]}], "columns": [...]}.
    `blanks` are a cloze item's inputs ({"number", "label", "type", "display", "choices" | "size"}),
    each standing in `stem` as the marker `⟦blank-N⟧`; `essay` is an essay's answer box settings.
    """

    key: str
    kind: str
    title: str
    stem: str
    input: str
    hints: list[str] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)
    steps: list[dict[str, str]] = field(default_factory=list)
    table: dict[str, Any] | None = None
    units: str = ""
    symbols: list[str] = field(default_factory=list)
    prompts: list[dict[str, str]] = field(default_factory=list)
    blanks: list[dict[str, Any]] = field(default_factory=list)
    essay: dict[str, Any] | None = None
    layout: str = ""  # ordering: "horizontal" shows the steps side by side
    accepted_units: list[str] = field(default_factory=list)  # numeric: units typed after the number

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "stem": self.stem,
            "input": self.input,
            "hints": list(self.hints),
            "choices": [dict(choice) for choice in self.choices],
            "steps": [dict(step) for step in self.steps],
            "table": self.table,
            "units": self.units,
            "symbols": list(self.symbols),
            "prompts": [dict(prompt) for prompt in self.prompts],
            "blanks": [dict(blank) for blank in self.blanks],
            "essay": dict(self.essay) if self.essay is not None else None,
            "layout": self.layout,
            "accepted_units": list(self.accepted_units),
        }


@dataclass
class CheckResult:
    """The verdict on one response.

    status: "correct" | "partial" | "incorrect" | "invalid" | "pending". An "invalid" response was
    malformed (unparseable number, syntax error): it scores 0, `feedback` says what to fix,
    and callers should let the student try again rather than record it as final. A "pending"
    response (an essay) is final but has no score until a person grades it.
    """

    status: Status
    score: float
    feedback: list[str] = field(default_factory=list)
    misconception: str | None = None
    correct_answer: str = ""
    explanation: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        self.status = Status(self.status)
        self.score = min(1.0, max(0.0, float(self.score)))

    @property
    def is_final(self) -> bool:
        return self.status != INVALID

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "score": self.score,
            "feedback": list(self.feedback),
            "misconception": self.misconception,
            "correct_answer": self.correct_answer,
            "explanation": self.explanation,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            status=data["status"],
            score=data.get("score", 0.0),
            feedback=list(data.get("feedback") or []),
            misconception=data.get("misconception"),
            correct_answer=data.get("correct_answer", ""),
            explanation=data.get("explanation", ""),
            details=dict(data.get("details") or {}),
        )


def status_for_score(score: float) -> Status:
    """correct only at full marks, incorrect at zero, partial in between."""
    if score >= 1.0 - 1e-12:
        return CORRECT
    if score <= 1e-12:
        return INCORRECT
    return PARTIAL
