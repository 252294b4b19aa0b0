"""A small server-drawn SVG line chart of mastery over time. Django-free, no JavaScript needed.

Only numbers and dates go into the markup, so the output is safe to embed as-is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

WIDTH, HEIGHT = 640, 220
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 40, 16, 12, 28


def mastery_chart_svg(points: Sequence[tuple[datetime, int]], *, y_max: int, title: str) -> str:
    """A step chart of `points` (time, mastery points), oldest first, on a 0..y_max scale.

    Draws a step line because mastery changes at events and stays put in between.
    """
    if y_max <= 0:
        raise ValueError("y_max must be positive")
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="mastery-chart" aria-label="{_attr(title)}">',
        f"<title>{_text(title)}</title>",
    ]

    def y_of(value: float) -> float:
        return MARGIN_TOP + plot_h * (1 - min(max(value, 0), y_max) / y_max)

    for fraction in (0, 0.25, 0.5, 0.75, 1):  # horizontal grid with labels
        value = round(y_max * fraction)
        y = y_of(value)
        parts.append(
            f'<line class="grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )

    if not points:
        parts.append(
            f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            "Your progress will appear here after your first quiz or exercise.</text>"
        )
        parts.append("</svg>")
        return "".join(parts)

    start, end = points[0][0], points[-1][0]
    span = max((end - start).total_seconds(), 1.0)

    def x_of(moment: datetime) -> float:
        return (
            MARGIN_LEFT + plot_w * (moment - start).total_seconds() / span if len(points) > 1 else MARGIN_LEFT
        )

    path = [f"M{MARGIN_LEFT:.1f},{y_of(0):.1f}"]
    for moment, value in points:
        x = x_of(moment)
        path.append(f"H{x:.1f}V{y_of(value):.1f}")
    path.append(f"H{WIDTH - MARGIN_RIGHT:.1f}")
    parts.append(f'<path class="line" d="{"".join(path)}"/>')
    for moment, value in points[-30:]:  # markers on the latest events only, to keep it legible
        parts.append(
            f'<circle class="dot" cx="{x_of(moment):.1f}" cy="{y_of(value):.1f}" r="3">'
            f"<title>{moment:%d %b %Y %H:%M}: {value}</title></circle>"
        )
    baseline = HEIGHT - 8
    parts.append(f'<text class="tick" x="{MARGIN_LEFT}" y="{baseline}">{start:%d %b %Y}</text>')
    if len(points) > 1:
        parts.append(
            f'<text class="tick" x="{WIDTH - MARGIN_RIGHT}" y="{baseline}" text-anchor="end">{end:%d %b %Y}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")
