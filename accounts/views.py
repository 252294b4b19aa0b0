from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render

import throttling
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


class LogInView(auth_views.LoginView):
    """Django's log-in, with failed log-ins counted per address (settings.RATELIMITS["login"]).

    Only failures count: a class behind one campus address logs in together, while someone trying
    many usernames from one address is stopped. django-axes separately pauses one username+address
    pair after a few failures.
    """

    def post(self, request, *args, **kwargs):
        throttled = throttling.check(request, "login", increment=False)
        if throttled is not None:
            return throttling.too_many_requests(request, throttled)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttling.check(self.request, "login")
        return super().form_invalid(form)
