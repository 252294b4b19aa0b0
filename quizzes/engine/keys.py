"""answer_key: the correct answer of an item under a variant, as Markdown, and nothing else.

For the authoring preview and for reviewing items a student left unanswered, where there is no
response to check. The text is the same `correct_answer` a student sees after answering (choice
texts, the ordered steps, the number with its units, the LaTeX of the key expression, the table
of key cells), so the two can never disagree.
"""

from __future__ import annotations

from quizzes.engine.result import Variant


def answer_key(item: dict, variant: Variant | dict | None) -> str:
    """Markdown of the key for `variant` (a Variant, its dict form, or None for untemplated items).

    Raises like check_answer for an item that fails validate_item.
    """
    from quizzes.engine.api import check_answer
    from quizzes.engine.selfcheck import correct_response
    from quizzes.engine.templates import rebuild_variant

    kind = item.get("kind")
    if kind == "symbolic":
        # Straight from the key: checking the key against itself would run the simplifier for nothing.
        from quizzes.engine.symbolic import latex_as_written

        return f"${latex_as_written(item, item.get('answer'))}$"
    built = rebuild_variant(item, variant)
    return check_answer(item, built, correct_response(item, built)).correct_answer
