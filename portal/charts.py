"""Geometry of the charts the server draws as SVG (templates/staff/reporting/_charts.html).

Hand-written SVG rather than pygal or matplotlib: no new dependency, markup we control for
accessibility (role="img" with a title and a description, a table beside every chart), patterns
instead of colours alone so a chart reads in greyscale and on paper, and nothing but text in the
response. Everything that needs arithmetic (scales, ticks, positions) is computed here; the
template only draws what it is given. Values arrive as plain numbers with their labels already
written in the reader's language.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH = 640
# Up to four series; each has a fill pattern of its own (solid, hatched, dotted, crossed).
PATTERNS = ("solid", "hatch", "dots", "cross")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    text: str  # "category, series: value", the bar's tooltip
    value: str  # the value as written beside a horizontal bar


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass
class Chart:
    id: str
    title: str
    description: str
    kind: str  # "columns" (categories along the bottom) or "bars" (categories down the side)
    height: float
    legend: list[tuple[str, str]]  # (pattern, series name)
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)  # categories
    ticks: list[Label] = field(default_factory=list)  # the value axis
    gridlines: list[float] = field(default_factory=list)
    width: int = WIDTH
    axis_left: float = 0
    axis_bottom: float = 0


Series = Sequence[tuple[str, Sequence[int]]]


def nice_ticks(maximum: int, most: int = 5) -> list[int]:
    """0 and round steps (1, 2 or 5 times a power of ten) up to at least `maximum`."""
    if maximum <= 0:
        return [0, 1]
    rough = maximum / most
    power = 10 ** math.floor(math.log10(rough))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= rough)
    step = max(int(step), 1)
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def _legend(series: Series) -> list[tuple[str, str]]:
    return [(PATTERNS[index % len(PATTERNS)], name) for index, (name, _v) in enumerate(series)]


def columns(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Series,
    fmt: Callable[[int], str] = str,
) -> Chart:
    """Grouped columns, one group per category (e.g. per month), one column per series."""
    left, top, plot_height, bottom = 88.0, 12.0, 200.0, 30.0
    plot_width = WIDTH - left - 8
    ticks = nice_ticks(max((v for _n, values in series for v in values), default=0))
    scale = plot_height / ticks[-1]
    chart = Chart(
        chart_id,
        title,
        description,
        "columns",
        height=top + plot_height + bottom,
        legend=_legend(series),
        axis_left=left,
        axis_bottom=top + plot_height,
    )
    for tick in ticks:
        y = top + plot_height - tick * scale
        chart.gridlines.append(y)
        chart.ticks.append(Label(left - 6, y + 4, fmt(tick)))
    band = plot_width / max(len(categories), 1)
    column = band * 0.8 / max(len(series), 1)
    for index, category in enumerate(categories):
        start = left + index * band + band * 0.1
        chart.labels.append(Label(left + (index + 0.5) * band, top + plot_height + 20, category))
        for number, (name, values) in enumerate(series):
            height = values[index] * scale
            chart.bars.append(
                Bar(
                    x=start + number * column,
                    y=top + plot_height - height,
                    width=column,
                    height=height,
                    series=number % len(PATTERNS),
                    text=f"{category}, {name}: {fmt(values[index])}",
                    value=fmt(values[index]),
                )
            )
    return chart


def bars(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Series,
    fmt: Callable[[int], str] = str,
) -> Chart:
    """Horizontal bars: each category's name on a line of its own, its bars under it, each
    bar's value written at its end (so the chart reads without the legend, and on a phone)."""
    bar_height, gap, label_height, value_room = 18.0, 4.0, 22.0, 190.0
    longest = max((v for _n, values in series for v in values), default=0)
    scale = (WIDTH - value_room) / longest if longest > 0 else 0.0
    chart = Chart(chart_id, title, description, "bars", height=0, legend=_legend(series))
    y = 0.0
    for index, category in enumerate(categories):
        chart.labels.append(Label(0, y + 16, category))
        y += label_height
        for number, (name, values) in enumerate(series):
            value = values[index]
            chart.bars.append(
                Bar(
                    x=0,
                    y=y,
                    width=max(value * scale, 1.0),
                    height=bar_height,
                    series=number % len(PATTERNS),
                    text=f"{category}, {name}: {fmt(value)}",
                    value=fmt(value) if len(series) == 1 else f"{fmt(value)} ({name})",
                )
            )
            y += bar_height + gap
        y += gap * 2
    chart.height = max(y, 1.0)
    return chart
