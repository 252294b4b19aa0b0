

def test_a_moodle_file_s_cloze_and_essay_come_back_the_same_after_our_export():
    first = read_bank(MOODLE, "moodle-xml", filename="m.xml")

    exported = write_bank(fmt="moodle-xml", slug="s", name="n", items=first.items)
    second = read_bank(exported.text, "moodle-xml", filename="again.xml")

    assert second.problems == [] and second.skipped == []
    assert second.items == first.items
