"""Figures of optimizer runs: trajectories over a contour plot (or along the curve, in 1-D) and loss curves.

Built on matplotlib's object-oriented API (`matplotlib.figure.Figure`, never pyplot), so renders do not
share global figure state and can run in several request threads at once.

    svg = trajectory_svg(problem, runs)      # str, an <svg> document
    svg = loss_svg(problem, runs)
    png = figure_png(overview_figure(problem, runs))
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from optimlab.problems import PROBLEMS, Problem
from optimlab.runner import RunResult

# Text as <text> rather than glyph outlines: several times smaller, searchable, and much faster to write.
# Set once when the module loads (this module is the project's only matplotlib user) instead of per render
# with rc_context, which swaps the process-wide settings and so is not safe with concurrent requests.
matplotlib.rcParams["svg.fonttype"] = "none"

RUN_COLORS = ("#2f5fd0", "#d0612f", "#1f8a4c", "#8a3ab9", "#b3261e", "#5b6475")
# 100×100 evaluations are plenty for smooth contour lines; the grid is computed once per registered problem.
CONTOUR_GRID = 100
# Every tick is a handful of matplotlib artists plus text to measure; ticks dominated the render time, so the
# axes get about five labelled ticks each and log axes no minor ticks.
LINEAR_TICK_BINS = 5
# Tick spacings of 1, 2, 2.5 or 5 times a power of ten (not 0.8 or 1.5): round numbers are easier to read.
ROUND_TICK_STEPS = (1, 2, 2.5, 5, 10)
MAX_LOG_MAJOR_TICKS = 6
# A log axis spanning fewer decades than this also labels 2× and 5× each power of ten.
SHORT_LOG_RANGE_DECADES = 2.5
# Points further than this many window widths outside the window are cut off (they would be off the plot
# anyway, and huge coordinates make the SVG and the renderer misbehave).
CLIP_MARGIN = 1.0
Box = tuple[float, float, float, float]  # xmin, xmax, ymin, ymax

MINIMUM_MARKER: dict[str, Any] = {
    "marker": "*",
    "markersize": 12,
    "color": "#e0a800",
    "markeredgecolor": "#6b5000",
    "linestyle": "none",
    "zorder": 4,
}
# A title at a fixed height: left to itself, matplotlib measures every tick label on each render to
# dodge an axis on top (there never is one here), a fifth of the drawing time.
TITLE_STYLE: dict[str, Any] = {"fontsize": 11, "y": 1.0, "pad": 6}
POINT_MARKER: dict[str, Any] = {"markeredgecolor": "black", "linestyle": "none", "zorder": 6}


def run_label(run: RunResult, label: str | None = None) -> str:
    """The caller's label (e.g. with the hyperparameters it set), else the optimizer and its learning rate."""
    text = label or (f"{run.optimizer} lr={run.hp['lr']:g}" if "lr" in run.hp else run.optimizer)
    if run.diverged_at is not None:
        text += f" (diverged at step {run.diverged_at})"
    return text


def visible_path(points: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The polyline through `points` cut to `box`, with NaN rows where it leaves (matplotlib breaks lines there).

    Each segment that crosses the box edge is shortened to the crossing, so what is drawn keeps the true
    direction of the step instead of being squashed against the border.
    """
    xmin, xmax, ymin, ymax = box
    inside = (points[:, 0] >= xmin) & (points[:, 0] <= xmax) & (points[:, 1] >= ymin) & (points[:, 1] <= ymax)
    if inside.all():
        return points
    gap = np.array([np.nan, np.nan])
    pieces: list[np.ndarray] = [points[0]] if inside[0] else []
    for i in range(1, len(points)):
        if inside[i - 1] and inside[i]:
            pieces.append(points[i])
            continue
        segment = clip_segment(points[i - 1], points[i], box)
        if segment is None:
            continue
        start, end = segment
        if not inside[i - 1]:
            if pieces and not np.isnan(pieces[-1][0]):
                pieces.append(gap)
            pieces.append(start)
        pieces.append(end)
        if not inside[i]:
            pieces.append(gap)
    return np.array(pieces) if pieces else np.empty((0, 2))


def clip_segment(p: np.ndarray, q: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray] | None:
    """Liang–Barsky: the part of segment p→q inside the box, or None when it misses the box."""
    xmin, xmax, ymin, ymax = box
    d = q - p
    t0, t1 = 0.0, 1.0
    for step, distance in (
        (-d[0], p[0] - xmin),
        (d[0], xmax - p[0]),
        (-d[1], p[1] - ymin),
        (d[1], ymax - p[1]),
    ):
        if step == 0:
            if distance < 0:
                return None
            continue
        t = distance / step
        if step < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return p + t0 * d, p + t1 * d


def expanded(window: Box, margin: float = CLIP_MARGIN) -> Box:
    xmin, xmax, ymin, ymax = window
    dx, dy = (xmax - xmin) * margin, (ymax - ymin) * margin
    return (xmin - dx, xmax + dx, ymin - dy, ymax + dy)


def contour_levels(z: np.ndarray, log_spaced: bool, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(values to contour, levels): log-spaced levels of J − min J where J spans orders of magnitude."""
    if log_spaced:
        shifted = z - z.min()
        top = float(shifted.max())
        # Lift the exact minimum off zero so a log colour scale accepts it; it sits below the lowest level.
        return np.maximum(shifted, top * 1e-9), np.geomspace(top * 1e-5, top, count)
    return z, np.linspace(float(z.min()), float(z.max()), count + 2)[1:-1]


def contour_grid(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(grid x, grid y, values to contour, levels) over the problem's window.

    Registered problems never change, so their grid is computed once per process; a problem built on the
    fly (e.g. a quadratic with chosen curvatures) may share a name with another and is always recomputed.
    """
    if PROBLEMS.get(problem.name) is problem:
        return _registered_contour_grid(problem.name, problem.window)
    return _compute_contour_grid(problem)


@functools.lru_cache(maxsize=64)
def _registered_contour_grid(name: str, window: Box) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # The window is part of the key only so that a registry entry edited in a running process (a
    # development reload) never gets the grid of its old window.
    grid = _compute_contour_grid(PROBLEMS[name])
    for array in grid:
        array.flags.writeable = False  # shared between renders: nobody may change it in place
    return grid


def _compute_contour_grid(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    xmin, xmax, ymin, ymax = problem.window
    xs, ys = np.linspace(xmin, xmax, CONTOUR_GRID), np.linspace(ymin, ymax, CONTOUR_GRID)
    grid_x, grid_y = np.meshgrid(xs, ys)
    z = problem.values(np.stack([grid_x, grid_y], axis=-1))
    values, levels = contour_levels(z, problem.log_contours, problem.contour_levels)
    return grid_x, grid_y, values, levels


def draw_contours(ax: Axes, problem: Problem) -> None:
    grid_x, grid_y, values, levels = contour_grid(problem)
    norm = LogNorm() if problem.log_contours else None
    ax.contour(grid_x, grid_y, values, levels=levels, cmap="Greys_r", norm=norm, linewidths=0.6, alpha=0.7)
    for point in problem.minimizers:
        ax.plot(point[0], point[1], **MINIMUM_MARKER)


def draw_runs(
    ax: Axes,
    runs: Sequence[RunResult],
    points_of: Callable[[RunResult], np.ndarray],
    window: Box,
    labels: Sequence[str] | None,
) -> None:
    """Each run as a line with its start (square) and end (dot, or × when it blew up or left the plot)."""
    box = expanded(window)
    # Dots on every iterate help read short runs; on long ones they would only bloat the SVG.
    iterate_marker = "o" if max(len(run.trajectory) for run in runs) <= 60 else None
    for index, run in enumerate(runs):
        color = RUN_COLORS[index % len(RUN_COLORS)]
        points = points_of(run)
        path = visible_path(points, box)
        label = run_label(run, labels[index] if labels else None)
        ax.plot(
            path[:, 0],
            path[:, 1],
            marker=iterate_marker,
            color=color,
            markersize=3,
            linewidth=1.4,
            label=label,
            zorder=5,
            gid=f"trajectory-{index}",
        )
        ax.plot(points[0, 0], points[0, 1], marker="s", color=color, markersize=7, **POINT_MARKER)
        end = points[-1]
        left_plot = not (window[0] <= end[0] <= window[1] and window[2] <= end[1] <= window[3])
        if left_plot:
            # Put the end marker where the run was last seen inside the window, on its way out.
            seen = visible_path(points, window)
            seen = seen[~np.isnan(seen[:, 0])]
            end = seen[-1] if len(seen) else points[0]
        marker = "X" if (run.diverged_at is not None or left_plot) else "o"
        ax.plot(end[0], end[1], marker=marker, color=color, markersize=9, **POINT_MARKER)


def trajectory_figure(
    problem: Problem, runs: Sequence[RunResult], labels: Sequence[str] | None = None
) -> Figure:
    margins = {"left": 0.11, "right": 0.97, "top": 0.92, "bottom": 0.11}
    return one_axes_figure(draw_trajectories, (6.0, 4.8), margins, problem, runs, labels)


def one_axes_figure(
    draw: Callable[[Axes, Problem, Sequence[RunResult], Sequence[str] | None], None],
    size: tuple[float, float],
    margins: dict[str, float],
    problem: Problem,
    runs: Sequence[RunResult],
    labels: Sequence[str] | None,
) -> Figure:
    """A figure of one plot that `draw` fills, of `size` inches, with `margins` around it."""
    fig = Figure(figsize=size)
    draw(fig.add_subplot(), problem, runs, labels)
    fig.subplots_adjust(**margins)
    return fig


def draw_trajectories(
    ax: Axes, problem: Problem, runs: Sequence[RunResult], labels: Sequence[str] | None = None
) -> None:
    if problem.dim not in (1, 2):
        raise ValueError(
            f"only 1-D and 2-D problems can be drawn; {problem.name} has {problem.dim} dimensions"
        )
    xmin, xmax, ymin, ymax = problem.window
    if problem.dim == 2:
        draw_contours(ax, problem)
        ax.set_xlabel(plain_text(problem.axis_labels[0]))
        ax.set_ylabel(plain_text(problem.axis_labels[1]))

        def points_of(run: RunResult) -> np.ndarray:
            return run.trajectory
    else:
        theta = np.linspace(xmin, xmax, 400)
        ax.plot(theta, problem.values(theta[:, None]), color="#5b6475", linewidth=1.2)
        for point in problem.minimizers:
            ax.plot(point[0], problem.value(point), **MINIMUM_MARKER)
        ax.set_xlabel("θ")
        ax.set_ylabel("J(θ)")

        def points_of(run: RunResult) -> np.ndarray:
            return np.column_stack([run.trajectory[:, 0], run.loss])

    if runs:
        draw_runs(ax, runs, points_of, problem.window, labels)
        ax.legend(loc="best", fontsize=8, framealpha=0.85)
    ax.xaxis.set_major_locator(MaxNLocator(LINEAR_TICK_BINS, steps=ROUND_TICK_STEPS))
    ax.yaxis.set_major_locator(MaxNLocator(LINEAR_TICK_BINS, steps=ROUND_TICK_STEPS))
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_title(problem.title, **TITLE_STYLE)


SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def plain_text(label: str) -> str:
    """A simple mathtext label as plain Unicode ("$x_1$" -> "x₁", "slope $w$" -> "slope w").

    Mathtext is parsed on every render, which made the axis labels one of the costliest parts of a figure.
    Anything beyond letters and digit subscripts (a backslash command, a superscript) is left as mathtext.
    """

    def convert(match: re.Match[str]) -> str:
        inner = match.group(1)
        plain = re.sub(r"_\{?(\d+)\}?", lambda digits: digits.group(1).translate(SUBSCRIPT_DIGITS), inner)
        return plain if re.fullmatch(r"[A-Za-z0-9₀-₉ ]*", plain) else match.group(0)

    return re.sub(r"\$([^$]*)\$", convert, label)


def power_of_ten_label(value: float, _position: object = None) -> str:
    """Tick label for a log axis: 10⁻³ style for powers of ten (with a sign), the number otherwise."""
    if value == 0:
        return "0"
    exponent = math.log10(abs(value))
    if abs(exponent - round(exponent)) > 1e-9:
        return f"{value:g}".replace("-", "−")
    sign = "−" if value < 0 else ""
    return f"{sign}10{str(round(exponent)).translate(SUPERSCRIPT)}"


def loss_for_log_scale(problem: Problem, loss: np.ndarray) -> tuple[np.ndarray, str, str]:
    """What can honestly go on a log axis: (values, axis label, matplotlib y-scale).

    With a known minimum value we plot the gap J − J* (exact zeros cannot be drawn and leave a gap). A loss
    that goes negative with no minimum (the saddle) keeps its sign on a symmetric-log axis instead.
    """
    if problem.min_value is not None:
        gap = loss - problem.min_value
        return np.where(gap > 0, gap, np.nan), "J(x) − J*  (distance to the minimum value)", "log"
    if np.all(loss > 0):
        return loss, "J(x)", "log"
    return loss, "J(x)  (symmetric log scale: it goes negative)", "symlog"


def draw_loss(
    ax: Axes, problem: Problem, runs: Sequence[RunResult], labels: Sequence[str] | None = None
) -> None:
    ylabel, scale = "J(x)", "log"
    plotted: list[np.ndarray] = []
    for index, run in enumerate(runs):
        color = RUN_COLORS[index % len(RUN_COLORS)]
        values, ylabel, run_scale = loss_for_log_scale(problem, run.loss)
        plotted.append(values)
        if run_scale == "symlog":
            scale = "symlog"
        steps = np.arange(len(values))
        label = run_label(run, labels[index] if labels else None)
        ax.plot(steps, values, color=color, linewidth=1.4, label=label, gid=f"loss-{index}")
        if run.diverged_at is not None and np.isfinite(values[-1]):
            ax.plot(steps[-1], values[-1], marker="X", color=color, markersize=9, markeredgecolor="black")
    # Plain-text tick labels throughout: matplotlib's default ones are mathtext, parsed again on every render.
    if scale == "symlog":
        ax.set_yscale("symlog", linthresh=1.0)
        ylabel = "J(x)  (symmetric log scale: it goes negative)"
        ax.yaxis.set_major_formatter(FuncFormatter(power_of_ten_label))
    else:
        log_y_axis(ax, plotted)
    step_axes(ax, ylabel)
    if runs:
        ax.legend(loc="best", fontsize=8, framealpha=0.85)
    ax.set_title("Loss", **TITLE_STYLE)


def log_y_axis(ax: Axes, series: Sequence[np.ndarray]) -> None:
    """A log y axis ticked by `log_ticks` for the series drawn on it."""
    ax.set_yscale("log")
    locator, formatter = log_ticks(series)
    ax.yaxis.set_major_locator(locator)
    ax.yaxis.set_major_formatter(formatter)


def step_axes(ax: Axes, ylabel: str, *, xlabel: str = "step") -> None:
    """Axes of values per step (or update): whole round numbers along x, no minor y ticks, a light grid."""
    ax.yaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_locator(MaxNLocator(LINEAR_TICK_BINS, steps=ROUND_TICK_STEPS, integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.grid(True, which="major", alpha=0.3)


def log_ticks(series: Sequence[np.ndarray]) -> tuple[LogLocator, FuncFormatter]:
    """Ticks for a log axis: powers of ten (10⁻³), or over a short range 1, 2 and 5 times each (0.2, 0.5, 1)."""
    positive = [values[np.isfinite(values) & (values > 0)] for values in series]
    positive = [values for values in positive if values.size]
    if positive:
        low = min(float(values.min()) for values in positive)
        high = max(float(values.max()) for values in positive)
        if math.log10(high / low) < SHORT_LOG_RANGE_DECADES:
            return LogLocator(subs=(1.0, 2.0, 5.0), numticks=MAX_LOG_MAJOR_TICKS * 2), FuncFormatter(
                plain_label
            )
    return LogLocator(numticks=MAX_LOG_MAJOR_TICKS), FuncFormatter(power_of_ten_label)


def plain_label(value: float, _position: object = None) -> str:
    return f"{value:g}".replace("-", "−")


def loss_figure(problem: Problem, runs: Sequence[RunResult], labels: Sequence[str] | None = None) -> Figure:
    margins = {"left": 0.13, "right": 0.97, "top": 0.9, "bottom": 0.14}
    return one_axes_figure(draw_loss, (6.0, 3.6), margins, problem, runs, labels)


def overview_figure(
    problem: Problem, runs: Sequence[RunResult], labels: Sequence[str] | None = None
) -> Figure:
    """Trajectories and loss side by side, for a single image file."""
    fig = Figure(figsize=(12.0, 4.8))
    left, right = fig.subplots(1, 2)
    draw_trajectories(left, problem, runs, labels)
    draw_loss(right, problem, runs, labels)
    fig.subplots_adjust(left=0.06, right=0.98, top=0.92, bottom=0.11, wspace=0.22)
    return fig


def figure_svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def trajectory_svg(problem: Problem, runs: Sequence[RunResult], labels: Sequence[str] | None = None) -> str:
    return figure_svg(trajectory_figure(problem, runs, labels))


def loss_svg(problem: Problem, runs: Sequence[RunResult], labels: Sequence[str] | None = None) -> str:
    return figure_svg(loss_figure(problem, runs, labels))


__all__ = [
    "figure_png",
    "figure_svg",
    "loss_figure",
    "loss_svg",
    "overview_figure",
    "trajectory_figure",
    "trajectory_svg",
    "visible_path",
]


# A learning rate that changes by this factor or more over the run is drawn on a log axis.
LOG_LR_RATIO = 100.0


def learning_rates(run: RunResult) -> np.ndarray:
    """The lr of each kept update: the schedule's when there is one, else the constant lr."""
    if run.lr is not None:
        return run.lr
    return np.full(run.steps_taken, run.hp.get("lr", np.nan))


def lr_figure(runs: Sequence[RunResult], labels: Sequence[str]) -> Figure:
    """The learning rate each update used, one line per run, in the same colours as the other figures."""
    fig = Figure(figsize=(6.0, 2.8))
    ax = fig.add_subplot()
    series = [learning_rates(run) for run in runs]
    for index, (values, label) in enumerate(zip(series, labels, strict=True)):
        color = RUN_COLORS[index % len(RUN_COLORS)]
        ax.plot(
            np.arange(1, len(values) + 1), values, color=color, linewidth=1.4, label=label, gid=f"lr-{index}"
        )
    finite = np.concatenate([values[np.isfinite(values)] for values in series] or [np.empty(0)])
    if finite.size and finite.min() > 0 and finite.max() / finite.min() >= LOG_LR_RATIO:
        log_y_axis(ax, series)
        ylabel = "lr (log scale)"
    else:
        ax.yaxis.set_major_locator(MaxNLocator(LINEAR_TICK_BINS, steps=ROUND_TICK_STEPS))
        ax.yaxis.set_major_formatter(FuncFormatter(plain_label))
        ax.set_ylim(bottom=0)
        ylabel = "lr"
    step_axes(ax, ylabel, xlabel="update")
    ax.legend(loc="best", fontsize=7, framealpha=0.85)
    ax.set_title("Learning rate used", **TITLE_STYLE)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.88, bottom=0.17)
    return fig


def loss_curves_figure(
    curves: Sequence[np.ndarray], labels: Sequence[str], *, target: float | None = None, title: str = "Loss"
) -> Figure:
    """Loss curves (index = step, NaN where a run had blown up) on one log axis, with an optional
    dashed line at a target loss. For losses of problems outside the registry (the challenge's)."""
    fig = Figure(figsize=(6.0, 3.4))
    ax = fig.add_subplot()
    plotted: list[np.ndarray] = []
    for index, (curve, label) in enumerate(zip(curves, labels, strict=True)):
        values = np.where(curve > 0, curve, np.nan)
        plotted.append(values)
        color = RUN_COLORS[index % len(RUN_COLORS)]
        # The first curve is the one the figure is about: thicker, and drawn over the others.
        width, zorder = (2.2, 3) if index == 0 else (1.2, 2)
        ax.plot(
            np.arange(len(values)),
            values,
            color=color,
            linewidth=width,
            zorder=zorder,
            label=label,
            gid=f"loss-{index}",
        )
    if target is not None and target > 0:
        ax.axhline(target, color="black", linestyle="--", linewidth=1.0, label=f"target {target:g}")
        plotted.append(np.array([target]))
    log_y_axis(ax, plotted)
    step_axes(ax, "loss (log scale)")
    ax.legend(loc="best", fontsize=7, framealpha=0.85)
    ax.set_title(plain_text(title), **TITLE_STYLE)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.88, bottom=0.15)
    return fig


def loss_curves_svg(
    curves: Sequence[np.ndarray], labels: Sequence[str], *, target: float | None = None, title: str = "Loss"
) -> str:
    return figure_svg(loss_curves_figure(curves, labels, target=target, title=title))
