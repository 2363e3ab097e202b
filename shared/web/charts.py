"""Chart geometry for the Overview's server-rendered SVG charts: scales, ticks, bar lengths and line points.

Pure presentation: no Jinja here (the macros in `templates/support/charts/` draw what this computes). Each
chart is a picture of a table the page also shows, which stays the accessible source of truth; a chart
carries a title and a one-line summary for its text alternative (`role="img"`, `aria-labelledby`).
Colours are GOV.UK's: blue bars and line, black text, mid-grey grid lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

BLUE = "#1d70b8"
TEXT = "#0b0c0c"
GRID = "#b1b4b6"

WIDTH = 640
LABEL_WIDTH = 210  # the bar chart's row labels, left of the bars
VALUE_WIDTH = 110  # room right of the longest bar for its value
ROW_HEIGHT = 30
BAR_HEIGHT = 20
TOP = 10
AXIS_HEIGHT = 30
LINE_HEIGHT = 260
LINE_LEFT = 50
LINE_RIGHT = 20
LINE_BOTTOM = 40


def nice_ticks(largest: int, most: int = 5) -> list[int]:
    """Round tick values from 0 to at least `largest`: steps of 1, 2 or 5 times a power of ten, at most
    `most` steps (0 and 1 when there is nothing)."""
    if largest <= 0:
        return [0, 1]
    step = 1
    while True:
        for factor in (1, 2, 5):
            candidate = step * factor
            if -(-largest // candidate) <= most:
                top = -(-largest // candidate) * candidate
                return list(range(0, top + 1, candidate))
        step *= 10


def shorten(text: str, limit: int = 30) -> str:
    """A label that fits its column (the table beside the chart has it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float
    length: float
    text_y: float


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    summary: str
    width: int
    height: int
    plot_left: int
    plot_width: int
    axis_y: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    colour: str = BLUE
    text: str = TEXT
    grid: str = GRID

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, int]],
    value_text: Callable[[int], str],
    tick_text: Callable[[int], str] | None = None,
) -> BarChart:
    """A horizontal bar chart of (label, value) rows, longest scale tick at the plot's right edge."""
    ticks = nice_ticks(max((value for _, value in rows), default=0))
    scale_top = ticks[-1]
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = tuple(
        Bar(
            label=shorten(label),
            value_text=value_text(value),
            y=TOP + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2,
            length=round(plot_width * max(value, 0) / scale_top, 2),
            text_y=TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2 + 5,
        )
        for index, (label, value) in enumerate(rows)
    )
    axis_y = TOP + len(rows) * ROW_HEIGHT
    label = tick_text or value_text
    summary = "; ".join(f"{name}: {value_text(value)}" for name, value in rows) or "Nothing to show"
    return BarChart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        width=WIDTH,
        height=axis_y + AXIS_HEIGHT,
        plot_left=LABEL_WIDTH,
        plot_width=plot_width,
        axis_y=axis_y,
        bars=bars,
        ticks=tuple(Tick(round(LABEL_WIDTH + plot_width * t / scale_top, 2), label(t)) for t in ticks),
    )


@dataclass(frozen=True)
class LineChart:
    chart_id: str
    title: str
    summary: str
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_width: int
    plot_height: int
    points: tuple[tuple[float, float], ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    colour: str = BLUE
    text: str = TEXT
    grid: str = GRID

    @property
    def polyline(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)

    @property
    def axis_y(self) -> int:
        return self.plot_top + self.plot_height


def _day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def line_chart(chart_id: str, title: str, series: Sequence[tuple[dt.date, int]], most_labels: int = 6) -> LineChart:
    """A line of daily counts, first day at the left edge and the last at the right, with a few day labels."""
    ticks = nice_ticks(max((value for _, value in series), default=0))
    scale_top = ticks[-1]
    plot_top = TOP
    plot_width = WIDTH - LINE_LEFT - LINE_RIGHT
    plot_height = LINE_HEIGHT - plot_top - LINE_BOTTOM
    count = len(series)

    def x_of(index: int) -> float:
        return round(LINE_LEFT + (plot_width * index / (count - 1) if count > 1 else plot_width / 2), 2)

    def y_of(value: int) -> float:
        return round(plot_top + plot_height - plot_height * value / scale_top, 2)

    points = tuple((x_of(index), y_of(value)) for index, (_, value) in enumerate(series))
    every = max(1, -(-count // most_labels))
    labelled = sorted({*range(0, count, every), count - 1} - {-1})
    if len(labelled) > 1 and labelled[-1] - labelled[-2] < every:
        labelled.pop(-2)  # the last day's label would crowd the one before it
    x_ticks = tuple(Tick(x_of(index), _day_label(series[index][0])) for index in labelled)
    y_ticks = tuple(Tick(y_of(t), f"{t:,}") for t in ticks)
    total = sum(value for _, value in series)
    if series:
        busiest_day, busiest = max(series, key=lambda point: (point[1], point[0]))
        summary = (
            f"{total:,} claims submitted from {_day_label(series[0][0])} to {_day_label(series[-1][0])}; "
            f"the most in a day was {busiest:,}, on {_day_label(busiest_day)}"
        )
    else:
        summary = "No days to show"
    return LineChart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        width=WIDTH,
        height=LINE_HEIGHT,
        plot_left=LINE_LEFT,
        plot_top=plot_top,
        plot_width=plot_width,
        plot_height=plot_height,
        points=points,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
