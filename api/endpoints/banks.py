"""Banks: the ones you may view, their items, export and (with edit rights) import."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Form, Query, Router, UploadedFile
from ninja.pagination import paginate

from api.endpoints.common import Pages, instructors_only
from api.errors import Rejected
from api.schemas import (
    BankFormat,
    BankOut,
    ErrorOut,
    ExportOut,
    ImportIn,
    ImportOut,
    ImportRefusedOut,
    ItemOut,
)
from quizzes.bankio import BankProblem, Skipped, format_for_filename
from quizzes.models import Bank, Item
from quizzes.services.access import EDIT, VIEW, banks_for_user, get_bank_for_user
from quizzes.services.bank_export import export_filename
from quizzes.services.banks import bank_export_result, bank_import
from quizzes.services.import_limits import import_limits

router = Router(tags=["banks"])


def _max_import_bytes() -> int:
    return import_limits().max_bytes  # the import page's limit (settings.BANK_IMPORT_MAX_BYTES)


def _skipped(skipped: list[Skipped]) -> list[dict]:
    return [
        {"name": s.name, "type": s.type, "reason": s.reason, "location": vars(s.location).copy()}
        for s in skipped
    ]


def _problems(problems: list[BankProblem]) -> list[dict]:
    return [{"message": p.message, "location": vars(p.location).copy(), "text": str(p)} for p in problems]


@router.get("/banks", response=list[BankOut])
@paginate(Pages)
def list_banks(request: HttpRequest) -> QuerySet[Bank]:
    """The banks you own or that are shared with you (any role); every bank for superusers."""
    instructors_only(request)
    return banks_for_user(request.user, to=VIEW).select_related("owner").order_by("slug")


@router.get("/banks/{slug}/items", response={200: list[ItemOut], 404: ErrorOut})
@paginate(Pages)
def list_bank_items(request: HttpRequest, slug: str) -> QuerySet[Item]:
    """A bank's items in their order (view rights)."""
    instructors_only(request)
    bank = get_bank_for_user(request.user, slug, to=VIEW)
    return Item.objects.filter(bank=bank).prefetch_related("topics").order_by("position", "id")


@router.get("/banks/{slug}/export", response={200: ExportOut, 404: ErrorOut})
def export_bank(request: HttpRequest, slug: str, format: Query[BankFormat] = "yaml") -> dict:
    """The bank as a file's text; `skipped` lists the items the format cannot express (view rights)."""
    instructors_only(request)
    bank = get_bank_for_user(request.user, slug, to=VIEW)
    result = bank_export_result(bank=bank, fmt=format)
    return {
        "bank": bank.slug,
        "format": format,
        "filename": export_filename(bank, format),
        "text": result.text,
        "skipped": _skipped(result.skipped),
        "notes": list(result.notes),
    }


def _editable_bank(request: HttpRequest, slug: str) -> Bank:
    instructors_only(request)
    return get_bank_for_user(request.user, slug, to=EDIT)


def _import(request: HttpRequest, bank: Bank, *, text: str, fmt: str, filename: str, replace: bool) -> dict:
    """The page's import into a bank the caller may edit: all or nothing, every problem located."""
    if len(text.encode("utf-8", errors="surrogatepass")) > _max_import_bytes():
        raise Rejected(
            f"The file is larger than {_max_import_bytes() / (1024 * 1024):g} MB.", problems=[], skipped=[]
        )
    editable = banks_for_user(request.user, to=EDIT)
    report = bank_import(
        text=text,
        fmt=fmt,
        filename=filename,
        bank_slug=bank.slug,
        owner=request.user,
        replace=replace,
        may_write=lambda target: editable.filter(pk=target.pk).exists(),
    )
    if not report.ok:
        raise Rejected(
            report.summary(), problems=_problems(report.problems), skipped=_skipped(report.skipped)
        )
    return {
        "bank": report.bank,
        "created": report.created,
        "updated": report.updated,
        "deleted": report.deleted,
        "kept": report.kept,
        "skipped": _skipped(report.skipped),
        "notes": report.notes,
        "summary": report.summary(),
    }


@router.post("/banks/{slug}/import", response={200: ImportOut, 400: ImportRefusedOut, 404: ErrorOut})
def import_into_bank(request: HttpRequest, slug: str, payload: ImportIn) -> dict:
    """Import a bank file's text (JSON body) into this bank (edit rights). All or nothing: with any
    problem, nothing is written and the answer (400) lists every problem with where it is."""
    bank = _editable_bank(request, slug)
    return _import(
        request,
        bank,
        text=payload.text,
        fmt=payload.format,
        filename=payload.filename,
        replace=payload.replace,
    )


@router.post("/banks/{slug}/import-file", response={200: ImportOut, 400: ImportRefusedOut, 404: ErrorOut})
def import_file_into_bank(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    format: Form[BankFormat | None] = None,
    replace: Form[bool] = True,
) -> dict:
    """The same import from an uploaded file (multipart `file`); the format comes from its name
    (.yaml, .xml, .gift) unless `format` is given."""
    bank = _editable_bank(request, slug)
    filename = file.name or ""
    fmt = format or format_for_filename(filename)
    if fmt is None:
        raise Rejected(
            f"Cannot tell the format of {filename!r} from its name: give format (yaml, moodle-xml or gift).",
            problems=[],
            skipped=[],
        )
    if file.size is not None and file.size > _max_import_bytes():
        raise Rejected(
            f"The file is larger than {_max_import_bytes() / (1024 * 1024):g} MB.", problems=[], skipped=[]
        )
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Rejected(
            f"The file is not UTF-8 text (byte {error.start} cannot be read).", problems=[], skipped=[]
        ) from None
    return _import(request, bank, text=text, fmt=fmt, filename=filename, replace=replace)
