"""Charts drawn on the server as inline SVG, for the organiser back-office's dashboards.

No JavaScript and nothing fetched from the internet: a chart is markup inside the page, so it
works offline, prints, and reaches screen readers (role="img" named by its <title> and
summarised by its <desc>, with the same numbers in a table under a "Data" disclosure).
Category labels and series names come from user data, so every piece of text is escaped.

Values are non-negative ints: counts, or money in whole units. Labels arrive already
formatted (a date, "Gold (₹5,00,000)"). `unit` names what the numbers count ("meetings",
"INR"): it is written after figures, above the value axis and in the table's headings.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from shared.web_ui.chart_scale import format_count, nice_ticks, shorten

# Okabe & Ito's palette, told apart under every common colour-vision deficiency. The first
# five reach 3:1 contrast on white (WCAG's bar for graphics); the pale ones come last.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9", "#F0E442")
# Line patterns, so line series stay apart in grey-scale print and without colour vision.
DASHES = ("", "8 4", "2 3", "10 3 2 3")

INK = "#1b1f23"
MUTED_INK = "#505a64"
GRID = "#d5dbe1"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
# A narrow drawing with large text: scaled down to a phone's width, the text stays about 11px.
WIDTH = 480
PLOT_RIGHT = WIDTH - 12
FONT_SIZE = 16
CHAR_WIDTH = 8.8  # average glyph width at FONT_SIZE: sizes margins without a text renderer
PLOT_HEIGHT = 200
ROW_HEIGHT = 34  # one category of a horizontal bar chart
LONGEST_LABEL = 18  # characters of a category label shown before it is shortened
LEGEND_ROW_HEIGHT = 26


def bar_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]], *,
              stacked: bool = False, unit: str = "") -> Markup:
    """Vertical bars per category, one colour per series, side by side or `stacked` to show
    totals (e.g. registrations per day by organisation type)."""
    labels, series = _checked(labels, series)
    if not labels or not series:
        return _no_data(title)
    highest = max(_totals(series)) if stacked else max(max(values) for values in series.values())
    legend, legend_height = _legend(list(series), line=False)
    frame = _Columns.fit(labels, highest, unit, above=legend_height)
    bars = _stacked_bars(frame, series) if stacked else _grouped_bars(frame, series)
    kind = "Stacked bar chart" if stacked else "Bar chart"
    svg = _svg(title, _summary(kind, labels, series, unit, stacked=stacked), frame.height,
               [legend, frame.axes(), *bars])
    return _figure(title, svg, _data_table(labels, series, unit, with_total=stacked))


def horizontal_bar_chart(title: str, labels: Sequence[str], values: Sequence[int], *,
                         unit: str = "") -> Markup:
    """One bar per category, drawn sideways so long labels stay readable (e.g. meetings per
    officer, revenue by tier); each bar carries its figure."""
    labels, series = _checked(labels, {"Value": values})
    if not labels:
        return _no_data(title)
    values = series["Value"]
    rows = _Rows.fit(labels, values, unit)
    svg = _svg(title, _summary("Horizontal bar chart", labels, series, unit), rows.height,
               [rows.axes(), *rows.bars(values, unit)])
    return _figure(title, svg, _data_table(labels, series, unit))


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]], *,
               unit: str = "") -> Markup:
    """One line per series across ordered categories (e.g. cumulative registrations by day)."""
    labels, series = _checked(labels, series)
    if not labels or not series:
        return _no_data(title)
    legend, legend_height = _legend(list(series), line=True)
    frame = _Columns.fit(labels, max(max(values) for values in series.values()), unit, above=legend_height)
    svg = _svg(title, _summary("Line chart", labels, series, unit), frame.height,
               [legend, frame.axes(), *_lines(frame, series)])
    return _figure(title, svg, _data_table(labels, series, unit))


def _checked(labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> tuple[list[str], dict[str, list[int]]]:
    """Copies of the inputs, refused early when they cannot be drawn honestly."""
    labels = [str(label) for label in labels]
    series = {str(name): list(values) for name, values in series.items()}
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
        if any(value < 0 for value in values):
            raise ValueError(f"series {name!r} has a negative value; these charts start at zero")
    return labels, series


@dataclass(frozen=True)
class _Columns:
    """The plot area of a chart with categories along the bottom and values up the side."""

    labels: list[str]
    ticks: list[int]
    unit: str
    left: float
    top: float
    slanted_labels: bool
    right: float = PLOT_RIGHT

    @classmethod
    def fit(cls, labels: list[str], highest: int, unit: str, *, above: float) -> _Columns:
        ticks = nice_ticks(highest)
        left = len(format_count(ticks[-1])) * CHAR_WIDTH + 14
        band_width = (PLOT_RIGHT - left) / len(labels)
        slanted = max(map(len, labels)) * CHAR_WIDTH > band_width - 6
        if slanted:  # the first slanted label reaches left of its column: keep it inside the drawing
            left = max(left, _slanted_extent(labels[0]) + 4)
        top = above + (FONT_SIZE + 22 if unit else 12)
        return cls(labels, ticks, unit, left, top, slanted)

    @property
    def bottom(self) -> float:
        return self.top + PLOT_HEIGHT

    @property
    def height(self) -> float:
        if self.slanted_labels:
            return self.bottom + FONT_SIZE + 6 + max(map(_slanted_extent, self.labels)) + FONT_SIZE
        return self.bottom + FONT_SIZE + 14

    @property
    def band_width(self) -> float:
        return (self.right - self.left) / len(self.labels)

    def center(self, index: int) -> float:
        return self.left + self.band_width * (index + 0.5)

    def y(self, value: int) -> float:
        return self.bottom - value / self.ticks[-1] * PLOT_HEIGHT

    def axes(self) -> Markup:
        parts = []
        if self.unit:
            parts.append(_text(self.unit, 2, self.top - 18, anchor="start", colour=MUTED_INK))
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(_line(self.left, y, self.right, y, GRID))
            parts.append(_text(format_count(tick), self.left - 8, y + 4, anchor="end"))
        parts.append(_line(self.left, self.bottom, self.right, self.bottom, MUTED_INK))
        for index in range(0, len(self.labels), self.label_step):
            parts.append(self._category_label(self.labels[index], self.center(index)))
        return Markup("").join(parts)

    @property
    def label_step(self) -> int:
        """Label every category, or every 2nd, 3rd... when columns are too narrow for one line
        of text each (long date ranges); the data table still names them all."""
        return math.ceil(FONT_SIZE * 2.2 / self.band_width) if self.slanted_labels else 1

    def _category_label(self, label: str, x: float) -> Markup:
        y = self.bottom + FONT_SIZE + 6
        if not self.slanted_labels:
            return _text(label, x, y)
        return Markup('<text transform="translate({} {}) rotate(-45)" text-anchor="end">'
                      "<title>{}</title>{}</text>").format(_n(x + 4), _n(y), label, shorten(label, LONGEST_LABEL))


def _slanted_extent(label: str) -> float:
    """How far a label slanted at 45° reaches, across and down (cos 45° ≈ 0.71)."""
    return min(len(label), LONGEST_LABEL) * CHAR_WIDTH * 0.71


def _grouped_bars(frame: _Columns, series: dict[str, list[int]]) -> Iterator[Markup]:
    slot = min(frame.band_width * 0.8 / len(series), 56)
    gap = 2 if len(series) > 1 and slot > 6 else 0  # white between neighbouring bars, when there is room
    for index, label in enumerate(frame.labels):
        start = frame.center(index) - slot * len(series) / 2
        for position, (name, values) in enumerate(series.items()):
            value = values[index]
            yield _bar(start + position * slot, frame.y(value), slot - gap, frame.bottom - frame.y(value),
                       _colour(position), f"{label} · {name}: {format_count(value, frame.unit)}")


def _stacked_bars(frame: _Columns, series: dict[str, list[int]]) -> Iterator[Markup]:
    width = min(frame.band_width * 0.6, 64)
    for index, label in enumerate(frame.labels):
        base = 0
        for position, (name, values) in enumerate(series.items()):
            value = values[index]
            yield _bar(frame.center(index) - width / 2, frame.y(base + value), width,
                       frame.y(base) - frame.y(base + value), _colour(position),
                       f"{label} · {name}: {format_count(value, frame.unit)}", outline="#ffffff")
            base += value


def _lines(frame: _Columns, series: dict[str, list[int]]) -> Iterator[Markup]:
    for position, (name, values) in enumerate(series.items()):
        points = [(frame.center(index), frame.y(value)) for index, value in enumerate(values)]
        yield Markup('<polyline fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}" points="{}"/>').format(
            _colour(position), DASHES[position % len(DASHES)], " ".join(f"{_n(x)},{_n(y)}" for x, y in points))
        for (x, y), label, value in zip(points, frame.labels, values):
            yield Markup('<circle cx="{}" cy="{}" r="4" fill="{}" stroke="#ffffff"><title>{}</title></circle>').format(
                _n(x), _n(y), _colour(position), f"{label} · {name}: {format_count(value, frame.unit)}")


@dataclass(frozen=True)
class _Rows:
    """The plot area of a horizontal bar chart: labels on the left, figures after each bar."""

    labels: list[str]
    ticks: list[int]
    left: float
    right: float
    top: float = 8

    @classmethod
    def fit(cls, labels: list[str], values: list[int], unit: str) -> _Rows:
        left = min(max(map(len, labels)), LONGEST_LABEL) * CHAR_WIDTH + 16
        widest_figure = max(len(format_count(value, unit)) for value in values)
        right = WIDTH - widest_figure * CHAR_WIDTH - 16
        return cls(labels, _ticks_that_fit(max(values), right - left), left, right)

    @property
    def bottom(self) -> float:
        return self.top + len(self.labels) * ROW_HEIGHT

    @property
    def height(self) -> float:
        return self.bottom + FONT_SIZE + 14

    def x(self, value: int) -> float:
        return self.left + value / self.ticks[-1] * (self.right - self.left)

    def axes(self) -> Markup:
        parts = []
        for tick in self.ticks:
            x = self.x(tick)
            parts.append(_line(x, self.top, x, self.bottom, GRID))
            parts.append(_text(format_count(tick), x, self.bottom + FONT_SIZE + 6))
        parts.append(_line(self.left, self.top, self.left, self.bottom, MUTED_INK))
        for index, label in enumerate(self.labels):
            y = self.top + (index + 0.5) * ROW_HEIGHT + 4
            parts.append(Markup('<text x="{}" y="{}" text-anchor="end"><title>{}</title>{}</text>').format(
                _n(self.left - 8), _n(y), label, shorten(label, LONGEST_LABEL)))
        return Markup("").join(parts)

    def bars(self, values: list[int], unit: str) -> Iterator[Markup]:
        for index, (label, value) in enumerate(zip(self.labels, values)):
            row_top = self.top + index * ROW_HEIGHT
            figure = format_count(value, unit)
            yield _bar(self.left, row_top + 6, self.x(value) - self.left, ROW_HEIGHT - 12, _colour(0),
                       f"{label}: {figure}")
            yield _text(figure, self.x(value) + 6, row_top + ROW_HEIGHT / 2 + 4, anchor="start")


def _ticks_that_fit(highest: int, axis_length: float) -> list[int]:
    """The most ticks (up to about 5) whose labels, side by side along `axis_length`, do not touch."""
    for about in (5, 4, 3, 2):
        ticks = nice_ticks(highest, about=about)
        label_width = len(format_count(ticks[-1])) * CHAR_WIDTH + 8
        if axis_length / (len(ticks) - 1) >= label_width:
            return ticks
    return nice_ticks(highest, about=1)


def _legend(names: list[str], *, line: bool) -> tuple[Markup, float]:
    """A key above the plot, wrapping onto more rows as needed; none for a single series."""
    if len(names) < 2:
        return Markup(""), 0
    parts, x, y = [], 0.0, 4.0
    for position, name in enumerate(names):
        shown = shorten(name, LONGEST_LABEL)
        item_width = 26 + len(shown) * CHAR_WIDTH + 18
        if x and x + item_width > WIDTH:
            x, y = 0.0, y + LEGEND_ROW_HEIGHT
        if line:
            parts.append(Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5" '
                                'stroke-dasharray="{}"/>').format(_n(x), _n(y + 8), _n(x + 20), _n(y + 8),
                                                                  _colour(position), DASHES[position % len(DASHES)]))
        else:
            parts.append(Markup('<rect x="{}" y="{}" width="16" height="16" fill="{}"/>').format(
                _n(x + 2), _n(y), _colour(position)))
        parts.append(_text(shown, x + 26, y + 14, anchor="start"))
        x += item_width
    return Markup("").join(parts), y + LEGEND_ROW_HEIGHT


def _summary(kind: str, labels: list[str], series: dict[str, list[int]], unit: str, *, stacked: bool = False) -> str:
    """The <desc>: what the chart shows and its highest figure, for someone who cannot see it."""
    if stacked:
        totals = _totals(series)
        highest = max(range(len(labels)), key=totals.__getitem__)
        peak = f"Highest total: {format_count(totals[highest], unit)} ({labels[highest]})."
    else:
        name, index = max(((name, index) for name, values in series.items() for index in range(len(labels))),
                          key=lambda place: series[place[0]][place[1]])
        where = labels[index] if len(series) == 1 else f"{name}, {labels[index]}"
        peak = f"Highest: {format_count(series[name][index], unit)} ({where})."
    named = f" for {', '.join(series)}" if len(series) > 1 else ""
    return f"{kind} of {len(labels)} categories{named}. {peak} The figures are in the Data table after the chart."


def _svg(title: str, description: str, height: float, parts: list[Markup]) -> Markup:
    body = Markup("").join(parts)
    chart_id = "chart-" + hashlib.blake2s(f"{title}\n{body}".encode(), digest_size=4).hexdigest()
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart__svg" role="img" viewBox="0 0 {width} {height}" '
        'width="{width}" height="{height}" aria-labelledby="{id}-title {id}-desc" font-size="{font_size}" '
        'font-family="{font_family}" fill="{ink}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>{body}</svg>'
    ).format(width=WIDTH, height=_n(height), id=chart_id, font_size=FONT_SIZE, font_family=FONT_FAMILY,
             ink=INK, title=title, description=description, body=body)


def _data_table(labels: list[str], series: dict[str, list[int]], unit: str, *, with_total: bool = False) -> Markup:
    """The chart's numbers as a table: the accessible fallback, and handy for copying figures."""
    names = [*series, "Total"] if with_total else list(series)
    headings = [f"{name} ({unit})" if unit else name for name in names]
    head = Markup("").join(Markup('<th scope="col" class="numeric">{}</th>').format(heading) for heading in headings)
    columns = [*series.values(), _totals(series)] if with_total else list(series.values())
    rows = []
    for index, label in enumerate(labels):
        cells = Markup("").join(Markup('<td class="numeric">{}</td>').format(format_count(column[index]))
                                for column in columns)
        rows.append(Markup('<tr><th scope="row">{}</th>{}</tr>').format(label, cells))
    return Markup(
        '<details class="chart__data"><summary>Data</summary><div class="table-scroll">'
        '<table class="table"><thead><tr><th scope="col">Category</th>{}</tr></thead><tbody>{}</tbody></table>'
        "</div></details>"
    ).format(head, Markup("").join(rows))


def _totals(series: dict[str, list[int]]) -> list[int]:
    """Each category's sum over the series: the height of a stacked column."""
    return [sum(column) for column in zip(*series.values())]


def _figure(title: str, svg: Markup, table: Markup) -> Markup:
    return Markup('<figure class="chart"><figcaption class="chart__title">{}</figcaption>{}{}</figure>').format(
        title, svg, table)


def _no_data(title: str) -> Markup:
    """An honest empty state instead of an empty or broken drawing."""
    return Markup('<figure class="chart chart--empty"><figcaption class="chart__title">{}</figcaption>'
                  '<p class="chart__empty">No data yet.</p></figure>').format(title)


def _bar(x: float, y: float, width: float, height: float, colour: str, tooltip: str, *, outline: str = "") -> Markup:
    stroke = Markup(' stroke="{}"').format(outline) if outline else ""
    return Markup('<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}" fill="{}"{}><title>{}</title></rect>'
                  ).format(_n(x), _n(y), _n(width), _n(height), colour, stroke, tooltip)


def _text(text: str, x: float, y: float, *, anchor: str = "middle", colour: str = "") -> Markup:
    fill = Markup(' fill="{}"').format(colour) if colour else ""
    return Markup('<text x="{}" y="{}" text-anchor="{}"{}>{}</text>').format(_n(x), _n(y), anchor, fill, text)


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> Markup:
    return Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>').format(_n(x1), _n(y1), _n(x2), _n(y2), colour)


def _colour(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


def _n(coordinate: float) -> str:
    """Coordinates to a tenth of a unit: precise enough on any screen, short in the markup."""
    return f"{coordinate:.1f}".removesuffix(".0")
