"""Small image files built in the tests (never copied from anywhere), and a Moodle XML question holding them."""

import base64
import struct
import zlib


def png(width: int = 2, height: int = 1, seed: int = 0) -> bytes:
    """A valid RGB PNG of `width` x `height` pixels; `seed` changes the pixels (and so the digest)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + bytes((seed + x * 40 + y) % 256 for x in range(width * 3)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gif() -> bytes:
    """A valid 1 x 1 GIF with a two-colour palette."""
    screen = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\xff\x00\x00\x00\x00\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return screen + image + b"\x3b"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def file_element(name: str, data: bytes | str) -> str:
    encoded = data if isinstance(data, str) else b64(data)
    return f'<file name="{name}" path="/" encoding="base64">{encoded}</file>'


def moodle_truefalse(
    *, stem_html: str, stem_files: str = "", feedback_html: str = "Because.", feedback_files: str = ""
) -> str:
    """A Moodle XML file of one true/false question whose texts hold the given HTML and files."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Pictures</text></category>
  </question>
  <question type="truefalse">
    <name><text>Read the curve</text></name>
    <questiontext format="html">
      <text><![CDATA[{stem_html}]]></text>
      {stem_files}
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[{feedback_html}]]></text>
      {feedback_files}
    </generalfeedback>
    <answer fraction="100"><text>true</text><feedback><text>Yes.</text></feedback></answer>
    <answer fraction="0"><text>false</text><feedback><text>No.</text></feedback></answer>
  </question>
</quiz>
"""
