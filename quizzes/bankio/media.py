"""Images and files that travel inside a bank file. Django-free.

A stored text refers to a file as `media:<sha256>/<name>` (a Markdown image `![alt](media:...)` or
link `[text](media:...)`); the digest names the bytes, the name is what a Moodle export calls the file
again. The Markdown renderer turns such references into the site's media address; the bytes live
with the bank (`quizzes.models.BankMedia`).

Reading is bounded: a file's base64 text is measured before it is decoded (`max_media_bytes` per file,
`max_media_total_bytes` per import), and the bytes must start like one of the allowed types (PNG, JPEG,
GIF, WebP, and PDF shown as a link). SVG is refused: it is a document that can carry scripts. Whatever
cannot be kept is reported with the question and the place in it, never dropped without a word.
"""

import base64
import binascii
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from quizzes.bankio.errors import BankProblem, Location, MediaFile, ParsedBank

# type -> (label, whether it is shown as an image)
ALLOWED_TYPES = {
    "image/png": ("PNG", True),
    "image/jpeg": ("JPEG", True),
    "image/gif": ("GIF", True),
    "image/webp": ("WebP", True),
    "application/pdf": ("PDF", False),
}
ALLOWED_LABELS = ", ".join(label for label, _image in ALLOWED_TYPES.values())
MEDIA_SCHEME = "media:"
# `media:<64 hex>/<percent-encoded name>` inside stored Markdown.
MEDIA_REF = re.compile(r"media:([0-9a-f]{64})/([A-Za-z0-9._~%-]+)")
MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\((media:[0-9a-f]{64}/[^)\s]+)\)")
PLUGINFILE = "@@PLUGINFILE@@/"
_PLUGINFILE_REF = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>)?#]+)")
MAX_NAME_LENGTH = 200


def sniff(data: bytes) -> str | None:
    """The allowed type the bytes start like (magic numbers), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _looks_like_svg(name: str, data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return name.lower().endswith((".svg", ".svgz")) or head.startswith((b"<svg", b"<?xml", b"<!doctype svg"))


def media_ref(media: MediaFile, name: str | None = None) -> str:
    return f"{MEDIA_SCHEME}{media.digest}/{quote(name or media.name, safe='')}"


def refs_in(text: str) -> Iterator[tuple[str, str]]:
    """(digest, name) of every media reference in a text."""
    for match in MEDIA_REF.finditer(text):
        yield match.group(1), unquote(match.group(2))


def texts_of(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for entry in value.values():
            yield from texts_of(entry)
    elif isinstance(value, list):
        for entry in value:
            yield from texts_of(entry)


def item_refs(item: object) -> set[str]:
    """The digests an item (a dict shaped like `Item.to_dict()`) refers to, in any of its texts."""
    return {digest for text in texts_of(item) for digest, _name in refs_in(text)}


def without_images(text: str) -> str:
    """The text with every media image as `[image: alt]` and media links as their text (for GIFT)."""
    text = MARKDOWN_IMAGE.sub(
        lambda match: f"[image: {match.group(1)}]" if match.group(1) else "[image]", text
    )
    return re.sub(r"\[([^\]]*)\]\(media:[0-9a-f]{64}/[^)\s]+\)", r"\1", text)


# -- decoding ----------------------------------------------------------------------------------------


@dataclass
class MediaBudget:
    """The bytes one import may still decode, and what it has decoded (by digest)."""

    max_file_bytes: int
    max_total_bytes: int
    total: int = 0
    files: dict[str, MediaFile] = field(default_factory=dict)
    over_total: bool = False

    def decode(self, name: str, encoded: str, report: Callable[[str], None]) -> MediaFile | None:
        """The file, or None after `report`ing why it is not kept (type, size, malformed base64)."""
        name = name.strip()
        if not name or "/" in name or "\\" in name or len(name) > MAX_NAME_LENGTH:
            report(f"file name {name[:60]!r} is not a plain file name; the file was left out")
            return None
        compact = re.sub(r"\s+", "", encoded)
        # Three bytes per four characters: the size is known before anything is decoded.
        if len(compact) // 4 * 3 > self.max_file_bytes + 2:
            report(
                f"file '{name}' is larger than the {_size(self.max_file_bytes)} an embedded file may be; "
                "it was left out"
            )
            return None
        try:
            data = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError) as error:
            report(f"file '{name}' is not valid base64 ({error}); it was left out")
            return None
        if len(data) > self.max_file_bytes:
            report(
                f"file '{name}' is {_size(len(data))}, larger than the {_size(self.max_file_bytes)} an "
                "embedded file may be; it was left out"
            )
            return None
        content_type = sniff(data)
        if content_type is None:
            if _looks_like_svg(name, data):
                report(
                    f"file '{name}' is an SVG image, which Descent refuses (it can carry scripts); it was left out"
                )
            else:
                report(f"file '{name}' is not one of the allowed types ({ALLOWED_LABELS}); it was left out")
            return None
        media = MediaFile(name=name, content_type=content_type, data=data)
        if media.digest not in self.files:
            self.total += len(data)
            self.over_total = self.over_total or self.total > self.max_total_bytes
            self.files[media.digest] = media
        return media


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB" if count >= 1024 * 1024 else f"{max(1, round(count / 1024))} KB"


def total_problem(budget: MediaBudget, filename: str) -> BankProblem:
    message = (
        f"the embedded files add up to more than the {_size(budget.max_total_bytes)} one import accepts; "
        "split the bank or make the images smaller"
    )
    return BankProblem(Location(file=filename), message)


def keep_referenced(parsed: ParsedBank) -> None:
    """Drop decoded files no stored item refers to (their question was left out, or nothing showed them)."""
    if not parsed.media:
        return
    used = {digest for item in parsed.items for digest in item_refs(item)}
    parsed.media = {digest: media for digest, media in parsed.media.items() if digest in used}
    if parsed.media:
        size = sum(len(media.data) for media in parsed.media.values())
        parsed.notes.append(
            f"{len(parsed.media)} embedded image(s) or file(s), {_size(size)} in all, are stored with the bank"
        )


# -- Moodle's @@PLUGINFILE@@ references ----------------------------------------------------------------


def resolve_pluginfiles(
    text: str,
    files: dict[str, MediaFile],
    report: Callable[[str], None],
    refused: frozenset[str] = frozenset(),
) -> tuple[str, set[str]]:
    """`@@PLUGINFILE@@/name` -> `media:<digest>/name` for the files given; the others stay as they are and
    are reported, except the `refused` ones (already reported with the reason).

    Returns the text and the names it referred to.
    """
    used: set[str] = set()

    def replace(match: re.Match) -> str:
        name = unquote(match.group(1))
        media = files.get(name)
        if media is None:
            if name in refused:
                return match.group(0)
            report(f"refers to file '{name}', which the file does not contain; the reference is kept as text")
            return match.group(0)
        used.add(name)
        return media_ref(media, name)

    return _PLUGINFILE_REF.sub(replace, text), used


def to_pluginfiles(text: str) -> tuple[str, list[tuple[str, str]]]:
    """`media:<digest>/name` -> `@@PLUGINFILE@@/name`; returns the text and the (digest, name) pairs."""
    found: list[tuple[str, str]] = []

    def replace(match: re.Match) -> str:
        found.append((match.group(1), unquote(match.group(2))))
        return PLUGINFILE + match.group(2)

    return MEDIA_REF.sub(replace, text), found


def encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
