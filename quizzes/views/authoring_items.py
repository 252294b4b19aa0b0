"""Instructor pages for one item: create, edit, delete, and preview with seeds and a try-it form."""

import json
from typing import Any

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render

from accounts.roles import instructor_required
from quizzes.forms.item_editor import Editor, blank_editor, place_problems, posted_editor, stored_editor
from quizzes.forms_authoring import KIND_EXAMPLES, SeedForm, try_it_response
from quizzes.models import Bank, Item, ItemKind
from quizzes.services.access import EDIT, bank_access, get_bank_for_user, get_item_for_user
from quizzes.services.item_preview import (
    as_plain,
    expression_echo,
    preview,
    readable_number,
    try_answer,
    variant_rows,
    varies_by_seed,
)
from quizzes.services.item_store import (
    DeleteRefused,
    item_attempt_count,
    item_delete,
    item_problems,
    item_save,
)
from quizzes.services.versions import item_version_current

VARIANT_PANEL_SEEDS = 8


def _item_form_page(request, *, bank: Bank, item: Item | None, editor: Editor, preview_context=None):
    context = {
        "bank": bank,
        "item": item,
        "editor": editor,
        "form": editor.form,
        "problems": editor.problems,
        "examples": KIND_EXAMPLES,
        "kinds": ItemKind.choices,
        "preview_seed": preview_context.get("seed", 1) if preview_context else _preview_seed(request),
        **(preview_context or {}),
    }
    if request.method == "POST" and request.POST.get("fragment"):
        # The live preview asks for the preview part alone (static/js/authoring.js).
        return render(request, "quizzes/author_item_form_preview.html", context)
    return render(request, "quizzes/author_item_form.html", context, status=400 if editor.problems else 200)


def _preview_seed(request) -> int:
    form = SeedForm(
        {"seed": request.POST.get("preview_seed", 1)} if request.method == "POST" else {"seed": 1}
    )
    return form.cleaned_data["seed"] if form.is_valid() else 1


def _save_from_form(request, *, bank: Bank, item: Item | None):
    """Shared POST handling: form errors and engine problems both re-show the form, nothing saved.

    Preview and the other buttons that are not "save" re-show the form too, saving nothing.
    """
    editor, action = posted_editor(request.POST)
    if editor.item is None or action not in {"save", "preview"}:
        return _item_form_page(request, bank=bank, item=item, editor=editor)
    data = editor.item
    problems = item_problems(data, bank=bank, item=item)
    if problems:
        place_problems(editor, problems)
        return _item_form_page(request, bank=bank, item=item, editor=editor)
    if action == "preview":
        seed = _preview_seed(request)
        try:
            preview_context = {"seed": seed, "previewed": True, **_preview_context(data, seed)}
        except (ValueError, ArithmeticError) as exc:  # a seed other than the one validation drew
            preview_context = {"seed": seed, "previewed": True, "broken": str(exc)}
        return _item_form_page(request, bank=bank, item=item, editor=editor, preview_context=preview_context)
    try:
        saved = item_save(bank=bank, data=data, item=item)
    except IntegrityError:
        # Another save took the key between the check and the write; the transaction rolled back.
        problem = f"key: another item in this bank already uses the key `{data['key']}`"
        place_problems(editor, [problem])
        return _item_form_page(request, bank=bank, item=item, editor=editor)
    # A changed item gets a new version; attempts already running keep the one they drew.
    item_version_current(item=saved, author=request.user)
    messages.success(request, f"Item “{saved.key}” saved.")
    return redirect("quizzes:author_item_preview", slug=bank.slug, key=saved.key)


@instructor_required
def item_create(request, slug: str):
    bank = get_bank_for_user(request.user, slug, to=EDIT)
    if request.method == "POST":
        return _save_from_form(request, bank=bank, item=None)
    kind = request.GET.get("kind", ItemKind.CALCULATION)
    if kind not in ItemKind.values:
        kind = ItemKind.CALCULATION
    editor = blank_editor(kind, mode=request.GET.get("mode"))
    return _item_form_page(request, bank=bank, item=None, editor=editor)


@instructor_required
def item_edit(request, slug: str, key: str):
    item = get_item_for_user(request.user, slug, key, to=EDIT)
    if request.method == "POST":
        return _save_from_form(request, bank=item.bank, item=item)
    editor = stored_editor(item.to_dict(), mode=request.GET.get("mode"))
    return _item_form_page(request, bank=item.bank, item=item, editor=editor)


@instructor_required
def item_delete_view(request, slug: str, key: str):
    item = get_item_for_user(request.user, slug, key, to=EDIT)
    if request.method == "POST":
        try:
            item_delete(item)
        except DeleteRefused as exc:
            messages.error(request, str(exc))
            return redirect("quizzes:author_item_preview", slug=slug, key=key)
        messages.success(request, f"Item “{key}” deleted.")
        return redirect("quizzes:author_bank", slug=slug)
    context = {"bank": item.bank, "item": item, "attempt_count": item_attempt_count(item)}
    return render(request, "quizzes/author_item_delete.html", context)


@instructor_required
def item_preview(request, slug: str, key: str):
    """The item as a student sees it for one seed, the key for that seed, and a try-it form.

    GET ?seed=N picks the seed; POST checks the typed answer against that same seed.
    """
    item = get_item_for_user(request.user, slug, key)
    data = item.to_dict()
    seed_form = SeedForm(request.POST if request.method == "POST" else (request.GET or {"seed": 1}))
    seed = seed_form.cleaned_data["seed"] if seed_form.is_valid() else 1
    context: dict[str, Any] = {
        "bank": item.bank,
        "item": item,
        "seed_form": seed_form,
        "seed": seed,
        "access": bank_access(request.user, item.bank),
    }
    try:
        context |= _preview_context(data, seed)
        if request.method == "POST" and seed_form.is_valid():
            context |= _try_it_context(
                data, seed, try_it_response(item.kind, request.POST), context["rendered"]
            )
    except (ValueError, ArithmeticError) as exc:  # VariantError is a ValueError
        # An item stored before a validation rule existed (or imported around it) can still break;
        # the author needs to see why, and the edit link, not a server error.
        context["broken"] = str(exc)
    return render(request, "quizzes/author_item_preview.html", context)


def _preview_context(data: dict, seed: int) -> dict:
    shown = preview(data, seed)
    rendered = as_plain(shown.rendered)
    return {
        "preview": shown,
        "rendered": rendered,
        "variant": as_plain(shown.variant),
        "ordering_steps": rendered.get("steps", []),
        "table_rows": _table_rows(rendered.get("table"), None),
        "variants": variant_rows(data, list(range(seed, seed + VARIANT_PANEL_SEEDS)))
        if varies_by_seed(data)
        else None,
    }


def _try_it_context(data: dict, seed: int, response, rendered: dict) -> dict:
    """The full CheckResult for the try-it response, and the inputs refilled with what was typed."""
    result = as_plain(try_answer(data, seed, response))
    details = result.get("details") or {}
    return {
        "result": result,
        "response": response,
        "response_shown": json.dumps(response),
        "cell_results": _cell_results(result),
        "echo": expression_echo(data, response),
        "details_json": json.dumps(details, indent=2, default=str) if details else "",
        "ordering_steps": _steps_in_response_order(rendered.get("steps", []), response),
        "table_rows": _table_rows(rendered.get("table"), response),
    }


def _steps_in_response_order(steps: list[dict], response) -> list[dict]:
    """Ordering steps as shown, or after a try-it, in the order the author just gave them."""
    if not isinstance(response, list):
        return steps
    rank = {step_id: position for position, step_id in enumerate(response)}
    return sorted(steps, key=lambda step: rank.get(step["id"], len(rank)))


def _table_rows(table: dict | None, response) -> list[dict]:
    """Table cells with what was typed into each on the last try-it, for refilling the inputs."""
    typed = response if isinstance(response, dict) else {}
    return [
        {
            "step": row["step"],
            "cells": [{"name": name, "typed": typed.get(name, "")} for name in row["cells"]],
        }
        for row in (table or {}).get("rows", [])
    ]


def _cell_results(result: dict | None) -> list[dict]:
    """Per-cell verdicts of a table check, in the table's order, when the engine reports them."""
    details = (result or {}).get("details") or {}
    cells = details.get("cells")
    if not isinstance(cells, dict):
        return []
    order = details.get("order") or list(cells)
    rows = []
    for name in order:
        cell = cells.get(name)
        if isinstance(cell, dict):
            shown = {field: readable_number(cell.get(field)) for field in ("expected", "given")}
            rows.append({"name": name, **cell, **shown})
    return rows
