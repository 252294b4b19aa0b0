"""optimlab's reference optimizers and problems, looked up by name for the calculators.

Shared by `calculators` and `table_calculators`; unknown names become `CalculatorError`s that
validation reports against the item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optimlab.optimizers import get_optimizer
from optimlab.problems import get_problem

# What a calculator that runs any optimlab optimizer takes as `**hyperparameters`, each optional:
# left out (or None) means optimlab's default. Validation and the calculator reference read the
# accepted names from here (`calculators.argument_names`).
HYPERPARAMETERS = ("lr", "beta", "beta1", "beta2", "eps", "weight_decay")


class CalculatorError(ValueError):
    """A calculator is unknown, got bad arguments, or produced a non-finite value."""


def check_hyperparameter_names(given: Mapping[str, object]) -> None:
    """Refuse a name outside HYPERPARAMETERS, as Python refuses an unknown keyword argument."""
    unknown = sorted(set(given) - set(HYPERPARAMETERS))
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {', '.join(unknown)}")


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
