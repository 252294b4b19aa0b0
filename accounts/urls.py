from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from throttling import throttle

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LogInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        throttle("password_change")(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
