"""Shapes of the indicators API."""

from __future__ import annotations

from ninja import Field, Schema

NAME = "Text per language code (kk, ru, en)."


class IndicatorOut(Schema):
    dataset: str = Field(description="Dataset code: kazstat-sdg, kz-stats, …")
    code: str = Field(description="The indicator's code in its dataset, e.g. 3-2-1.")
    sdg: str | None = Field(description="The global SDG indicator it reports on, e.g. 3.2.1.")
    title: dict[str, str] = Field(description=NAME)
    unit: dict[str, str] = Field(description=NAME)
    has_regions: bool
    first_year: int | None
    last_year: int | None


class ObservationOut(Schema):
    region: str = Field(description="REF_AREA code; empty for the whole country.")
    year: int
    value: float
    flags: list[str] = Field(
        description="Import flags such as border-break-2022 or method-break-2018."
    )


class SeriesOut(Schema):
    key: str = Field(description="series|unit|COLUMN=value;… unique within the indicator.")
    series: str
    unit: str
    disaggregation: dict[str, str] = Field(description="Empty for the total series.")
    observations: list[ObservationOut]


class IndicatorDetailOut(IndicatorOut):
    breaks: list[tuple[int, str]] = Field(description="[year, reason] breaks in the series.")
    meta: dict[str, object]
    series: list[SeriesOut]
