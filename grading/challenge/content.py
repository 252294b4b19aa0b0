"""The challenge's statement and starter code, as students read them."""

from functools import cache
from pathlib import Path

from grading.challenge.problems import challenge_problems

HERE = Path(__file__).resolve().parent / "student"


@cache
def starter_source() -> str:
    return (HERE / "starter.py").read_text(encoding="utf-8")


@cache
def statement_md() -> str:
    rows = "\n".join(
        f"| {p.case.title} | {p.kind}: {p.case.purpose} | {p.target:g}{_held(p.hold)} | {p.budget} steps |"
        for p in challenge_problems()
    )
    return (HERE / "statement.md").read_text(encoding="utf-8").replace("{table}", rows)


def _held(hold: int) -> str:
    return f", held for {hold} steps" if hold > 1 else ""
