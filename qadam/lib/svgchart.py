"""Accessible SVG bar charts as strings: horizontal stacked bars and simple (grouped) bars.

Framework-free: the caller passes every word already translated and gets back
markup to embed inline. What makes the charts accessible:

* ``<svg role="img" aria-labelledby="…">`` names a ``<title>`` and a ``<desc>``,
  so a screen reader announces the chart as one image with its summary; the data
  itself belongs in a table next to the chart (the chart is never the only copy);
* the palette is Okabe–Ito's, which stays distinguishable with the common colour
  vision deficiencies; segments are separated by white gaps and the legend lists
  the series in the order they are stacked, so colour is never the only cue;
* every bar and segment carries a ``<title>`` (a tooltip with its exact value);
* every piece of text is escaped: labels come from users and imported documents.

Bars are horizontal because category names (ministries, themes) are long and
read better on the left than slanted under a column.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# Okabe & Ito (2008), "Color Universal Design": safe for protanopia, deuteranopia
# and tritanopia. Grey first-class too, for "nothing happened yet" series.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
    "#000000",  # black
)
GREY = "#BBBBBB"

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
FONT_SIZE = 12
CHAR_WIDTH = 0.6 * FONT_SIZE  # a fair average for proportional fonts, lower case
WIDE_CHAR = 0.75 * FONT_SIZE  # capitals and digits: labels such as "CEDAW" or "MLSP"
LABEL_CHARS = 32  # longer category names are shortened (the full name is in the tooltip)
INK = "#1A1A1A"
GRID = "#D0D4D9"

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?")


@dataclass(frozen=True)
class Series:
    """One series: a name for the legend, one value per category, an optional colour."""

    name: str
    values: Sequence[float]
    colour: str = ""


def default_format(value: float) -> str:
    """Whole numbers without decimals, others with two; thin-space-free, locale-free."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.2f}".replace(",", " ")


def stacked_bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 720,
    fmt: Callable[[float], str] = default_format,
) -> str:
    """One horizontal bar per category, its series stacked left to right, total at the end."""
    chart = _Chart(chart_id, title, desc, categories, series, width, fmt)
    return chart.render(stacked=True)


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 720,
    fmt: Callable[[float], str] = default_format,
) -> str:
    """Horizontal bars; with several series, one bar per series side by side per category."""
    chart = _Chart(chart_id, title, desc, categories, series, width, fmt)
    return chart.render(stacked=False)


def nice_step(value: float, integer: bool = False) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value``: a round tick interval.
    With ``integer``, never a fraction (counts have no half recommendations)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    step = next((m * power for m in (1, 2, 2.5, 5) if value <= m * power), 10 * power)
    if integer and step != int(step):
        step = 5.0 if step == 2.5 else 1.0  # the next round whole number
    return float(step)


def axis(peak: float, integer: bool = False, intervals: int = 4) -> tuple[float, float]:
    """(end of the axis, tick interval): at most about ``intervals`` round steps."""
    step = nice_step(peak / intervals, integer)
    return max(math.ceil(peak / step - 1e-9), 1) * step, step


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value``."""
    return nice_step(value)


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text_width(text: str) -> float:
    return sum(WIDE_CHAR if ch.isupper() or ch.isdigit() else CHAR_WIDTH for ch in text)


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    """Coordinates with at most one decimal: shorter markup, no visible difference."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# Draws a legend key with its top-left corner at (x, y).
Swatch = Callable[[float, float], str]
LEGEND_LINE = 18.0


def legend_items(
    entries: Sequence[tuple[Swatch, float, str]], width: float, top: float = 0.0
) -> tuple[str, float]:
    """Legend keys (swatch, its width, name) wrapped onto as many lines as ``width``
    needs: the markup, and the top of the last line."""
    items, x, y = [], 0.0, top
    for swatch, swatch_width, name in entries:
        item_width = swatch_width + 6 + _text_width(name) + 18
        if x and x + item_width > width:
            x, y = 0.0, y + LEGEND_LINE
        items.append(
            f'<g class="legend-item">{swatch(x, y)}'
            f'<text x="{_num(x + swatch_width + 6)}" y="{_num(y + 13)}" fill="{INK}">'
            f"{escape(name)}</text></g>"
        )
        x += item_width
    return "".join(items), y


def _box(colour: str, x: float, y: float) -> str:
    return (
        f'<rect x="{_num(x)}" y="{_num(y + 2)}" width="14" height="14" fill="{colour}" '
        f'stroke="{INK}" stroke-width="0.5"/>'
    )


class _Chart:
    ROW = 26  # height of a stacked row
    BAR = 16  # thickness of one bar
    GAP = 10  # space between groups of bars
    TOP_PAD = 8
    AXIS = 28  # room under the plot for the tick labels

    def __init__(
        self,
        chart_id: str,
        title: str,
        desc: str,
        categories: Sequence[str],
        series: Sequence[Series],
        width: int,
        fmt: Callable[[float], str],
    ) -> None:
        _check_id(chart_id)
        for s in series:
            if len(s.values) != len(categories):
                raise ValueError(
                    f"series {s.name!r} has {len(s.values)} values for {len(categories)} categories"
                )
            if s.colour and not _COLOUR.fullmatch(s.colour):
                raise ValueError(f"series {s.name!r}: colour {s.colour!r} is not #rgb or #rrggbb")
        self.id = chart_id
        self.title = title
        self.desc = desc
        self.categories = list(categories)
        self.series = list(series)
        self.width = width
        self.fmt = fmt
        self.colours = [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
        self.label_width = min(
            max((_text_width(shorten(c)) for c in self.categories), default=30.0) + 14,
            width * 0.4,
        )
        self.value_width = 12 + max((_text_width(fmt(v)) for v in self._bar_ends()), default=8.0)
        self.plot_left = self.label_width
        self.plot_width = max(width - self.label_width - self.value_width, 40.0)

    def _bar_ends(self) -> list[float]:
        """Every value printed at the end of a bar: totals (stacked) or single values."""
        totals = [sum(s.values[i] for s in self.series) for i in range(len(self.categories))]
        singles = [v for s in self.series for v in s.values]
        return totals + singles

    def render(self, stacked: bool) -> str:
        legend, legend_height = self._legend()
        row = self.ROW if stacked else self.BAR * max(len(self.series), 1) + self.GAP
        top = legend_height + self.TOP_PAD
        plot_height = row * len(self.categories)
        height = top + plot_height + self.AXIS
        peak = max(self._totals() if stacked else self._singles(), default=0.0)
        axis_max, step = axis(peak, integer=self._integers())
        scale = self.plot_width / axis_max
        parts = [
            self._open(height),
            legend,
            self._grid(top, plot_height, axis_max, step, scale),
        ]
        for i, category in enumerate(self.categories):
            y = top + i * row
            parts.append(self._row(i, category, y, row, scale, stacked))
        parts.append("</svg>")
        return "".join(parts)

    def _totals(self) -> list[float]:
        return [sum(max(s.values[i], 0) for s in self.series) for i in range(len(self.categories))]

    def _singles(self) -> list[float]:
        return [max(v, 0) for s in self.series for v in s.values]

    def _open(self, height: float) -> str:
        return _svg_open(self.id, self.title, self.desc, self.width, height, "chart")

    def _legend(self) -> tuple[str, float]:
        """Swatches and names, wrapped onto as many lines as the width needs."""
        if len(self.series) < 2:
            return "", 0.0
        entries = [
            (functools.partial(_box, colour), 14.0, s.name)
            for s, colour in zip(self.series, self.colours, strict=True)
        ]
        items, last = legend_items(entries, self.width)
        return f'<g class="legend">{items}</g>', last + LEGEND_LINE + 4

    def _integers(self) -> bool:
        return all(float(v).is_integer() for s in self.series for v in s.values)

    def _grid(
        self, top: float, plot_height: float, axis_max: float, step: float, scale: float
    ) -> str:
        ticks = [step * k for k in range(round(axis_max / step) + 1)]
        lines = []
        for tick in ticks:
            x = self.plot_left + tick * scale
            lines.append(
                f'<line x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}" '
                f'y2="{_num(top + plot_height)}" stroke="{GRID}" stroke-width="1"/>'
                f'<text x="{_num(x)}" y="{_num(top + plot_height + 16)}" text-anchor="middle" '
                f'fill="{INK}">{escape(self.fmt(tick))}</text>'
            )
        return f'<g class="grid">{"".join(lines)}</g>'

    def _row(self, i: int, category: str, y: float, row: float, scale: float, stacked: bool) -> str:
        label = (
            f'<text x="{_num(self.label_width - 8)}" y="{_num(y + row / 2 + 4)}" '
            f'text-anchor="end" fill="{INK}"><title>{escape(category)}</title>'
            f"{escape(shorten(category))}</text>"
        )
        bars = (
            self._stack(i, category, y, row, scale)
            if stacked
            else self._group(i, category, y, scale)
        )
        return f'<g class="row">{label}{bars}</g>'

    def _stack(self, i: int, category: str, y: float, row: float, scale: float) -> str:
        x = self.plot_left
        bar_y = y + (row - self.BAR) / 2
        parts = []
        for s, colour in zip(self.series, self.colours, strict=True):
            value = s.values[i]
            length = max(value, 0) * scale
            if length > 0:
                parts.append(
                    self._rect(
                        x, bar_y, length, colour, f"{category} — {s.name}: {self.fmt(value)}"
                    )
                )
            x += length
        total = sum(s.values[i] for s in self.series)
        parts.append(self._value(x, bar_y, total))
        return "".join(parts)

    def _group(self, i: int, category: str, y: float, scale: float) -> str:
        parts = []
        for k, (s, colour) in enumerate(zip(self.series, self.colours, strict=True)):
            value = s.values[i]
            bar_y = y + self.GAP / 2 + k * self.BAR
            length = max(value, 0) * scale
            name = f"{category} — {s.name}" if len(self.series) > 1 else category
            if length > 0:
                parts.append(
                    self._rect(self.plot_left, bar_y, length, colour, f"{name}: {self.fmt(value)}")
                )
            parts.append(self._value(self.plot_left + length, bar_y, value))
        return "".join(parts)

    def _rect(self, x: float, y: float, length: float, colour: str, tooltip: str) -> str:
        # The white stroke separates touching segments even where two colours look alike.
        return (
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(length)}" height="{self.BAR}" '
            f'fill="{colour}" stroke="#FFFFFF" stroke-width="1">'
            f"<title>{escape(tooltip)}</title></rect>"
        )

    def _value(self, x: float, bar_y: float, value: float) -> str:
        return (
            f'<text x="{_num(x + 6)}" y="{_num(bar_y + self.BAR - 4)}" fill="{INK}">'
            f"{escape(self.fmt(value))}</text>"
        )


# -- line charts: an indicator over the years, per region ----------------------------

# Lines drop yellow (too pale for a thin line on white) and black (kept for the
# emphasised series, the national total).
LINE_PALETTE = PALETTE[:6]
EMPHASIS = "#000000"
HIGHLIGHT = "#D55E00"  # vermilion: apart from black and grey in lightness as in hue
CONTEXT = "#A8A8A8"
MAX_X_TICKS = 12


@dataclass(frozen=True)
class LineSeries:
    """One line: (year, value) points, None where a year has no value (a gap)."""

    name: str
    points: Sequence[tuple[int, float | None]]
    colour: str = ""
    emphasis: bool = False  # the national total: thick and black


@dataclass(frozen=True)
class _Style:
    colour: str
    width: float  # stroke width of the line
    radius: float  # of each point's circle
    kind: str  # emphasis, highlight, coloured or context


def line_chart(
    series: Sequence[LineSeries],
    *,
    title: str,
    desc: str,
    unit: str = "",
    breaks: Sequence[tuple[int, str]] = (),
    highlight: str = "",
    id_prefix: str = "lc",
    width: int = 640,
    height: int = 320,
    value_format: Callable[[float], str] = default_format,
    others_label: str = "Other series",
) -> str:
    """Lines over the years, one circle with its exact value per point.

    A None value breaks the line: it is never drawn across a year without data.
    Years left out of ``points`` are joined across (surveys every few years), so
    pass None for a year that should show as a gap. ``breaks`` draws a dashed line
    with a label at each year given ("method break", "new regions").

    Colours, so that up to ~25 regions stay legible: with at most six ordinary
    series and no ``highlight``, each gets an Okabe–Ito colour and a legend entry.
    With more, or with a ``highlight`` (a series name), the ordinary series become
    thin grey context lines, one legend entry (``others_label``) for them all, each
    still named by its tooltip; the highlighted series is vermilion and thicker.
    Series with ``emphasis`` (the national total) are always black and thickest,
    and a series' own ``colour`` is always kept. Lines are drawn grey first and
    emphasised last, so the lines that matter are never hidden."""
    chart = _LineChart(series, title, desc, unit, breaks, highlight, id_prefix, width, value_format)
    return chart.render(height, others_label)


def _check_id(chart_id: str) -> None:
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"chart id {chart_id!r} must be a letter then letters, digits, - or _")


class _LineChart:
    BREAK_ROW = 16
    AXIS = 26  # room under the plot for the years
    MIN_PLOT = 120

    def __init__(
        self,
        series: Sequence[LineSeries],
        title: str,
        desc: str,
        unit: str,
        breaks: Sequence[tuple[int, str]],
        highlight: str,
        chart_id: str,
        width: int,
        fmt: Callable[[float], str],
    ) -> None:
        _check_id(chart_id)
        for s in series:
            years = [year for year, _ in s.points]
            if len(set(years)) != len(years):
                raise ValueError(f"series {s.name!r} has two values for one year")
            if s.colour and not _COLOUR.fullmatch(s.colour):
                raise ValueError(f"series {s.name!r}: colour {s.colour!r} is not #rgb or #rrggbb")
        self.id, self.title, self.desc, self.unit = chart_id, title, desc, unit
        self.width, self.fmt = width, fmt
        self.series = [LineSeries(s.name, sorted(s.points), s.colour, s.emphasis) for s in series]
        self.styles = _line_styles(self.series, highlight)
        values = [v for s in self.series for _, v in s.points if v is not None]
        integer = all(float(v).is_integer() for v in values)
        self.y_min, self.y_max, self.y_step = _value_axis(values, integer)
        years = [year for s in self.series for year, _ in s.points]
        self.x_min, self.x_max = (min(years), max(years)) if years else (0, 1)
        if self.x_min == self.x_max:  # one year: put it in the middle
            self.x_min, self.x_max = self.x_min - 1, self.x_max + 1
        self.breaks = [(y, label) for y, label in breaks if self.x_min <= y <= self.x_max]
        ticks = [self.y_min + k * self.y_step for k in range(self._y_ticks())]
        self.left = max((_text_width(fmt(t)) for t in ticks), default=10.0) + 12
        self.right = width - 18  # half of a year's label sticks out past the last year
        self.bottom, self.y_scale = 0.0, 1.0  # set by render, once the height is known

    def _y_ticks(self) -> int:
        return round((self.y_max - self.y_min) / self.y_step) + 1

    def x(self, year: float) -> float:
        return self.left + (year - self.x_min) * (self.right - self.left) / (
            self.x_max - self.x_min
        )

    def render(self, height: int, others_label: str) -> str:
        legend, legend_height = self._legend(others_label)
        break_svg, break_rows = self._break_labels()
        top = legend_height + (18 if self.unit else 0) + break_rows * self.BREAK_ROW + 6
        height = max(height, round(top + self.MIN_PLOT + self.AXIS))
        bottom = height - self.AXIS
        self.y_scale = (bottom - top) / (self.y_max - self.y_min)
        self.bottom = bottom
        parts = [
            _svg_open(self.id, self.title, self.desc, self.width, height, "chart line-chart"),
            legend,
            self._unit_label(legend_height),
            self._y_grid(top, bottom),
            self._x_axis(bottom),
            self._break_lines(top, bottom, break_svg),
        ]
        order = {"context": 0, "coloured": 1, "highlight": 2, "emphasis": 3}
        drawn = sorted(zip(self.series, self.styles, strict=True), key=lambda p: order[p[1].kind])
        parts += [self._line(s, style) for s, style in drawn]
        parts.append("</svg>")
        return "".join(parts)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.y_min) * self.y_scale

    def _legend(self, others_label: str) -> tuple[str, float]:
        entries: list[tuple[str, _Style]] = []
        for s, style in zip(self.series, self.styles, strict=True):
            if style.kind != "context":
                entries.append((s.name, style))
        context = [style for style in self.styles if style.kind == "context"]
        if context:
            entries.append((others_label, context[0]))
        if len(entries) < 2 and not context:
            return "", 0.0
        keys = [(functools.partial(_line_key, style), 22.0, name) for name, style in entries]
        items, last = legend_items(keys, self.width)
        return f'<g class="legend">{items}</g>', last + LEGEND_LINE + 4

    def _unit_label(self, y: float) -> str:
        if not self.unit:
            return ""
        return (
            f'<text class="unit" x="0" y="{_num(y + 13)}" fill="{INK}">{escape(self.unit)}</text>'
        )

    def _y_grid(self, top: float, bottom: float) -> str:
        lines = []
        for k in range(self._y_ticks()):
            tick = self.y_min + k * self.y_step
            y = self.y(tick)
            lines.append(
                f'<line x1="{_num(self.left)}" y1="{_num(y)}" x2="{_num(self.right)}" '
                f'y2="{_num(y)}" stroke="{GRID}" stroke-width="1"/>'
                f'<text x="{_num(self.left - 8)}" y="{_num(y + 4)}" text-anchor="end" '
                f'fill="{INK}">{escape(self.fmt(tick))}</text>'
            )
        return f'<g class="grid">{"".join(lines)}</g>'

    def _x_axis(self, bottom: float) -> str:
        span = self.x_max - self.x_min
        room = max(int((self.right - self.left) // 40), 1)  # a year's label needs ~40 px
        step = (
            1
            if span < min(MAX_X_TICKS, room)
            else int(nice_step(span / min(MAX_X_TICKS, room), True))
        )
        years = [y for y in range(self.x_min, self.x_max + 1) if y % step == 0]
        labels = "".join(
            f'<line x1="{_num(self.x(y))}" y1="{_num(bottom)}" x2="{_num(self.x(y))}" '
            f'y2="{_num(bottom + 4)}" stroke="{INK}" stroke-width="1"/>'
            f'<text x="{_num(self.x(y))}" y="{_num(bottom + 17)}" text-anchor="middle" '
            f'fill="{INK}">{y}</text>'
            for y in years
        )
        axis_line = (
            f'<line x1="{_num(self.left)}" y1="{_num(bottom)}" x2="{_num(self.right)}" '
            f'y2="{_num(bottom)}" stroke="{INK}" stroke-width="1"/>'
        )
        return f'<g class="x-axis">{axis_line}{labels}</g>'

    def _break_labels(self) -> tuple[list[tuple[float, float, str, str]], int]:
        """(x, row, anchor, label) per break, in as few rows as keep labels apart."""
        placed: list[tuple[float, float, str, str]] = []
        ends: list[float] = []  # per row: where its last label ends
        for year, label in sorted(self.breaks):
            x = self.x(year)
            w = _text_width(label)
            start, anchor = (x + 4, "start") if x + 4 + w <= self.width else (x - 4 - w, "end")
            row = next((r for r, end in enumerate(ends) if start > end + 8), len(ends))
            if row == len(ends):
                ends.append(0.0)
            ends[row] = start + w
            placed.append((x + 4 if anchor == "start" else x - 4, row, anchor, label))
        return placed, len(ends)

    def _break_lines(
        self, top: float, bottom: float, labels: list[tuple[float, float, str, str]]
    ) -> str:
        rows = max((row for _, row, _, _ in labels), default=-1) + 1
        parts = []
        for (year, label), (x, row, anchor, _) in zip(sorted(self.breaks), labels, strict=True):
            line_x = self.x(year)
            label_y = top - 6 - (rows - 1 - row) * self.BREAK_ROW
            parts.append(
                f'<g class="break"><title>{escape(f"{year}: {label}")}</title>'
                f'<line x1="{_num(line_x)}" y1="{_num(label_y - 10)}" x2="{_num(line_x)}" '
                f'y2="{_num(bottom)}" stroke="{INK}" stroke-width="1" stroke-dasharray="4 3"/>'
                f'<text x="{_num(x)}" y="{_num(label_y)}" text-anchor="{anchor}" '
                f'font-size="{FONT_SIZE - 1}" fill="{INK}">{escape(label)}</text></g>'
            )
        return "".join(parts)

    def _line(self, s: LineSeries, style: _Style) -> str:
        segments: list[list[str]] = [[]]
        circles = []
        for year, value in s.points:
            if value is None:
                segments.append([])  # a gap: the next point starts a new segment
                continue
            x, y = _num(self.x(year)), _num(self.y(value))
            segments[-1].append(f"{x} {y}")
            tooltip = f"{s.name}, {year}: {self.fmt(value)} {self.unit}".rstrip()
            circles.append(
                f'<circle cx="{x}" cy="{y}" r="{style.radius}" fill="{style.colour}">'
                f"<title>{escape(tooltip)}</title></circle>"
            )
        d = "".join("M" + "L".join(seg) for seg in segments if len(seg) > 1)
        path = (
            f'<path d="{d}" fill="none" stroke="{style.colour}" stroke-width="{style.width}" '
            f'stroke-linejoin="round" stroke-linecap="round"><title>{escape(s.name)}</title></path>'
            if d
            else ""
        )
        return f'<g class="series {style.kind}">{path}{"".join(circles)}</g>'


def _line_key(style: _Style, x: float, y: float) -> str:
    return (
        f'<line x1="{_num(x)}" y1="{_num(y + 9)}" x2="{_num(x + 22)}" y2="{_num(y + 9)}" '
        f'stroke="{style.colour}" stroke-width="{style.width}"/>'
        f'<circle cx="{_num(x + 11)}" cy="{_num(y + 9)}" r="{style.radius}" fill="{style.colour}"/>'
    )


def _line_styles(series: Sequence[LineSeries], highlight: str) -> list[_Style]:
    ordinary = [s for s in series if not s.emphasis and not s.colour]
    context = bool(highlight) or len(ordinary) > len(LINE_PALETTE)
    styles, k = [], 0
    for s in series:
        if s.emphasis:
            styles.append(_Style(s.colour or EMPHASIS, 3.0, 3.5, "emphasis"))
        elif highlight and s.name == highlight:
            styles.append(_Style(s.colour or HIGHLIGHT, 2.5, 3.0, "highlight"))
        elif s.colour:
            styles.append(_Style(s.colour, 2.0, 3.0, "coloured"))
        elif context:
            styles.append(_Style(CONTEXT, 1.25, 2.0, "context"))
        else:
            styles.append(_Style(LINE_PALETTE[k % len(LINE_PALETTE)], 2.0, 3.0, "coloured"))
            k += 1
    return styles


def _value_axis(values: Sequence[float], integer: bool) -> tuple[float, float, float]:
    """(bottom, top, step) of the value axis, on round ticks."""
    if not values:
        return 0.0, 1.0, 0.25
    low, high = min(values), max(values)
    # A line shows values by position, not by length as a bar does, so its axis need
    # not start at zero: squeezing life expectancy of 64–74 years into a 0–80 axis
    # would flatten the very differences the chart is for. Zero stays when it is
    # near anyway (no farther from the data than the data's own spread).
    if 0 < low <= high - low:
        low = 0.0
    if high < 0 and -high <= high - low:
        high = 0.0
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = (low - pad, high + pad) if low < 0 or low - pad >= 0 else (0.0, high + pad)
    if low == 0:
        top, step = axis(high, integer)
        return 0.0, top, step
    step = nice_step((high - low) / 4, integer)
    bottom = math.floor(low / step + 1e-9) * step
    # A point exactly on the bottom line hides in the axis: leave one step of air.
    if math.isclose(bottom, low):
        bottom = max(bottom - step, 0.0) if low > 0 else bottom - step
    return bottom, math.ceil(high / step - 1e-9) * step, step


def _svg_open(chart_id: str, title: str, desc: str, width: int, height: float, css: str) -> str:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" id="{chart_id}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" '
        f'width="{width}" height="{_num(height)}" '
        f'viewBox="0 0 {width} {_num(height)}" '
        f'font-family="{_attr(FONT)}" font-size="{FONT_SIZE}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(desc)}</desc>'
    )
