"""The numbers a standard needs, out of the indicators app: one panel of raw values,
indicator × region × year, NaN where the statistics have nothing.

A standard names each indicator's data by dataset, indicator, series, unit and
disaggregation (``source`` in the document). Nothing is filled in here: carrying values
forward and judging coverage are the engine's rules (qadam.lib.qol), stated in the
standard itself."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qadam.indicators.models import Dataset, Observation, Series
from qadam.lib.qol import Panel, Standard
from qadam.taxonomy.models import Region


@dataclass
class PanelData:
    panel: Panel
    regions: list[Region]
    fingerprint: str
    # indicator code → what was found for it: the series used, or why none was.
    found: dict[str, str] = field(default_factory=dict)


def current_regions() -> list[Region]:
    """The first-level units that exist today (20 in Kazakhstan since 2022)."""
    return list(Region.objects.filter(valid_to__isnull=True).order_by("code"))


def build_panel(standard: Standard, years: Iterable[int] | None = None) -> PanelData:
    regions = current_regions()
    codes = [r.code for r in regions]
    series = {spec.code: find_series(spec.source) for spec in standard.indicators}
    year_list = sorted(years) if years is not None else _years(series.values())
    values = np.full((len(series), len(codes), len(year_list)), np.nan)
    for i, spec in enumerate(standard.indicators):
        found = series[spec.code]
        if found is not None:
            _fill(values[i], found, spec.source, codes, year_list)
    panel = Panel(values, standard.indicator_codes, tuple(codes), tuple(year_list))
    found_text = {code: (s.key if s is not None else "") for code, s in series.items()}
    return PanelData(panel, regions, data_fingerprint(), found_text)


def find_series(source: Mapping[str, Any]) -> Series | None:
    """The series a standard's ``source`` names. The unit is matched when the data has
    it; an importer's unit correction (8-5-1: PT → KZT) must not break a standard."""
    candidates = [
        s
        for s in Series.objects.filter(
            indicator__dataset__code=source.get("dataset", ""),
            indicator__code=str(source.get("indicator", "")),
            series_code=str(source.get("series", "") or ""),
        )
        if s.disaggregation == dict(source.get("disaggregation") or {})
    ]
    unit = str(source.get("unit", "") or "")
    exact = [s for s in candidates if s.unit_code == unit]
    if exact or not unit:
        chosen = exact or candidates
        return chosen[0] if chosen else None
    return candidates[0] if len(candidates) == 1 else None


def _years(series: Iterable[Series | None]) -> list[int]:
    ids = [s.pk for s in series if s is not None]
    years = set(
        Observation.objects.filter(series_id__in=ids).values_list("year", flat=True).distinct()
    )
    return sorted(years)


def _fill(
    target: np.ndarray,
    series: Series,
    source: Mapping[str, Any],
    codes: list[str],
    years: list[int],
) -> None:
    row = {c: i for i, c in enumerate(codes)}
    col = {y: j for j, y in enumerate(years)}
    national: dict[int, float] = {}
    for region, year, value in Observation.objects.filter(series=series).values_list(
        "region", "year", "value"
    ):
        if not region:
            national[year] = value
        elif region in row and year in col:
            target[row[region], col[year]] = value
    if source.get("relative_to_national"):
        _relative(target, national, years)


def _relative(target: np.ndarray, national: dict[int, float], years: list[int]) -> None:
    """Regional value as a percentage of the national value of the same year; a year
    without a national value has no relative value either (never a guess)."""
    for j, year in enumerate(years):
        base = national.get(year)
        target[:, j] = target[:, j] / base * 100.0 if base else np.nan


def data_fingerprint() -> str:
    digest = hashlib.sha256()
    for code, fingerprint in Dataset.objects.order_by("code").values_list("code", "fingerprint"):
        digest.update(f"{code}:{fingerprint};".encode())
    return digest.hexdigest()
