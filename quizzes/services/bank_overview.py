"""The authoring bank list: item counts per kind and the outcome of the last validation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max

from quizzes.models import Bank, Item, ItemKind
from quizzes.services.banks import bank_validate


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
    problems = bank_validate(bank=bank)
    cache.set(
        _validation_cache_key(bank, _fingerprint(stats["n"], stats["last"])),
        len(problems),
        VALIDATION_CACHE_SECONDS,
    )
    return problems
