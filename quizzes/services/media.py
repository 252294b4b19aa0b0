"""The images and files a bank's items show (`BankMedia`): stored by an import, read by an export,
and fetched for a viewer who may see an item showing them.

Texts refer to a file as `media:<sha256>/<name>` (`quizzes.bankio.media`); the digest names the
bytes, so the same picture imported twice into a bank is stored once.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from quizzes.bankio.media import MediaFile, item_refs
from quizzes.models import AttemptItem, Bank, BankMedia
from quizzes.permissions import VIEW, banks_for_user


def media_store(*, bank: Bank, files: dict[str, MediaFile]) -> int:
    """Store the files the bank does not hold yet (the caller holds the import's transaction); how many."""
    held = set(BankMedia.objects.filter(bank=bank, digest__in=list(files)).values_list("digest", flat=True))
    new = [
        BankMedia(
            bank=bank,
            digest=digest,
            name=media.name,
            content_type=media.content_type,
            size=len(media.data),
            data=media.data,
        )
        for digest, media in files.items()
        if digest not in held
    ]
    BankMedia.objects.bulk_create(new)
    return len(new)


def media_for_export(*, bank: Bank, items: list[dict]) -> dict[str, MediaFile]:
    """The bank's files that the items refer to, by digest (only those are read from the database)."""
    used = {digest for item in items for digest in item_refs(item)}
    if not used:
        return {}
    rows = BankMedia.objects.filter(bank=bank, digest__in=used)
    return {
        row.digest: MediaFile(name=row.name, content_type=row.content_type, data=bytes(row.data))
        for row in rows
    }


def get_media_for_user(user, digest: str) -> BankMedia:
    """The file with this digest if `user` may see an item showing it; 404 otherwise (never a 403).

    Instructors who may view a bank holding the file see it (as they see every item of the bank);
    a student sees it when an item drawn into one of their attempts shows it (the version they drew),
    and a quiz's owner when an item drawn into an attempt at their quiz does (the grading pages show it).
    """
    if not user.is_authenticated:
        raise Http404("No such file.")
    media = BankMedia.objects.filter(digest=digest, bank__in=banks_for_user(user, to=VIEW)).first()
    if media is not None:
        return media
    drawn = AttemptItem.objects.filter(
        Q(attempt__student=user) | Q(attempt__quiz__owner=user), item__bank__media__digest=digest
    )
    for attempt_item in drawn.select_related("version", "item").order_by("-pk")[:200]:
        if digest in item_refs(attempt_item.item_data()):
            media = BankMedia.objects.filter(bank_id=attempt_item.item.bank_id, digest=digest).first()
            if media is not None:
                return media
    raise Http404("No such file.")
