"""The demo bank as a whole: the issue's floors, and `validatebank` passing on every demo bank."""

from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from quizzes.models import Item
from quizzes.services.banks import bank_import

BANK_FILES = sorted((Path(__file__).resolve().parents[2] / "content" / "banks").glob("*.yaml"))
KINDS = ("single", "multiple", "truefalse", "ordering", "numeric", "calculation", "symbolic", "table")


@pytest.fixture
def demo_banks(db):
    for path in BANK_FILES:
        report = bank_import(text=path.read_text(encoding="utf-8"), fmt="yaml", filename=path.name)
        assert report.ok, [str(problem) for problem in report.problems]


def test_the_demo_bank_meets_the_floors(demo_banks):
    kinds = Counter(Item.objects.values_list("kind", flat=True))
    assert sum(kinds.values()) >= 150
    assert kinds["calculation"] >= 40
    for kind in KINDS:
        assert kinds[kind] >= 8, f"only {kinds[kind]} {kind} items"


def test_validatebank_finds_no_problem_in_any_demo_bank(demo_banks):
    out = StringIO()
    call_command("validatebank", stdout=out, stderr=StringIO())  # raises CommandError on any problem
    assert "All banks are valid." in out.getvalue()
    assert out.getvalue().count(", ok") == len(BANK_FILES)
