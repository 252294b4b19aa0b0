"""Images and files inside bank files: decoded within limits, checked by their bytes, carried through
every export that can hold them, and reported wherever they cannot be kept."""

import hashlib
import re

import yaml

from quizzes.bankio import ImportLimits, read_bank, write_bank
from quizzes.bankio.media import sniff
from tests.quizzes.media_bytes import b64, file_element, gif, moodle_truefalse, png

CURVE = png(seed=7)
DIGEST = hashlib.sha256(CURVE).hexdigest()


def _with_curve() -> str:
    return moodle_truefalse(
        stem_html='<p>Does the loss fall? <img src="@@PLUGINFILE@@/loss%20curve.png" alt="loss curve"></p>',
        stem_files=file_element("loss curve.png", CURVE),
    )


def _export(parsed, fmt: str):
    return write_bank(fmt=fmt, slug="pictures", name="Pictures", items=parsed.items, media=parsed.media)


def test_an_embedded_png_is_decoded_and_the_stem_shows_it():
    parsed = read_bank(_with_curve(), "moodle-xml", filename="pics.xml")

    assert parsed.ok, parsed.problems
    (media,) = parsed.media.values()
    assert (media.name, media.content_type, media.data) == ("loss curve.png", "image/png", CURVE)
    assert parsed.items[0]["stem"] == f"Does the loss fall? ![loss curve](media:{DIGEST}/loss%20curve.png)"
    assert any("1 embedded image(s) or file(s)" in note for note in parsed.notes)


def test_allowed_types_are_recognised_by_their_bytes_not_their_names():
    assert sniff(png()) == "image/png"
    assert sniff(gif()) == "image/gif"
    assert sniff(b"\xff\xd8\xff\xe0" + bytes(8)) == "image/jpeg"
    assert sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff(b"MZ\x90\x00") is None
    assert sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None


def test_files_in_answer_feedback_and_general_feedback_are_kept_beside_their_text():
    picture = gif()
    text = _with_curve().replace(
        "<text>Yes.</text>",
        f'<text><![CDATA[Yes: <img src="@@PLUGINFILE@@/dot.gif" alt="dot">]]></text>{file_element("dot.gif", picture)}',
    )

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    assert parsed.ok, parsed.problems
    digest = hashlib.sha256(picture).hexdigest()
    assert parsed.items[0]["feedback_true"] == f"Yes: ![dot](media:{digest}/dot.gif)"
    assert parsed.media[digest].data == picture


def test_the_legacy_image_element_becomes_an_image_of_the_question_text():
    text = _with_curve().replace(
        "<name><text>Read the curve</text></name>",
        f"<name><text>Read the curve</text></name><image>pics/old.gif</image><image_base64>{b64(gif())}</image_base64>",
    )

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    digest = hashlib.sha256(gif()).hexdigest()
    assert parsed.items[0]["stem"].endswith(f"![](media:{digest}/old.gif)")
    assert parsed.media[digest].name == "old.gif"


def test_a_legacy_image_without_its_bytes_is_reported():
    text = _with_curve().replace(
        "<name><text>Read the curve</text></name>",
        "<name><text>Read the curve</text></name><image>old.gif</image>",
    )

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    assert any("'old.gif' is not in the file (no <image_base64>)" in note for note in parsed.notes)


def test_an_svg_is_refused_and_reported_with_its_question_and_place():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    text = moodle_truefalse(
        stem_html='Curve: <img src="@@PLUGINFILE@@/curve.svg" alt="curve">',
        stem_files=file_element("curve.svg", svg),
    )

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    assert parsed.ok and parsed.media == {}
    assert "pics.xml:6: 'Read the curve': questiontext: file 'curve.svg' is an SVG image" in "\n".join(
        parsed.notes
    )
    assert "[image: curve: @@PLUGINFILE@@/curve.svg]" in parsed.items[0]["stem"]
    assert not any("does not contain" in note for note in parsed.notes)  # one report, with the reason


def test_a_file_of_a_type_outside_the_allow_list_is_reported():
    text = moodle_truefalse(
        stem_html='Run <a href="@@PLUGINFILE@@/tool.exe">this</a>',
        stem_files=file_element("tool.exe", b"MZ\x90\x00" + bytes(40)),
    )

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    assert any(
        "questiontext: file 'tool.exe' is not one of the allowed types (PNG, JPEG, GIF, WebP, PDF)" in note
        for note in parsed.notes
    )
    assert parsed.media == {}


def test_an_oversized_file_is_reported_and_left_out_without_being_decoded():
    big = png(width=300, height=300, seed=3)
    text = moodle_truefalse(
        stem_html='Big: <img src="@@PLUGINFILE@@/big.png">', stem_files=file_element("big.png", big)
    )
    limits = ImportLimits(max_media_bytes=len(big) // 2)

    parsed = read_bank(text, "moodle-xml", filename="pics.xml", limits=limits)

    assert parsed.ok and parsed.media == {}
    assert any("file 'big.png' is larger than the" in note and "left out" in note for note in parsed.notes)


def test_files_over_the_total_limit_refuse_the_import_with_a_clear_problem():
    first, second = png(width=40, height=40, seed=1), png(width=40, height=40, seed=2)
    text = moodle_truefalse(
        stem_html='<img src="@@PLUGINFILE@@/a.png"> <img src="@@PLUGINFILE@@/b.png">',
        stem_files=file_element("a.png", first) + file_element("b.png", second),
    )
    limits = ImportLimits(max_media_bytes=len(first) + 10, max_media_total_bytes=len(first) + 10)

    parsed = read_bank(text, "moodle-xml", filename="pics.xml", limits=limits)

    (problem,) = parsed.problems
    assert str(problem.location) == "pics.xml"
    assert (
        "the embedded files add up to more than the" in problem.message
        and "one import accepts" in problem.message
    )


def test_malformed_base64_is_reported_with_its_location():
    text = moodle_truefalse(
        stem_html="Plain stem.",
        feedback_html='See <img src="@@PLUGINFILE@@/broken.png" alt="plot">',
        feedback_files=file_element("broken.png", "iVBOR%%%not base64!"),
    )

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    assert parsed.ok
    assert any(
        note.startswith(
            "pics.xml:6: 'Read the curve': generalfeedback: file 'broken.png' is not valid base64"
        )
        for note in parsed.notes
    )
    assert parsed.items[0]["explanation"] == "See [image: plot: @@PLUGINFILE@@/broken.png]"


def test_a_reference_to_a_file_the_xml_lacks_is_kept_as_text_and_reported():
    text = moodle_truefalse(stem_html='Look: <img src="@@PLUGINFILE@@/gone.png" alt="gone">')

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    assert "[image: gone: @@PLUGINFILE@@/gone.png]" in parsed.items[0]["stem"]
    assert any("refers to file 'gone.png', which the file does not contain" in note for note in parsed.notes)


def test_an_image_from_another_site_is_kept_as_text_and_reported():
    text = moodle_truefalse(stem_html='Look: <img src="https://example.org/x.png" alt="x">')

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    assert "[image: x: https://example.org/x.png]" in parsed.items[0]["stem"]
    assert any("image 'https://example.org/x.png' is not in the file" in note for note in parsed.notes)


def test_an_outside_image_in_a_markdown_text_is_reported():
    text = moodle_truefalse(stem_html="Look: ![x](https://example.org/x.png)").replace(
        '<questiontext format="html">', '<questiontext format="markdown">'
    )

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    assert any(
        "image 'https://example.org/x.png' is not in the file; it is not shown" in note
        for note in parsed.notes
    )


def test_a_file_no_text_shows_is_reported_and_not_kept():
    text = moodle_truefalse(stem_html="No picture here.", stem_files=file_element("spare.png", png()))

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    assert parsed.media == {}
    assert any("file 'spare.png' is not shown by the text" in note for note in parsed.notes)


def test_a_pdf_is_kept_as_a_link():
    document = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    text = moodle_truefalse(
        stem_html='Read <a href="@@PLUGINFILE@@/notes.pdf">the notes</a>.',
        stem_files=file_element("notes.pdf", document),
    )

    parsed = read_bank(text, "moodle-xml", filename="pics.xml")

    digest = hashlib.sha256(document).hexdigest()
    assert parsed.items[0]["stem"] == f"Read [the notes](media:{digest}/notes.pdf)."
    assert parsed.media[digest].content_type == "application/pdf"


def test_a_file_in_a_question_left_out_is_not_kept():
    text = _with_curve().replace('type="truefalse"', 'type="ddwtos"')

    parsed = read_bank(text.replace("</quiz>", _with_curve().split("<quiz>")[1]), "moodle-xml")

    assert len(parsed.items) == 1 and len(parsed.skipped) == 1
    assert list(parsed.media) == [DIGEST]  # the kept question's, once


def test_moodle_export_writes_the_files_beside_their_text_and_reimport_gives_the_same_bytes():
    parsed = read_bank(_with_curve(), "moodle-xml", filename="pics.xml")

    exported = _export(parsed, "moodle-xml")
    again = read_bank(exported.text, "moodle-xml", filename="again.xml")

    assert "<text>Does the loss fall? ![loss curve](@@PLUGINFILE@@/loss%20curve.png)</text>" in exported.text
    element = re.search(
        r'<file name="loss curve.png" path="/" encoding="base64">([^<]+)</file>', exported.text
    )
    assert element is not None and element.group(1) == b64(CURVE)
    assert again.ok and again.items[0]["stem"] == parsed.items[0]["stem"]
    assert again.media[DIGEST].data == CURVE


def test_yaml_export_carries_the_files_and_reads_them_back_byte_for_byte():
    parsed = read_bank(_with_curve(), "moodle-xml", filename="pics.xml")

    text = _export(parsed, "yaml").text
    again = read_bank(text, "yaml", filename="pictures.yaml")

    (entry,) = yaml.safe_load(text)["media"]
    assert (entry["name"], entry["sha256"]) == ("loss curve.png", DIGEST)
    assert again.ok, again.problems
    assert again.media[DIGEST].data == CURVE and again.items[0]["stem"] == parsed.items[0]["stem"]


def test_a_yaml_file_whose_data_does_not_match_its_digest_is_refused_with_the_line():
    parsed = read_bank(_with_curve(), "moodle-xml", filename="pics.xml")
    text = _export(parsed, "yaml").text.replace(f"sha256: {DIGEST}", "sha256: " + "f" * 64)

    again = read_bank(text, "yaml", filename="pictures.yaml")

    (problem,) = again.problems
    assert problem.location.field == "media[0].sha256" and problem.location.line is not None
    assert "does not match the data" in problem.message


def test_an_svg_in_a_yaml_file_is_a_located_problem():
    text = f"""format: descent-bank/1
bank: {{slug: pictures, name: Pictures}}
items: []
media:
  - name: x.svg
    sha256: {"f" * 64}
    data: {b64(b"<svg/>")}
"""

    parsed = read_bank(text, "yaml", filename="pictures.yaml")

    (problem,) = parsed.problems
    assert problem.location.field == "media[0].data" and "SVG" in problem.message


def test_gift_export_reports_that_images_cannot_travel_and_writes_their_alt_text():
    parsed = read_bank(_with_curve(), "moodle-xml", filename="pics.xml")

    exported = _export(parsed, "gift")

    assert "media:" not in exported.text and "[image\\: loss curve]" in exported.text
    assert any("read-the-curve: GIFT cannot carry images or files" in note for note in exported.notes)


def test_a_gift_image_keeps_its_reference_as_text_and_is_reported():
    gift = '::Pic::[html]Which curve? <img src\\="curves/loss.png" alt\\="loss"> {T}'

    parsed = read_bank(gift, "gift", filename="pic.gift")

    assert parsed.items[0]["stem"] == "Which curve? [image: loss: curves/loss.png]"
    assert any("'Pic': images are not stored (a GIFT file carries no files)" in note for note in parsed.notes)
