"""Keys and topic slugs made from free text: Moodle question names, GIFT titles, category paths."""

import re

MAX_KEY_LENGTH = 120  # Item.key's column size
MAX_TOPIC_LENGTH = 64  # Topic.slug's column size
# Moodle category paths start with a context marker and "top"; neither names anything of ours.
_CATEGORY_ROOTS = ("$course$", "$system$", "$module$", "$coursecategory$", "top")


def slugify(text: str, fallback: str = "item", max_length: int = MAX_KEY_LENGTH) -> str:
    """A [a-z0-9-] slug of `text`, or `fallback` when nothing usable is left."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].strip("-") or fallback


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free; records the result in `taken`."""
    candidate, counter = base, 2
    while candidate in taken:
        suffix = f"-{counter}"
        candidate = base[: MAX_KEY_LENGTH - len(suffix)] + suffix
        counter += 1
    taken.add(candidate)
    return candidate


def category_path(path: str) -> list[str]:
    """The category names of a Moodle category path, outermost first, without `$course$` and `top`.

    Moodle writes a "/" inside a category name as "//"; it is read back as one "/".
    """
    segments = [segment.replace("\x00", "/").strip() for segment in path.replace("//", "\x00").split("/")]
    segments = [segment for segment in segments if segment]
    while segments and segments[0].lower() in _CATEGORY_ROOTS:
        segments.pop(0)
    return segments


def category_text(path: list[str]) -> str:
    """A Moodle category path for category names (the inverse of `category_path`)."""
    return "/".join(["$course$", "top", *(name.replace("/", "//") for name in path)])


def category_parts(path: str) -> tuple[str, str | None]:
    """(bank name, topic slug) from a category path like `$course$/top/Optimizers/Momentum`.

    The first meaningful segment names the bank; a deeper last segment becomes a topic.
    """
    segments = [segment.strip() for segment in path.split("/") if segment.strip()]
    meaningful = [segment for segment in segments if segment.lower() not in _CATEGORY_ROOTS]
    if not meaningful:
        return "", None
    if len(meaningful) == 1:
        return meaningful[0], None
    return meaningful[0], slugify(meaningful[-1], fallback="", max_length=MAX_TOPIC_LENGTH) or None
