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
        if not _ID.fullmatch(chart_id):
            raise ValueError(f"chart id {chart_id!r} must be a letter then letters, digits, - or _")
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
        title_id, desc_id = f"{self.id}-title", f"{self.id}-desc"
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{self.id}" '
            f'role="img" aria-labelledby="{title_id} {desc_id}" '
            f'width="{self.width}" height="{_num(height)}" '
            f'viewBox="0 0 {self.width} {_num(height)}" '
            f'font-family="{_attr(FONT)}" font-size="{FONT_SIZE}">'
            f'<title id="{title_id}">{escape(self.title)}</title>'
            f'<desc id="{desc_id}">{escape(self.desc)}</desc>'
        )

    def _legend(self) -> tuple[str, float]:
        """Swatches and names, wrapped onto as many lines as the width needs."""
        if len(self.series) < 2:
            return "", 0.0
        items, x, y, line = [], 0.0, 0.0, 18.0
        for name, colour in zip((s.name for s in self.series), self.colours, strict=True):
            item_width = 14 + 6 + _text_width(name) + 18
            if x and x + item_width > self.width:
                x, y = 0.0, y + line
            items.append(
                f'<g class="legend-item"><rect x="{_num(x)}" y="{_num(y + 2)}" width="14" '
                f'height="14" fill="{colour}" stroke="{INK}" stroke-width="0.5"/>'
                f'<text x="{_num(x + 20)}" y="{_num(y + 13)}" fill="{INK}">'
                f"{escape(name)}</text></g>"
            )
            x += item_width
        return f'<g class="legend">{"".join(items)}</g>', y + line + 4

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
