from django.shortcuts import render

from accounts.roles import instructor_required
from quizzes.models import Bank, Quiz


def quiz_list(request):
    return render(request, "quizzes/quiz_list.html", {"quizzes": Quiz.objects.filter(published=True)})


@instructor_required
def author_banks(request):
    return render(request, "quizzes/author_banks.html", {"banks": Bank.objects.all()})
