"""qtype_ordering's grading types and layout in Moodle XML: read, kept, written back."""

import xml.etree.ElementTree as ET

import pytest

from quizzes.bankio import read_bank, write_bank

FIXTURE = "moodle_ordering.xml"


@pytest.fixture
def parsed(fixture_text):
    bank = read_bank(fixture_text(FIXTURE), "moodle-xml", filename=FIXTURE)
    assert bank.problems == []
    return bank


def _titled(bank):
    return {item["title"]: item for item in bank.items}


def test_grading_types_by_name_or_number_and_the_horizontal_layout_are_kept(parsed):
    items = _titled(parsed)

    assert items["Debug in order"]["grading"] == "absolute_position"
    assert items["Debug in order"]["layout"] == "horizontal"
    assert items["Debug in order"]["steps"][0] == "Check the data pipeline"
    assert items["Schedule phases"]["grading"] == "longest_ordered_subset"
    assert "layout" not in items["Schedule phases"]  # 0 is vertical
    assert items["No grading type given"]["grading"] == "relative_next_exclude_last"  # the plugin's default


def test_ordering_import_export_import_gives_the_same_items(parsed):
    exported = write_bank(fmt="moodle-xml", slug="debug", name=parsed.name, items=parsed.items)

    again = read_bank(exported.text, "moodle-xml")

    assert again.problems == [] and again.items == parsed.items


def test_exported_ordering_carries_gradingtype_and_layouttype(parsed):
    text = write_bank(fmt="moodle-xml", slug="debug", name=parsed.name, items=parsed.items).text
    question = next(
        q for q in ET.fromstring(text).iter("question") if q.findtext("name/text") == "Debug in order"
    )

    assert question.findtext("gradingtype") == "ABSOLUTE_POSITION"
    assert question.findtext("layouttype") == "HORIZONTAL"
    assert question.findtext("defaultgrade") == "2"
    assert [(a.get("fraction"), a.findtext("text")) for a in question.findall("answer")][0] == (
        "1",
        "Check the data pipeline",
    )


def test_our_adjacent_pairs_rule_is_reported_when_written_for_moodle(parsed):
    item = {key: value for key, value in parsed.items[0].items() if key != "grading"}

    exported = write_bank(fmt="moodle-xml", slug="debug", name="Debug", items=[item])

    assert "<gradingtype>RELATIVE_NEXT_EXCLUDE_LAST</gradingtype>" in exported.text
    assert any("no adjacent-pairs rule" in note for note in exported.notes)
