"""Run optimizers on a test problem from the command line: JSON lines on stdout, or a PNG/SVG figure.

    python manage.py playground --problem ill-conditioned-quadratic --optimizer momentum --hp lr=0.6,beta=0.5 \
        --steps 20 --start=-5,-2 --json
    python manage.py playground --problem rosenbrock --optimizer sgd --optimizer adam --hp lr=0.001 --hp lr=0.05 \
        --steps 200 --output paths.png
    python manage.py playground --problem rosenbrock --optimizer adam --optimizer adam --hp lr=1 \
        --schedule none --schedule warmup-cosine:warmup_steps=30 --clip 5 --steps 300 --json
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, cast

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from optimlab import plots
from optimlab.optimizers import get_optimizer
from optimlab.problems import Problem, get_problem
from optimlab.runner import (
    MAX_STEPS,
    checked_hyperparameters,
    parse_clip,
    parse_hyperparameters,
    parse_vector,
    run_optimizer,
    schedule_for_run,
)
from optimlab.schedules import Schedule

FIGURE_FORMATS = (".png", ".svg")


class Command(BaseCommand):
    help = "Run one or more optimizers on a test problem; print JSON or draw the trajectories."

    def add_arguments(self, parser: CommandParser) -> None:
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
        parser.add_argument(
            "--schedule",
            action="append",
            default=[],
            help="a learning-rate schedule like warmup-cosine:warmup_steps=10,total_steps=200 (or none), "
            "starting from the optimizer's lr: one per --optimizer, or a single one for all",
        )
        parser.add_argument(
            "--clip",
            action="append",
            default=[],
            help="largest global gradient norm, e.g. 1.0 (or none): one per --optimizer, or a single one for all",
        )
        parser.add_argument("--steps", type=int, default=50, help=f"number of updates (at most {MAX_STEPS})")
        parser.add_argument("--start", help="start point, e.g. --start=-5,-2 (default: the problem's own)")
        parser.add_argument("--json", action="store_true", help="print one JSON object per optimizer")
        parser.add_argument("--output", help="write a figure to this .png or .svg file")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["json"] and not options["output"]:
            raise CommandError("nothing to do: give --json, or --output FILE.png / FILE.svg")
        output = Path(options["output"]) if options["output"] else None
        if output is not None and output.suffix.lower() not in FIGURE_FORMATS:
            raise CommandError(f"--output must end in .png or .svg, got {output.name!r}")
        try:
            problem = get_problem(options["problem"])
            names = options["optimizer"]
            texts = per_optimizer(names, options["hp"], "--hp")
            settings = parse_each(names, texts)
            schedule_texts = per_optimizer(names, options["schedule"], "--schedule")
            schedules = parse_schedules(problem, names, settings, schedule_texts, options["steps"])
            clips = [parse_clip(text) for text in per_optimizer(names, options["clip"], "--clip")]
            start = parse_vector(options["start"]) if options["start"] is not None else None
            runs = [
                run_optimizer(
                    name, problem, hp, steps=options["steps"], start=start, schedule=schedule, clip=clip
                )
                for name, hp, schedule, clip in zip(names, settings, schedules, clips, strict=True)
            ]
        except ValueError as error:
            raise CommandError(str(error)) from None

        if options["json"]:
            for run, schedule, clip in zip(runs, schedules, clips, strict=True):
                record = {
                    "optimizer": run.optimizer,
                    "hp": run.hp,
                    "trajectory": run.trajectory.tolist(),
                    "loss": run.loss.tolist(),
                    "diverged_at": run.diverged_at,
                }
                if schedule is not None:
                    record["schedule"] = {"name": schedule.name, **schedule.params}
                    record["lr"] = cast(np.ndarray, run.lr).tolist()  # a scheduled run records its lr
                if clip is not None:
                    record["clip"] = clip
                self.stdout.write(json.dumps(record))
        if output is not None:
            labels = [
                label_for(name, text, schedule, clip)
                for name, text, schedule, clip in zip(names, texts, schedules, clips, strict=True)
            ]
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


def per_optimizer(optimizers: list[str], texts: list[str], flag: str) -> list[str]:
    """One value of `flag` per optimizer: as given, or a single one repeated, or blank (the default) for all."""
    if len(texts) == len(optimizers):
        return list(texts)
    if len(texts) <= 1:
        return (texts or [""]) * len(optimizers)
    raise ValueError(
        f"give one {flag} per --optimizer ({len(optimizers)}) or a single {flag} for all; got {len(texts)}"
    )


def parse_schedules(
    problem: Problem, optimizers: list[str], settings: list[dict[str, float]], texts: list[str], steps: int
) -> list[Schedule | None]:
    """Each NAME[:k=v,...] built around its optimizer's lr (typed, or the optimizer's default)."""
    schedules = []
    for name, hp, text in zip(optimizers, settings, texts, strict=True):
        schedule_name, _, params = text.partition(":")
        lr = checked_hyperparameters(get_optimizer(name), problem, hp)["lr"]
        try:
            schedules.append(schedule_for_run(schedule_name, params, lr, steps))
        except ValueError as error:
            raise ValueError(f"--schedule for {name}: {error}") from None
    return schedules


def parse_each(optimizers: list[str], texts: list[str]) -> list[dict[str, float]]:
    settings = []
    for name, text in zip(optimizers, texts, strict=True):
        try:
            settings.append(parse_hyperparameters(text))
        except ValueError as error:
            raise ValueError(f"--hp for {name}: {error}") from None
    return settings


def label_for(name: str, text: str, schedule: Schedule | None = None, clip: float | None = None) -> str:
    parts = [f"{name} ({text})" if text.strip() else name]
    if schedule is not None:
        params = ", ".join(f"{key}={value:g}" for key, value in schedule.params.items() if key != "lr")
        parts.append(f"{schedule.name}({params})")
    if clip is not None:
        parts.append(f"clip {clip:g}")
    return " + ".join(parts)


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
