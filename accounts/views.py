from django.contrib.auth import login
from django.shortcuts import redirect, render

from accounts.forms import SignUpForm
from accounts.services import user_create
from throttling import throttle


def home(request):
    return render(request, "home.html")


@throttle("signup")
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
        # The account was just created here, so no lockout applies: log in with the model backend.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})
