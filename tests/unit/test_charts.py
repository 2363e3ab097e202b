"""The Overview's chart geometry: round ticks, bars to scale, line points across the plot (shared/web/charts.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.web.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, bar_chart, line_chart, nice_ticks, shorten


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 2, 4, 6, 8, 10]),
        (11, [0, 5, 10, 15]),
        (99, [0, 20, 40, 60, 80, 100]),
        (123_456, [0, 50_000, 100_000, 150_000]),
    ],
)
def test_ticks_are_round_and_reach_the_largest_value(largest: int, ticks: list[int]) -> None:
    assert nice_ticks(largest) == ticks
    assert len(ticks) - 1 <= 5


def test_bars_are_to_scale_with_the_top_tick_at_the_plot_edge() -> None:
    # Given two rows, the larger 7 on a scale of 0 to 8
    chart = bar_chart("c", "Claims", [("Paid", 7), ("Submitted", 2)], lambda n: f"{n} claims")
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    # Then each bar's length is its share of the scale, and the ticks run across the plot
    assert [bar.length for bar in chart.bars] == [plot * 7 / 8, plot * 2 / 8]
    assert chart.ticks[0].position == LABEL_WIDTH
    assert chart.ticks[-1].position == LABEL_WIDTH + plot
    assert [tick.label for tick in chart.ticks] == [f"{n} claims" for n in (0, 2, 4, 6, 8)]
    # And rows go down the chart, one row height apart, with room for the axis below
    assert chart.bars[1].y - chart.bars[0].y == 30
    assert chart.height == chart.axis_y + 30
    assert chart.summary == "Paid: 7 claims; Submitted: 2 claims"


def test_a_bar_chart_of_nothing_has_a_summary_saying_so() -> None:
    chart = bar_chart("c", "Claims", [], str)
    assert chart.bars == ()
    assert chart.summary == "Nothing to show"


def test_long_labels_are_shortened_for_the_chart() -> None:
    assert shorten("Short") == "Short"
    assert shorten("The University of Somewhere Far Away In The North") == "The University of Somewhere F…"
    assert len(shorten("x" * 50)) == 30


def test_a_line_runs_from_the_left_edge_to_the_right_with_the_largest_at_the_top_tick() -> None:
    # Given five days with 0, 2, 4, 1 and 3 claims
    start = dt.date(2026, 11, 1)
    series = [(start + dt.timedelta(days=n), value) for n, value in enumerate([0, 2, 4, 1, 3])]
    chart = line_chart("d", "Per day", series)
    xs = [x for x, _ in chart.points]
    ys = [y for _, y in chart.points]
    # Then the points are evenly spaced across the plot
    assert xs[0] == chart.plot_left
    assert xs[-1] == chart.plot_left + chart.plot_width
    assert xs[2] - xs[1] == pytest.approx(xs[1] - xs[0])
    # And 0 sits on the axis, the scale's top (4) at the top of the plot
    assert ys[0] == chart.axis_y
    assert ys[2] == chart.plot_top
    assert chart.polyline.startswith(f"{xs[0]},{ys[0]} ")
    assert chart.summary == "10 claims submitted from 1 Nov to 5 Nov; the most in a day was 4, on 3 Nov"


def test_a_long_window_labels_a_few_days_including_the_last() -> None:
    start = dt.date(2026, 11, 1)
    chart = line_chart("d", "Per day", [(start + dt.timedelta(days=n), 1) for n in range(60)])
    labels = [tick.label for tick in chart.x_ticks]
    assert labels[0] == "1 Nov"
    assert labels[-1] == "30 Dec"
    assert len(labels) <= 7


def test_a_single_day_sits_in_the_middle() -> None:
    chart = line_chart("d", "Per day", [(dt.date(2026, 11, 1), 5)])
    assert chart.points[0][0] == chart.plot_left + chart.plot_width / 2
    assert [tick.label for tick in chart.x_ticks] == ["1 Nov"]
