"""Moodle XML: supported question types in, unsupported ones named, hostile XML refused, our kinds out."""

import time

import pytest

from quizzes.bankio import read_bank, write_bank
from quizzes.bankio.html_text import html_to_markdown
from quizzes.bankio.moodle_xml import parse_moodle_xml
from quizzes.bankio.yaml_format import parse_yaml


@pytest.fixture
def moodle_bank(fixture_text):
    return read_bank(fixture_text("moodle_all.xml"), "moodle-xml", filename="moodle_all.xml")


def _item(parsed, title):
    return next(item for item in parsed.items if item["title"] == title)


def test_the_supported_questions_import_cleanly(moodle_bank):
    assert moodle_bank.problems == []
    assert [item["kind"] for item in moodle_bank.items] == [
        "single", "multiple", "truefalse", "numeric", "shortanswer", "numeric", "ordering",
    ]  # fmt: skip
    assert moodle_bank.name == "Optimizer basics"


def test_unsupported_questions_are_skipped_and_named_with_their_type_and_line(moodle_bank):
    skipped = {(entry.name, entry.type) for entry in moodle_bank.skipped}

    assert skipped == {
        ("Explain warmup", "gapselect"),
        ("Match the symbols", "matching"),  # no pairs at all: a matching question needs two
        ("Random step", "calculated"),
    }
    gapselect = next(entry for entry in moodle_bank.skipped if entry.type == "gapselect")
    assert gapselect.location.line == 72
    assert "Explain warmup [gapselect]" in str(gapselect)


def test_single_choice_takes_the_full_mark_answer_feedback_hints_and_category_topic(moodle_bank):
    item = _item(moodle_bank, "Velocity role")

    assert item["choices"] == [
        {"text": "It smooths the gradients", "correct": True, "feedback": "Yes."},
        {"text": "It resets the weights", "feedback": "No, nothing is reset."},
    ]
    assert item["shuffle"] is True
    assert item["hints"] == ["Think of a running average."]
    assert item["topics"] == ["momentum"]  # the category's last segment
    assert item["key"] == "velocity-role"


def test_question_html_becomes_markdown_keeping_math_and_dropping_scripts(moodle_bank):
    item = _item(moodle_bank, "Velocity role")

    assert item["stem"] == "What does the **velocity** do when $\\beta = 0.9$?"
    assert "alert" not in item["stem"]
    assert item["explanation"] == "It averages roughly the last $1/(1-\\beta) = 10$ gradients."


def test_multiple_choice_marks_positive_fractions_correct(moodle_bank):
    item = _item(moodle_bank, "Adaptive optimizers")

    assert [choice.get("correct", False) for choice in item["choices"]] == [True, True, False]
    assert item["choices"][2]["feedback"] == "SGD has one global step size."
    assert item["shuffle"] is False


def test_truefalse_keeps_the_key_and_both_feedbacks(moodle_bank):
    item = _item(moodle_bank, "Nesterov look-ahead")

    assert item["answer"] is True
    assert item["feedback_true"] == "Correct."
    assert item["feedback_false"] == "Look at where the gradient is taken."


def test_numeric_shortanswer_and_numerical_become_numeric_items(moodle_bank):
    window = _item(moodle_bank, "Effective window")
    step = _item(moodle_bank, "SGD step")

    assert window["answer"] == 10 and window["tolerance"] == {"mode": "absolute", "value": 0}
    assert window["misconceptions"] == [{"answer": 9, "feedback": "Close, but use 1/(1-beta)."}]
    assert step["answer"] == 0.02 and step["tolerance"] == {"mode": "absolute", "value": 0.001}
    assert step["units"] == "units"
    assert step["misconceptions"][0]["answer"] == 200


def test_ordering_uses_the_fraction_as_the_position(moodle_bank):
    item = _item(moodle_bank, "Tuning order")

    assert item["steps"] == ["Overfit one small batch", "Sweep the learning rate", "Try another optimizer"]


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_hostile_xml_is_refused_quickly_with_a_clear_problem(fixture_text, name):
    started = time.monotonic()

    parsed = read_bank(fixture_text(name), "moodle-xml", filename=name)

    assert time.monotonic() - started < 2
    assert parsed.items == []
    assert len(parsed.problems) == 1
    assert parsed.problems[0].location.file == name
    assert "refused" in parsed.problems[0].message
    assert "root:" not in str(parsed.problems[0])  # nothing from /etc/passwd leaked into the report


def test_malformed_xml_is_a_located_problem():
    parsed = parse_moodle_xml("<quiz>\n<question type='truefalse'>\n</quiz>", filename="bad.xml")

    assert parsed.problems[0].location.line == 3
    assert "not well-formed" in parsed.problems[0].message


def test_a_question_without_general_feedback_gets_an_explanation_stating_the_key():
    text = """<quiz><question type="truefalse"><name><text>Bare</text></name>
    <questiontext format="html"><text>SGD uses one step size for all weights.</text></questiontext>
    <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
    </question></quiz>"""

    parsed = read_bank(text, "moodle-xml")

    assert parsed.problems == []
    assert parsed.items[0]["explanation"] == "The statement is true."
    assert any("no general feedback" in note for note in parsed.notes)


def test_html_conversion_keeps_lists_links_and_display_math():
    html = '<ul><li>one</li><li>two</li></ul><p>See <a href="https://d2l.ai">d2l</a> \\[x^2\\]</p>'

    assert html_to_markdown(html) == "- one\n- two\n\nSee [d2l](https://d2l.ai) $$x^2$$"


def test_our_kinds_export_to_moodle_and_come_back(fixture_text):
    original = parse_yaml(fixture_text("all_kinds.yaml"))

    exported = write_bank(fmt="moodle-xml", slug=original.slug, name=original.name, items=original.items)
    again = parse_moodle_xml(exported.text, filename="export.xml")

    assert again.problems == []
    by_key = {item["key"]: item for item in again.items}
    for key in ("momentum-purpose", "adaptive-methods", "adam-bias-correction", "tuning-order"):
        source = next(item for item in original.items if item["key"] == key)
        comparable = {name: value for name, value in source.items() if name != "difficulty"}
        assert {name: value for name, value in by_key[key].items() if name != "difficulty"} == comparable
    numeric = by_key["sgd-step-size"]
    assert numeric["answer"] == 0.02
    assert numeric["tolerance"] == {"mode": "absolute", "value": pytest.approx(0.02 * 1e-3)}


def test_symbolic_and_table_items_are_reported_as_not_expressible(fixture_text):
    original = parse_yaml(fixture_text("all_kinds.yaml"))

    exported = write_bank(fmt="moodle-xml", slug="s", name="n", items=original.items)

    skipped = {(entry.name, entry.type) for entry in exported.skipped}
    assert ("velocity-after-three-steps", "symbolic") in skipped
    assert ("momentum-table-parabola", "table") in skipped
    assert "not exported: velocity-after-three-steps [symbolic]" in exported.text


def test_a_calculation_exports_as_a_calculated_question_and_a_calculator_one_as_a_fixed_variant(fixture_text):
    calculation = next(
        i for i in parse_yaml(fixture_text("all_kinds.yaml")).items if i["kind"] == "calculation"
    )
    by_calculator = {
        **calculation,
        "key": "by-calculator",
        "answer": {"calc": "effective_sample_size", "args": {"beta": "{{eta}}"}},
        "misconceptions": [],
    }

    exported = write_bank(fmt="moodle-xml", slug="s", name="n", items=[calculation, by_calculator])
    assert exported.skipped == []
    again = parse_moodle_xml(exported.text)

    template, fixed = again.items
    assert template["kind"] == "calculation" and template["answer"] == {"expr": "eta*g"}
    assert fixed["kind"] == "numeric"
    assert "{{" not in fixed["stem"] and "{{" not in fixed["explanation"]
    eta, _g = (float(word) for word in _numbers_in(fixed["stem"]))
    assert fixed["answer"] == pytest.approx(1 / (1 - eta))
    assert any("by-calculator" in note and "one fixed numerical variant" in note for note in exported.notes)


def _numbers_in(text: str) -> list[str]:
    import re

    return re.findall(r"\d+(?:\.\d+)?", text)


def test_a_fraction_below_zero_is_held_at_zero_and_noted():
    xml = """<?xml version="1.0"?><quiz><question type="shortanswer"><name><text>S</text></name>
      <questiontext format="html"><text>Which optimizer?</text></questiontext>
      <answer fraction="100"><text>RMSProp</text></answer>
      <answer fraction="-50"><text>AdaGrad</text><feedback><text>No.</text></feedback></answer>
    </question></quiz>"""
    parsed = read_bank(xml, "moodle-xml", filename="q.xml")

    assert parsed.problems == []
    assert parsed.items[0]["answers"] == [
        {"text": "RMSProp"},
        {"text": "AdaGrad", "fraction": 0.0, "feedback": "No."},
    ]
    assert any(
        "answer 'AdaGrad': fraction -50% is outside 0..100 and became 0%" in note for note in parsed.notes
    )
