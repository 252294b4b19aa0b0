"""The harness's reports about a submission's own failures stay cheap whatever the submission did."""

import sys
import time

from grading.sandbox import harness

DEEP_SOURCE = """\
def descend(depth):
    if depth == 0:
        raise ValueError("bottom")
    return descend(depth - 1)
"""


def _deep_exception(depth: int) -> BaseException:
    namespace: dict = {}
    exec(compile(DEEP_SOURCE, harness.SUBMISSION_FILENAME, "exec"), namespace)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 1000)
    try:
        namespace["descend"](depth)
    except ValueError as exc:
        return exc
    finally:
        sys.setrecursionlimit(limit)
    raise AssertionError("the submission did not raise")


def test_an_error_deep_in_recursion_is_described_by_its_innermost_frames_quickly():
    exc = _deep_exception(300_000)
    started = time.process_time()
    described = harness.describe_exception(exc, DEEP_SOURCE)
    elapsed = time.process_time() - started
    assert described["type"] == "ValueError" and described["message"] == "bottom"
    assert [frame["line"] for frame in described["frames"]] == [4, 4, 4, 4, 3]
    assert described["frames"][-1]["code"] == 'raise ValueError("bottom")'
    assert elapsed < 0.5, f"describing the error took {elapsed:.2f} s of CPU"
