"""Exercises as zip files in the folder layout: `<slug>/{info.yaml, statement.md, starter.py, reference.py}`.

Reading an uploaded zip trusts nothing in it. Refused, each with a message saying why:
a file that is not a zip or is larger than `MAX_ZIP_BYTES`; more than `MAX_ENTRIES` entries;
names that are absolute, climb out (`..`), use backslashes or drive letters, repeat, or are links;
encrypted entries and compression methods other than stored and deflate; any file whose
*decompressed* size (counted while reading, never taken from the header) passes
`MAX_FILE_BYTES`, or all of them together `MAX_TOTAL_BYTES` (zip bombs); text that is not UTF-8;
files other than the four of the layout (macOS's `__MACOSX/` and `.DS_Store` are skipped).
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from grading.exercises.loader import REQUIRED_FILES

MAX_ZIP_BYTES = 512 * 1024
MAX_ENTRIES = 16
MAX_FILE_BYTES = 128 * 1024
MAX_TOTAL_BYTES = 512 * 1024
CHUNK = 16 * 1024
ALLOWED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
SKIPPED = re.compile(r"^(__MACOSX/.*|(.*/)?\.DS_Store)$")


class ZipRefused(ValueError):
    """The zip cannot be imported; the message says why, in words an instructor can act on."""


@dataclass(frozen=True)
class ZippedExercise:
    folder: str  # the folder the files sat in ("" when they sat at the top of the zip)
    files: dict[str, str]  # the four files' texts, by name


def read_exercise_zip(data: bytes) -> ZippedExercise:
    """The four files of the one exercise in `data`; ZipRefused otherwise."""
    if len(data) > MAX_ZIP_BYTES:
        raise ZipRefused(
            f"The zip is {len(data) // 1024} KB; at most {MAX_ZIP_BYTES // 1024} KB is accepted."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise ZipRefused("This is not a zip file (or it is damaged).") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise ZipRefused(
                f"The zip holds {len(entries)} entries; an exercise needs 4 (at most {MAX_ENTRIES})."
            )
        wanted: dict[str, zipfile.ZipInfo] = {}
        folders: set[str] = set()
        seen: set[str] = set()
        for entry in entries:
            name = _checked_name(entry)
            if name in seen:
                raise ZipRefused(f"The zip holds “{name}” twice.")
            seen.add(name)
            if SKIPPED.match(name) or entry.is_dir():
                continue
            path = PurePosixPath(name)
            if len(path.parts) > 2 or path.name not in REQUIRED_FILES:
                raise ZipRefused(
                    f"Unexpected file “{name}”: an exercise zip holds only {', '.join(REQUIRED_FILES)}, "
                    "at its top or in one folder named after the exercise."
                )
            folders.add(path.parts[0] if len(path.parts) == 2 else "")
            wanted[path.name] = entry
        if len(folders) > 1:
            raise ZipRefused("The files sit in several folders; put one exercise in one folder.")
        missing = [name for name in REQUIRED_FILES if name not in wanted]
        if missing:
            raise ZipRefused(f"The zip lacks {', '.join(missing)}.")
        total = 0
        files = {}
        for name in REQUIRED_FILES:
            raw = _read_capped(archive, wanted[name], budget=MAX_TOTAL_BYTES - total)
            total += len(raw)
            try:
                files[name] = raw.decode("utf-8").replace("\r\n", "\n")
            except UnicodeDecodeError:
                raise ZipRefused(f"{name} is not UTF-8 text.") from None
            if "\x00" in files[name]:
                raise ZipRefused(f"{name} contains a NUL character; it must be plain text.")
    return ZippedExercise(folder=folders.pop() if folders else "", files=files)


def _checked_name(entry: zipfile.ZipInfo) -> str:
    name = entry.filename
    if entry.flag_bits & 0x1:
        raise ZipRefused(f"“{name}” is encrypted; export the exercise without a password.")
    if entry.compress_type not in ALLOWED_METHODS:
        raise ZipRefused(f"“{name}” uses a compression method other than deflate; zip it again plainly.")
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise ZipRefused(f"“{name}” is a link; the zip must hold plain files.")
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or re.match(r"^[A-Za-z]:", name)
        or any(part in ("..", ".") for part in name.rstrip("/").split("/"))
        or "//" in name
    ):
        raise ZipRefused(f"The zip holds a file with an unsafe path (“{name[:80]}”).")
    return name


def _read_capped(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, *, budget: int) -> bytes:
    """The entry's bytes, refusing as soon as more than the caps come out (whatever its header says)."""
    limit = min(MAX_FILE_BYTES, budget)
    out = bytearray()
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(CHUNK):
                out += chunk
                if len(out) > limit:
                    raise ZipRefused(
                        f"{entry.filename} unpacks to more than {limit // 1024} KB; an exercise file is "
                        f"at most {MAX_FILE_BYTES // 1024} KB (and the four together {MAX_TOTAL_BYTES // 1024} KB)."
                    )
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        if isinstance(exc, ZipRefused):
            raise
        raise ZipRefused(f"{entry.filename} could not be unpacked (the zip is damaged).") from None
    return bytes(out)


def write_exercise_zip(slug: str, files: dict[str, str]) -> bytes:
    """A zip of the exercise's folder, `<slug>/<file>` for each file, in a fixed order and date."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in REQUIRED_FILES:
            info = zipfile.ZipInfo(f"{slug}/{name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()
