"""Exercise zips: the folder layout round-trips, the built-in folders import, hostile zips are refused."""

import io
import stat
import zipfile

import pytest

from grading.authoring.content import content_of, exercise_from_content, files_of
from grading.authoring.zipio import (
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    MAX_ZIP_BYTES,
    ZipRefused,
    read_exercise_zip,
    write_exercise_zip,
)
from grading.exercises import EXERCISES, EXERCISES_DIR, get_exercise
from grading.exercises.loader import REQUIRED_FILES, exercise_from_files


def zipped(entries: dict[str, bytes], *, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def adam_files(folder: str = "adam/") -> dict[str, bytes]:
    return {f"{folder}{name}": (EXERCISES_DIR / "adam" / name).read_bytes() for name in REQUIRED_FILES}


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_export_then_import_gives_the_same_exercise(slug):
    exercise = get_exercise(slug)
    data = write_exercise_zip(slug, files_of(exercise))
    read = read_exercise_zip(data)
    assert read.folder == slug
    assert exercise_from_files(slug, read.files) == exercise


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_stored_content_gives_the_same_exercise(slug):
    exercise = get_exercise(slug)
    assert exercise_from_content(slug, content_of(exercise)) == exercise


def test_a_built_in_folder_zipped_as_it_is_imports():
    entries = {"adam/": b"", **adam_files()}
    read = read_exercise_zip(zipped(entries))
    assert read.folder == "adam"
    assert exercise_from_files("adam", read.files) == get_exercise("adam")


def test_files_at_the_top_of_the_zip_are_accepted_without_a_folder_name():
    read = read_exercise_zip(zipped(adam_files(folder="")))
    assert read.folder == ""
    assert exercise_from_files("my-adam", read.files).title == "Adam"


def test_mac_archive_litter_is_skipped():
    entries = {**adam_files(), "__MACOSX/adam/._info.yaml": b"\x00\x05", "adam/.DS_Store": b"\x00"}
    assert read_exercise_zip(zipped(entries)).folder == "adam"


@pytest.mark.parametrize(
    "name",
    ["../adam/info.yaml", "/etc/info.yaml", "adam/../../info.yaml", "C:/adam/info.yaml", "adam\\info.yaml"],
)
def test_paths_that_climb_out_or_are_absolute_are_refused(name):
    entries = adam_files()
    entries[name] = entries.pop("adam/info.yaml")
    with pytest.raises(ZipRefused, match="unsafe path"):
        read_exercise_zip(zipped(entries))


def test_a_zip_bomb_is_refused_while_it_is_unpacked():
    entries = adam_files()
    entries["adam/statement.md"] = b"#" * (50 * 1024 * 1024)  # 50 MB of one byte: a few KB compressed
    data = zipped(entries)
    assert len(data) < MAX_ZIP_BYTES
    with pytest.raises(ZipRefused, match="unpacks to more than"):
        read_exercise_zip(data)


def test_a_zip_whose_header_lies_about_the_size_is_still_caught():
    entries = adam_files()
    entries["adam/reference.py"] = b"x = 1\n" * (MAX_FILE_BYTES // 3)
    data = bytearray(zipped(entries))
    # Rewrite every recorded uncompressed size of reference.py to 10 bytes.
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("adam/reference.py")
    real = info.file_size.to_bytes(4, "little")
    data = bytes(data).replace(real, (10).to_bytes(4, "little"))
    with pytest.raises(ZipRefused):
        read_exercise_zip(data)


def test_a_huge_upload_is_refused_before_it_is_opened():
    with pytest.raises(ZipRefused, match="at most"):
        read_exercise_zip(b"PK" + b"\x00" * MAX_ZIP_BYTES)


def test_too_many_files_are_refused():
    entries = {**adam_files(), **{f"adam/extra{i}.txt": b"x" for i in range(MAX_ENTRIES)}}
    with pytest.raises(ZipRefused, match="entries"):
        read_exercise_zip(zipped(entries))


def test_an_unexpected_file_is_named():
    with pytest.raises(ZipRefused, match="Unexpected file “adam/server.py”"):
        read_exercise_zip(zipped({**adam_files(), "adam/server.py": b"import os"}))


def test_a_missing_file_is_named():
    entries = adam_files()
    del entries["adam/starter.py"]
    with pytest.raises(ZipRefused, match="lacks starter.py"):
        read_exercise_zip(zipped(entries))


def test_two_folders_are_refused():
    entries = adam_files()
    entries["other/info.yaml"] = entries.pop("adam/info.yaml")
    with pytest.raises(ZipRefused, match="several folders"):
        read_exercise_zip(zipped(entries))


def test_a_link_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in adam_files().items():
            if name.endswith("reference.py"):
                link = zipfile.ZipInfo(name)
                link.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(link, "/etc/passwd")
            else:
                archive.writestr(name, data)
    with pytest.raises(ZipRefused, match="is a link"):
        read_exercise_zip(buffer.getvalue())


def test_something_that_is_not_a_zip_is_refused():
    with pytest.raises(ZipRefused, match="not a zip"):
        read_exercise_zip(b"def step(): pass\n")


def test_text_that_is_not_utf8_is_refused():
    entries = adam_files()
    entries["adam/statement.md"] = "Étape".encode("latin-1")
    with pytest.raises(ZipRefused, match="statement.md is not UTF-8"):
        read_exercise_zip(zipped(entries))


def test_a_method_other_than_deflate_is_refused():
    with pytest.raises(ZipRefused, match="compression method"):
        read_exercise_zip(zipped(adam_files(), method=zipfile.ZIP_BZIP2))


def test_a_suite_of_optimlab_problems_with_start_points_and_steps_round_trips():
    content = content_of(get_exercise("adam"))
    content["suite"] = [
        {"problem": "rosenbrock", "start": [-1.2, 1.0], "steps": 120, "hp": {"lr": 0.02}},
        {"problem": "noisy-quadratic", "id": "noisy", "steps": 50},
        {"case": "linear-layer"},
    ]
    exercise = exercise_from_content("adam-on-problems", content)
    entry = exercise.suite[0]
    assert (entry.problem, entry.start, entry.steps, entry.template.params) == (
        "rosenbrock",
        (-1.2, 1.0),
        120,
        ((-1.2, 1.0),),
    )
    assert exercise.suite[1].start == (-4.0, 3.0)  # the problem's own start point
    read = read_exercise_zip(write_exercise_zip("adam-on-problems", files_of(exercise)))
    assert exercise_from_files("adam-on-problems", read.files) == exercise
