"""GIFT: the expressible subset in and out, escapes, comments, and unsupported parts named with lines."""

import pytest

from quizzes.bankio import read_bank, write_bank
from quizzes.bankio.gift import parse_gift
from quizzes.bankio.gift_parts import escape_gift
from quizzes.bankio.yaml_format import parse_yaml


@pytest.fixture
def gift_bank(fixture_text):
    return read_bank(fixture_text("questions.gift"), "gift", filename="questions.gift")


def _item(parsed, title):
    return next(item for item in parsed.items if item["title"] == title)


def test_supported_questions_import_without_problems(gift_bank):
    assert gift_bank.problems == []
    assert [(item["key"], item["kind"]) for item in gift_bank.items] == [
        ("bias-correction", "single"),
        ("adaptive", "multiple"),
        ("adamw-decay", "truefalse"),
        ("step-size", "numeric"),
        ("range", "numeric"),
        ("escapes", "single"),
        ("pairs", "matching"),
        ("essay", "essay"),
        ("answer-text", "shortanswer"),
    ]
    assert gift_bank.name == "Optimizer basics"
    assert all(item["topics"] == ["adam"] for item in gift_bank.items)


def test_an_empty_answer_block_is_an_essay_and_nothing_is_skipped(gift_bank):
    assert gift_bank.skipped == []
    essay = _item(gift_bank, "Essay")
    assert (essay["kind"], essay["stem"], essay["explanation"]) == (
        "essay",
        "Explain why warmup helps Adam.",
        "",
    )


def test_multiple_choice_with_feedback_and_general_feedback(gift_bank):
    item = _item(gift_bank, "Bias correction")

    assert item["stem"] == "Adam divides $m_t$ by $1-\\beta_1^t$. Why?"
    assert item["choices"][0] == {
        "text": "Because the moments start at zero",
        "correct": True,
        "feedback": "Right: early averages are pulled towards $m_0 = 0$.",
    }
    assert [choice.get("correct", False) for choice in item["choices"]] == [True, False, False]
    assert item["explanation"] == "The correction removes the bias from initialising the averages at zero."


def test_weighted_answers_make_a_multiple_answer_item(gift_bank):
    item = _item(gift_bank, "Adaptive")

    assert [choice.get("correct", False) for choice in item["choices"]] == [True, True, False]
    assert item["choices"][2]["feedback"] == "Momentum averages the gradients themselves."


def test_true_false_feedback_order_is_wrong_then_right(gift_bank):
    item = _item(gift_bank, "AdamW decay")

    assert item["answer"] is True
    assert item["feedback_true"] == "Yes, decoupled."
    assert item["feedback_false"] == "It is decoupled from the gradient."
    assert item["explanation"] == "That is the point of AdamW."


def test_numeric_tolerance_and_range_forms(gift_bank):
    step = _item(gift_bank, "Step size")
    window = _item(gift_bank, "Range")

    assert step["answer"] == 0.02 and step["tolerance"] == {"mode": "absolute", "value": 0.0005}
    assert window["answer"] == pytest.approx(0.9)
    assert window["tolerance"]["value"] == pytest.approx(0.1)


def test_escaped_specials_become_plain_characters(gift_bank):
    item = _item(gift_bank, "Escapes")

    assert item["stem"] == "Which GIFT characters need a backslash: ~, = or #?"
    assert item["choices"][0]["feedback"] == "Yes: ~ = # { } : are all special."
    assert item["choices"][1]["text"] == "Only ~"


def test_escape_and_parse_are_inverse_for_awkward_text():
    awkward = "a = b ~ c # d {e} f: g \\eta \\\\ h\nnext line"
    text = f"::{escape_gift('T: t')}::{escape_gift(awkward)} {{T####{escape_gift(awkward)}}}"

    item = parse_gift(text).items[0]

    assert item["title"] == "T: t"
    assert item["stem"] == awkward
    assert item["explanation"] == awkward


def test_an_unclosed_answer_block_is_a_located_problem():
    parsed = parse_gift("// heading\n\n::Q::First line\nsecond { =a ~b\n", filename="open.gift")

    assert parsed.items == []
    assert [(problem.location.file, problem.location.line) for problem in parsed.problems] == [
        ("open.gift", 4)
    ]
    assert "never closed" in parsed.problems[0].message


def test_numeric_misconceptions_come_from_zero_weight_answers():
    parsed = read_bank("::N::One SGD step? {#\n=0.02:0\n=%0%200:0#You divided.\n####It is eta g.}", "gift")

    assert parsed.problems == []
    assert parsed.items[0]["misconceptions"] == [{"answer": 200, "feedback": "You divided."}]


def test_export_then_import_keeps_what_gift_can_hold(fixture_text):
    original = parse_yaml(fixture_text("all_kinds.yaml"))

    exported = write_bank(fmt="gift", slug=original.slug, name=original.name, items=original.items)
    again = read_bank(exported.text, "gift", filename="export.gift")

    assert again.problems == []
    assert {entry.type for entry in exported.skipped} == {"cloze", "ordering", "symbolic", "table"}
    by_title = {item["title"]: item for item in again.items}
    for source in original.items:
        if source["kind"] not in ("single", "multiple", "truefalse"):
            continue
        copy = by_title[source["title"]]
        assert copy["kind"] == source["kind"]
        assert copy["stem"] == source["stem"].strip()
        assert copy["explanation"] == source["explanation"].strip()
        assert [c["text"] for c in copy.get("choices", [])] == [c["text"] for c in source.get("choices", [])]
        assert [c.get("correct", False) for c in copy.get("choices", [])] == [
            c.get("correct", False) for c in source.get("choices", [])
        ]
        for name in ("answer", "feedback_true", "feedback_false"):
            assert copy.get(name) == source.get(name)
    numeric = by_title["One SGD step"]
    assert numeric["answer"] == 0.02
    assert numeric["misconceptions"] == [
        {"answer": 200, "feedback": "You divided by the learning rate instead of multiplying."}
    ]
    calculation = by_title["One SGD step, drawn values"]
    assert calculation["kind"] == "numeric" and "{{" not in calculation["stem"]
    assert "// not exported: tuning-order [ordering]" in exported.text


def test_a_weight_above_100_percent_is_held_at_100_and_noted():
    parsed = read_bank("::S::Which optimizer? {=%150%RMSProp#Yes. =%50%AdaGrad}", "gift")

    assert parsed.problems == []
    assert parsed.items[0]["answers"] == [
        {"text": "RMSProp", "feedback": "Yes."},
        {"text": "AdaGrad", "fraction": 0.5},
    ]
    assert any(
        "answer 'RMSProp': weight 150% is outside 0..100 and became 100%" in note for note in parsed.notes
    )
