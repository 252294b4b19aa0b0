"""A per-student limit on submission posts: at most N posts per window, counted in the cache.

A fixed window counter: the key names the student and the window, `cache.add` starts it at zero
and `cache.incr` counts the post. With a cache every process shares (the database cache, Redis)
the limit holds across web processes; with the per-process local-memory cache of development it
holds per process. The database cache's increment is not atomic, so a burst of simultaneous posts
may slip one or two past the limit there; the queue's own cap (GRADING_MAX_PENDING_PER_EXERCISE)
still bounds what reaches the workers.

Settings: GRADING_SUBMISSIONS_PER_WINDOW (default 10; 0 turns the limit off) and
GRADING_SUBMISSION_WINDOW_SECONDS (default 60).
"""

import math
import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_PER_WINDOW = 10
DEFAULT_WINDOW_SECONDS = 60


def submission_post_throttled(student, *, now: float | None = None) -> int | None:
    """Count a submission post by `student`; None if allowed, else seconds until the next window."""
    limit = int(getattr(settings, "GRADING_SUBMISSIONS_PER_WINDOW", DEFAULT_PER_WINDOW))
    window = int(getattr(settings, "GRADING_SUBMISSION_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))
    if limit <= 0 or window <= 0:
        return None
    now = time.time() if now is None else now
    index = int(now // window)
    key = f"grading:submission-posts:{student.pk}:{index}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((index + 1) * window - now))
