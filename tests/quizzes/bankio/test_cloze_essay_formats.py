"""Cloze (embedded answers) and essay questions in Moodle XML, GIFT and YAML, both ways."""

import xml.etree.ElementTree as ET

from quizzes.bankio import read_bank, write_bank
from quizzes.bankio.yaml_format import parse_yaml
from quizzes.engine import validate_item

MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="cloze">
    <name><text>Adam in blanks</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Adam's default beta1 is {1:NUMERICAL:=0.9:0.005#Right~%50%0.99:0.005#That is beta2} and
it averages the {2:MC:=gradients#Yes~squared gradients#No}.</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text>Beta1 = 0.9 averages gradients.</text></generalfeedback>
  </question>
  <question type="cloze">
    <name><text>Several picks</text></name>
    <questiontext format="html"><text>Pick {1:MULTIRESPONSE:=a~=b~c}.</text></questiontext>
  </question>
  <question type="cloze">
    <name><text>Broken braces</text></name>
    <questiontext format="html"><text>Line one
then {1:SHORTANSWER:=a {2:SA:=b}}</text></questiontext>
  </question>
  <question type="essay">
    <name><text>Why warmup</text></name>
    <questiontext format="html"><text>&lt;p&gt;Why does Adam need warmup?&lt;/p&gt;</text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <responseformat>editor</responseformat>
    <responserequired>1</responserequired>
    <responsefieldlines>15</responsefieldlines>
    <minwordlimit>20</minwordlimit>
    <maxwordlimit>300</maxwordlimit>
    <attachments>1</attachments>
    <graderinfo format="html"><text>&lt;p&gt;Look for &lt;strong&gt;noisy&lt;/strong&gt; second moments.&lt;/p&gt;</text></graderinfo>
    <responsetemplate format="html"><text>Warmup helps because</text></responsetemplate>
  </question>
  <question type="essay">
    <name><text>Upload only</text></name>
    <questiontext format="html"><text>Attach your notebook.</text></questiontext>
    <responseformat>noinline</responseformat>
    <attachments>1</attachments>
  </question>
</quiz>
"""


def _yaml_items(fixture_text, kind):
    return [item for item in parse_yaml(fixture_text("all_kinds.yaml")).items if item["kind"] == kind]


def test_moodle_cloze_and_essay_questions_import_with_every_field():
    parsed = read_bank(MOODLE, "moodle-xml", filename="m.xml")

    cloze, picks, essay = parsed.items
    assert picks["kind"] == "cloze" and picks["stem"] == "Pick {1:MULTIRESPONSE:=a~=b~c}."
    assert cloze["kind"] == "cloze"
    assert "{1:NUMERICAL:=0.9:0.005#Right~%50%0.99:0.005#That is beta2}" in cloze["stem"]
    assert "{2:MC:=gradients#Yes~squared gradients#No}" in cloze["stem"]
    assert cloze["explanation"] == "Beta1 = 0.9 averages gradients."
    assert essay == {
        **essay,
        "kind": "essay",
        "stem": "Why does Adam need warmup?",
        "explanation": "",
        "response_lines": 15,
        "min_words": 20,
        "max_words": 300,
        "grader_info": "Look for **noisy** second moments.",
        "response_template": "Warmup helps because",
    }
    assert validate_item(cloze) == [] and validate_item(essay) == []


def test_what_cannot_be_held_is_skipped_or_refused_with_its_place():
    parsed = read_bank(MOODLE, "moodle-xml", filename="m.xml")

    assert [(s.name, s.type) for s in parsed.skipped] == [("Upload only", "essay")]
    (problem,) = parsed.problems
    # The question's line in the file, and the place inside its (HTML-converted, one-line) text.
    assert problem.location.line == 15 and "'Broken braces'" in problem.message
    assert "question text line 1, column 33" in problem.message
    assert "cannot contain another blank" in problem.message
    notes = " ".join(parsed.notes)
    assert "(an HTML editor) became a plain text box" in notes and "attached files" in notes


def test_our_cloze_and_essay_items_survive_moodle_xml_exactly(fixture_text):
    original = _yaml_items(fixture_text, "cloze") + _yaml_items(fixture_text, "essay")

    exported = write_bank(fmt="moodle-xml", slug="s", name="n", items=original)
    again = read_bank(exported.text, "moodle-xml", filename="again.xml")
    twice = write_bank(fmt="moodle-xml", slug="s", name="n", items=again.items)

    assert again.problems == [] and exported.skipped == [] and again.skipped == []
    for source, copy in zip(original, again.items, strict=True):
        assert {k: v for k, v in copy.items() if k != "difficulty"} == {
            k: v for k, v in source.items() if k != "difficulty"
        }
    assert twice.text == exported.text


def test_the_exported_essay_carries_the_elements_moodle_s_importer_reads(fixture_text):
    (essay,) = _yaml_items(fixture_text, "essay")

    root = ET.fromstring(write_bank(fmt="moodle-xml", slug="s", name="n", items=[essay]).text)

    question = root.find("question[@type='essay']")
    assert question is not None
    values = {child.tag: (child.text or "").strip() for child in question}
    assert values["responseformat"] == "plain" and values["responserequired"] == "1"
    assert values["responsefieldlines"] == "8"
    assert (values["minwordlimit"], values["maxwordlimit"]) == ("20", "200")
    assert values["attachments"] == "0" and values["attachmentsrequired"] == "0"
    assert question.findtext("graderinfo/text") == essay["grader_info"]
    assert question.findtext("responsetemplate/text") == "Warmup helps because"


def test_the_exported_cloze_keeps_moodle_s_syntax_in_the_question_text(fixture_text):
    (cloze,) = _yaml_items(fixture_text, "cloze")

    root = ET.fromstring(write_bank(fmt="moodle-xml", slug="s", name="n", items=[cloze]).text)

    text = root.findtext("question[@type='cloze']/questiontext/text")
    assert "{1:NUMERICAL:=0.9:0.005#Right~%50%0.99:0.005#That is $\\beta_2$'s default}" in text


def test_gift_reports_a_cloze_as_not_written_and_carries_an_essay(fixture_text):
    items = _yaml_items(fixture_text, "cloze") + _yaml_items(fixture_text, "essay")

    exported = write_bank(fmt="gift", slug="s", name="n", items=items)
    again = read_bank(exported.text, "gift", filename="again.gift")

    ((key, kind, reason, _),) = exported.skipped
    assert (key, kind) == ("adam-defaults-cloze", "cloze") and "no embedded-answers" in reason
    assert "not exported: adam-defaults-cloze [cloze]" in exported.text
    assert any(
        note.startswith("why-warmup-essay:") and "grader_info" in note and "min_words" in note
        for note in exported.notes
    )
    (essay,) = again.items
    assert (essay["kind"], essay["stem"], essay["explanation"]) == (
        "essay",
        items[1]["stem"],
        items[1]["explanation"],
    )


def test_a_gift_essay_with_general_feedback_round_trips():
    parsed = read_bank("::Warmup::Why warmup? {\n####Small early steps.\n}", "gift", filename="e.gift")

    (item,) = parsed.items
    assert parsed.problems == [] and parsed.skipped == []
    assert (item["kind"], item["explanation"]) == ("essay", "Small early steps.")
    again = write_bank(fmt="gift", slug="s", name="n", items=[item])
    assert read_bank(again.text, "gift").items[0]["explanation"] == "Small early steps."


def test_a_moodle_file_s_cloze_and_essay_come_back_the_same_after_our_export():
    first = read_bank(MOODLE, "moodle-xml", filename="m.xml")

    exported = write_bank(fmt="moodle-xml", slug="s", name="n", items=first.items)
    second = read_bank(exported.text, "moodle-xml", filename="again.xml")

    assert second.problems == [] and second.skipped == []
    assert second.items == first.items


MULTIRESPONSE_YAML = """\
bank: {slug: picks, title: Several picks}
items:
  - key: second-moment-picks
    kind: cloze
    title: Which keep a second moment
    stem: |-
      Tick the optimizers that keep a second moment: {2:MULTIRESPONSE:=Adam#Yes~=RMSProp#Yes~SGD#No}
      and those that decouple weight decay: {1:MRHS:%100%AdamW~%-50%Adam#Coupled~Lion}.
    explanation: Adam and RMSProp scale by a second moment; AdamW decouples the decay.
"""


def test_multiresponse_blanks_round_trip_through_yaml_and_moodle_xml_unchanged():
    (item,) = parse_yaml(MULTIRESPONSE_YAML).items
    assert validate_item(item) == []

    yaml_again = read_bank(write_bank(fmt="yaml", slug="picks", name="n", items=[item]).text, "yaml")
    exported = write_bank(fmt="moodle-xml", slug="picks", name="n", items=[item])
    moodle_again = read_bank(exported.text, "moodle-xml", filename="picks.xml")

    text = ET.fromstring(exported.text).findtext("question[@type='cloze']/questiontext/text")
    assert "{2:MULTIRESPONSE:=Adam#Yes~=RMSProp#Yes~SGD#No}" in text
    assert "{1:MRHS:%100%AdamW~%-50%Adam#Coupled~Lion}" in text
    for again in (yaml_again, moodle_again):
        assert again.problems == [] and again.skipped == []
        (copy,) = again.items
        assert copy["stem"] == item["stem"] and copy["kind"] == "cloze"
