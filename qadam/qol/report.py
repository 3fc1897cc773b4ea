"""An evaluation's stored rows, shaped for the pages: one year's ranking, verdicts,
uncertainty intervals and the deficit heat-map (regions × components)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

from qadam.lib import qol as engine
from qadam.lib.i18n import pick
from qadam.qol.models import StandardVersion
from qadam.taxonomy.models import Region


@dataclass
class Cell:
    component: str
    score: float | None
    threshold: float
    below: bool


@dataclass
class RegionRow:
    region: str
    name: str
    index: float | None
    sufficient: bool | None
    failed: list[str]
    coverage: float
    coverage_ok: bool
    reason: str
    cells: list[Cell]
    carried: list[dict[str, Any]]
    floor_breaches: list[str]
    rank: int | None = None
    median_rank: float | None = None
    rank_p5: float | None = None
    rank_p95: float | None = None
    wide: bool = False
    # The 5–95% rank interval as percentages of the rank scale, for the little bar.
    interval_left: float = 0.0
    interval_width: float = 0.0


@dataclass
class Report:
    year: int | None
    years: list[int]
    components: list[tuple[str, str]]  # (code, name)
    rows: list[RegionRow]
    index_threshold: float
    sobol: dict[str, dict[str, float]] = field(default_factory=dict)
    draws: int = 0

    @property
    def sufficient_count(self) -> int:
        return sum(1 for r in self.rows if r.sufficient)

    @property
    def verdict_count(self) -> int:
        return sum(1 for r in self.rows if r.sufficient is not None)

    @property
    def region_count(self) -> int:
        return len(self.rows)


def _name(texts: Any) -> str:
    return pick(dict(texts), get_language() or "en").text


def build_report(
    version: StandardVersion,
    results: list[dict[str, Any]],
    uncertainty: dict[str, Any],
    year: int | None,
    spec: engine.Standard | None = None,
) -> Report:
    spec = spec or engine.parse_standard(version.document)
    years = sorted({r["year"] for r in results if r.get("index") is not None})
    if year not in years:
        year = uncertainty_year(uncertainty, results) or (years[-1] if years else None)
    thresholds = engine.component_thresholds(spec)
    names = {r.code: r.display_name() for r in Region.objects.all()}
    comp_names = {c.code: _name(c.name) for c in spec.components}
    rows = [_row(r, names, thresholds, comp_names) for r in results if r["year"] == year]
    _rank(rows)
    _attach_uncertainty(rows, uncertainty if _same_year(uncertainty, year) else {})
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.name))
    return Report(
        year=year,
        years=years,
        components=[(c.code, comp_names[c.code]) for c in spec.components],
        rows=rows,
        index_threshold=engine.index_threshold(spec),
        sobol=uncertainty.get("sobol", {}) if _same_year(uncertainty, year) else {},
        draws=int(uncertainty.get("draws", 0) or 0),
    )


def uncertainty_year(uncertainty: dict[str, Any], results: list[dict[str, Any]]) -> int | None:
    rows = uncertainty.get("rows") or []
    return uncertainty.get("year") or (rows[0].get("year") if rows else None)


def _same_year(uncertainty: dict[str, Any], year: int | None) -> bool:
    return bool(uncertainty) and uncertainty.get("year") in (None, year)


def _row(
    r: dict[str, Any],
    names: dict[str, str],
    thresholds: dict[str, float],
    comp_names: dict[str, str],
) -> RegionRow:
    scores = r.get("components") or {}
    cells = [
        Cell(code, scores.get(code), thresholds[code], code in (r.get("failed_components") or []))
        for code in thresholds
    ]
    return RegionRow(
        region=r["region"],
        name=names.get(r["region"], r["region"]),
        index=r.get("index"),
        sufficient=r.get("sufficient"),
        failed=[comp_names.get(c, c) for c in r.get("failed_components") or []],
        coverage=float(r.get("coverage") or 0.0),
        coverage_ok=bool(r.get("coverage_ok")),
        reason=str(r.get("reason") or ""),
        cells=cells,
        carried=list(r.get("carried") or []),
        floor_breaches=list(r.get("floor_breaches") or []),
    )


def _rank(rows: list[RegionRow]) -> None:
    """Nominal rank by index, 1 = best; regions without an index have none."""
    ranked = sorted((r for r in rows if r.index is not None), key=lambda r: -(r.index or 0))
    for position, row in enumerate(ranked, start=1):
        row.rank = position


def _attach_uncertainty(rows: list[RegionRow], uncertainty: dict[str, Any]) -> None:
    by_region = {u["region"]: u for u in uncertainty.get("rows") or []}
    for row in rows:
        u = by_region.get(row.region)
        if u:
            row.median_rank = u.get("median_rank")
            row.rank_p5 = u.get("rank_p5")
            row.rank_p95 = u.get("rank_p95")
            row.wide = bool(u.get("wide"))
            _place_interval(row, len(rows))


def _place_interval(row: RegionRow, regions: int) -> None:
    if row.rank_p5 is None or row.rank_p95 is None or regions < 2:
        return
    scale = 100.0 / (regions - 1)
    row.interval_left = round((row.rank_p5 - 1) * scale, 1)
    # At least a sliver, so a region whose rank never moves still shows a mark.
    row.interval_width = max(round((row.rank_p95 - row.rank_p5) * scale, 1), 1.5)
