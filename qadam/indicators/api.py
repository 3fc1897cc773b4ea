"""Read endpoints for indicators: official statistics are public, like the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from qadam.indicators.access import get_indicator_for_user, get_indicators_for_user
from qadam.indicators.models import Indicator
from qadam.indicators.schemas import IndicatorDetailOut, IndicatorOut
from qadam.taxonomy.schemas import ErrorOut

router = Router(tags=["indicators"])


def _out(indicator: Indicator) -> dict[str, Any]:
    return {
        "dataset": indicator.dataset.code,
        "code": indicator.code,
        "sdg": indicator.sdg.code if indicator.sdg else None,
        "title": indicator.title,
        "unit": indicator.unit,
        "has_regions": indicator.has_regions,
        "first_year": indicator.first_year,
        "last_year": indicator.last_year,
    }


@router.get("/indicators", response=list[IndicatorOut], summary="List indicators")
def list_indicators(request: HttpRequest, regions: bool = False) -> list[dict[str, Any]]:
    """Every imported indicator; `regions=true` keeps those with data by region."""
    indicators = get_indicators_for_user(request.user)
    if regions:
        indicators = indicators.filter(has_regions=True)
    return [_out(i) for i in indicators]


@router.get(
    "/indicators/{dataset}/{code}",
    response={200: IndicatorDetailOut, 404: ErrorOut},
    summary="One indicator with all its series and observations",
)
def get_indicator(request: HttpRequest, dataset: str, code: str) -> dict[str, Any]:
    """Metadata, known breaks and every series (total and breakdowns) with each value by
    region (REF_AREA, "" for the country) and year, and the import's flags. 404 for an
    unknown dataset or code."""
    indicator = get_indicator_for_user(request.user, dataset, code)
    series = []
    for s in indicator.series.prefetch_related("observations"):
        series.append(
            {
                "key": s.key,
                "series": s.series_code,
                "unit": s.unit_code,
                "disaggregation": s.disaggregation,
                "observations": [
                    {
                        "region": o.region,
                        "year": o.year,
                        "value": o.value,
                        "flags": o.flags.split(",") if o.flags else [],
                    }
                    for o in s.observations.all()
                ],
            }
        )
    return _out(indicator) | {
        "breaks": [tuple(b) for b in indicator.breaks],
        "meta": indicator.meta,
        "series": series,
    }
