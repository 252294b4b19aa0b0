from django.contrib import admin

from progress.models import Activity, Award, ConceptMastery, StudentProgress


@admin.register(StudentProgress)
class StudentProgressAdmin(admin.ModelAdmin):
    list_display = ("student", "xp", "streak_weeks", "longest_streak", "leaderboard_opt_in")
    search_fields = ("student__username",)


@admin.register(ConceptMastery)
class ConceptMasteryAdmin(admin.ModelAdmin):
    list_display = ("student", "concept", "level", "evidence_count", "updated_at")
    list_filter = ("concept", "level")
    search_fields = ("student__username",)


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ("student", "slug", "earned_at", "notified")
    list_filter = ("slug",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("student", "kind", "title", "score", "xp", "at")
    list_filter = ("kind",)
