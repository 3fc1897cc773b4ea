"""Read endpoints for quality of life: the standard and its stored verdicts, public like
the pages. Verdicts come from the newest stored evaluation of the version."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from qadam.qol.access import get_evaluation_for_user, get_standard_for_user, get_version_for_user
from qadam.qol.schemas import StandardOut, VerdictOut
from qadam.taxonomy.schemas import ErrorOut

router = Router(tags=["quality of life"])


@router.get(
    "/qol/{code}",
    response={200: StandardOut, 404: ErrorOut},
    summary="A quality-of-life standard",
)
def get_standard(request: HttpRequest, code: str, version: int | None = None) -> dict[str, Any]:
    """The standard's latest version (or `version`), as the document that was saved:
    components, indicators, goalposts, thresholds, weights and rules."""
    standard = get_standard_for_user(request.user, code)
    found = get_version_for_user(request.user, standard, version)
    return {"code": standard.code, "version": found.number, "document": found.document}


@router.get(
    "/qol/{code}/verdicts",
    response={200: list[VerdictOut], 404: ErrorOut},
    summary="Verdicts per region for one year",
)
def list_verdicts(
    request: HttpRequest, code: str, year: int | None = None, version: int | None = None
) -> list[dict[str, Any]]:
    """One object per region, as `qadam qol evaluate --format json` prints: index,
    component scores, verdict, failed components, coverage and the rank interval. The
    year defaults to the one the uncertainty was computed for; 404 when the version was
    never evaluated or has no result for that year."""
    standard = get_standard_for_user(request.user, code)
    found = get_version_for_user(request.user, standard, version)
    evaluation = get_evaluation_for_user(request.user, found)
    if evaluation is None:
        raise Http404
    year = year or evaluation.year
    ranks = {}
    if year == evaluation.year:
        ranks = {r["region"]: r for r in evaluation.uncertainty.get("rows", [])}
    rows = [r for r in evaluation.results if r["year"] == year]
    if not rows:
        raise Http404
    return [verdict(r, ranks.get(r["region"], {})) for r in rows]


def verdict(row: dict[str, Any], rank: dict[str, Any]) -> dict[str, Any]:
    """One region's verdict in the shape of the API and of `qadam qol evaluate`."""
    return {
        "region": row["region"],
        "year": row["year"],
        "index": row["index"],
        "components": row["components"],
        "sufficient": row["sufficient"],
        "failed_components": row["failed_components"],
        "coverage": row["coverage"],
        "median_rank": rank.get("median_rank"),
        "rank_p5": rank.get("rank_p5"),
        "rank_p95": rank.get("rank_p95"),
    }
