"""What to tell a student whose submission could not be graded: the kind of problem, and what to do.

A verdict with status "error" keeps the sandbox's outcome and the grader's message (which names
the Python exception, e.g. "SyntaxError: ... (line 3: `def step(`)"). `advice_for` sorts it into
one class and gives that class a heading and advice that fit it. Django-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from grading.verdict import SandboxOutcome, VerdictStatus


@dataclass(frozen=True)
class Advice:
    kind: str
    title: str
    advice: str


ADVICE: dict[str, Advice] = {
    advice.kind: advice
    for advice in (
        Advice(
            "syntax",
            "Python could not read your code",
            "There is a syntax error: look at the line named below and the line just before it for a "
            "missing colon, bracket or quote, or indentation that does not line up.",
        ),
        Advice(
            "missing-function",
            "A required function is missing",
            "Your file must define both `init_state(params)` and `step(...)` at the top level, spelled "
            "exactly so (not inside a class or another function).",
        ),
        Advice(
            "import",
            "An import failed",
            "Only NumPy and Python's standard library are available to your code; remove any other import.",
        ),
        Advice(
            "load",
            "Your file failed while loading",
            "Code at the top level of your file runs when it is loaded, and it raised the error below. "
            "Keep the top level to imports, constants and function definitions.",
        ),
        Advice(
            "timeout",
            "Your code ran out of time",
            "A correct step takes microseconds. Look for a loop that never ends, or heavy work (such as "
            "growing lists) repeated in every call of `step`.",
        ),
        Advice(
            "memory",
            "Your code ran out of memory",
            "Keep only what the algorithm needs in the state: a few arrays shaped like the parameters, "
            "never the whole history of steps.",
        ),
        Advice(
            "output",
            "Your code produced too much output",
            "Remove `print` calls from `step`: it runs thousands of times.",
        ),
        Advice(
            "crash",
            "Your code stopped the process running it",
            "Don't call `sys.exit`, `exit()` or `os._exit`, and don't end or signal the process.",
        ),
        Advice(
            "result-type",
            "`step` returned the wrong kind of result",
            "`step` must return a pair `(new_params, new_state)`, where `new_params` is a float array "
            "shaped like `params`.",
        ),
        Advice(
            "step-error",
            "`step` failed on its first call",
            "It raised the error below on every problem. Check that it accepts exactly this exercise's "
            "hyperparameters as keyword arguments and that every name it uses is defined.",
        ),
        Advice(
            "unreadable",
            "The grader could not read your results",
            "Only return values from `step`; don't write to files, standard streams' internals or the "
            "grader's channels.",
        ),
    )
}

_SYNTAX = re.compile(r"\b(SyntaxError|IndentationError|TabError)\b")
_IMPORT = re.compile(r"\b(ImportError|ModuleNotFoundError)\b")
_RESULT_TYPE = re.compile(r"step must return a pair|step returned ")


def advice_for(verdict: dict[str, Any] | None) -> Advice | None:
    """The advice for an ungradable verdict (a `Verdict.to_dict()` mapping); None for any other."""
    if not isinstance(verdict, dict) or verdict.get("status") != VerdictStatus.ERROR:
        return None
    message = str(verdict.get("message") or "")
    outcome = verdict.get("sandbox_outcome")
    if outcome == SandboxOutcome.LOAD_ERROR:
        if _SYNTAX.search(message):
            return ADVICE["syntax"]
        if "SubmissionContractError" in message:
            return ADVICE["missing-function"]
        if _IMPORT.search(message):
            return ADVICE["import"]
        return ADVICE["load"]
    by_outcome = {
        SandboxOutcome.TIMEOUT: "timeout",
        SandboxOutcome.MEMORY: "memory",
        SandboxOutcome.OUTPUT_TOO_LARGE: "output",
        SandboxOutcome.CRASHED: "crash",
        SandboxOutcome.INVALID_OUTPUT: "unreadable",
    }
    if outcome in by_outcome:
        return ADVICE[by_outcome[outcome]]
    return ADVICE["result-type"] if _RESULT_TYPE.search(message) else ADVICE["step-error"]


_LINE = re.compile(r"\bline (\d+)\b")
_TAG = re.compile(r"(<[^>]*>)")


def link_line_references(html: str) -> str:
    """Turn "line 12" in the text of trusted, already-escaped HTML into a link to the code's line 12.

    Only text between tags changes, and never inside an existing link.
    """
    parts, inside_link = [], False
    for part in _TAG.split(html):
        if part.startswith("<"):
            lowered = part.lower()
            if lowered.startswith("<a ") or lowered == "<a>":
                inside_link = True
            elif lowered.startswith("</a"):
                inside_link = False
            parts.append(part)
        elif inside_link:
            parts.append(part)
        else:
            parts.append(
                _LINE.sub(
                    lambda m: (
                        f'<a class="line-ref" href="#L{m.group(1)}" data-line="{m.group(1)}">{m.group(0)}</a>'
                    ),
                    part,
                )
            )
    return "".join(parts)


def source_lines(source: str) -> list[str]:
    """The lines of a submission as Python numbers them (a final newline does not start a line)."""
    lines = source.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines
