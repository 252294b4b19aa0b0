from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("profile/leaderboard/", views.leaderboard_setting, name="leaderboard_setting"),
]
