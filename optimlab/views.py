from django.shortcuts import render


def playground(request):
    return render(request, "optimlab/playground.html")
