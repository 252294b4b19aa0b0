"""The kinds' format mappings are found by module name: each kind's own, and nothing for symbolic and table."""

from quizzes.bankio.kinds import FORMATS, MOODLE_READERS, choices, formats_for, numeric, ordering, shortanswer
from quizzes.engine.kinds import ItemKind


def test_every_kind_but_symbolic_and_table_has_its_own_mapping():
    assert set(FORMATS) == set(ItemKind) - {ItemKind.SYMBOLIC, ItemKind.TABLE}
    for kind, formats in FORMATS.items():
        assert formats.kind is kind
        assert formats_for(kind.value) is formats
    assert formats_for("symbolic") is None
    assert formats_for("freeform") is None


def test_each_moodle_question_type_is_read_by_the_kind_that_names_it():
    assert list(MOODLE_READERS) == [
        "multichoice", "truefalse", "ordering", "numerical", "calculated", "calculatedsimple",
        "shortanswer", "matching", "description", "cloze", "essay",
    ]  # fmt: skip
    assert MOODLE_READERS["multichoice"] is choices.read_multichoice
    assert MOODLE_READERS["numerical"] is numeric.read_moodle
    assert MOODLE_READERS["shortanswer"] is shortanswer.read_moodle


def test_a_mapping_leaves_out_what_its_module_does_not_define():
    assert FORMATS[ItemKind.ORDERING].moodle_writer is ordering.write_moodle
    assert FORMATS[ItemKind.ORDERING].gift_writer is None  # GIFT has no ordering questions
    assert FORMATS[ItemKind.MULTIPLE].moodle_readers == {}  # single reads multichoice
    assert (
        FORMATS[ItemKind.SINGLE].gift_writer is FORMATS[ItemKind.MULTIPLE].gift_writer is choices.write_gift
    )
    assert FORMATS[ItemKind.ESSAY].fallback_explanation({"key": "k"}) == ""
