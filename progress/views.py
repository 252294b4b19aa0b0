"""The student's own progress pages. Every view reads `request.user` only: there is no URL that
names another student, so nobody can see anyone else's progress (the leaderboard shows opted-in
names and XP, nothing more)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from progress import pages
from progress.mastery import RULE_SUMMARY, Level


@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request):
    student = request.user
    progress = pages.progress_for(student)
    rows = pages.concept_rows(student)
    return render(
        request,
        "progress/dashboard.html",
        {
            "rows": rows,
            "levels": list(Level),
            "rule_summary": RULE_SUMMARY,
            "activity": pages.recent_activity(student),
            # The chart holds only numbers and dates produced by our own code (see progress.chart).
            "chart_svg": mark_safe(pages.mastery_chart(student)),
            "next_up": pages.next_up(student, rows),
            "new_achievements": pages.pop_new_achievements(student),
            "xp": pages.level_of(progress),
            "streak": pages.streak_view(progress, timezone.localdate()),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def profile(request):
    student = request.user
    progress = pages.progress_for(student)
    return render(
        request,
        "progress/profile.html",
        {
            "progress": progress,
            "xp": pages.level_of(progress),
            "streak": pages.streak_view(progress, timezone.localdate()),
            "achievements": pages.achievements_for(student),
            "new_achievements": pages.pop_new_achievements(student),
            "leaderboards": pages.leaderboards_for(student) if progress.leaderboard_opt_in else None,
        },
    )


@login_required
@require_POST
def leaderboard_setting(request):
    opt_in = request.POST.get("leaderboard_opt_in") == "on"
    pages.set_leaderboard_opt_in(student=request.user, opt_in=opt_in)
    if opt_in:
        messages.success(request, "You are on the leaderboard: other students see your username and XP.")
    else:
        messages.success(request, "You are off the leaderboard.")
    return redirect("progress:profile")
