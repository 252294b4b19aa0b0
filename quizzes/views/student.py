from django.shortcuts import render

from quizzes.models import Quiz


def quiz_list(request):
    return render(request, "quizzes/quiz_list.html", {"quizzes": Quiz.objects.filter(published=True)})
