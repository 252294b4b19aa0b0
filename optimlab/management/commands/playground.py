"""Run optimizers on a test problem from the command line: JSON lines on stdout, or a PNG/SVG figure.

    python manage.py playground --problem ill-conditioned-quadratic --optimizer momentum --hp lr=0.6,beta=0.5 \
        --steps 20 --start=-5,-2 --json
    python manage.py playground --problem rosenbrock --optimizer sgd --optimizer adam --hp lr=0.001 --hp lr=0.05 \
        --steps 200 --output paths.png
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from optimlab import plots
from optimlab.problems import get_problem
from optimlab.runner import MAX_STEPS, parse_hyperparameters, parse_vector, run_optimizer

FIGURE_FORMATS = (".png", ".svg")


class Command(BaseCommand):
    help = "Run one or more optimizers on a test problem; print JSON or draw the trajectories."

    def add_arguments(self, parser):
        parser.add_argument("--problem", required=True, help="a problem name, e.g. rosenbrock")
        parser.add_argument(
            "--optimizer", action="append", required=True, help="an optimizer name; repeat for several"
        )
        parser.add_argument(
            "--hp",
            action="append",
            default=[],
            help="hyperparameters like lr=0.6,beta=0.5: one per --optimizer, or a single one for all",
        )
        parser.add_argument("--steps", type=int, default=50, help=f"number of updates (at most {MAX_STEPS})")
        parser.add_argument("--start", help="start point, e.g. --start=-5,-2 (default: the problem's own)")
        parser.add_argument("--json", action="store_true", help="print one JSON object per optimizer")
        parser.add_argument("--output", help="write a figure to this .png or .svg file")

    def handle(self, *args, **options):
        if not options["json"] and not options["output"]:
            raise CommandError("nothing to do: give --json, or --output FILE.png / FILE.svg")
        output = Path(options["output"]) if options["output"] else None
        if output is not None and output.suffix.lower() not in FIGURE_FORMATS:
            raise CommandError(f"--output must end in .png or .svg, got {output.name!r}")
        try:
            problem = get_problem(options["problem"])
            texts = hp_texts(options["optimizer"], options["hp"])
            settings = parse_each(options["optimizer"], texts)
            start = parse_vector(options["start"]) if options["start"] is not None else None
            runs = [
                run_optimizer(name, problem, hp, steps=options["steps"], start=start)
                for name, hp in zip(options["optimizer"], settings, strict=True)
            ]
        except ValueError as error:
            raise CommandError(str(error)) from None

        if options["json"]:
            for run in runs:
                record = {
                    "optimizer": run.optimizer,
                    "hp": run.hp,
                    "trajectory": run.trajectory.tolist(),
                    "loss": run.loss.tolist(),
                    "diverged_at": run.diverged_at,
                }
                self.stdout.write(json.dumps(record))
        if output is not None:
            labels = [label_for(name, text) for name, text in zip(options["optimizer"], texts, strict=True)]
            try:
                figure = plots.overview_figure(problem, runs, labels)
            except ValueError as error:
                raise CommandError(str(error)) from None
            if output.suffix.lower() == ".svg":
                write_atomically(output, plots.figure_svg(figure).encode())
            else:
                write_atomically(output, plots.figure_png(figure))
            if not options["json"]:
                self.stdout.write(f"wrote {output}")


def hp_texts(optimizers: list[str], texts: list[str]) -> list[str]:
    """One hyperparameter string per optimizer: as given, or a single one repeated, or blank for defaults."""
    if len(texts) == len(optimizers):
        return list(texts)
    if len(texts) <= 1:
        return (texts or [""]) * len(optimizers)
    raise ValueError(
        f"give one --hp per --optimizer ({len(optimizers)}) or a single --hp for all; got {len(texts)}"
    )


def parse_each(optimizers: list[str], texts: list[str]) -> list[dict[str, float]]:
    settings = []
    for name, text in zip(optimizers, texts, strict=True):
        try:
            settings.append(parse_hyperparameters(text))
        except ValueError as error:
            raise ValueError(f"--hp for {name}: {error}") from None
    return settings


def label_for(name: str, text: str) -> str:
    return f"{name} ({text})" if text.strip() else name


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file next to `path`, then rename: readers never see half a file."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise CommandError(f"cannot write {path}: directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
