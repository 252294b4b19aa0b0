"""One authoring form per item kind: `form_for(kind)`.

Each module here that defines `FORM` (a `KindForm` subclass with its `kind`) is picked up by
`FORMS`; adding a kind's form is adding one module. A kind with no module here is authored in
YAML only. See docs/authoring.md.
"""

from __future__ import annotations

import importlib
import pkgutil

from quizzes.forms.kinds.base import KindForm


def _discover() -> dict[str, type[KindForm]]:
    found: dict[str, type[KindForm]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        form = getattr(module, "FORM", None)
        if form is not None:
            found[form.kind] = form
    return found


FORMS: dict[str, type[KindForm]] = _discover()


def form_for(kind: str) -> type[KindForm] | None:
    """The kind's form class, or None when the kind is authored in YAML only."""
    return FORMS.get(kind)


__all__ = ["FORMS", "KindForm", "form_for"]
