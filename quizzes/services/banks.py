"""Import, export and re-validate question banks (the database side of `quizzes.bankio`).

Imports are all or nothing: the whole file is parsed and every item checked before anything is
written, and the writes happen in one transaction. A file with a single broken item changes nothing
and the report lists every problem with its location.

The import page first calls `bank_import_preview`, which runs the same checks and writes nothing: it
says per question what is kept exactly, what changes (with the file's line) and what is left out, and
which bank items a replacing import would delete; the instructor then confirms.

Re-importing a bank with `replace=True` deletes the items the file no longer has, except items that
students' attempts point at: those are kept (an attempt's history must stay readable, and the
database forbids deleting them), moved after the file's items, and named in `ImportReport.kept`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.db import DatabaseError, transaction

from quizzes.bankio import BankProblem, ExportResult, Location, Skipped, read_bank, write_bank
from quizzes.bankio.errors import ParsedBank, add_category
from quizzes.bankio.limits import estimated_questions
from quizzes.bankio.media import MediaFile
from quizzes.bankio.naming import slugify
from quizzes.bankio.validation import (
    COMMON_FIELDS,
    check_items,
    is_slug,
)
from quizzes.engine import check_answer, draw_variant, render_item, validate_item, variant_seed
from quizzes.engine.kinds import ItemKind
from quizzes.models import AttemptItem, Bank, Item, Topic
from quizzes.services.import_limits import import_limits
from quizzes.services.media import media_for_export, media_store
from quizzes.services.versions import item_version_current

# Told how far an import has got: (stage, done, total), e.g. ("Checking the questions", 120, 5000).
Progress = Callable[[str, int, int], None]
READING, CHECKING, COMPARING, SAVING = (
    "Reading the file",
    "Checking the questions",
    "Comparing with the bank",
    "Saving the questions",
)


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


# Draws per calculation item in `bank_validate`: enough to hit the corners of small parameter grids.
VALIDATION_SEEDS = 20
MAX_BANK_NAME_LENGTH = 200
MAX_BANK_SLUG_LENGTH = 80


@dataclass
class ImportReport:
    bank: str = ""  # the target bank's slug
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept: list[str] = field(default_factory=list)  # keys missing from the file but kept: attempts use them
    skipped: list[Skipped] = field(default_factory=list)  # foreign questions we cannot express
    problems: list[BankProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            return f"Nothing imported into '{self.bank or '?'}': {len(self.problems)} problem(s) found."
        text = f"Bank '{self.bank}': {self.created} created, {self.updated} updated, {self.deleted} deleted"
        if self.kept:
            text += f", {len(self.kept)} kept because attempts use them ({', '.join(self.kept)})"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        return text + "."


def bank_import(
    *,
    text: str,
    fmt: str,
    filename: str = "",
    bank_slug: str | None = None,
    owner=None,
    replace: bool = True,
    may_write=None,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Parse, check and (only when nothing is wrong) store a bank file. Never raises on bad input.

    `may_write(bank)`, when given, says whether the importing user may write into an existing bank;
    a file that targets a bank they may not edit is refused with a problem, and nothing is written.
    `progress` hears each stage and each question checked and saved (`services.import_jobs`).
    """
    report, parsed, name = _checked(
        text=text, fmt=fmt, filename=filename, bank_slug=bank_slug, may_write=may_write, progress=progress
    )
    if report.problems:
        return report
    slug, where = report.bank, Location(file=filename)
    try:
        with transaction.atomic():
            _write_bank(
                parsed.items,
                categories=parsed.categories,
                media=parsed.media,
                slug=slug,
                metadata=(name, parsed.description) if fmt == "yaml" else None,
                fallback_name=name or slug,
                owner=owner,
                replace=replace,
                report=report,
                may_write=may_write,
                progress=progress,
            )
    except _ImportRefused as refusal:
        report.problems.append(BankProblem(where, str(refusal)))
    except DatabaseError as error:
        report.created = report.updated = report.deleted = 0
        report.kept = []
        report.problems.append(
            BankProblem(where, f"the database refused the import, nothing was saved: {error}")
        )
    return report


def _checked(
    *, text: str, fmt: str, filename: str, bank_slug: str | None, may_write, progress: Progress = _no_progress
) -> tuple[ImportReport, ParsedBank, str]:
    """Everything an import checks before it writes: the report (with every problem), the parsed
    file and the bank name it gives. Nothing is written."""
    report = ImportReport()
    limits = import_limits()
    progress(READING, 0, 0)
    total = estimated_questions(text, fmt, cap=limits.max_questions + 1)
    parsed = read_bank(text, fmt, filename=filename, limits=limits, engine=_counting(progress, total))
    report.skipped, report.notes, report.problems = (
        list(parsed.skipped),
        list(parsed.notes),
        list(parsed.problems),
    )

    slug = bank_slug or parsed.slug or slugify(PurePath(filename).stem if filename else "", fallback="")
    report.bank = slug
    where = Location(file=filename)
    if not slug:
        report.problems.append(BankProblem(where, "the file names no bank: give the target bank's slug"))
    elif not is_slug(slug, MAX_BANK_SLUG_LENGTH):
        report.problems.append(BankProblem(where, f"the target bank slug {slug!r} is not a valid slug"))
    elif may_write is not None:
        existing = Bank.objects.filter(slug=slug).first()
        if existing is not None and not may_write(existing):
            report.problems.append(BankProblem(where, _taken(slug)))
    name = (parsed.name or "").strip()
    if len(name) > MAX_BANK_NAME_LENGTH:
        report.problems.append(
            BankProblem(where, f"the bank name is longer than {MAX_BANK_NAME_LENGTH} characters")
        )
    if not parsed.items and (parsed.skipped or fmt != "yaml") and not report.problems:
        # Replacing a bank with nothing because every question was unsupported would wipe it.
        report.problems.append(BankProblem(where, "the file holds no question that can be imported"))
    return report, parsed, name


def _counting(progress: Progress, total: int) -> Callable[[Any], list[str]]:
    """The engine's validation, telling `progress` of each question it checks, out of `total` (the
    raw text's estimate; the parser hands the questions over only once it has read the whole file)."""
    checked = 0

    def validate(item: Any) -> list[str]:
        nonlocal checked
        checked += 1
        progress(CHECKING, checked, max(total, checked))
        return validate_item(item)

    return validate


def _taken(slug: str) -> str:
    # Bank slugs are unique site-wide, so the slug is taken; say no more than that.
    return f"the bank slug {slug!r} is taken: import into one of your banks or rename it"


@dataclass
class QuestionChanges:
    """One question an import would store differently from how the file writes it."""

    where: str  # file:line
    title: str
    changes: list[str]


@dataclass
class ImportPreview:
    """What an import would do, shown before the instructor confirms it."""

    bank: str
    total: int  # questions in the file, including those left out
    exact: list[str]  # titles of the questions stored exactly as written
    changed: list[QuestionChanges]
    left_out: list[Skipped]  # questions of a type Descent cannot hold: listed, not imported
    notes: list[str]  # what was noted about the file as a whole
    removed: list[str] = field(default_factory=list)  # keys of bank items a replacing import deletes

    @property
    def imported(self) -> int:
        return len(self.exact) + len(self.changed)

    def summary(self) -> str:
        text = f"{self.total} question{'s' if self.total != 1 else ''}: {len(self.exact)} exactly as written"
        if self.changed:
            text += f", {len(self.changed)} with the changes listed below"
        if self.left_out:
            text += f", {len(self.left_out)} left out (listed below)"
        return text + "."


def bank_import_preview(
    *,
    text: str,
    fmt: str,
    filename: str = "",
    bank_slug: str | None = None,
    may_write=None,
    replace: bool = True,
    progress: Progress = _no_progress,
) -> tuple[ImportReport, ImportPreview | None]:
    """The import's checks and, when the file passes them, what it would store. Nothing is written.

    A report with problems means the file is refused whole (the preview is None); otherwise the preview
    lists per question what the import changes, and the questions it leaves out.
    """
    report, parsed, _name = _checked(
        text=text, fmt=fmt, filename=filename, bank_slug=bank_slug, may_write=may_write, progress=progress
    )
    if report.problems:
        return report, None
    progress(COMPARING, 0, 0)
    by_line: dict[int | None, list[str]] = {}
    for line, message, _index in parsed.question_notes:
        by_line.setdefault(line, []).append(message)
    exact, changed = [], []
    for index, item in enumerate(parsed.items):
        line = parsed.item_lines.get(index, {}).get("")
        title = item.get("title") or item["key"]
        if line is not None and by_line.get(line):
            changed.append(QuestionChanges(f"{filename or 'line'}:{line}", title, by_line[line]))
        else:
            exact.append(title)
    # Notes about one question are listed with it (a left-out question's with its reason).
    per_question = {index for _line, _message, index in parsed.question_notes}
    general = [note for index, note in enumerate(parsed.notes) if index not in per_question]
    preview = ImportPreview(
        bank=report.bank,
        total=len(parsed.items) + len(parsed.skipped),
        exact=exact,
        changed=changed,
        left_out=list(parsed.skipped),
        notes=general,
    )
    if replace:
        file_keys = {item["key"] for item in parsed.items}
        existing = Item.objects.filter(bank__slug=report.bank).order_by("position", "id")
        preview.removed = [key for key in existing.values_list("key", flat=True) if key not in file_keys]
    return report, preview


class _ImportRefused(Exception):
    """The import may not write where it would; nothing is written."""


def _write_bank(
    items: list[dict],
    *,
    categories: list[dict] | None = None,
    media: dict[str, MediaFile] | None = None,
    slug: str,
    metadata: tuple[str, str] | None,
    fallback_name: str,
    owner,
    replace: bool,
    report: ImportReport,
    may_write=None,
    progress: Progress = _no_progress,
) -> None:
    """The writes of one import; the caller holds the transaction. `metadata` is (name, description).

    Only our own YAML format carries a bank's name and description, so only it updates them on an
    existing bank; a Moodle or GIFT file names a bank only when it creates one (from its category).
    """
    bank = Bank.objects.select_for_update().filter(slug=slug).first()
    if bank is not None and may_write is not None and not may_write(bank):
        raise _ImportRefused(_taken(slug))
    if bank is None:
        name, description = metadata or (fallback_name, "")
        bank = Bank.objects.create(slug=slug, name=name or slug, description=description, owner=owner)
    elif metadata is not None:
        bank.name, bank.description = metadata
        bank.save(update_fields=["name", "description", "updated_at"])
    if categories is not None:
        # The file's categories replace the bank's (or, when the bank keeps what the file lacks, are added).
        merged: list[dict] = [] if replace else [dict(category) for category in bank.categories or []]
        for category in categories:
            add_category(merged, category["path"], category.get("description", ""))
        if merged != bank.categories:
            bank.categories = merged
            bank.save(update_fields=["categories", "updated_at"])

    if media:
        media_store(bank=bank, files=media)  # before the items that show them, in the same transaction
    topics = _topics_by_slug({slug for item in items for slug in item.get("topics", [])})
    existing = {item.key: item for item in bank.items.all()}
    file_keys = {item["key"] for item in items}

    leftovers = [item for key, item in existing.items() if key not in file_keys]
    if replace and leftovers:
        in_use = set(
            AttemptItem.objects.filter(item__in=leftovers).values_list("item_id", flat=True).distinct()
        )
        doomed = [item for item in leftovers if item.pk not in in_use]
        leftovers = [item for item in leftovers if item.pk in in_use]
        Item.objects.filter(pk__in=[item.pk for item in doomed]).delete()
        report.deleted = len(doomed)
        report.kept = sorted(item.key for item in leftovers)

    # Order: with replace, the file's items first and kept ones after; without, the items the file
    # does not mention stay ahead in their old order and the file's items follow in its order.
    leftovers.sort(key=lambda item: (item.position, item.pk))
    offset = 0 if replace else len(leftovers)
    for position, data in enumerate(items, start=offset):
        progress(SAVING, position - offset, len(items))
        item = existing.get(data["key"]) or Item(bank=bank, key=data["key"])
        report.updated += item.pk is not None
        report.created += item.pk is None
        item.kind = data["kind"]
        item.title = data.get("title", "")
        item.stem = data["stem"]
        item.explanation = data["explanation"]
        item.hints = list(data.get("hints", []))
        item.difficulty = data.get("difficulty", 2)
        item.spec = {name: value for name, value in data.items() if name not in COMMON_FIELDS}
        item.position = position
        item.save()
        item.topics.set([topics[topic] for topic in data.get("topics", [])])
        item_version_current(item=item, author=owner)
    progress(SAVING, len(items), len(items))
    for position, item in enumerate(leftovers, start=len(items) if replace else 0):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position", "updated_at"])


def _topics_by_slug(slugs: set[str]) -> dict[str, Topic]:
    """Existing topics plus new ones for unknown slugs (the format says unknown slugs are created)."""
    topics = {topic.slug: topic for topic in Topic.objects.filter(slug__in=slugs)}
    for slug in sorted(slugs - topics.keys()):
        topics[slug] = Topic.objects.create(slug=slug, name=slug.replace("-", " ").capitalize())
    return topics


def _item_dicts(bank: Bank) -> list[dict]:
    return [item.to_dict() for item in bank.items.prefetch_related("topics").order_by("position", "id")]


def bank_export_result(*, bank: Bank, fmt: str) -> ExportResult:
    """The bank as `fmt`, with the items that format could not express listed in `.skipped`."""
    items = _item_dicts(bank)
    return write_bank(
        fmt=fmt,
        slug=bank.slug,
        name=bank.name,
        description=bank.description,
        items=items,
        categories=list(bank.categories or []),
        # GIFT carries no files: only which items show some, which the items themselves say.
        media=media_for_export(bank=bank, items=items) if fmt != "gift" else {},
    )


def bank_export(*, bank: Bank, fmt: str) -> str:
    """The bank as text in `fmt` ("yaml", "moodle-xml" or "gift"). Unknown fmt -> ValueError."""
    return bank_export_result(bank=bank, fmt=fmt).text


def bank_validate(*, bank: Bank) -> list[BankProblem]:
    """Re-check every stored item as an import would, then exercise each calculation template.

    For calculation items, several variants are drawn; each must render and must accept its own
    computed answer as correct (catching templates whose answer is NaN, infinite or mis-keyed).
    """
    items = _item_dicts(bank)
    problems, _notes = check_items(items, file=bank.slug)
    broken = {problem.location.item_index for problem in problems}
    for index, item in enumerate(items):
        if item["kind"] == ItemKind.CALCULATION and index not in broken:
            problems += calculation_variant_problems(item, bank_slug=bank.slug, index=index)
    return problems


def calculation_variant_problems(
    item: dict, *, bank_slug: str, index: int | None = None
) -> list[BankProblem]:
    """Draw VALIDATION_SEEDS variants of a calculation item; the first one that fails is reported."""

    location = Location(file=bank_slug, item_index=index, item_key=item["key"], field="answer")
    for student_id in range(1, VALIDATION_SEEDS + 1):
        seed = variant_seed(student_id, f"{bank_slug}/{item['key']}", 1)
        try:
            variant = draw_variant(item, seed)
            render_item(item, variant)
            answer = variant.values["answer"]
            result = check_answer(item, variant, repr(float(answer)))
        except Exception as error:  # any failure here is a broken template, reported rather than raised
            return [BankProblem(location, f"variant with seed {seed} fails: {type(error).__name__}: {error}")]
        if result.status != "correct":
            return [
                BankProblem(
                    location,
                    f"variant with seed {seed} ({variant.params}) does not accept its own answer {answer!r}:"
                    f" {result.status}",
                )
            ]
    return []
