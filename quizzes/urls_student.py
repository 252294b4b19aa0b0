from django.urls import path

from quizzes.views import media, student

# Quiz pages live under "quiz/<slug>/" so a quiz slug can never shadow "author/" or "attempts/".
urlpatterns = [
    path("", student.quiz_list, name="list"),
    path("quiz/<slug:slug>/", student.quiz_detail, name="detail"),
    path("quiz/<slug:slug>/start/", student.quiz_start, name="start"),
    path("attempts/<int:attempt_id>/", student.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/items/<int:position>/answer/", student.item_answer, name="answer"),
    path("attempts/<int:attempt_id>/items/<int:position>/draft/", student.item_draft, name="draft"),
    path(
        "attempts/<int:attempt_id>/items/<int:position>/preview/",
        student.preview_expression,
        name="preview_expression",
    ),
    path("attempts/<int:attempt_id>/finish/", student.attempt_finish_view, name="finish"),
    path("attempts/<int:attempt_id>/review/", student.attempt_review, name="review"),
    # Images and files items show (Moodle imports): the digest names the bytes, the name is for people.
    path("media/<str:digest>/<str:name>", media.media_file, name="media"),
]
