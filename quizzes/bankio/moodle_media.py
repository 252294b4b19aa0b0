"""Files embedded in a Moodle XML question, resolved before the question is read.

Moodle writes a text's files beside it (`<questiontext><text>...@@PLUGINFILE@@/a.png...</text>
<file name="a.png" path="/" encoding="base64">...</file></questiontext>`), the same inside answers,
their feedback, hints and every other text; Moodle 1.x wrote one picture per question as
`<image>` + `<image_base64>`. `resolve_question_media` decodes each file (bounded, by type, see
`bankio.media`), points the text at the decoded file (`media:<digest>/<name>`), removes the `<file>`
elements, and reports per question and place what it could not keep. The kinds' readers then see
plain texts.

`attach_media` does the reverse for the export: each `media:` reference becomes `@@PLUGINFILE@@/name`
with the file's bytes, base64, in a `<file>` beside the text that shows it.
"""

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from quizzes.bankio.errors import ExportResult
from quizzes.bankio.media import (
    MEDIA_SCHEME,
    PLUGINFILE,
    MediaBudget,
    MediaFile,
    encode,
    resolve_pluginfiles,
    to_pluginfiles,
)
from quizzes.bankio.moodle_parts import QuestionContext

_IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_MARKDOWN_IMG_SRC = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


def resolve_question_media(question: ET.Element, context: QuestionContext, budget: MediaBudget) -> None:
    _legacy_image(question, context)
    for holder, where in list(_holders(question)):

        def report(message: str, where: str = where) -> None:
            context.note(f"{where}: {message}")

        files: dict[str, MediaFile] = {}
        refused: set[str] = set()
        for element in holder.findall("file"):
            holder.remove(element)
            name = element.get("name", "")
            refused.add(name.strip())
            if (element.get("encoding") or "base64").lower() != "base64":
                report(f"file '{name}' is not base64-encoded; it was left out")
                continue
            media = budget.decode(name, element.text or "", report)
            if media is not None:
                files[media.name] = media
        text_element = holder.find("text")
        text = (text_element.text or "") if text_element is not None else ""
        if PLUGINFILE in text:
            text, used = resolve_pluginfiles(text, files, report, frozenset(refused))
            assert text_element is not None
            text_element.text = text
        else:
            used = set()
        for name in sorted(files.keys() - used):
            report(f"file '{name}' is not shown by the text; it was left out")
        for source in _IMG_SRC.findall(text):
            if not source.startswith(("media:", PLUGINFILE)):
                report(f"image '{source[:120]}' is not in the file; the reference is kept as text")
        if holder.get("format") == "markdown":  # Descent shows only the images stored with the bank
            for source in _MARKDOWN_IMG_SRC.findall(text):
                if not source.startswith(("media:", PLUGINFILE)):
                    report(f"image '{source[:120]}' is not in the file; it is not shown")


def _legacy_image(question: ET.Element, context: QuestionContext) -> None:
    """Moodle 1.x's <image> (+ <image_base64>) becomes a file of the question text, as Moodle's importer does."""
    image, encoded = question.find("image"), question.find("image_base64")
    name = posixpath.basename((image.text or "").strip()) if image is not None else ""
    if encoded is None or not (encoded.text or "").strip():
        if name:
            context.note(f"image: '{name}' is not in the file (no <image_base64>); it was left out")
        return
    name = name or "image"
    questiontext = question.find("questiontext")
    if questiontext is None:
        questiontext = ET.SubElement(question, "questiontext", format="html")
    text_element = questiontext.find("text")
    if text_element is None:
        text_element = ET.SubElement(questiontext, "text")
    if questiontext.get("format", "html") == "html":
        text_element.text = (text_element.text or "") + f' <img src="{PLUGINFILE}{name}" alt="">'
    else:
        text_element.text = (text_element.text or "") + f"\n\n![]({PLUGINFILE}{name})"
    ET.SubElement(questiontext, "file", name=name, encoding="base64").text = encoded.text


def _holders(element: ET.Element, path: str = "") -> Iterator[tuple[ET.Element, str]]:
    """Every element holding a <text> or <file>, with its place in the question ("answer[2]/feedback")."""
    children = [child for child in element if isinstance(child.tag, str)]
    counts: dict[str, int] = {}
    for child in children:
        counts[child.tag] = counts.get(child.tag, 0) + 1
    seen: dict[str, int] = {}
    for child in children:
        seen[child.tag] = seen.get(child.tag, 0) + 1
        label = child.tag if counts[child.tag] == 1 else f"{child.tag}[{seen[child.tag]}]"
        where = f"{path}/{label}" if path else label
        if child.find("text") is not None or child.find("file") is not None:
            yield child, where
        yield from _holders(child, where)


def attach_media(question: ET.Element, media: dict[str, MediaFile], result: ExportResult, key: str) -> None:
    """Write the files the question's texts refer to beside those texts, as Moodle's exporter does."""
    for holder in list(question.iter()):
        text_element = holder.find("text")
        if text_element is None or MEDIA_SCHEME not in (text_element.text or ""):
            continue
        text, found = to_pluginfiles(text_element.text or "")
        text_element.text = text
        written: set[str] = set()
        for digest, name in found:
            file = media.get(digest)
            if name in written:
                continue
            if file is None:
                result.notes.append(
                    f"{key}: the file '{name}' is not stored with the bank and was not written"
                )
                continue
            written.add(name)
            ET.SubElement(holder, "file", name=name, path="/", encoding="base64").text = encode(file.data)
