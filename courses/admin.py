from django.contrib import admin

from courses.models import Assignment, Course, CourseShare, Enrollment


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "code", "created_at"]
    search_fields = ["name", "code", "owner__username"]


admin.site.register(CourseShare)


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["course", "student", "joined_at"]
    list_select_related = ["course", "student"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["course", "kind", "quiz", "exercise_slug", "opens_at", "due_at"]
    list_select_related = ["course", "quiz"]
