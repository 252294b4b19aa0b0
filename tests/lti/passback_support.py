"""Driving score passback in tests the way production does: a grading worker's tick."""

from __future__ import annotations


def worker_tick() -> None:
    """What a grading worker does between jobs; then wait for the passback run it started."""
    from grading import events
    from lti.passback import runner

    events.send_now(events.worker_tick, worker_id="test-worker")
    runner.wait(timeout=60)
