import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from optimlab.runner import MAX_STEPS

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_json(*args: str) -> list[dict]:
    out = StringIO()
    call_command("playground", *args, "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_gives_one_object_per_optimizer_starting_at_the_start():
    records = run_json(
        "--problem", "ill-conditioned-quadratic",
        "--optimizer", "momentum", "--hp", "lr=0.6,beta=0.5",
        "--optimizer", "sgd", "--hp", "lr=0.4",
        "--steps", "20", "--start=-5,-2",
    )  # fmt: skip
    assert [r["optimizer"] for r in records] == ["momentum", "sgd"]
    for record in records:
        assert record["trajectory"][0] == [-5.0, -2.0]
        assert len(record["trajectory"]) == len(record["loss"]) == 21
    assert records[0]["trajectory"][-1] == pytest.approx([0.007188, 0.002553], abs=1e-6)
    assert records[1]["trajectory"][-1] == pytest.approx([-0.943467, -0.000073], abs=1e-6)


def test_a_single_hp_applies_to_every_optimizer():
    records = run_json(
        "--problem", "booth", "--optimizer", "sgd", "--optimizer", "momentum", "--hp", "lr=0.01"
    )
    assert [r["hp"]["lr"] for r in records] == [0.01, 0.01]


def test_writes_png_and_svg_by_extension(tmp_path):
    png, svg = tmp_path / "paths.png", tmp_path / "paths.svg"
    for target in (png, svg):
        call_command("playground", "--problem", "rosenbrock", "--optimizer", "adam", "--hp", "lr=0.05",
                     "--steps", "30", "--output", str(target), stdout=StringIO())  # fmt: skip
    assert png.read_bytes().startswith(b"\x89PNG")
    assert svg.read_text().lstrip().startswith("<?xml") and 'id="trajectory-0"' in svg.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paths.png", "paths.svg"]  # no temporary files left


@pytest.mark.parametrize(
    "args,message",
    [
        (["--problem", "banana", "--optimizer", "sgd"], "unknown problem"),
        (["--problem", "parabola", "--optimizer", "adamm"], "unknown optimizer"),
        (["--problem", "parabola", "--optimizer", "sgd", "--hp", "beta=0.5"], "sgd does not take beta"),
        (["--problem", "parabola", "--optimizer", "sgd", "--hp", "lr=x"], "not a number"),
        (["--problem", "parabola", "--optimizer", "sgd", "--start=1,2"], "1 coordinate for parabola, got 2"),
        (["--problem", "parabola", "--optimizer", "sgd", "--steps", str(MAX_STEPS + 1)], str(MAX_STEPS)),
        (["--problem", "parabola", "--optimizer", "sgd", "--optimizer", "adam", "--hp", "lr=1", "--hp", "lr=1",
          "--hp", "lr=1"], "one --hp per --optimizer"),
    ],
)  # fmt: skip
def test_bad_arguments_raise_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("playground", *args, "--json", stdout=StringIO())


def test_a_figure_needs_a_known_extension_and_nothing_is_written(tmp_path):
    target = tmp_path / "paths.jpg"
    with pytest.raises(CommandError, match=r"\.png or \.svg"):
        call_command("playground", "--problem", "booth", "--optimizer", "sgd", "--output", str(target))
    assert not target.exists()


def test_without_json_or_output_there_is_nothing_to_do():
    with pytest.raises(CommandError, match="nothing to do"):
        call_command("playground", "--problem", "booth", "--optimizer", "sgd")


def run_manage(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "manage.py", "playground", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_exit_codes_as_a_subprocess():
    ok = run_manage("--problem", "parabola", "--optimizer", "sgd", "--hp", "lr=0.1", "--steps", "3", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.splitlines()[0])["trajectory"][0] == [10.0]
    bad = run_manage("--problem", "parabola", "--optimizer", "sgd", "--start=1,2", "--json")
    assert bad.returncode != 0
    assert "1 coordinate for parabola" in bad.stderr
