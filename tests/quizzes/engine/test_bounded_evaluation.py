"""Student input is judged within a bounded time and memory, whatever it is.

Symbolic checks and previews run in isolation's worker processes (real processes, real limits);
numbers and table cells are parsed in the calling process under a size bound. Every hostile input
here must come back within 2 s as a result (never an exception), and leave no thread or process
behind except the pool's own warm workers.
"""

import logging
import os
import threading
import time
from pathlib import Path

import pytest

from quizzes.engine import check_answer, isolation, preview_expression
from quizzes.engine.expressions import TOO_LARGE_MESSAGE
from quizzes.engine.numbers import TOO_LARGE_MESSAGE as NUMBER_TOO_LARGE
from tests.quizzes.engine import sample_items

SYMBOLIC = {
    "key": "bounded",
    "kind": "symbolic",
    "title": "Momentum step",
    "stem": "Write the step.",
    "symbols": ["beta", "eta", "g0"],
    "answer": "eta*g0/(1-beta)",
}

ISSUE_INPUTS = [
    "(((10^100)^100)^100)^100",
    "exp(exp(exp(100*eta)))",
    r"\left(\left(\left(\left(10^{100}\right)^{100}\right)^{100}\right)^{100}\right)",
]

HOSTILE_EXPRESSIONS = [
    *ISSUE_INPUTS,
    "(((10**100)**100)**100)**100",
    "(10^100)^11",
    "1e300^100",
    "(1e-300)^(-100)",
    "exp(10000)",
    "exp(100)^100",
    "sqrt((((10^100)^100)^100)^100)",
    "abs((((10^100)^100)^100)^100)",
    "log((((10^100)^100)^100)^100)",
    "exp(" * 8 + "eta" + ")" * 8,
    "^".join(["9"] * 4),
    "**".join(["eta"] * 60),
    "^".join(["2"] * 150),
    "10^100^100",
    r"\left(" * 40 + "eta" + r"\right)" * 40,
    r"\frac{" * 30 + "1" + "}{eta}" * 30,
    r"\sqrt{" * 40 + "eta" + "}" * 40,
    "(" * 200 + "eta" + ")" * 200,
    "-" * 450 + "eta",
    "9" * 10**6,
    "eta+" * 100_000 + "eta",
    "1000000!",
    "eta" * 2000,
    "\x00eta",
    "β" * 400,
    "eta < 1",
    "eta.__class__",
]


@pytest.fixture
def pool_limits():
    """Restore the pool's limits and start a fresh pool after a test that changes them."""
    saved = (isolation.CALL_SECONDS, isolation.MIN_JOB_SECONDS, isolation.MEMORY_HEADROOM_BYTES)
    isolation.shutdown()
    yield
    isolation.shutdown()
    isolation.CALL_SECONDS, isolation.MIN_JOB_SECONDS, isolation.MEMORY_HEADROOM_BYTES = saved


def children_of_this_process() -> set[int]:
    """This process's live expression workers (other tests may keep children of their own, such as the
    grading sandbox's zygote, which are not this pool's business)."""
    me = str(os.getpid())
    children = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() != me or fields.get("State", "").strip()[:1] == "Z":
            continue
        try:
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if b"quizzes.engine.isolation" in command:
            children.add(int(status.parent.name))
    return children


def timed(function, *args):
    started = time.monotonic()
    result = function(*args)
    return result, time.monotonic() - started


def test_the_key_is_still_accepted_after_warm_up():
    result, _ = timed(check_answer, SYMBOLIC, None, r"\frac{\eta g_0}{1 - \beta}")
    assert result.status == "correct" and result.details["method"] == "symbolic"


@pytest.mark.parametrize("text", ISSUE_INPUTS)
def test_the_expressions_from_the_issue_are_refused_as_too_large_within_two_seconds(text):
    check_answer(SYMBOLIC, None, "eta")  # the pool is warm
    result, seconds = timed(check_answer, SYMBOLIC, None, text)
    assert seconds < 2
    assert result.status == "invalid" and result.score == 0
    assert result.feedback == [TOO_LARGE_MESSAGE]
    preview, seconds = timed(preview_expression, SYMBOLIC, text)
    assert seconds < 2
    assert preview == {"ok": False, "latex": "", "error": TOO_LARGE_MESSAGE}


@pytest.mark.parametrize("text", HOSTILE_EXPRESSIONS, ids=lambda text: repr(text[:30]))
def test_a_hostile_expression_is_answered_invalid_within_two_seconds(text):
    check_answer(SYMBOLIC, None, "eta")
    result, seconds = timed(check_answer, SYMBOLIC, None, text)
    assert seconds < 2
    assert result.status == "invalid" and result.feedback
    preview, seconds = timed(preview_expression, SYMBOLIC, text)
    assert seconds < 2
    assert preview["ok"] is False and preview["error"]


@pytest.mark.parametrize("response", [None, 12, 1.5, ["eta"], {"eta": 1}, b"eta", 10**5000], ids=type)
def test_a_response_that_is_not_text_is_invalid_not_an_error(response):
    assert check_answer(SYMBOLIC, None, response).feedback == ["Enter an expression."]
    assert preview_expression(SYMBOLIC, response)["ok"] is False


@pytest.mark.parametrize(
    "text",
    [
        "exp(exp(eta))",
        "exp(exp(exp(eta)))",
        "(10^100)^10",
        "9" * 499,
        "1/(1-beta)^100",
        "(beta + eta)^40",
        "eta^(1/eta)",
    ],
)
def test_large_but_reasonable_expressions_are_still_judged(text):
    result = check_answer(SYMBOLIC, None, text)
    assert result.status == "incorrect" and result.details["latex"]


def test_a_wrong_answer_still_finds_its_misconception():
    item = sample_items.symbolic()
    result = check_answer(item, None, item["misconceptions"][0]["answer"])
    assert result.status == "incorrect" and result.misconception


def test_an_item_whose_key_does_not_parse_still_raises_for_the_caller():
    with pytest.raises(ValueError):
        check_answer({**SYMBOLIC, "answer": "eta +"}, None, "eta")


def test_hostile_checks_leave_only_the_warm_workers_and_no_thread():
    check_answer(SYMBOLIC, None, "eta")
    threads_before = set(threading.enumerate())
    for text in HOSTILE_EXPRESSIONS[:10]:
        check_answer(SYMBOLIC, None, text)
        preview_expression(SYMBOLIC, text)
    assert set(threading.enumerate()) == threads_before
    workers = set(isolation.worker_pids())
    assert len(workers) == isolation.WORKERS
    assert children_of_this_process() == workers


def test_shutting_the_pool_down_leaves_no_child_process(pool_limits):
    check_answer(SYMBOLIC, None, "eta")
    assert children_of_this_process()
    isolation.shutdown()
    assert children_of_this_process() == set()
    assert check_answer(SYMBOLIC, None, "eta*g0/(1-beta)").status == "correct"  # starts a new pool


def test_a_job_past_its_deadline_is_killed_reported_and_its_worker_replaced(pool_limits, caplog):
    check_answer(SYMBOLIC, None, "eta")  # warm, with the normal limits
    before = set(isolation.worker_pids())
    isolation.CALL_SECONDS = isolation.MIN_JOB_SECONDS = 0.0005  # no real check is that fast
    with caplog.at_level(logging.WARNING, logger="quizzes.engine.isolation"):
        result, seconds = timed(check_answer, SYMBOLIC, None, "(eta*g0 + beta)^8 - beta^8")
    assert seconds < 2
    assert result.status == "invalid" and result.feedback == [isolation.TIMEOUT_MESSAGE]
    assert "Stopped an expression job" in caplog.text and "(eta*g0 + beta)^8" in caplog.text
    after = set(isolation.worker_pids())
    assert len(after) == isolation.WORKERS and len(before - after) == 1
    assert children_of_this_process() == after  # the killed worker was reaped
    isolation.CALL_SECONDS, isolation.MIN_JOB_SECONDS = 1.2, 0.5
    deadline = time.monotonic() + 30
    while check_answer(SYMBOLIC, None, "eta*g0/(1-beta)").status != "correct":
        assert time.monotonic() < deadline, "the replacement worker never became ready"


def test_a_job_out_of_memory_is_reported_and_its_worker_replaced(pool_limits, caplog):
    # Workers that may not grow past their start-up size, and a job whose item carries 64 MB of
    # text: the worker cannot even read it, says so, and is replaced.
    isolation.MEMORY_HEADROOM_BYTES = 0
    check_answer(SYMBOLIC, None, "eta")
    before = set(isolation.worker_pids())
    heavy = {**SYMBOLIC, "explanation": "x" * (64 * 1024 * 1024)}
    with caplog.at_level(logging.WARNING, logger="quizzes.engine.isolation"):
        result, seconds = timed(check_answer, heavy, None, "eta*g0/(1-beta)")
    assert seconds < 2
    assert result.status == "invalid" and result.feedback == [isolation.MEMORY_MESSAGE]
    assert "ran out of memory" in caplog.text
    after = set(isolation.worker_pids())
    assert len(after) == isolation.WORKERS and len(before - after) == 1
    assert children_of_this_process() == after


def test_concurrent_hostile_and_ordinary_checks_all_return_within_two_seconds():
    check_answer(SYMBOLIC, None, "eta")
    results: list[tuple[str, float]] = []

    def judge(text):
        result, seconds = timed(check_answer, SYMBOLIC, None, text)
        results.append((result.status, seconds))

    texts = ISSUE_INPUTS * 2 + ["eta*g0/(1-beta)"] * 4
    threads = [threading.Thread(target=judge, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == len(texts)
    assert max(seconds for _, seconds in results) < 2
    assert [status for status, _ in results].count("correct") >= 1


# --- numbers and tables: parsed in the calling process, under a size bound -----------------------

NUMERIC = {"key": "n", "kind": "numeric", "title": "t", "stem": "s", "answer": 0.02}

HOSTILE_NUMBERS = [
    "1e999999999999",
    "9" * 90 + "e300",
    "9" * 10**6,
    "1" + "0" * 10**6,
    "9" * 49 + "e300/0." + "0" * 40 + "1",
    "1/" + "0." + "0" * 97 + "1",
    " " * 10**6 + "1",
    "-" * 10**5 + "1",
    "1e-999999999999",
    "\u2212" * 10**5,
]


@pytest.mark.parametrize("text", HOSTILE_NUMBERS, ids=lambda text: repr(text[:20]))
def test_a_hostile_number_is_judged_within_two_seconds_without_raising(text):
    result, seconds = timed(check_answer, NUMERIC, None, text)
    assert seconds < 2
    assert result.status in {"invalid", "incorrect"}


def test_a_number_beyond_the_float_range_is_invalid_with_a_message():
    assert check_answer(NUMERIC, None, "9" * 90 + "e300").feedback == [NUMBER_TOO_LARGE]
    assert check_answer(NUMERIC, None, 10**10**6).feedback == [NUMBER_TOO_LARGE]
    assert check_answer(NUMERIC, None, "99/" + "0." + "0" * 90 + "1").status == "incorrect"


def test_hostile_table_cells_are_judged_within_two_seconds_without_raising():
    item = sample_items.table()
    cells = [
        f"{column}{step}"
        for step in range(1, item["table"]["rows"] + 1)
        for column in item["table"]["columns"]
    ]
    for text in ["9" * 90 + "e300", "1e300", "-1e300", "9" * 10**6, "1/0." + "0" * 97 + "1"]:
        result, seconds = timed(check_answer, item, None, dict.fromkeys(cells, text))
        assert seconds < 2 and result.status in {"invalid", "incorrect", "partial"}


# --- processes: pre-fork servers and exit ----------------------------------------------------------

PRE_FORK_SCRIPT = r"""
import json, os, sys
from quizzes.engine import check_answer, isolation
item = json.loads(sys.argv[1])
assert check_answer(item, None, "eta*g0/(1-beta)").status == "correct"   # the master's own pool
master_workers = isolation.worker_pids()
child = os.fork()   # like gunicorn's pre-fork model with the application preloaded
if child == 0:
    ok = isolation.worker_pids() == []   # the parent's workers are forgotten, not shared
    ok &= check_answer(item, None, "(((10^100)^100)^100)^100").status == "invalid"
    ok &= check_answer(item, None, "eta*g0/(1-beta)").status == "correct"
    mine = isolation.worker_pids()
    ok &= len(mine) == isolation.WORKERS and not set(mine) & set(master_workers)
    ok &= all(open(f"/proc/{pid}/status").read().count(f"PPid:\t{os.getpid()}\n") for pid in mine)
    print(json.dumps({"child_ok": bool(ok), "child_workers": mine}), flush=True)
    sys.exit(0)   # atexit kills the child's workers
_, status = os.waitpid(child, 0)
ok = status == 0 and isolation.worker_pids() == master_workers
ok &= check_answer(item, None, "eta*g0/(1-beta)").status == "correct"
print(json.dumps({"master_ok": bool(ok), "master_workers": master_workers}), flush=True)
"""


def test_a_forked_server_process_starts_its_own_workers_and_every_worker_ends_at_exit():
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    completed = subprocess.run(
        [sys.executable, "-c", PRE_FORK_SCRIPT, json.dumps(SYMBOLIC)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert completed.returncode == 0, completed.stderr
    reports = {}
    for line in completed.stdout.splitlines():
        reports.update(json.loads(line))
    assert reports["child_ok"] and reports["master_ok"], completed.stderr
    workers = reports["child_workers"] + reports["master_workers"]
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def test_workers_stop_simplification_with_a_timer_not_a_thread():
    # A symbolic proof is needed here (the expressions differ in form), and it runs in the worker.
    result = check_answer(SYMBOLIC, None, "eta*g0*(1 + beta)/(1 - beta^2)")
    assert result.status == "correct" and result.details["method"] == "symbolic"
    threads = set(threading.enumerate())
    assert not [thread for thread in threads if thread.name.startswith("symbolic-simplify")]
    for pid in isolation.worker_pids():
        assert Path(f"/proc/{pid}/status").read_text().count("Threads:\t1\n") == 1


def test_workers_do_not_inherit_the_servers_secrets(monkeypatch, pool_limits):
    monkeypatch.setenv("SECRET_KEY", "not-for-workers")
    check_answer(SYMBOLIC, None, "eta")
    for pid in isolation.worker_pids():
        environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert not [entry for entry in environment if entry.startswith(b"SECRET_KEY=")]
