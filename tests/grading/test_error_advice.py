"""An ungradable submission gets advice for its kind of error, from the grader's real verdicts, and
"line N" in a message links to that line of the submitted code."""

import textwrap

import pytest

from grading.advice import ADVICE, advice_for, link_line_references, source_lines
from grading.grader import grade_source
from grading.sandbox.client import Sandbox
from grading.verdict import SandboxOutcome, Verdict


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as running:
        yield running


def kind_of(sandbox, source: str) -> str:
    verdict = grade_source("sgd", textwrap.dedent(source), sandbox=sandbox)
    assert verdict.status == "error", verdict.message
    advice = advice_for(verdict.to_dict())
    assert advice is not None
    return advice.kind


SYNTAX_ERROR = """
    def init_state(params)
        return {}
"""
MISSING_STEP = """
    def init_state(params):
        return {}
"""
FOREIGN_IMPORT = """
    import torch
"""
TOP_LEVEL_ERROR = """
    x = 1 / 0
"""
NOT_A_PAIR = """
    def init_state(params):
        return {}

    def step(params, grads, state, *, lr):
        return params - lr * grads
"""
STEP_RAISES = """
    def init_state(params):
        return {}

    def step(params, grads, state, *, lr):
        return undefined_name, state
"""


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        (SYNTAX_ERROR, "syntax"),
        (MISSING_STEP, "missing-function"),
        (FOREIGN_IMPORT, "import"),
        (TOP_LEVEL_ERROR, "load"),
        (NOT_A_PAIR, "result-type"),
        (STEP_RAISES, "step-error"),
    ],
)
def test_each_kind_of_ungradable_code_gets_its_own_advice(sandbox, source, kind):
    assert kind_of(sandbox, source) == kind


@pytest.mark.parametrize(
    ("outcome", "kind"),
    [
        (SandboxOutcome.TIMEOUT, "timeout"),
        (SandboxOutcome.MEMORY, "memory"),
        (SandboxOutcome.OUTPUT_TOO_LARGE, "output"),
        (SandboxOutcome.CRASHED, "crash"),
        (SandboxOutcome.INVALID_OUTPUT, "unreadable"),
    ],
)
def test_sandbox_limits_get_advice_about_that_limit(outcome, kind):
    assert advice_for(Verdict.error(outcome, "stopped").to_dict()).kind == kind


def test_gradable_verdicts_get_no_error_advice():
    assert advice_for({"status": "failed", "message": "line 3"}) is None
    assert advice_for(None) is None
    assert len({advice.title for advice in ADVICE.values()}) == len(ADVICE)


def test_the_syntax_error_line_is_the_line_the_student_wrote(sandbox):
    source = "\n\nimport numpy as np\ndef init_state(params)\n    return {}\n"
    verdict = grade_source("sgd", source, sandbox=sandbox)
    assert "(line 4:" in verdict.message
    assert source_lines(source)[4 - 1] == "def init_state(params)"


def test_line_references_become_links_outside_tags_and_links():
    html = (
        '<p>SyntaxError (line 12: <code>x</code>) <a href="/x">line 3</a> <span title="line 9">ok</span></p>'
    )
    linked = link_line_references(html)
    assert '<a class="line-ref" href="#L12" data-line="12">line 12</a>' in linked
    assert '<a href="/x">line 3</a>' in linked and 'title="line 9"' in linked
    assert linked.count("line-ref") == 1


def test_source_lines_number_lines_as_python_does():
    assert source_lines("a\nb\n") == ["a", "b"]
    assert source_lines("\na\n\n") == ["", "a", ""]
    assert source_lines("a") == ["a"]
