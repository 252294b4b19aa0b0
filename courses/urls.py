from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.course_list, name="list"),
    path("new/", views.course_new, name="new"),
    path("join/", views.course_join, name="join"),
    path("<int:course_id>/", views.course_detail, name="detail"),
    path("<int:course_id>/code/", views.course_code_regenerate, name="regenerate_code"),
    path("<int:course_id>/students/<int:student_id>/remove/", views.student_remove, name="remove_student"),
    path("<int:course_id>/assignments/new/", views.assignment_new, name="assignment_new"),
    path(
        "<int:course_id>/assignments/<int:assignment_id>/edit/", views.assignment_edit, name="assignment_edit"
    ),
    path(
        "<int:course_id>/assignments/<int:assignment_id>/delete/",
        views.assignment_remove,
        name="assignment_delete",
    ),
    path(
        "<int:course_id>/assignments/<int:assignment_id>/statistics/",
        views.assignment_statistics,
        name="assignment_statistics",
    ),
    path("<int:course_id>/sharing/", views.course_sharing, name="sharing"),
    path("<int:course_id>/gradebook/", views.gradebook, name="gradebook"),
    path("<int:course_id>/gradebook.csv", views.gradebook_download, name="gradebook_csv"),
    path("<int:course_id>/grading/", views.grading_queue, name="grading"),
    path("<int:course_id>/grading/<int:attempt_item_id>/", views.grade, name="grade"),
    path("<int:course_id>/gradebook/changes/", views.grade_changes, name="grade_changes"),
    path(
        "<int:course_id>/gradebook/students/<int:student_id>/assignments/<int:assignment_id>/",
        views.grade_cell,
        name="grade_cell",
    ),
    path("<int:course_id>/attempts/<int:attempt_id>/", views.student_attempt, name="student_attempt"),
    path("<int:course_id>/grades/", views.my_grades, name="my_grades"),
    path("<int:course_id>/challenge/", views.challenge_board, name="challenge"),
    path("<int:course_id>/challenge/enable/", views.challenge_enable, name="challenge_enable"),
]
