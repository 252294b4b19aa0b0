"""The kind registry: every ItemKind has one handler, and each handler's own pieces agree."""

import subprocess
import sys

import pytest
import yaml
from django.http import QueryDict

from quizzes.engine import check_answer, draw_variant, render_item, validate_item
from quizzes.engine.kinds import HANDLERS, ItemKind, find_handler, handler_for
from quizzes.models import ItemKind as ModelItemKind


def test_every_item_kind_has_exactly_its_own_handler():
    assert set(HANDLERS) == set(ItemKind)
    for kind, handler in HANDLERS.items():
        assert handler.kind is kind
        assert handler_for(kind.value) is handler


@pytest.mark.parametrize("kind", [None, "freeform", "", ["single"], 3])
def test_an_unknown_kind_is_refused_by_name(kind):
    with pytest.raises(ValueError, match="unknown item kind"):
        handler_for(kind)
    assert find_handler(kind) is None


def test_the_database_choices_are_the_engine_kinds_with_their_labels():
    assert ModelItemKind.choices == [(kind.value, kind.label) for kind in ItemKind]
    assert ModelItemKind.TRUEFALSE == ItemKind.TRUEFALSE


_EXAMPLE_STEMS = {
    ItemKind.CALCULATION: "Eta is {{eta}}.",
    ItemKind.CLOZE: "Momentum {1:MULTICHOICE:=damps#Yes~amplifies#No} oscillation; beta is {2:NUMERICAL:=0.9:0.01}.",
}


def _item_from_example(kind: ItemKind) -> dict:
    spec = yaml.safe_load(handler_for(kind).example) or {}  # a description's example is comments only
    return {
        "key": f"example-{kind.value}",
        "kind": kind.value,
        "title": "",
        "topics": [],
        "difficulty": 2,
        "stem": _EXAMPLE_STEMS.get(kind, "What follows?"),
        "explanation": "Because.",
        "hints": [],
        **spec,
    }


@pytest.mark.parametrize("kind", list(ItemKind), ids=str)
def test_each_kind_s_authoring_example_is_valid_and_accepts_its_own_correct_response(kind):
    item = _item_from_example(kind)
    assert validate_item(item) == []
    handler = handler_for(kind)
    variant = draw_variant(item, 3)
    assert (
        set(item) - {"key", "kind", "title", "topics", "difficulty", "stem", "explanation", "hints"}
        <= handler.fields
    )
    assert render_item(item, variant).input == handler.widget
    result = check_answer(item, variant, handler.correct_response(item, variant))
    # A kind graded by hand records its answer as pending: a person gives the score later.
    expected = ("pending", 0.0) if handler.graded_by_hand else ("correct", 1.0)
    assert (result.status, result.score) == expected
    assert handler.answer_key(item, variant) == result.correct_answer


def test_each_kind_reads_its_response_from_the_fields_its_widget_posts():
    def posted(kind: ItemKind, body: str, rendered: dict | None = None):
        return handler_for(kind).response_from_form(rendered or {"kind": kind.value}, QueryDict(body))

    assert posted(ItemKind.SINGLE, "answer=c-1") == "c-1"
    assert posted(ItemKind.MULTIPLE, "answer=c-1&answer=c-2") == ["c-1", "c-2"]
    assert posted(ItemKind.TRUEFALSE, "answer=true") == "true"
    assert posted(ItemKind.ORDERING, "order=s-2&order=s-1") == ["s-2", "s-1"]
    assert posted(ItemKind.NUMERIC, "answer=" + "9" * 600) == "9" * 500
    table = {"kind": "table", "table": {"rows": [{"step": 1, "cells": ["m1", "theta1"]}]}}
    assert posted(ItemKind.TABLE, "cell-m1=0.5&cell-theta1=&cell-x9=1", table) == {"m1": "0.5", "theta1": ""}


def test_the_engine_imports_without_django():
    code = "import sys, quizzes.engine, quizzes.engine.kinds; sys.exit(any(m.startswith('django') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
