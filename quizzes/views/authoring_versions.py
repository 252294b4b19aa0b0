"""An item's versions, and the explicit regrade of its attempts to one of them (preview, then apply)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import instructor_required
from quizzes.services.access import EDIT, bank_access, get_item_for_user
from quizzes.services.versions import item_version_current, item_versions, regrade_apply, regrade_preview


@instructor_required
@require_http_methods(["GET"])
def item_versions_view(request, slug: str, key: str):
    item = get_item_for_user(request.user, slug, key)
    current = item_version_current(item=item)  # an edit made in the admin gets its version here
    context = {
        "bank": item.bank,
        "item": item,
        "current": current,
        "versions": item_versions(item),
        "regrades": item.regrades.select_related("to_version", "performed_by")[:20],
        "access": bank_access(request.user, item.bank),
    }
    return render(request, "quizzes/author_item_versions.html", context)


@instructor_required
@require_http_methods(["GET", "POST"])
def item_regrade(request, slug: str, key: str, number: int):
    """GET: per attempt, the score now and after moving to version `number`. POST: do it, and log it."""
    item = get_item_for_user(request.user, slug, key, to=EDIT)
    version = get_object_or_404(item.versions, number=number)
    if request.method == "POST":
        regrade = regrade_apply(item=item, to_version=version, by=request.user)
        changed = sum(1 for change in regrade.changes if change["old_score"] != change["new_score"])
        messages.success(
            request,
            f"{len(regrade.changes)} attempt(s) moved to version {version.number}; {changed} score(s) changed.",
        )
        return redirect("quizzes:author_item_versions", slug=item.bank.slug, key=item.key)
    rows = regrade_preview(item=item, to_version=version)
    context = {"bank": item.bank, "item": item, "version": version, "rows": rows}
    return render(request, "quizzes/author_item_regrade.html", context)
