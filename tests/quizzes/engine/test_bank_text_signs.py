"""Numbers filled into the computed demo banks' text read right whatever their sign.

A negative value dropped into `{{g}}^2` reads as -(g^2), and one dropped after a minus or a times
sign reads as a double sign; the bank text must put such placeholders in parentheses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from quizzes.engine import draw_variant
from quizzes.engine.templates import fill

BANK_DIR = Path(__file__).resolve().parents[3] / "content" / "banks"
SEEDS = range(40)
MISREAD_SIGNS = {
    "a negative number raised to a power": re.compile(r"(?<![\w.)}])-\d[\d.]*(?:e-?\d+)?\s*\^"),
    "two signs in a row": re.compile(r"(?:[-+−]|\\pm)\s+-\d"),
    "a product with a bare negative factor": re.compile(r"(?:\\times|\\cdot|×|·)\s*-\d"),
}


def calculation_items() -> list[dict]:
    items = []
    for path in sorted(BANK_DIR.glob("calculations-*.yaml")):
        items.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["items"])
    return [item for item in items if item.get("params")]


def shown_texts(item: dict) -> list[str]:
    return [str(item.get("stem", "")), str(item.get("explanation", "")), *map(str, item.get("hints") or [])]


@pytest.mark.parametrize("item", calculation_items(), ids=lambda item: item["key"])
def test_filled_text_never_misreads_a_negative_number(item):
    for seed in SEEDS:
        variant = draw_variant(item, seed)
        for text in shown_texts(item):
            filled = fill(text, variant.values)
            for problem, pattern in MISREAD_SIGNS.items():
                match = pattern.search(filled)
                assert match is None, f"{problem}: …{filled[max(0, match.start() - 40) : match.end() + 10]}…"


def test_the_check_catches_an_unparenthesised_negative_square():
    item = {
        "stem": "s",
        "explanation": r"$\sqrt{ {{g}}^2 }$",
        "params": {"g": {"choices": [-3]}},
        "answer": "g",
    }
    filled = fill(item["explanation"], draw_variant({**item, "kind": "calculation"}, 0).values)
    assert MISREAD_SIGNS["a negative number raised to a power"].search(filled)
