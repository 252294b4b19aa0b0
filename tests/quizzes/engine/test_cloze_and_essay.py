"""The embedded-answers parser and the cloze and essay kinds, without Django."""

import pytest
from django.http import QueryDict

from quizzes.engine import check_answer, draw_variant, render_item, validate_item
from quizzes.engine.cloze import MAX_BLANKS, MAX_STEM_CHARS, parse_cloze, write_blank, write_cloze
from quizzes.engine.kinds import HAND_GRADED_KINDS, handler_for

STEM = (
    "Adam's default beta1 is {1:NUMERICAL:=0.9:0.005#Right~%50%0.99:0.005#That is beta2~*#Far off}, "
    "it averages {2:MULTICHOICE_V:=gradients#Yes~squared gradients#Second moment~%-50%learning rates#No} "
    "and AdamW is written {1:SHORTANSWER_C:=AdamW#Right~%50%adam*w#Mind the capitals}."
)


def cloze(stem=STEM):
    return {"key": "c", "kind": "cloze", "stem": stem, "explanation": "Because."}


def essay(**fields):
    return {"key": "e", "kind": "essay", "stem": "Why warmup?", "explanation": "", **fields}


# -- the parser ----------------------------------------------------------------------------------------


def test_the_parser_reads_weights_types_marks_tolerances_and_feedback():
    parsed = parse_cloze(STEM)

    assert parsed.errors == []
    numeric, choice, text = parsed.blanks
    assert (numeric.number, numeric.weight, numeric.kind) == (1, 1, "numeric")
    assert [(a.text, a.fraction, a.tolerance, a.feedback) for a in numeric.answers] == [
        ("0.9", 1.0, 0.005, "Right"),
        ("0.99", 0.5, 0.005, "That is beta2"),
        ("*", 0.0, 0.0, "Far off"),
    ]
    assert (choice.weight, choice.type.display, choice.answers[2].fraction) == (2, "vertical", -0.5)
    assert text.type.case_sensitive and text.answers[1].text == "adam*w"
    assert parsed.pieces[0] == "Adam's default beta1 is " and parsed.pieces[-1] == "."


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("SA", "SHORTANSWER"),
        ("MW", "SHORTANSWER"),
        ("NM", "NUMERICAL"),
        ("MC", "MULTICHOICE"),
        ("MCH", "MULTICHOICE_H"),
    ],
)
def test_short_type_names_are_read_and_written_back_long(short, long):
    answers = "=1~2" if short in ("MC", "MCH") else "=1"
    (blank,) = parse_cloze(f"x {{:{short}:{answers}}}").blanks

    assert write_blank(blank).startswith(f"{{1:{long}:")


def test_writing_then_parsing_gives_the_same_blanks_escapes_included():
    stem = r"A {3:SHORTANSWER:=a \} b \~ c \# d#It has \} and \#~*#other} z"
    parsed = parse_cloze(stem)
    assert parsed.errors == [] and parsed.blanks[0].answers[0].text == "a } b ~ c # d"

    again = parse_cloze(write_cloze(parsed))

    assert again.blanks == parsed.blanks and again.pieces == parsed.pieces


@pytest.mark.parametrize(
    ("stem", "line", "column", "message"),
    [
        ("Intro\n  {1:SHORTANSWER:=a", 2, 3, "never closed"),
        ("x {1:SHORTANSWER:=a {2:SHORTANSWER:=b}}", 1, 21, "cannot contain another blank"),
        ("x {1:SHORTANSWER:=a{b}", 1, 20, "\\{"),
        ("x {1:SHORTANSWER:a~b}", 1, 3, "full marks"),
        ("x {1:MULTIRESPONSE:a~b}", 1, 3, "no answer is worth marks"),
        ("x {1:SHORTANSWR:=a}", 1, 3, "unknown blank type"),
        ("x {1:NUMERICAL:=fast}", 1, 16, "not a number"),
        ("x {1:NUMERICAL:=1~%-50%2}", 1, 19, "negative marks"),
        ("x {1:MULTICHOICE:=a~%150%b}", 1, 21, "from -100% to 100%"),
        ("x {0:SHORTANSWER:=a}", 1, 4, "weight 0"),
        ("x {1:MULTICHOICE:=only}", 1, 3, "at least two answers"),
        ("x {1:SHORTANSWER:=a~A}", 1, 3, "same text"),
        ("No blank at all, {{eta}} is a placeholder", 1, 1, "no blank found"),
    ],
)
def test_malformed_blanks_are_refused_with_their_line_and_column(stem, line, column, message):
    errors = parse_cloze(stem).errors

    assert errors, stem
    assert (errors[0].line, errors[0].column) == (line, column)
    assert message in errors[0].message
    assert f"line {errors[0].line}, column {errors[0].column}" in str(errors[0])


def test_hostile_stems_are_bounded_by_size_blank_count_and_answer_count():
    huge = parse_cloze("{1:SHORTANSWER:=a}" + "x" * MAX_STEM_CHARS)
    many = parse_cloze(" ".join(["{1:SHORTANSWER:=a}"] * (MAX_BLANKS + 1)))
    answers = parse_cloze("{1:SHORTANSWER:=a" + "".join(f"~w{i}" for i in range(60)) + "}")
    deep = parse_cloze("{1:SHORTANSWER:=" * 1000)

    assert "at most" in huge.errors[0].message
    assert f"at most {MAX_BLANKS} blanks" in many.errors[0].message
    assert "at most 40 answers" in answers.errors[0].message
    assert "cannot contain another blank" in deep.errors[0].message


def test_validation_reports_cloze_problems_under_the_stem():
    assert validate_item(cloze()) == []
    assert validate_item(cloze("Nothing to fill.")) == [
        "stem: line 1, column 1: no blank found; write one as {1:SHORTANSWER:=answer}"
    ]
    assert validate_item(cloze("x ⟦blank-1⟧ {1:SA:=a}"))[0].startswith("stem: '⟦blank-' is reserved")


# -- cloze checking ------------------------------------------------------------------------------------


def _choice(item, text):
    rendered = render_item(item, draw_variant(item, 1))
    return next(c["id"] for c in rendered.blanks[1]["choices"] if c["text"] == text)


def test_the_key_scores_full_marks_and_each_blank_gets_its_own_feedback():
    item = cloze()
    variant = draw_variant(item, 1)
    response = handler_for("cloze").correct_response(item, variant)

    result = check_answer(item, variant, response)

    assert (result.status, result.score) == ("correct", 1.0)
    assert result.feedback == ["Blank 1: correct. Right", "Blank 2: correct. Yes", "Blank 3: correct. Right"]
    assert result.correct_answer == "- Blank 1: 0.9 ± 0.005\n- Blank 2: gradients\n- Blank 3: AdamW"


def test_weights_and_partial_marks_combine_and_a_negative_choice_scores_zero_for_its_blank():
    item = cloze()
    variant = draw_variant(item, 1)

    result = check_answer(item, variant, {"1": "0.991", "2": _choice(item, "learning rates"), "3": "adam-w"})

    # Blank 1 half (0.99 ± 0.005), blank 2 (weight 2) negative → 0, blank 3 case-sensitive wildcard half.
    assert result.score == pytest.approx((0.5 + 0 + 0.5) / 4)
    assert [row["score"] for row in result.details["blanks"]] == [0.5, 0.0, 0.5]


def test_a_catch_all_numeric_answer_gives_its_feedback_and_an_empty_blank_scores_zero():
    item = cloze()
    result = check_answer(item, draw_variant(item, 1), {"1": "7", "2": "", "3": ""})

    assert result.status == "incorrect" and result.feedback[0] == "Blank 1: incorrect. Far off"


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ({"1": "", "2": "", "3": ""}, "Fill in at least one blank."),
        ("0.9", "Fill in at least one blank."),
        ({"1": "0,9", "3": "AdamW"}, "Blank 1:"),
        ({"2": "c-forged"}, "Blank 2: pick one of the listed answers."),
    ],
)
def test_unreadable_responses_are_invalid_with_a_message_naming_the_blank(response, message):
    item = cloze()
    result = check_answer(item, draw_variant(item, 1), response)

    assert result.status == "invalid" and message in result.feedback[0]


def test_the_rendered_stem_holds_markers_and_labelled_blanks_never_the_key():
    item = cloze()
    rendered = render_item(item, draw_variant(item, 1))

    assert "⟦blank-1⟧" in rendered.stem and "0.005" not in rendered.stem and "capitals" not in rendered.stem
    assert [blank["label"] for blank in rendered.blanks] == ["Blank 1 of 3", "Blank 2 of 3", "Blank 3 of 3"]
    assert [c["text"] for c in rendered.blanks[1]["choices"]] == [
        "gradients",
        "squared gradients",
        "learning rates",
    ]
    assert "fraction" not in str(rendered.to_dict()) and "Right" not in str(rendered.to_dict())


def test_a_shuffled_choice_blank_is_shuffled_by_the_variant_seed():
    item = cloze("Pick {1:MULTICHOICE_S:=" + "~".join(f"o{i}" for i in range(8)) + "}")
    orders = {
        tuple(c["text"] for c in render_item(item, draw_variant(item, s)).blanks[0]["choices"])
        for s in range(6)
    }

    assert len(orders) > 1


def test_a_cloze_response_is_read_from_its_blank_fields_and_cut_to_size():
    item = cloze()
    rendered = render_item(item, draw_variant(item, 1)).to_dict()

    response = handler_for("cloze").response_from_form(
        rendered, QueryDict("blank-1=0.9&blank-3=" + "x" * 900 + "&blank-9=1")
    )

    assert response == {"1": "0.9", "2": "", "3": "x" * 500}


# -- essays --------------------------------------------------------------------------------------------


def test_an_essay_answer_is_pending_with_no_score_and_shows_the_explanation():
    item = essay(explanation="A model answer.")
    result = check_answer(item, draw_variant(item, 1), "Because the second moment starts at zero.")

    assert result.status == "pending" and result.is_final and result.explanation == "A model answer."
    assert "essay" in HAND_GRADED_KINDS and handler_for("essay").graded_by_hand


@pytest.mark.parametrize(
    ("fields", "response", "message"),
    [
        ({}, "   ", "Write your answer."),
        ({}, 42, "Write your answer."),
        ({"max_chars": 10}, "x" * 11, "11 characters long; at most 10"),
        ({"min_words": 5}, "two words", "2 words; write at least 5"),
        ({"max_words": 2}, "one two three", "3 words; at most 2"),
        ({"response_template": "Warmup helps because"}, " Warmup helps because ", "still the starting text"),
    ],
)
def test_an_essay_outside_its_limits_is_invalid_with_the_reason(fields, response, message):
    item = essay(**fields)
    result = check_answer(item, draw_variant(item, 1), response)

    assert result.status == "invalid" and message in result.feedback[0]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"response_lines": 1}, "response_lines:"),
        ({"response_format": "html"}, "response_format:"),
        ({"max_chars": 9000}, "max_chars:"),
        ({"min_words": 10, "max_words": 5}, "min_words: more than max_words"),
        ({"grader_info": 3}, "grader_info: must be text"),
    ],
)
def test_essay_fields_are_validated(fields, problem):
    assert any(p.startswith(problem) for p in validate_item(essay(**fields)))


def test_an_essay_answer_is_read_whole_up_to_twice_the_limit_with_windows_line_ends():
    form = QueryDict(mutable=True)
    form["answer"] = "a\r\nb" + "c" * 20000

    response = handler_for("essay").response_from_form({"kind": "essay"}, form)

    assert response.startswith("a\nb") and len(response) == 16000 - 1
