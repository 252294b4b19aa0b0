"""The bank owner's sharing page: who else may edit (co-authors) or view the bank.

The page itself (`accounts.sharing_page.sharing_page`) also serves courses and exercises: they
differ only in what is shared.
"""

from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from accounts.roles import instructor_required
from accounts.sharing_page import sharing_page
from quizzes.services.access import OWN, get_bank_for_user
from quizzes.services.sharing import bank_share_remove, bank_share_set

__all__ = ["bank_sharing", "sharing_page"]


@instructor_required
@require_http_methods(["GET", "POST"])
def bank_sharing(request, slug: str):
    bank = get_bank_for_user(request.user, slug, to=OWN)
    back = redirect("quizzes:author_bank_sharing", slug=bank.slug)
    template = "quizzes/author_bank_sharing.html"
    return sharing_page(request, {"bank": bank}, bank_share_set, bank_share_remove, back, template)
