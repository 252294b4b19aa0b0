"""One module per item kind, and the registry that maps an `ItemKind` to its handler.

    from quizzes.engine.kinds import ItemKind, handler_for
    handler_for(ItemKind.NUMERIC).check(item, variant, "0.02")

`base.py` defines `ItemKind`, the `KindHandler` protocol and the `BaseKind` defaults; `checks.py`
holds validation pieces several kinds share; `choices.py` what single and multiple share.
"""

from quizzes.engine.kinds.base import ItemKind, KindHandler
from quizzes.engine.kinds.registry import (
    HAND_GRADED_KINDS,
    HANDLERS,
    UNSCORED_KINDS,
    find_handler,
    handler_for,
)

__all__ = [
    "HAND_GRADED_KINDS",
    "HANDLERS",
    "UNSCORED_KINDS",
    "ItemKind",
    "KindHandler",
    "find_handler",
    "handler_for",
]
