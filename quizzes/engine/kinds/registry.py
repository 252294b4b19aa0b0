"""The one list of item kinds: `handler_for(kind)` is how the rest of the code reaches a kind."""

from __future__ import annotations

from quizzes.engine.kinds import (
    calculation,
    cloze,
    description,
    essay,
    matching,
    multiple,
    numeric,
    ordering,
    shortanswer,
    single,
    symbolic,
    table,
    truefalse,
)
from quizzes.engine.kinds.base import ItemKind, KindHandler

_MODULES = (
    single,
    multiple,
    truefalse,
    ordering,
    numeric,
    calculation,
    symbolic,
    table,
    shortanswer,
    matching,
    description,
    cloze,
    essay,
)
HANDLERS: dict[ItemKind, KindHandler] = {module.HANDLER.kind: module.HANDLER for module in _MODULES}

HANDLER_VALUES = frozenset(kind.value for kind in HANDLERS)
UNSCORED_KINDS = frozenset(kind.value for kind, handler in HANDLERS.items() if not handler.scored)
# Kinds whose answers wait for a person's grade (essays).
HAND_GRADED_KINDS = frozenset(kind.value for kind, handler in HANDLERS.items() if handler.graded_by_hand)


def handler_for(kind: object) -> KindHandler:
    """The handler of `kind` (an ItemKind or its value). Raises ValueError for anything else."""
    if isinstance(kind, str) and kind in HANDLER_VALUES:
        return HANDLERS[ItemKind(kind)]
    raise ValueError(f"unknown item kind {kind!r}")


def find_handler(kind: object) -> KindHandler | None:
    """The handler of `kind`, or None when it names no kind (for input that is not validated yet)."""
    try:
        return handler_for(kind)
    except ValueError:
        return None
