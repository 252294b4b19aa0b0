"""The value sets of a template's parameters: what a Moodle dataset lists, and what an import checks."""

import itertools
import math
from typing import Any

from quizzes.engine.numbers import yaml_number
from quizzes.engine.templates import grid_size, grid_value, paired_rows

# Moodle lets a question have at most 100 dataset items.
MAX_DATASET_ITEMS = 100


def value_sets(params: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Every value set the parameters can take, or None when there are more than MAX_DATASET_ITEMS."""
    rows = paired_rows(params) or [{}]
    others = [name for name in sorted(params) if not params[name].get("paired")]
    sizes = [
        len(params[name]["choices"]) if "choices" in params[name] else grid_size(params[name])
        for name in others
    ]
    if len(rows) * math.prod(sizes) > MAX_DATASET_ITEMS:
        return None
    choices = [values_of(params[name]) for name in others]
    return [
        {**row, **dict(zip(others, combo, strict=True))}
        for row in rows
        for combo in itertools.product(*choices)
    ]


def values_of(spec: dict[str, Any]) -> list[Any]:
    if "choices" in spec:
        return [yaml_number(choice) for choice in spec["choices"]]
    return [grid_value(spec, index) for index in range(grid_size(spec))]
