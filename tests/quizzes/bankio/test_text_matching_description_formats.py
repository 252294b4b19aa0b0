"""Short text answers, matching and descriptions in Moodle XML, GIFT and YAML: read, written, read again."""

import xml.etree.ElementTree as ET

import pytest

from quizzes.bankio import read_bank, write_bank
from quizzes.bankio.yaml_format import parse_yaml

FORMATS = {"moodle-xml": "text_kinds.xml", "gift": "text_kinds.gift"}


def _read(fixture_text, fmt):
    parsed = read_bank(fixture_text(FORMATS[fmt]), fmt, filename=FORMATS[fmt])
    assert parsed.problems == []
    return parsed


def _by_title(parsed):
    return {item["title"]: item for item in parsed.items}


def _again(parsed, fmt):
    exported = write_bank(fmt=fmt, slug="text-kinds", name="Text kinds", items=parsed.items)
    again = read_bank(exported.text, fmt, filename=f"again.{fmt}")
    assert again.problems == []
    return exported, again


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_short_answer_keeps_every_answer_fraction_feedback_and_wildcard(fixture_text, fmt):
    item = _by_title(_read(fixture_text, fmt))["Squared-gradient average"]

    assert item["kind"] == "shortanswer"
    assert item["answers"] == [
        {"text": "RMSProp", "feedback": "Yes."},
        {"text": "Ada*", "fraction": 0.5, "feedback": "Adaptive, but that one sums."},
        {"text": "*", "fraction": 0.0, "feedback": "Think of squares."},
    ]
    assert item["explanation"] == "RMSProp; Adam adds a momentum average on top."


def test_moodle_usecase_becomes_case_sensitive_and_odd_fractions_are_kept(fixture_text):
    item = _by_title(_read(fixture_text, "moodle-xml"))["Exact symbol"]

    assert item["case_sensitive"] is True
    assert item["answers"] == [{"text": "beta1"}, {"text": "Beta1", "fraction": pytest.approx(1 / 3)}]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_matching_keeps_pairs_in_order_and_distractors(fixture_text, fmt):
    item = _by_title(_read(fixture_text, fmt))["What each optimizer keeps"]

    assert item["kind"] == "matching"
    assert [pair["prompt"] for pair in item["pairs"]] == ["Momentum", "RMSProp", "Adam"]
    assert item["pairs"][1]["answer"] == "A running average of squared gradients"
    assert item["distractors"] == ["A step size that doubles"]
    assert item["shuffle"] is (fmt == "gift")  # the XML fixture turns shuffling off; GIFT cannot


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_description_is_imported_with_its_text_and_no_explanation(fixture_text, fmt):
    item = _by_title(_read(fixture_text, fmt))["Before the adaptive questions"]

    assert item["kind"] == "description"
    assert item["stem"] == "The next questions are about per-coordinate step sizes."
    assert item["explanation"] == ""


def test_a_matching_question_with_one_pair_is_skipped_with_its_line(fixture_text):
    parsed = _read(fixture_text, "moodle-xml")

    (skipped,) = parsed.skipped
    assert (skipped.name, skipped.type, skipped.location.line) == ("Lonely pair", "matching", 36)
    assert "two pairs" in skipped.reason


def test_moodle_combined_feedback_of_a_matching_question_is_kept_and_empty_parts_left_out(fixture_text):
    item = _by_title(_read(fixture_text, "moodle-xml"))["What each optimizer keeps"]

    assert item["combined_feedback"] == {"correct": "All pairs right."}


def test_a_gift_byte_order_mark_does_not_swallow_the_first_title(fixture_text):
    assert fixture_text("text_kinds.gift").startswith("\ufeff")

    first = _read(fixture_text, "gift").items[0]

    assert first["title"] == "Squared-gradient average"
    assert first["key"] == "squared-gradient-average"
    assert "\ufeff" not in first["stem"] and "::" not in first["stem"]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_import_export_import_gives_the_same_items(fixture_text, fmt):
    first = _read(fixture_text, fmt)

    _exported, again = _again(first, fmt)

    assert again.skipped == []
    assert again.items == first.items


def test_yaml_round_trip_of_the_imported_kinds_is_exact(fixture_text):
    first = _read(fixture_text, "moodle-xml")

    exported = write_bank(fmt="yaml", slug="text-kinds", name="Text kinds", items=first.items)
    again = parse_yaml(exported.text, filename="again.yaml")

    assert again.problems == [] and again.items == first.items


def test_exported_moodle_xml_carries_the_elements_moodle_reads(fixture_text):
    exported = write_bank(fmt="moodle-xml", slug="s", name="n", items=_read(fixture_text, "moodle-xml").items)
    root = ET.fromstring(exported.text)
    questions = {q.findtext("name/text"): q for q in root.iter("question")}

    short = questions["Exact symbol"]
    assert short.get("type") == "shortanswer" and short.findtext("usecase") == "1"
    assert [(a.get("fraction"), a.findtext("text")) for a in short.findall("answer")] == [
        ("100", "beta1"),
        ("33.33333", "Beta1"),
    ]
    matching = questions["What each optimizer keeps"]
    assert matching.get("type") == "matching" and matching.findtext("shuffleanswers") == "false"
    pairs = [(s.findtext("text"), s.findtext("answer/text")) for s in matching.findall("subquestion")]
    assert pairs[0] == ("Momentum", "A running sum of past gradients")
    assert pairs[-1] == ("", "A step size that doubles")  # a distractor: an empty prompt
    description = questions["Before the adaptive questions"]
    assert description.get("type") == "description" and description.findtext("defaultgrade") == "0"


def test_gift_export_reports_what_it_cannot_hold(fixture_text):
    items = _read(fixture_text, "moodle-xml").items
    described = [
        {**item, "explanation": "Read this first."} if item["kind"] == "description" else item
        for item in items
    ]

    exported = write_bank(fmt="gift", slug="s", name="n", items=described)

    assert any(note.startswith("exact-symbol:") and "case-sensitive" in note for note in exported.notes)
    assert any(note.startswith("what-each-optimizer-keeps:") and "shuffle" in note for note in exported.notes)
    assert any(
        note.startswith("before-the-adaptive-questions:") and "explanation" in note for note in exported.notes
    )


def test_our_own_items_of_the_new_kinds_survive_moodle_xml_and_gift(fixture_text):
    original = [
        item
        for item in parse_yaml(fixture_text("all_kinds.yaml")).items
        if item["kind"] in ("shortanswer", "matching", "description")
    ]
    assert len(original) == 3

    for fmt in ("moodle-xml", "gift"):
        exported = write_bank(fmt=fmt, slug="s", name="n", items=original)
        again = read_bank(exported.text, fmt, filename="again")
        assert again.problems == [] and exported.skipped == []
        for source, copy in zip(original, again.items, strict=True):
            assert copy["kind"] == source["kind"]
            assert copy["stem"] == source["stem"].strip()
            for field in ("answers", "pairs", "distractors"):
                assert copy.get(field) == source.get(field), (fmt, field)


def test_moodle_s_numeric_gift_with_a_catch_all_wrong_answer_is_accepted_and_the_loss_reported():
    parsed = read_bank(
        "::Range::What is 3, give or take 2? {#3:2~#Completely wrong}", "gift", filename="r.gift"
    )

    assert parsed.problems == []
    (item,) = parsed.items
    assert (item["answer"], item["tolerance"]) == (3, {"mode": "absolute", "value": 2})
    assert any("'Range'" in note and "Completely wrong" in note for note in parsed.notes)


def test_a_numbered_wrong_answer_after_the_tilde_becomes_a_misconception():
    parsed = read_bank("::Sum::What is 1 + 2? {#3 ~5#You multiplied and added 2.}", "gift", filename="s.gift")

    assert parsed.problems == []
    assert parsed.items[0]["misconceptions"] == [{"answer": 5, "feedback": "You multiplied and added 2."}]


SCORING_GIFT = """::Sum rule::Which keep an average of squared gradients? {
\t~%50%RMSProp
\t~%50%Adam
\t~%0%Momentum#It averages the gradients themselves.
\t~%-100%Plain SGD
\t####Both adaptive methods do.
}

::Partial single::Which optimizer averages squared gradients without momentum? {
\t=RMSProp
\t~%50%AdaGrad#It sums them instead.
\t~%-25%SGD
\t~Momentum
\t####RMSProp.
}
"""


def _scoring_items(fmt):
    parsed = read_bank(SCORING_GIFT, "gift", filename="scoring.gift")
    assert parsed.problems == []
    if fmt == "gift":
        return parsed
    exported = write_bank(fmt=fmt, slug="s", name="n", items=parsed.items)
    return read_bank(exported.text, fmt, filename="again")


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml", "yaml"])
def test_moodle_s_sum_rule_zero_and_negative_fractions_survive_every_format(fmt):
    by_title = _by_title(_scoring_items(fmt))
    multiple = by_title["Sum rule"]

    assert multiple["kind"] == "multiple" and multiple["scoring"] == "fractions"
    assert [c.get("fraction") for c in multiple["choices"]] == [None, None, None, -1.0]
    assert [c.get("correct", False) for c in multiple["choices"]] == [True, True, False, False]


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml", "yaml"])
def test_partial_credit_on_single_choice_stays_single_choice_in_every_format(fmt):
    single = _by_title(_scoring_items(fmt))["Partial single"]

    assert single["kind"] == "single" and "scoring" not in single
    assert [c.get("fraction") for c in single["choices"]] == [None, 0.5, -0.25, None]
    assert single["choices"][1]["feedback"] == "It sums them instead."


def test_scoring_round_trips_exactly_through_moodle_xml_and_gift():
    first = read_bank(SCORING_GIFT, "gift", filename="scoring.gift")
    for fmt in ("moodle-xml", "gift", "yaml"):
        exported = write_bank(fmt=fmt, slug="s", name="n", items=first.items)
        again = read_bank(exported.text, fmt, filename="again")
        assert [i["choices"] for i in again.items] == [i["choices"] for i in first.items], fmt
        assert [i.get("scoring") for i in again.items] == [i.get("scoring") for i in first.items], fmt


def test_exported_moodle_xml_writes_each_fraction_as_moodle_reads_it():
    first = read_bank(SCORING_GIFT, "gift", filename="scoring.gift")
    root = ET.fromstring(write_bank(fmt="moodle-xml", slug="s", name="n", items=first.items).text)
    questions = {q.findtext("name/text"): q for q in root.iter("question")}

    multiple = questions["Sum rule"]
    assert multiple.findtext("single") == "false"
    assert [a.get("fraction") for a in multiple.findall("answer")] == ["50", "50", "0", "-100"]
    single = questions["Partial single"]
    assert single.findtext("single") == "true"
    assert [a.get("fraction") for a in single.findall("answer")] == ["100", "50", "-25", "0"]


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_a_short_answer_of_numbers_only_is_reported_as_coming_back_numeric(fmt):
    item = {
        "key": "window",
        "kind": "shortanswer",
        "title": "Window",
        "topics": [],
        "difficulty": 2,
        "stem": "How many steps does beta = 0.9 average over, roughly?",
        "explanation": "About 1/(1 - beta) = 10.",
        "hints": [],
        "answers": [{"text": "10"}],
    }

    exported = write_bank(fmt=fmt, slug="s", name="n", items=[item])

    assert any(note.startswith("window:") and "numeric item" in note for note in exported.notes)
    assert read_bank(exported.text, fmt, filename="again").items[0]["kind"] == "numeric"
