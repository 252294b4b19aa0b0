from django.shortcuts import render

from accounts.roles import instructor_required
from quizzes.models import Bank


@instructor_required
def author_banks(request):
    return render(request, "quizzes/author_banks.html", {"banks": Bank.objects.all()})
