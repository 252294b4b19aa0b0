"""The one list of item kinds: `handler_for(kind)` is how the rest of the code reaches a kind."""

from __future__ import annotations

from quizzes.engine.kinds import calculation, multiple, numeric, ordering, single, symbolic, table, truefalse
from quizzes.engine.kinds.base import ItemKind, KindHandler

HANDLERS: dict[ItemKind, KindHandler] = {
    handler.kind: handler
    for handler in (
        single.HANDLER,
        multiple.HANDLER,
        truefalse.HANDLER,
        ordering.HANDLER,
        numeric.HANDLER,
        calculation.HANDLER,
        symbolic.HANDLER,
        table.HANDLER,
    )
}


def handler_for(kind: object) -> KindHandler:
    """The handler of `kind` (an ItemKind or its value). Raises ValueError for anything else."""
    try:
        return HANDLERS[ItemKind(kind)]
    except (ValueError, TypeError):
        raise ValueError(f"unknown item kind {kind!r}") from None


def find_handler(kind: object) -> KindHandler | None:
    """The handler of `kind`, or None when it names no kind (for input that is not validated yet)."""
    try:
        return handler_for(kind)
    except ValueError:
        return None
