"""An indicator's observations as the page's chart, map and table.

Both pictures are SVG strings made by ``qadam.lib`` from plain numbers, so the same
pictures go into reports. Words are translated here, before they reach the lib."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from qadam.indicators.models import Indicator, Observation, Series
from qadam.lib import svgchart, svgmap
from qadam.taxonomy.models import Region


@dataclass
class Grid:
    """Observations of one series as region × year, national first."""

    years: list[int]
    regions: list[Region]
    national: dict[int, float] = field(default_factory=dict)
    values: dict[str, dict[int, float]] = field(default_factory=dict)
    flags: dict[tuple[str, int], str] = field(default_factory=dict)

    def value(self, region: str, year: int) -> float | None:
        return (self.national if not region else self.values.get(region, {})).get(year)

    def rows(self) -> list[tuple[str, str, list[float | None]]]:
        """(code, name, value per year) for the table; regions without data are left out."""
        out: list[tuple[str, str, list[float | None]]] = []
        if self.national:
            out.append(("", _("Kazakhstan"), [self.national.get(y) for y in self.years]))
        for region in self.regions:
            if region.code in self.values:
                row = self.values[region.code]
                out.append((region.code, region.display_name(), [row.get(y) for y in self.years]))
        return out

    def latest_regional_year(self) -> int | None:
        years = {y for row in self.values.values() for y in row}
        return max(years) if years else None


def grid_for(series: Series, regions: list[Region]) -> Grid:
    values: dict[str, dict[int, float]] = defaultdict(dict)
    national: dict[int, float] = {}
    flags: dict[tuple[str, int], str] = {}
    years: set[int] = set()
    for obs in Observation.objects.filter(series=series).only("region", "year", "value", "flags"):
        years.add(obs.year)
        (values[obs.region] if obs.region else national)[obs.year] = obs.value
        if obs.flags:
            flags[(obs.region, obs.year)] = obs.flags
    known = {r.code for r in regions}
    return Grid(
        years=sorted(years),
        regions=[r for r in regions if r.code in values],
        national=national,
        values={k: v for k, v in values.items() if k in known},
        flags=flags,
    )


def unit_text(indicator: Indicator, series: Series) -> str:
    from django.utils.translation import get_language

    from qadam.lib.i18n import pick

    return pick(indicator.unit, get_language() or "en").text or series.unit_code


def line_chart(indicator: Indicator, series: Series, grid: Grid, highlight: str = "") -> str:
    lines = []
    if grid.national:
        lines.append(
            svgchart.LineSeries(
                _("Kazakhstan"), [(y, grid.national.get(y)) for y in grid.years], emphasis=True
            )
        )
    for region in grid.regions:
        row = grid.values[region.code]
        lines.append(
            svgchart.LineSeries(region.display_name(), [(y, row.get(y)) for y in grid.years])
        )
    highlighted = next((r.display_name() for r in grid.regions if r.code == highlight), "")
    return svgchart.line_chart(
        lines,
        title=indicator.display_title(),
        desc=_(
            "%(title)s by year, for Kazakhstan and its regions. The table below holds every value."
        )
        % {"title": indicator.display_title()},
        unit=unit_text(indicator, series),
        breaks=[(int(year), break_label(code)) for year, code in indicator.breaks],
        highlight=highlighted,
        others_label=_("Regions"),
        id_prefix=f"line-{indicator.pk}",
    )


def break_label(code: str) -> str:
    labels = {
        "border-break-2022": _("new regions"),
        "method-break-2018": _("method change"),
    }
    return labels.get(code, code)


def region_map(
    indicator: Indicator, series: Series, grid: Grid, year: int, higher_is_better: bool | None
) -> str:
    values = {code: row.get(year) for code, row in grid.values.items()}
    return choropleth(
        values,
        year=year,
        title=_("%(title)s, %(year)s") % {"title": indicator.display_title(), "year": year},
        desc=_(
            "Map of the regions coloured by value in %(year)s. The table below holds every value."
        )
        % {"year": year},
        unit=unit_text(indicator, series),
        higher_is_better=higher_is_better,
        names={r.code: r.display_name() for r in grid.regions},
        legend_title=unit_text(indicator, series),
        no_data_label=_("No data"),
        id_prefix=f"map-{indicator.pk}",
    )


def choropleth(values: dict[str, float | None], **options: Any) -> str:
    """svgmap.choropleth with the data folder's shapes and the legend's words translated."""
    return svgmap.choropleth(
        values,
        geo_dir=Path(settings.QADAM_DATA_DIR) / "geo",
        better_labels=(_("Higher is better (darker)"), _("Lower is better (darker)")),
        **options,
    )
