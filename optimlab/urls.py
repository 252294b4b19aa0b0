from django.urls import path

from optimlab import views

app_name = "optimlab"

urlpatterns = [
    path("", views.playground, name="playground"),
]
