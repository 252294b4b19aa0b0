"""optimlab's reference optimizers and problems, looked up by name for the calculators.

Shared by `calculators` and `table_calculators`; unknown names become `CalculatorError`s that
validation reports against the item.
"""

from __future__ import annotations

from typing import Any

from optimlab.optimizers import get_optimizer
from optimlab.problems import get_problem


class CalculatorError(ValueError):
    """A calculator is unknown, got bad arguments, or produced a non-finite value."""


def load_optimizer(name: str) -> Any:
    try:
        return get_optimizer(str(name))
    except ValueError as error:
        raise CalculatorError(str(error)) from error


def load_problem(name: str) -> Any:
    try:
        return get_problem(str(name))
    except ValueError as error:
        raise CalculatorError(str(error)) from error
