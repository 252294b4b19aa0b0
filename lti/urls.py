from django.urls import path

from lti import views

app_name = "lti"

urlpatterns = [
    path("login/", views.oidc_login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("deep-link/<str:launch_id>/", views.deep_link, name="deep_link"),
    path("courses/<int:course_id>/", views.course_lms, name="course"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:tool_id>/", views.registrations, name="registration_edit"),
    path("service-tokens/", views.service_tokens, name="service_tokens"),
    path(
        "service-tokens/<int:token_id>/revoke/", views.service_token_revoke_view, name="service_token_revoke"
    ),
]
