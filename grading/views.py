from django.shortcuts import render


def exercises(request):
    return render(request, "grading/exercises.html")
