"""Stopping a computation that runs too long, inside an expression worker process.

A tiny module of its own so that the parser and the simplifier (symbolic.py) can ask whether they
run in a worker without importing the pool that starts the workers (isolation.py).
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

_IN_WORKER = False  # set by isolation.worker_main in the worker processes


def in_worker() -> bool:
    return _IN_WORKER


class OutOfTime(BaseException):
    """Raised by the alarm; a BaseException so SymPy's `except Exception` cannot swallow it."""


def call_with_time_limit(function: Callable[[Any], Any], argument: Any, seconds: float) -> Any:
    """function(argument), or None if it takes longer than `seconds` (worker processes only).

    The alarm interrupts pure-Python work between bytecodes; a long C call finishes first, and the
    parent's deadline and the CPU limit stay in force behind it.
    """
    armed = {"on": True}

    def on_alarm(signum: int, frame: Any) -> None:
        if armed["on"]:
            raise OutOfTime

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return function(argument)
        finally:
            armed["on"] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    except OutOfTime:
        return None
    finally:
        signal.signal(signal.SIGALRM, previous)


def mark_worker() -> None:
    """Called once at the start of a worker process."""
    global _IN_WORKER
    _IN_WORKER = True
