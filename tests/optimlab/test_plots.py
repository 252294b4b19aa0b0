import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from optimlab import plots
from optimlab.problems import get_problem
from optimlab.runner import run_optimizer

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return root


def path_vertices(root: ET.Element, gid: str) -> np.ndarray:
    """The (x, y) vertices of the line matplotlib wrote for the artist with this gid (SVG coordinates)."""
    group = root.find(f".//{SVG}g[@id='{gid}']")
    assert group is not None, f"no element {gid!r} in the SVG"
    d = group.find(f"{SVG}path").get("d")
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    return np.array(numbers).reshape(-1, 2)


def test_contour_svg_draws_each_trajectory_with_one_vertex_per_iterate():
    problem = get_problem("booth")
    runs = [
        run_optimizer("sgd", problem, {"lr": 0.02}, steps=30),
        run_optimizer("momentum", problem, {"lr": 0.01, "beta": 0.8}, steps=30),
    ]
    root = parse_svg(plots.trajectory_svg(problem, runs))
    for index in range(2):
        assert len(path_vertices(root, f"trajectory-{index}")) == 31
    text = "".join(root.itertext())
    assert "sgd lr=0.02" in text and "momentum lr=0.01" in text  # the legend


def test_svg_vertices_follow_the_trajectory():
    problem = get_problem("ill-conditioned-quadratic")
    run = run_optimizer("sgd", problem, {"lr": 0.3}, steps=5)
    drawn = path_vertices(parse_svg(plots.trajectory_svg(problem, [run])), "trajectory-0")
    # SVG y grows downwards; x grows with x1. So the drawn order must mirror the data order.
    assert np.all(np.diff(drawn[:, 0]) > 0) == np.all(np.diff(run.trajectory[:, 0]) > 0)
    assert np.sign(np.diff(drawn[:, 1])).tolist() == (-np.sign(np.diff(run.trajectory[:, 1]))).tolist()


def test_diverging_run_is_labelled_and_cut_at_the_plot_edge():
    problem = get_problem("ill-conditioned-quadratic")
    run = run_optimizer("sgd", problem, {"lr": 0.6}, steps=200)
    assert run.diverged_at is not None
    svg = plots.trajectory_svg(problem, [run])
    assert f"diverged at step {run.diverged_at}" in svg
    vertices = path_vertices(parse_svg(svg), "trajectory-0")
    assert np.all(np.abs(vertices) < 1e5)  # no astronomically large coordinates reach the SVG


def test_visible_path_cuts_segments_at_the_box_edge():
    box = (-1.0, 1.0, -1.0, 1.0)
    points = np.array([[0.0, 0.0], [0.0, 3.0], [0.5, 0.0]])
    path = plots.visible_path(points, box)
    assert path[1] == pytest.approx([0.0, 1.0])  # leaves through the top edge
    assert np.isnan(path[2]).all()  # the line is broken while outside
    assert path[3] == pytest.approx([1 / 3, 1.0])  # y = 3 − 6x re-enters the box at y = 1
    assert path[4] == pytest.approx([0.5, 0.0])


def test_visible_path_keeps_points_inside_untouched():
    points = np.array([[0.0, 0.0], [0.2, 0.3]])
    assert plots.visible_path(points, (-1, 1, -1, 1)) is points


def test_loss_curve_plots_the_gap_to_the_minimum_on_a_log_axis():
    problem = get_problem("rosenbrock")
    run = run_optimizer("adam", problem, {"lr": 0.05}, steps=50)
    values, label, scale = plots.loss_for_log_scale(problem, run.loss)
    assert scale == "log" and "J*" in label
    assert values == pytest.approx(run.loss - problem.min_value)
    root = parse_svg(plots.loss_svg(problem, [run]))
    assert len(path_vertices(root, "loss-0")) == 51


def test_negative_loss_without_a_minimum_uses_a_symmetric_log_axis():
    problem = get_problem("saddle")
    run = run_optimizer("sgd", problem, {"lr": 0.1}, steps=100)
    values, label, scale = plots.loss_for_log_scale(problem, run.loss)
    assert scale == "symlog" and "negative" in label
    assert values.min() < 0


def test_exact_zero_loss_is_left_out_instead_of_breaking_the_log_axis():
    problem = get_problem("parabola")
    run = run_optimizer("sgd", problem, {"lr": 0.5}, steps=3)  # 1 − 2η = 0: lands exactly on the minimum
    values, _, _ = plots.loss_for_log_scale(problem, run.loss)
    assert values[0] == 100.0 and np.isnan(values[1:]).all()
    parse_svg(plots.loss_svg(problem, [run]))


def test_one_dimensional_problem_draws_the_points_on_the_curve():
    problem = get_problem("parabola")
    run = run_optimizer("sgd", problem, {"lr": 0.1}, steps=8)
    root = parse_svg(plots.trajectory_svg(problem, [run]))
    assert len(path_vertices(root, "trajectory-0")) == 9


def test_png_bytes_for_the_overview():
    problem = get_problem("himmelblau")
    run = run_optimizer("adam", problem, {"lr": 0.1}, steps=40)
    png = plots.figure_png(plots.overview_figure(problem, [run]))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_problems_beyond_two_dimensions_are_refused():
    from optimlab.problems import make_quadratic

    problem = make_quadratic([1.0, 2.0, 3.0])
    run = run_optimizer("sgd", problem, {"lr": 0.1}, steps=3)
    with pytest.raises(ValueError, match="2-D"):
        plots.trajectory_svg(problem, [run])


def svg_text(svg: str) -> str:
    return " ".join(text for text in parse_svg(svg).itertext() if text.strip())


def test_text_is_written_as_text_in_plain_unicode():
    problem = get_problem("himmelblau")
    run = run_optimizer("adam", problem, {"lr": 0.1}, steps=200)
    trajectory, loss = plots.trajectory_svg(problem, [run]), plots.loss_svg(problem, [run])
    # Axis names and log ticks as Unicode text, not glyph outlines or mathtext pieces.
    assert "x₁" in svg_text(trajectory) and "x₂" in svg_text(trajectory)
    assert "10⁻²" in svg_text(loss)
    for svg in (trajectory, loss):
        assert "<text" in svg and "DejaVuSans-" not in svg and "$" not in svg_text(svg)


def test_a_loss_spanning_little_more_than_a_decade_gets_readable_in_between_ticks():
    problem = get_problem("rosenbrock")
    run = run_optimizer("momentum", problem, {"lr": 0.001, "beta": 0.9}, steps=200)
    shown = svg_text(plots.loss_svg(problem, [run])).split()
    assert {"1", "2", "5", "10"} <= set(shown)


@pytest.mark.parametrize(
    ("value", "label"),
    [(1e-3, "10⁻³"), (100.0, "10²"), (1.0, "10⁰"), (-1e4, "−10⁴"), (0.0, "0"), (0.5, "0.5"), (-2.0, "−2")],
)
def test_log_tick_labels_are_powers_of_ten_in_plain_text(value, label):
    assert plots.power_of_ten_label(value) == label


@pytest.mark.parametrize(
    ("mathtext", "plain"),
    [("$x_1$", "x₁"), ("slope $w$", "slope w"), ("$x_{12}$", "x₁₂"), (r"$\alpha$", r"$\alpha$"), ("J", "J")],
)
def test_simple_mathtext_labels_become_plain_text(mathtext, plain):
    assert plots.plain_text(mathtext) == plain


def test_the_contour_grid_of_a_registered_problem_is_computed_once_and_read_only():
    problem = get_problem("rosenbrock")
    first, second = plots.contour_grid(problem), plots.contour_grid(problem)
    assert all(a is b for a, b in zip(first, second, strict=True))
    with pytest.raises(ValueError):
        first[2][0, 0] = 0.0


def test_a_problem_built_on_the_fly_never_gets_another_problems_cached_grid():
    from optimlab.problems import make_quadratic

    registered = get_problem("quadratic")
    steeper = make_quadratic([1.0, 50.0], name="quadratic")  # same name and window, other curvature
    assert steeper.window == registered.window
    values_registered = plots.contour_grid(registered)[2]
    values_steeper = plots.contour_grid(steeper)[2]
    assert not np.allclose(values_registered, values_steeper)
