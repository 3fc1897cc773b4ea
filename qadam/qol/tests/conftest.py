"""A synthetic world for the quality-of-life tests: four regions, two indicators over
three years, and a two-component standard. Nothing here is real data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from qadam.indicators.models import Dataset, Indicator, Observation, Series
from qadam.lib import opensdg
from qadam.qol.actions import do_save_version
from qadam.qol.models import StandardVersion
from qadam.taxonomy.models import Region

REGIONS = ("KZAKM", "KZAKT", "KZALA", "KZNS")
YEARS = (2021, 2022, 2023)
# Poverty share (lower is better) and floor area (higher is better), per region.
POVERTY = {
    "KZAKM": (6.0, 5.0, 4.0),
    "KZAKT": (9.0, 8.0, 7.5),
    "KZALA": (2.0, 2.0, 1.5),
    "KZNS": (3.0, 2.5, 2.0),
}
AREA = {
    "KZAKM": (20.0, 21.0, 22.0),
    "KZAKT": (18.0, 18.5, 19.0),
    "KZALA": (27.0, 28.0, 29.0),
    "KZNS": (30.0, 31.0, 32.0),
}

SYNTHETIC_STANDARD = """\
format: qadam-qol-standard/1
code: synthetic-qol
title: {en: Synthetic standard, ru: Синтетический стандарт, kk: Синтетикалық стандарт}
aggregation: {across_components: geometric, within_components: arithmetic}
verdict: {max_failed_components: 1, index_rule: threshold-region}
missing: {min_coverage: 0.5, carry_forward_years: 1}
components:
  - code: income
    name: {en: Income}
    weight: 1.0
    threshold: null
    indicators:
      - code: poverty
        name: {en: Share below the subsistence minimum}
        source:
          {dataset: synthetic-stats, indicator: poverty, series: "", unit: PT, disaggregation: {}}
        direction: lower-is-better
        transform: none
        goalposts: {low: 0.0, high: 20.0}
        threshold: 5.0
        weight: 1.0
        floor: null
        rationale: {en: Synthetic.}
  - code: housing
    name: {en: Housing}
    weight: 1.0
    threshold: null
    indicators:
      - code: area
        name: {en: Floor area per person}
        source:
          {dataset: synthetic-stats, indicator: area, series: "", unit: SQ_METER,
           disaggregation: {}}
        direction: higher-is-better
        transform: none
        goalposts: {low: 10.0, high: 40.0}
        threshold: 20.0
        weight: 1.0
        floor: null
        rationale: {en: Synthetic.}
"""


def _series(
    dataset: Dataset, code: str, unit: str, values: Mapping[str, tuple[float, ...]]
) -> None:
    indicator = Indicator.objects.create(
        dataset=dataset, code=code, title={"en": code}, has_regions=True
    )
    series = Series.objects.create(
        indicator=indicator, key=opensdg.series_key("", unit, {}), unit_code=unit, is_total=True
    )
    Observation.objects.bulk_create(
        Observation(series=series, region=region, year=year, value=value)
        for region, row in values.items()
        for year, value in zip(YEARS, row, strict=True)
    )


@pytest.fixture
def synthetic_data(db: None) -> None:
    for code in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": {"en": f"Region {code}"}})
    dataset = Dataset.objects.create(
        code="synthetic-stats", kind=Dataset.Kind.OPENSDG, fingerprint="synthetic-1"
    )
    _series(dataset, "poverty", "PT", POVERTY)
    _series(dataset, "area", "SQ_METER", AREA)


@pytest.fixture
def standard(synthetic_data: None, settings: Any) -> StandardVersion:
    settings.QADAM_QOL_STANDARD = "synthetic-qol"
    return do_save_version(None, SYNTHETIC_STANDARD, "synthetic")
