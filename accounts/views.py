from django.contrib.auth import login
from django.shortcuts import redirect, render

from accounts.forms import SignUpForm
from accounts.services import user_create


def home(request):
    return render(request, "home.html")


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_create(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            email=form.cleaned_data.get("email", ""),
        )
        login(request, user)
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})
