"""importbank, exportbank and validatebank: output, files and exit codes."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from quizzes.bankio.yaml_format import parse_yaml
from quizzes.models import Bank, Item

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_importbank_prints_a_summary_and_detects_the_format_from_the_extension():
    out, _err = _run("importbank", str(FIXTURES / "small.yaml"))

    assert "Bank 'fixture-small': 3 created, 0 updated, 0 deleted." in out
    assert Item.objects.count() == 3


def test_importbank_with_problems_fails_lists_every_problem_and_imports_nothing():
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("importbank", str(FIXTURES / "broken.yaml"), stdout=StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert any(line.startswith("broken.yaml:13: item 2 (too-hard): difficulty:") for line in lines)
    assert any("duplicate key" in line for line in lines)
    assert len(lines) >= 5
    assert not Bank.objects.exists()


def test_importbank_names_skipped_moodle_questions_and_honours_bank_and_format(tmp_path):
    renamed = tmp_path / "export.txt"  # an extension that says nothing about Moodle
    renamed.write_text((FIXTURES / "moodle_all.xml").read_text())

    out, _err = _run("importbank", str(renamed), "--format", "moodle-xml", "--bank", "from-moodle")

    assert "skipped: export.txt:72: Explain warmup [gapselect]" in out
    assert "7 created" in out
    assert Bank.objects.get().slug == "from-moodle"


def test_importbank_refuses_an_unknown_extension_and_a_missing_file(tmp_path):
    odd = tmp_path / "bank.docx"
    odd.write_text("x")
    with pytest.raises(CommandError, match="cannot tell the format"):
        _run("importbank", str(odd))
    with pytest.raises(CommandError, match="cannot read"):
        _run("importbank", str(tmp_path / "missing.yaml"))


def test_exportbank_writes_yaml_to_stdout():
    _run("importbank", str(FIXTURES / "small.yaml"))

    out, _err = _run("exportbank", "fixture-small", "--format", "yaml")

    assert [item["key"] for item in parse_yaml(out).items] == ["momentum-sum", "sgd-step", "sgd-template"]


def test_exportbank_writes_a_file_and_reports_what_the_format_cannot_hold(tmp_path):
    _run("importbank", str(FIXTURES / "small.yaml"))
    target = tmp_path / "bank.gift"

    out, err = _run("exportbank", "fixture-small", "--format", "gift", "--output", str(target))

    assert out == ""
    written = target.read_text()
    assert "::momentum-sum::" in written  # untitled items are named by their key
    assert "{\n\tT\n" in written
    assert "note: GIFT has no difficulty field" in err
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_exportbank_unknown_bank_fails():
    with pytest.raises(CommandError, match="no bank with slug 'nope'"):
        _run("exportbank", "nope", "--format", "yaml")


def test_validatebank_passes_good_banks_and_fails_on_a_broken_item():
    _run("importbank", str(FIXTURES / "small.yaml"))
    out, _err = _run("validatebank")
    assert "fixture-small: 3 item(s), ok" in out

    Item.objects.filter(key="momentum-sum").update(stem="")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("validatebank", "fixture-small", stdout=StringIO(), stderr=err)
    assert "fixture-small: item 1 (momentum-sum): stem: must be non-empty" in err.getvalue()


def test_validatebank_unknown_bank_fails():
    with pytest.raises(CommandError, match="no bank"):
        _run("validatebank", "nope")


@pytest.mark.slow
def test_importbank_exit_code_is_non_zero_when_nothing_was_imported(tmp_path):
    # A real process, against a throwaway SQLite database, to see the exit status a shell sees.
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-only",
        "DJANGO_DEBUG": "1",
    }
    manage = Path(settings.BASE_DIR) / "manage.py"
    subprocess.run([sys.executable, manage, "migrate", "-v", "0"], env=env, check=True, capture_output=True)

    failed = subprocess.run(
        [sys.executable, manage, "importbank", FIXTURES / "broken.yaml"],
        env=env,
        capture_output=True,
        text=True,
    )
    worked = subprocess.run(
        [sys.executable, manage, "importbank", FIXTURES / "small.yaml"],
        env=env,
        capture_output=True,
        text=True,
    )

    assert failed.returncode != 0
    assert "too-hard" in failed.stderr
    assert worked.returncode == 0, worked.stderr
    assert "3 created" in worked.stdout
