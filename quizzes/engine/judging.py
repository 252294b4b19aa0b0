"""Judging in the current process: what `api.check_answer` does once it is safe to do it here.

The worker processes of `isolation.py` call these for symbolic items; the server calls
`check_in_process` itself for the kinds whose input is bounded by cheap checks.
"""

from __future__ import annotations

from typing import Any

from quizzes.engine import symbolic
from quizzes.engine.kinds.registry import handler_for
from quizzes.engine.result import CheckResult, Variant


def check_in_process(item: dict[str, Any], variant: Variant, response: Any) -> CheckResult:
    """check_answer without the worker: for isolation's workers, and kinds proved cheap."""
    return handler_for(item.get("kind")).check(item, variant, response)


def preview_in_process(item: dict[str, Any], text: str) -> dict[str, Any]:
    """preview_expression without the worker: for isolation's workers only."""
    return symbolic.preview(item, text)
