"""Moodle numerical questions: every answer with its tolerance, fraction and feedback; units; both ways."""

import xml.etree.ElementTree as ET

import pytest

from quizzes.bankio import read_bank, write_bank
from quizzes.engine import check_answer

FIXTURE = "moodle_numerical.xml"


@pytest.fixture
def parsed(fixture_text):
    bank = read_bank(fixture_text(FIXTURE), "moodle-xml", filename=FIXTURE)
    assert bank.problems == []
    return bank


def _titled(bank):
    return {item["title"]: item for item in bank.items}


def test_every_answer_keeps_its_value_tolerance_fraction_and_feedback(parsed):
    item = _titled(parsed)["One-step learning rate"]

    assert item["answer"] == 0.5 and item["tolerance"] == {"mode": "absolute", "value": 0.0}
    assert item["answer_feedback"] == "Exactly: one step lands on zero."
    assert item["misconceptions"] == [
        {
            "answer": 0.4,
            "fraction": 0.5,
            "tolerance": {"mode": "absolute", "value": 0.05},
            "feedback": "It converges, but not in one step.",
        },
        {
            "answer": 1,
            "tolerance": {"mode": "absolute", "value": 0.01},
            "feedback": "At 1 the iterate flips sign forever.",
        },
    ]


def test_partial_credit_uses_the_answers_own_tolerance_and_feedback(parsed):
    item = _titled(parsed)["One-step learning rate"]

    partial = check_answer(item, None, "0.43")
    right = check_answer(item, None, "0.5")
    wrong = check_answer(item, None, "1.005")

    assert (partial.status, partial.score) == ("partial", 0.5)
    assert partial.feedback == ["It converges, but not in one step."]
    assert right.feedback == ["Exactly: one step lands on zero."]
    assert (wrong.score, wrong.feedback) == (0.0, ["At 1 the iterate flips sign forever."])


def test_a_second_fully_correct_answer_is_kept_and_scores_full_marks(parsed):
    item = _titled(parsed)["A root of the quadratic"]

    assert item["misconceptions"][0] == {
        "answer": -2,
        "fraction": 1.0,
        "feedback": "The negative root counts too.",
    }
    result = check_answer(item, None, "-2")
    assert (result.status, result.score) == ("correct", 1.0)
    assert result.feedback == ["The negative root counts too."]


def test_units_with_multipliers_and_unit_grading_are_kept(parsed):
    items = _titled(parsed)

    assert items["Distance of one step"]["unit_options"] == {
        "units": [{"unit": "m", "multiplier": 1.0}, {"unit": "cm", "multiplier": 100.0}],
        "grading": "response",
        "penalty": 0.2,
        "show": "input",
    }
    assert items["Price of a GPU hour"]["unit_options"]["left"] is True
    assert items["Price of a GPU hour"]["unit_options"]["show"] == "select"
    assert items["Plain unit"]["units"] == "epochs" and "unit_options" not in items["Plain unit"]


def test_unit_display_descent_cannot_copy_is_reported(parsed):
    notes = [note for note in parsed.notes if "'Price of a GPU hour'" in note]

    assert any("as a select" in note for note in notes)
    assert any("before the number" in note for note in notes)


def test_a_unit_is_converted_by_its_multiplier_and_a_missing_one_costs_the_penalty(parsed):
    item = _titled(parsed)["Distance of one step"]

    in_cm = check_answer(item, None, "150 cm")
    bare = check_answer(item, None, "1.5")
    unknown = check_answer(item, None, "1.5 km")

    assert (in_cm.status, in_cm.score) == ("correct", 1.0)
    assert bare.score == pytest.approx(0.8)  # "response" grading: 20 % of the answer's score
    assert "unit is missing" in bare.feedback[-1]
    assert unknown.status == "invalid" and "m, cm" in unknown.feedback[0]


def test_question_grading_takes_the_penalty_off_the_item(parsed):
    item = _titled(parsed)["Price of a GPU hour"]

    assert check_answer(item, None, "6 $").score == 1.0
    assert check_answer(item, None, "6").score == pytest.approx(0.5)


def test_numerical_import_export_import_gives_the_same_items(parsed):
    exported = write_bank(fmt="moodle-xml", slug="numbers", name=parsed.name, items=parsed.items)

    again = read_bank(exported.text, "moodle-xml")

    assert again.problems == [] and again.items == parsed.items


def test_yaml_holds_every_numeric_answer_and_unit_setting(parsed):
    exported = write_bank(fmt="yaml", slug="numbers", name=parsed.name, items=parsed.items)

    again = read_bank(exported.text, "yaml")

    assert again.problems == [] and again.items == parsed.items


def test_exported_numerical_carries_the_elements_moodles_importer_reads(parsed):
    text = write_bank(fmt="moodle-xml", slug="numbers", name=parsed.name, items=parsed.items).text
    questions = {q.findtext("name/text"): q for q in ET.fromstring(text).iter("question")}

    answers = questions["One-step learning rate"].findall("answer")
    assert [(a.get("fraction"), a.findtext("text"), a.findtext("tolerance")) for a in answers] == [
        ("100", "0.5", "0"),
        ("50", "0.4", "0.05"),
        ("0", "1", "0.01"),
    ]
    assert answers[0].findtext("feedback/text") == "Exactly: one step lands on zero."
    distance = questions["Distance of one step"]
    assert [(u.findtext("unit_name"), u.findtext("multiplier")) for u in distance.findall("units/unit")] == [
        ("m", "1"),
        ("cm", "100"),
    ]
    assert (distance.findtext("unitgradingtype"), distance.findtext("unitpenalty")) == ("1", "0.2")
    assert (distance.findtext("showunits"), distance.findtext("unitsleft")) == ("0", "0")
    assert questions["Price of a GPU hour"].findtext("unitsleft") == "1"


def test_gift_keeps_several_answers_and_reports_the_units_it_cannot_hold(parsed):
    exported = write_bank(fmt="gift", slug="numbers", name=parsed.name, items=parsed.items)
    again = _titled(read_bank(exported.text, "gift"))

    for title in ("One-step learning rate", "A root of the quadratic"):
        original = _titled(parsed)[title]
        assert again[title]["misconceptions"] == original["misconceptions"]
        assert again[title].get("answer_feedback") == original.get("answer_feedback")
    assert any("Distance of one step" in note or "distance-of-one-step" in note for note in exported.notes)
    assert any("GIFT holds no units" in note for note in exported.notes)


def test_an_answer_inside_the_keys_tolerance_is_reported_and_left_out(fixture_text):
    text = fixture_text(FIXTURE).replace(
        "<text>0.4</text><tolerance>0.05</tolerance>", "<text>0.5001</text><tolerance>0.05</tolerance>"
    )

    parsed = read_bank(
        text.replace("<tolerance>0</tolerance>", "<tolerance>0.01</tolerance>", 1),
        "moodle-xml",
        filename=FIXTURE,
    )

    item = _titled(parsed)["One-step learning rate"]
    assert [entry["answer"] for entry in item["misconceptions"]] == [1]
    assert any(
        note.startswith(f"{FIXTURE}:6: 'One-step learning rate'") and "can never match" in note
        for note in parsed.notes
    )


def test_units_not_shown_grade_the_number_alone(parsed):
    item = _titled(parsed)["Distance of one step"]
    item["unit_options"] = {**item["unit_options"], "show": "none"}

    assert check_answer(item, None, "1.5").score == 1.0  # no unit asked, none missing
    assert check_answer(item, None, "150 cm").status == "invalid"
