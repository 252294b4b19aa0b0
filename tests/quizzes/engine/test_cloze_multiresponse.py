"""Several-picks blanks (Moodle's MULTIRESPONSE) in cloze items: parsing, Moodle's scoring, checking.

The expected scores are worked by hand from Moodle's rule (the multianswer importer scales the
positive marks to add up to 1; when no answer has a `%n%` mark every other answer costs one right
answer's worth; the blank scores the sum of its ticked answers, from 0 to 1).
"""

import pytest
from django.http import QueryDict

from quizzes.engine import check_answer, draw_variant, render_item, validate_item
from quizzes.engine.cloze import multi_fractions, multi_score, parse_cloze, write_blank, write_cloze
from quizzes.engine.kinds import handler_for

# Two right answers marked with `=`, two wrong ones unmarked: no `%n%` anywhere.
PLAIN = "{1:MULTIRESPONSE:=Adam#Yes~=RMSProp#Also~SGD#No second moment~Momentum#No second moment either}"
# Percent marks: the wrong answers keep what is written (-100 % and 0 %).
MARKED = "{1:MR:%50%Adam~%50%RMSProp~%-100%SGD~Momentum}"


def _blank(text):
    parsed = parse_cloze(text)
    assert parsed.errors == []
    return parsed.blanks[0]


def _item(stem):
    return {"key": "mr", "kind": "cloze", "stem": stem, "explanation": "Because."}


def _ids(item, blank_index, *texts):
    rendered = render_item(item, draw_variant(item, 1))
    by_text = {c["text"]: c["id"] for c in rendered.blanks[blank_index]["choices"]}
    return [by_text[text] for text in texts]


@pytest.mark.parametrize(
    ("short", "long", "display", "shuffle"),
    [
        ("MR", "MULTIRESPONSE", "vertical", False),
        ("MRH", "MULTIRESPONSE_H", "horizontal", False),
        ("MRS", "MULTIRESPONSE_S", "vertical", True),
        ("MRHS", "MULTIRESPONSE_HS", "horizontal", True),
    ],
)
def test_every_multiresponse_name_is_read_with_its_layout_and_shuffle(short, long, display, shuffle):
    for name in (short, long):
        blank = _blank(f"x {{1:{name}:=a~b}}")

        assert (blank.kind, blank.type.display, blank.type.shuffle) == ("multi", display, shuffle)
        assert write_blank(blank) == f"{{1:{long}:=a~b}}"


def test_equal_marks_without_percentages_make_each_wrong_tick_cancel_a_right_one():
    blank = _blank(PLAIN)

    # Positives 1 + 1 = 2, scaled to 1/2 each; the unmarked ones cost 1/2 each.
    assert multi_fractions(blank) == [0.5, 0.5, -0.5, -0.5]
    assert multi_score(blank, {0, 1}) == 1.0
    assert multi_score(blank, {0}) == 0.5
    assert multi_score(blank, {0, 2}) == 0.0  # 1/2 - 1/2
    assert multi_score(blank, {0, 1, 2}) == 0.5  # 1 - 1/2
    assert multi_score(blank, {0, 1, 2, 3}) == 0.0  # ticking everything never pays
    assert multi_score(blank, {2}) == 0.0  # -1/2 is floored at 0
    assert multi_score(blank, set()) == 0.0


def test_percent_marks_keep_the_written_penalties_and_zero_answers():
    blank = _blank(MARKED)

    assert multi_fractions(blank) == [0.5, 0.5, -1.0, 0.0]
    assert multi_score(blank, {0, 3}) == 0.5  # Momentum costs nothing here
    assert multi_score(blank, {0, 1, 3}) == 1.0
    assert multi_score(blank, {0, 1, 2}) == 0.0  # 1 - 1


def test_mixed_marks_are_scaled_so_the_right_answers_add_up_to_one():
    blank = _blank("{1:MR:=a~%50%b~c}")

    # Positives 1 + 0.5 = 1.5: a is worth 2/3, b 1/3; a `%n%` mark is present, so c stays at 0.
    assert multi_fractions(blank) == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert multi_score(blank, {0, 2}) == pytest.approx(2 / 3)
    assert multi_score(blank, {1}) == pytest.approx(1 / 3)


def test_a_zero_percent_mark_counts_as_no_mark_as_in_moodle():
    # Moodle tests the mark's text "0" as false, so `%0%` is unmarked and c costs 1/2.
    assert multi_fractions(_blank("{1:MR:=a~=b~%0%c}")) == [0.5, 0.5, -0.5]
    assert multi_fractions(_blank("{1:MR:=a~=b~%0.0%c}")) == [0.5, 0.5, 0.0]


def test_writing_keeps_the_marks_that_change_a_multiresponse_score():
    stem = "Pick {1:MR:=a~=b~%0.0%c} and {2:MRH:%100%x~%-50%y~z#No}."
    parsed = parse_cloze(stem)

    again = parse_cloze(write_cloze(parsed))

    assert again.blanks == parsed.blanks
    assert [multi_fractions(b) for b in again.blanks] == [[0.5, 0.5, 0.0], [1.0, -0.5, 0.0]]


@pytest.mark.parametrize(
    ("stem", "message"),
    [
        ("x {1:MR:a~b}", "no answer is worth marks"),
        ("x {1:MR:%-50%a~b}", "no answer is worth marks"),
        ("x {1:MR:=only}", "at least two answers"),
        ("x {1:MR:=a~a}", "same text"),
    ],
)
def test_multiresponse_blanks_that_cannot_score_are_refused_with_their_place(stem, message):
    errors = parse_cloze(stem).errors

    assert errors and (errors[0].line, errors[0].column) == (1, 3)
    assert message in errors[0].message


def test_a_multiresponse_blank_scores_beside_other_blanks_by_weight():
    item = _item("Second-moment optimizers: {2:" + PLAIN[3:] + "; the default beta1 is {1:NM:=0.9}.")
    assert validate_item(item) == []
    variant = draw_variant(item, 1)

    result = check_answer(item, variant, {"1": _ids(item, 0, "Adam"), "2": "0.9"})

    # Blank 1 (weight 2) scores 1/2, blank 2 (weight 1) scores 1: (2 * 1/2 + 1) / 3.
    assert result.score == pytest.approx(2 / 3) and result.status == "partial"
    assert result.feedback == ["Blank 1: partly correct. Yes", "Blank 2: correct."]
    assert [row["score"] for row in result.details["blanks"]] == [0.5, 1.0]


def test_the_feedback_of_every_ticked_answer_is_shown():
    item = _item("Pick " + PLAIN)

    result = check_answer(item, draw_variant(item, 1), {"1": _ids(item, 0, "SGD", "Adam", "RMSProp")})

    assert result.score == 0.5
    assert result.feedback == ["Blank 1: partly correct. Yes Also No second moment"]


def test_the_key_ticks_exactly_the_right_answers_and_scores_full_marks():
    item = _item("Pick " + PLAIN)
    variant = draw_variant(item, 1)
    handler = handler_for("cloze")

    result = check_answer(item, variant, handler.correct_response(item, variant))

    assert (result.status, result.score) == ("correct", 1.0)
    assert handler.answer_key(item, variant) == "- Blank 1: tick Adam and RMSProp"


@pytest.mark.parametrize(
    ("picks", "message"),
    [
        (["c-forged"], "tick only the listed answers"),
        ("Adam", "tick only the listed answers"),
        (["x", 3], "tick some of the listed answers"),
        ([3], "Fill in at least one blank."),
    ],
)
def test_forged_picks_are_invalid_and_name_the_blank(picks, message):
    item = _item("Pick " + PLAIN)

    result = check_answer(item, draw_variant(item, 1), {"1": picks})

    assert result.status == "invalid" and message in result.feedback[0]


def test_a_single_ticked_box_may_come_as_one_id_instead_of_a_list():
    item = _item("Pick " + PLAIN)
    (adam,) = _ids(item, 0, "Adam")

    assert check_answer(item, draw_variant(item, 1), {"1": adam}).score == 0.5


def test_ticked_boxes_are_read_from_the_form_as_a_list_bounded_by_the_choices():
    item = _item("Pick " + PLAIN + " and {1:SA:=m}")
    rendered = render_item(item, draw_variant(item, 1)).to_dict()
    first, second = _ids(item, 0, "Adam", "SGD")
    form = QueryDict(f"blank-1={first}&blank-1={second}&" + "&".join(["blank-1=x"] * 10) + "&blank-2=m")

    response = handler_for("cloze").response_from_form(rendered, form)

    assert response["1"][:2] == [first, second] and len(response["1"]) == 4  # at most one per choice
    assert response["2"] == "m"


def test_the_rendered_blank_lists_its_choices_never_their_worth():
    item = _item("Pick " + PLAIN.replace("MULTIRESPONSE", "MRH"))
    rendered = render_item(item, draw_variant(item, 1))

    (blank,) = rendered.blanks
    assert (blank["type"], blank["display"]) == ("multi", "horizontal")
    assert [c["text"] for c in blank["choices"]] == ["Adam", "RMSProp", "SGD", "Momentum"]
    assert "fraction" not in str(rendered.to_dict()) and "No second moment" not in str(rendered.to_dict())


def test_a_shuffled_multiresponse_blank_follows_the_variant_seed():
    item = _item("Pick {1:MRS:=" + "~".join(f"o{i}" for i in range(8)) + "}")
    orders = {
        tuple(c["text"] for c in render_item(item, draw_variant(item, seed)).blanks[0]["choices"])
        for seed in range(6)
    }

    assert len(orders) > 1
