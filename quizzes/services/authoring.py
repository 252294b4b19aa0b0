"""What the instructor authoring pages do, kept out of the views.

Parsing the kind-specific YAML, validating a whole item with the engine, saving it atomically,
refusing deletes that would orphan attempts, and the preview helpers (render a seed, list
several variants, check a typed answer). The engine (`quizzes.engine`) and the bank import/export
service (`quizzes.services.banks`) are separate components; they are imported lazily so these
pages fail with a clear message, not an ImportError, in a checkout that lacks one of them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, ProtectedError

from quizzes import events
from quizzes.bankio.validation import check_items
from quizzes.models import AttemptItem, Bank, Item, ItemKind, Topic

# Fields that have their own form inputs and model columns; everything else is the kind-specific spec.
COMMON_FIELDS = ("key", "kind", "title", "topics", "difficulty", "stem", "explanation", "hints")

# Kinds whose answer can depend on drawn template parameters.
TEMPLATED_KINDS = (ItemKind.CALCULATION, ItemKind.TABLE)


class ComponentUnavailable(RuntimeError):
    """A component these pages rely on (the engine, the bank service) is not in this checkout."""


class DeleteRefused(Exception):
    """Deleting would destroy students' recorded attempts."""


def _component(module_name: str, what: str):
    # find_spec tells "not there" apart from "there but broken": a bug inside the module
    # must still surface as its own traceback, not be disguised as a missing component.
    if importlib.util.find_spec(module_name) is None:
        raise ComponentUnavailable(f"{what} ({module_name}) is not available yet, so this page cannot work.")
    return importlib.import_module(module_name)


def engine():
    return _component("quizzes.engine", "The quiz engine")


def banks_service():
    return _component("quizzes.services.banks", "The bank import/export service")


# --- the kind-specific YAML ------------------------------------------------------------------


def parse_spec(text: str) -> tuple[dict, list[str]]:
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


def spec_as_yaml(spec: dict) -> str:
    if not spec:
        return ""
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


# --- saving and deleting items ---------------------------------------------------------------


def item_problems(data: dict, *, bank: Bank, item: Item | None = None) -> list[str]:
    """Everything wrong with `data` (an engine item dict) as an item of `bank`; [] when it can be saved.

    The checks are the ones a bank import runs (common fields, then the engine's), so an item saved
    here never fails a later export and re-import; then one variant is drawn and rendered, so a
    template that breaks only at draw time is caught before students meet it.
    """
    eng = engine()
    problems = [_describe(problem) for problem in check_items([data], engine=eng.validate_item)[0]]
    clashing = Item.objects.filter(bank=bank, key=data.get("key"))
    if item is not None:
        clashing = clashing.exclude(pk=item.pk)
    if clashing.exists():
        problems.append(f"key: another item in this bank already uses the key `{data.get('key')}`")
    if not problems:
        try:
            eng.render_item(data, eng.draw_variant(data, 1))
        except (ValueError, ArithmeticError) as exc:  # VariantError is a ValueError
            problems.append(f"drawing the variant for seed 1 failed: {exc}")
    return problems


def _describe(problem) -> str:
    return f"{problem.location.field}: {problem.message}" if problem.location.field else problem.message


def _topics_by_slug(slugs: list[str]) -> list[Topic]:
    topics = []
    for slug in slugs:
        topic, _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": slug.replace("-", " ").capitalize()}
        )
        topics.append(topic)
    return topics


@transaction.atomic
def item_save(*, bank: Bank, data: dict, item: Item | None = None) -> Item:
    """Create (item=None) or update an item from an engine dict that `item_problems` accepted."""
    if item is None:
        last = bank.items.order_by("-position").values_list("position", flat=True).first()
        item = Item(bank=bank, position=0 if last is None else last + 1)
    item.key = data["key"]
    item.kind = data["kind"]
    item.title = data.get("title", "")
    item.stem = data["stem"]
    item.explanation = data.get("explanation", "")
    item.hints = list(data.get("hints", []))
    item.difficulty = data.get("difficulty", 2)
    item.spec = {name: value for name, value in data.items() if name not in COMMON_FIELDS}
    created = item.pk is None
    item.save()
    item.topics.set(_topics_by_slug(list(data.get("topics", []))))
    events.send_on_commit(events.item_edited, item_id=item.pk, bank_id=item.bank_id, created=created)
    return item


def item_attempt_count(item: Item) -> int:
    return AttemptItem.objects.filter(item=item).count()


def bank_attempt_count(bank: Bank) -> int:
    return AttemptItem.objects.filter(item__bank=bank).count()


def item_delete(item: Item) -> None:
    used = item_attempt_count(item)
    if used:
        raise DeleteRefused(
            f"{used} recorded answer(s) by students refer to this item; deleting it would erase "
            "their graded work. Edit the item instead, or leave it out of quizzes."
        )
    try:
        item.delete()
    except ProtectedError as exc:  # an answer was recorded after the count above
        raise DeleteRefused("Students' recorded answers now refer to this item; it was not deleted.") from exc


def bank_delete(bank: Bank) -> None:
    used = bank_attempt_count(bank)
    if used:
        raise DeleteRefused(
            f"{used} recorded answer(s) by students refer to items of this bank; deleting the bank would "
            "erase their graded work."
        )
    try:
        bank.delete()
    except ProtectedError as exc:  # an answer was recorded after the count above
        raise DeleteRefused(
            "Students' recorded answers now refer to this bank's items; it was not deleted."
        ) from exc


# --- overviews -------------------------------------------------------------------------------


@dataclass
class BankRow:
    bank: Bank
    total: int
    kind_counts: list[tuple[str, int]]  # (kind label, count), only kinds present
    problem_count: int | None  # None: not validated since its last change


def bank_rows(banks) -> list[BankRow]:
    counts: dict[int, Counter] = {}
    latest: dict[int, Any] = {}
    per_kind = (
        Item.objects.filter(bank__in=banks)
        .values("bank_id", "kind")
        .annotate(n=Count("id"), last=Max("updated_at"))
    )
    for row in per_kind:
        counts.setdefault(row["bank_id"], Counter())[row["kind"]] = row["n"]
        latest[row["bank_id"]] = max(latest.get(row["bank_id"], row["last"]), row["last"])
    rows = []
    for bank in banks:
        kinds = counts.get(bank.pk, Counter())
        total = sum(kinds.values())
        rows.append(
            BankRow(
                bank=bank,
                total=total,
                kind_counts=[(label, kinds[value]) for value, label in ItemKind.choices if kinds[value]],
                problem_count=cache.get(
                    _validation_cache_key(bank, _fingerprint(total, latest.get(bank.pk)))
                ),
            )
        )
    return rows


# Validating a bank draws many variants (seconds for a large bank), so the list page only shows the
# outcome of the last validation, remembered until an item of the bank is added, changed or removed
# (which changes the fingerprint); the validate page computes it.
VALIDATION_CACHE_SECONDS = 24 * 3600


def _fingerprint(total: int, last_change) -> str:
    return f"{total}-{last_change.timestamp() if last_change else 0}"


def _validation_cache_key(bank: Bank, fingerprint: str) -> str:
    return f"authoring:bank-problems:{bank.pk}:{fingerprint}"


def bank_validate_and_remember(bank: Bank) -> list:
    """Validate the whole bank and remember the problem count for the bank list."""
    stats = Item.objects.filter(bank=bank).aggregate(n=Count("id"), last=Max("updated_at"))
    problems = banks_service().bank_validate(bank=bank)
    cache.set(
        _validation_cache_key(bank, _fingerprint(stats["n"], stats["last"])),
        len(problems),
        VALIDATION_CACHE_SECONDS,
    )
    return problems


# --- preview ---------------------------------------------------------------------------------


@dataclass
class Preview:
    seed: int
    variant: Any
    rendered: Any
    key: str  # Markdown: the correct answer for this seed
    explanation: str  # Markdown, placeholders filled


def _as_dict(value: Any) -> Any:
    return value.to_dict() if hasattr(value, "to_dict") else value


def answer_key(item: dict, variant, rendered) -> tuple[str, str]:
    """(correct answer, explanation) for this variant, as Markdown.

    The engine reports both on every well-formed check (an "invalid" response gets neither),
    so checking an arbitrary but well-formed response gives them without these pages knowing
    each kind's key format. An engine helper that returns the key directly is used if present.
    """
    eng = engine()
    result = eng.check_answer(item, variant, _wellformed_response(rendered))
    key = eng.answer_key(item, variant) if hasattr(eng, "answer_key") else result.correct_answer
    if not key:
        key = "_The engine reported no key for this variant._"
    return str(key), result.explanation


def _wellformed_response(rendered) -> Any:
    """Some response of the right shape for the rendered item; what it scores does not matter."""
    shown = _as_dict(rendered)
    widget = shown["input"]
    if widget == "choice":
        return shown["choices"][0]["id"] if shown["choices"] else ""
    if widget == "choices":
        return [choice["id"] for choice in shown["choices"][:1]]
    if widget == "truefalse":
        return "true"
    if widget == "ordering":
        return [step["id"] for step in shown["steps"]]
    if widget == "table":
        return {cell: "0" for row in (shown["table"] or {}).get("rows", []) for cell in row["cells"]}
    return "0"


def preview(item: dict, seed: int) -> Preview:
    eng = engine()
    variant = eng.draw_variant(item, seed)
    rendered = eng.render_item(item, variant)
    key, explanation = answer_key(item, variant, rendered)
    return Preview(seed=seed, variant=variant, rendered=rendered, key=key, explanation=explanation)


@dataclass
class VariantRow:
    seed: int
    params: dict
    values: dict  # computed values beyond the parameters (answer, extras)
    key: str
    misconceptions: list[tuple[str, Any]] = field(default_factory=list)  # (feedback, value)


def varies_by_seed(item: dict) -> bool:
    """Whether the item draws parameters, so several seeds are worth comparing side by side."""
    return item.get("kind") in TEMPLATED_KINDS and bool(item.get("params"))


def variant_rows(item: dict, seeds: list[int]) -> list[VariantRow]:
    """Several seeds' drawn parameters, computed answers and misconception values, for comparison."""
    eng = engine()
    rows = []
    for seed in seeds:
        variant = eng.draw_variant(item, seed)
        params = {name: readable_number(value) for name, value in variant.params.items()}
        computed = {
            name: readable_number(value) for name, value in variant.values.items() if name not in params
        }
        key, _ = answer_key(item, variant, eng.render_item(item, variant))
        rows.append(
            VariantRow(
                seed=seed,
                params=params,
                values=computed,
                key=key,
                misconceptions=[
                    (label, readable_number(value)) for label, value in _misconception_values(item, variant)
                ],
            )
        )
    return rows


def readable_number(value: Any) -> Any:
    # Floats straight from arithmetic (3.4000000000000004) would hide the pattern across seeds.
    return float(f"{value:.10g}") if isinstance(value, float) else value


def _misconception_values(item: dict, variant) -> list[tuple[str, Any]]:
    """(feedback, computed wrong answer) for each misconception the spec lists, for this variant."""
    listed = item.get("misconceptions") or []
    computed = list(getattr(variant, "misconception_answers", []))
    return [
        (str(entry.get("feedback", "")) if isinstance(entry, dict) else "", value)
        for entry, value in zip(listed, computed, strict=False)
    ]


def try_answer(item: dict, seed: int, response) -> Any:
    eng = engine()
    return eng.check_answer(item, eng.draw_variant(item, seed), response)


def expression_echo(item: dict, response) -> dict | None:
    """For symbolic items, how the engine read the typed expression ({"ok", "latex", "error"})."""
    if item.get("kind") != ItemKind.SYMBOLIC or not isinstance(response, str) or not response.strip():
        return None
    return engine().preview_expression(item, response)


def as_plain(value: Any) -> Any:
    """Engine objects as JSON-like data, for templates that show them field by field."""
    return _as_dict(value)


# --- export ----------------------------------------------------------------------------------

EXPORT_SUFFIXES = {"yaml": ".yaml", "moodle-xml": ".moodle.xml", "gift": ".gift.txt"}


def export_losses(bank: Bank) -> dict[str, list] | None:
    """For each foreign format, the items it cannot express (Skipped: name, type, reason).

    None when the bank service cannot say (it offers `bank_export_result` for this).
    """
    service = banks_service()
    if not hasattr(service, "bank_export_result"):
        return None
    return {fmt: service.bank_export_result(bank=bank, fmt=fmt).skipped for fmt in ("moodle-xml", "gift")}


def export_filename(bank: Bank, fmt: str) -> str:
    # The slug is already [a-z0-9-], so it is safe inside a Content-Disposition header as is.
    return f"{bank.slug}{EXPORT_SUFFIXES[fmt]}"
