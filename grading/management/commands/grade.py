"""`manage.py grade EXERCISE FILE [FILE ...] [--json]`: grade files directly, without the queue.

Uses the same sandbox and scoring as the workers and touches no database table, so it works
right after `migrate` on a fresh checkout. Exit status 0 whenever every file was graded,
whatever the verdicts; CommandError (non-zero) for an unknown exercise, a missing or unreadable
file, or a machine where the sandbox cannot run.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grading.exercises import EXERCISES
from grading.grader import grade_source, grading_sandbox
from grading.sandbox.client import SandboxUnavailable

MAX_SOURCE_BYTES = 256 * 1024


class Command(BaseCommand):
    help = "Grade optimizer submissions for a code exercise through the sandbox."

    def add_arguments(self, parser):
        parser.add_argument("exercise", help=f"exercise slug ({', '.join(EXERCISES)})")
        parser.add_argument("files", nargs="+", help="submission files (Python)")
        parser.add_argument("--json", action="store_true", help="print one JSON object per file and line")

    def handle(self, *args, exercise: str, files: list[str], json: bool, **options):
        if exercise not in EXERCISES:
            raise CommandError(f"unknown exercise {exercise!r}; known exercises: {', '.join(EXERCISES)}")
        sources = [(name, _read(name)) for name in files]  # check every file before grading any
        try:
            with grading_sandbox() as sandbox:  # the workers' limits
                for name, source in sources:
                    verdict = grade_source(exercise, source, sandbox=sandbox)
                    self._print(name, exercise, verdict, as_json=json)
        except SandboxUnavailable as exc:
            raise CommandError(f"grading is not possible on this machine: {exc}") from None

    def _print(self, name: str, exercise: str, verdict, *, as_json: bool) -> None:
        if as_json:
            record = {
                "file": name,
                "exercise": exercise,
                "status": verdict.status,
                "score": verdict.score,
                "message": verdict.message,
                "diagnosis": verdict.diagnosis_names,
                "step_calls": verdict.step_calls,
                "problems": [_without_trajectories(p) for p in verdict.problems],
            }
            self.stdout.write(_dumps(record))
            return
        style = {"passed": self.style.SUCCESS, "failed": self.style.WARNING}.get(
            verdict.status, self.style.ERROR
        )
        self.stdout.write(style(f"{name}: {verdict.status.upper()}  score {verdict.score:.3f}"))
        self.stdout.write(f"  {verdict.message}")
        for entry in verdict.diagnosis:
            self.stdout.write(f"  diagnosis: {entry['title']} ({entry['name']})")
        for problem in verdict.problems:
            mark = "ok " if problem["fidelity"] == 1.0 else "   "
            where = (
                f"departs at step {problem['first_divergent_step']}"
                if problem["first_divergent_step"] is not None
                else (problem["error"] or "")
            )
            self.stdout.write(
                f"  {mark}{problem['id']:<26} fidelity {problem['fidelity']:.3f}  "
                f"convergence {problem['convergence']:.3f}  {where}"
            )
        self.stdout.write(f"  {verdict.step_calls} step calls")


def _read(name: str) -> str:
    path = Path(name)
    if not path.is_file():
        raise CommandError(f"no such file: {name}")
    data = path.read_bytes()
    if len(data) > MAX_SOURCE_BYTES:
        raise CommandError(f"{name} is larger than {MAX_SOURCE_BYTES // 1024} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{name} is not UTF-8 text") from None


def _without_trajectories(problem: dict) -> dict:
    # One line per file stays readable; trajectories are for plots, not for the command line.
    return {k: v for k, v in problem.items() if not k.endswith("_trajectory")}


def _dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, allow_nan=False)
