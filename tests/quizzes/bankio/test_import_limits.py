"""Limits on a bank file: size and question count refused before parsing, long texts located."""

import time

from quizzes.bankio import ImportLimits, read_bank

LIMITS = ImportLimits(max_bytes=20_000, max_questions=50, max_text_chars=2_000)


def _gift(count: int) -> str:
    return "\n\n".join(
        f"::Q{n}::Is {n} even? {{{'T' if n % 2 == 0 else 'F'}####Parity.}}" for n in range(count)
    )


def test_a_file_over_the_byte_limit_is_refused_whole_before_it_is_parsed():
    text = _gift(40) + "\n\n// " + "x" * 20_000

    parsed = read_bank(text, "gift", filename="big.gift", limits=LIMITS)

    (problem,) = parsed.problems
    assert parsed.items == []
    assert (
        str(problem.location) == "big.gift" and "more than the 20 KB a bank import accepts" in problem.message
    )


def test_too_many_questions_are_refused_quickly_from_the_raw_text():
    text = _gift(170_000)  # a few MB of tiny questions
    limits = ImportLimits(max_bytes=50 * 1024 * 1024, max_questions=5000)

    started = time.perf_counter()
    parsed = read_bank(text, "gift", filename="many.gift", limits=limits)

    assert time.perf_counter() - started < 1.0
    (problem,) = parsed.problems
    assert "more than 5000 questions" in problem.message and parsed.items == []


def test_the_exact_question_count_is_checked_after_parsing():
    # Descriptions carry no braces, so the raw estimate misses them; the exact count does not.
    text = "\n\n".join([*(f"::D{n}::Read this first." for n in range(45)), _gift(10)])

    parsed = read_bank(text, "gift", filename="mixed.gift", limits=LIMITS)

    assert [problem.message for problem in parsed.problems] == [
        "the file holds more than 50 questions, the most one import accepts; split it"
    ]


def test_a_text_over_the_limit_is_named_with_its_question_field_and_line():
    long_stem = "Explain momentum. " * 200  # 3,600 characters
    text = f"::Ok::Fine? {{T}}\n\n::Too long::{long_stem} {{T}}"

    parsed = read_bank(text, "gift", filename="long.gift", limits=LIMITS)

    (problem,) = parsed.problems
    assert (problem.location.item_key, problem.location.field, problem.location.line) == (
        "too-long",
        "stem",
        3,
    )
    assert "more than the 2,000 allowed" in problem.message


def test_moodle_xml_counts_questions_but_not_category_records():
    question = (
        '<question type="truefalse"><name><text>T{n}</text></name><questiontext><text>S</text></questiontext>'
        '<generalfeedback><text>E</text></generalfeedback><answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>'
    )
    category = '<question type="category"><category><text>$course$/top/C{n}</text></category></question>'
    body = "".join(category.format(n=n) + question.format(n=n) for n in range(50))

    parsed = read_bank(f"<quiz>{body}</quiz>", "moodle-xml", limits=LIMITS)

    assert parsed.problems == [] and len(parsed.items) == 50
