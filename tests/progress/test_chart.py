from datetime import UTC, datetime, timedelta

import pytest

from progress.chart import mastery_chart_svg

T0 = datetime(2025, 3, 3, tzinfo=UTC)


def test_an_empty_chart_invites_the_first_activity():
    svg = mastery_chart_svg([], y_max=48, title="Mastery")
    assert svg.startswith("<svg") and "first quiz" in svg and "<circle" not in svg


def test_each_event_gets_a_marker_with_its_value():
    svg = mastery_chart_svg([(T0, 2), (T0 + timedelta(days=1), 5)], y_max=48, title="Mastery")
    assert svg.count("<circle") == 2
    assert ": 5</title>" in svg and "03 Mar 2025" in svg and "04 Mar 2025" in svg


def test_higher_values_are_drawn_higher():
    def dot_y(value: int) -> float:
        svg = mastery_chart_svg([(T0, value)], y_max=48, title="t")
        return float(svg.split('cy="')[1].split('"')[0])

    assert dot_y(40) < dot_y(10)


def test_the_title_is_escaped():
    assert "<b>" not in mastery_chart_svg([], y_max=4, title="<b>")


def test_a_non_positive_scale_is_rejected():
    with pytest.raises(ValueError):
        mastery_chart_svg([], y_max=0, title="t")
