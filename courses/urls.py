from django.urls import include, path

from courses import views

app_name = "courses"

# Pages of one course: /courses/<course_id>/...
course_patterns = [
    path("", views.course_detail, name="detail"),
    path("code/", views.course_code_regenerate, name="regenerate_code"),
    path("students/<int:student_id>/remove/", views.student_remove, name="remove_student"),
    path("assignments/new/", views.assignment_new, name="assignment_new"),
    path("assignments/<int:assignment_id>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:assignment_id>/delete/", views.assignment_remove, name="assignment_delete"),
    path(
        "assignments/<int:assignment_id>/statistics/",
        views.assignment_statistics,
        name="assignment_statistics",
    ),
    path("sharing/", views.course_sharing, name="sharing"),
    path("gradebook/", views.gradebook, name="gradebook"),
    path("gradebook.csv", views.gradebook_download, name="gradebook_csv"),
    path("grading/", views.grading_queue, name="grading"),
    path("grading/<int:attempt_item_id>/", views.grade, name="grade"),
    path("gradebook/changes/", views.grade_changes, name="grade_changes"),
    path(
        "gradebook/students/<int:student_id>/assignments/<int:assignment_id>/",
        views.grade_cell,
        name="grade_cell",
    ),
    path("attempts/<int:attempt_id>/", views.student_attempt, name="student_attempt"),
    path("grades/", views.my_grades, name="my_grades"),
    path("challenge/", views.challenge_board, name="challenge"),
    path("challenge/enable/", views.challenge_enable, name="challenge_enable"),
]

urlpatterns = [
    path("", views.course_list, name="list"),
    path("new/", views.course_new, name="new"),
    path("join/", views.course_join, name="join"),
    path("<int:course_id>/", include(course_patterns)),
]
