"""The kind-specific part of an item as the YAML text area of the authoring form, both ways."""

from __future__ import annotations

from typing import Any

import yaml

# COMMON_FIELDS have their own form inputs and model columns; everything else is the kind-specific spec.
from quizzes.bankio.validation import COMMON_FIELDS

__all__ = ["COMMON_FIELDS", "parse_spec", "spec_as_yaml"]


def parse_spec(text: str) -> tuple[dict[str, Any], list[str]]:
    """The YAML text area as a dict, plus every problem found (the dict is empty when there are any)."""
    if not text.strip():
        return {}, []
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return {}, [f"spec: the YAML could not be read{where}: {reason}"]
    if loaded is None:
        return {}, []
    if not isinstance(loaded, dict):
        return {}, [f"spec: expected a mapping of field names to values, got a {type(loaded).__name__}"]
    problems = [
        f"spec: `{name}` is a common field; set it in its own form field, not in the YAML"
        for name in loaded
        if name in COMMON_FIELDS
    ]
    problems += [
        f"spec: field names must be text, got {name!r}" for name in loaded if not isinstance(name, str)
    ]
    return ({} if problems else loaded), problems


def spec_as_yaml(spec: dict[str, Any]) -> str:
    if not spec:
        return ""
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
