"""Print the CPU time of a teacher's first and second view of a course's challenge leaderboard in
this (fresh) process, on the database that DATABASE_URL names (migrated beforehand).

Creates a teacher `board-teacher` and a course "Board CPU" with the challenge on when missing.
Run it twice on a database without stored baseline runs: the first run computes them (and
stores them), the second reads them.

Usage: DATABASE_URL=sqlite:///board.sqlite3 SECRET_KEY=x ALLOWED_HOSTS='*' python scripts/challenge_board_cpu.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from accounts.services import user_create
    from courses.models import Course
    from courses.services.challenge import challenge_set_enabled
    from courses.services.courses import course_create

    teacher = get_user_model().objects.filter(username="board-teacher").first()
    if teacher is None:
        teacher = user_create(username="board-teacher", password="board-teacher-pass-123", instructor=True)
    course = Course.objects.filter(name="Board CPU").first()
    if course is None:
        course = course_create(owner=teacher, name="Board CPU")
        challenge_set_enabled(course=course, enabled=True)
    client = Client()
    client.force_login(teacher)
    url = reverse("courses:challenge", args=[course.pk])
    timings = []
    for _ in range(2):
        started = time.process_time()
        response = client.get(url)
        timings.append(time.process_time() - started)
        if response.status_code != 200:
            print(f"GET {url}: {response.status_code}", file=sys.stderr)
            return 1
    print(f"leaderboard view: first {timings[0]:.3f} s of CPU, second {timings[1]:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
