"""The recommendation list: filters, full-text search, facets and sorting.

One module serves the web list and the API, so both accept the same parameters
and a URL copied from one works in the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import QueryDict

from qadam.registry.models import Label, Recommendation
from qadam.registry.search import search_filter
from qadam.taxonomy.models import State, Term

# URL parameter → taxonomy code of the labels it filters on.
LABEL_FACETS = {
    "theme": "ohchr-theme",
    "group": "ohchr-group",
    "issue": "upr-info-issue",
    "goal": "sdg-goal",
    "target": "sdg-target",
}
SORTS = {
    "document": ("-session__number", "document__symbol", "id"),
    "number": ("number", "id"),
    "-date": ("-document__date", "id"),
    "date": ("document__date", "id"),
    "response": ("response", "id"),
}


@dataclass
class RecommendationQuery:
    q: str = ""
    mechanism: list[str] = field(default_factory=list)  # Mechanism.code
    cycle: list[str] = field(default_factory=list)  # Cycle.number
    session: list[str] = field(default_factory=list)  # Session.number
    response: list[str] = field(default_factory=list)
    sur: list[str] = field(default_factory=list)  # state under review, ISO3
    by: list[str] = field(default_factory=list)  # recommending state, ISO3
    rgroup: list[str] = field(default_factory=list)  # recommending state's UN group
    action: list[str] = field(default_factory=list)  # UPR Info action category
    theme: list[str] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    issue: list[str] = field(default_factory=list)
    goal: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    sort: str = "document"

    @classmethod
    def from_params(cls, params: QueryDict | dict[str, Any]) -> RecommendationQuery:
        query = cls()
        for f in fields(cls):
            if isinstance(params, QueryDict):
                values = [v for v in params.getlist(f.name) if v]
            else:
                raw = params.get(f.name) or []
                values = [str(v) for v in (raw if isinstance(raw, list) else [raw]) if v]
            if f.name in ("q", "sort"):
                if values:
                    setattr(query, f.name, values[0].strip()[:200])
            else:
                setattr(query, f.name, values[:50])
        if query.sort not in SORTS:
            query.sort = "document"
        return query

    def is_filtered(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "sort")


def apply_filters(qs: QuerySet[Recommendation], query: RecommendationQuery) -> QuerySet[Recommendation]:
    simple = {
        "mechanism": "mechanism__code__in",
        "cycle": "session__cycle__number__in",
        "session": "session__number__in",
        "sur": "state_under_review__iso3__in",
    }
    for name, lookup in simple.items():
        values = getattr(query, name)
        if values:
            qs = qs.filter(**{lookup: values})
    if query.response:
        qs = qs.filter(response__in=[("" if v == "none" else v) for v in query.response])
    if query.action:
        qs = qs.filter(action_category__in=[int(v) for v in query.action if v.isdigit()])
    if query.by:
        qs = qs.filter(recommending_states__iso3__in=query.by).distinct()
    if query.rgroup:
        qs = qs.filter(
            pk__in=Recommendation.recommending_states.through.objects.filter(
                state__regional_group__in=query.rgroup
            ).values("recommendation_id")
        )
    for param, taxonomy in LABEL_FACETS.items():
        codes = getattr(query, param)
        if codes:
            qs = qs.filter(pk__in=_labelled_with(taxonomy, codes))
    if query.q:
        qs = search_filter(qs, query.q)
    return qs


def _labelled_with(taxonomy: str, codes: list[str]) -> QuerySet[Label, Any]:
    """Recommendations with a live label on these terms or on their children."""
    terms = Term.objects.filter(taxonomy__code=taxonomy, code__in=codes)
    return Label.objects.exclude(status=Label.Status.REJECTED).filter(
        Q(term__in=terms) | Q(term__parent__in=terms)
    ).values("recommendation_id")


def ordered(qs: QuerySet[Recommendation], query: RecommendationQuery) -> QuerySet[Recommendation]:
    return qs.order_by(*SORTS[query.sort])


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def facets(qs: QuerySet[Recommendation], query: RecommendationQuery) -> dict[str, list[FacetValue]]:
    """Counts per value of each filter, over the current result set."""
    ids = qs.values("pk")
    out: dict[str, list[FacetValue]] = {}
    out["mechanism"] = _column_facet(qs, "mechanism__code", "mechanism__code", query.mechanism)
    out["session"] = _column_facet(qs, "session__number", "session__number", query.session)
    out["response"] = _response_facet(qs, query.response)
    out["action"] = _column_facet(qs, "action_category", "action_category", query.action)
    out["sur"] = _state_facet(qs, "state_under_review", query.sur)
    out["by"] = _recommending_state_facet(ids, query.by)
    out["rgroup"] = _regional_group_facet(ids, query.rgroup)
    for param, taxonomy in LABEL_FACETS.items():
        out[param] = _label_facet(ids, taxonomy, getattr(query, param))
    return out


def _column_facet(
    qs: QuerySet[Recommendation], column: str, label_column: str, selected: list[str]
) -> list[FacetValue]:
    rows = qs.order_by().values(column).annotate(n=Count("pk", distinct=True)).order_by(column)
    return [
        FacetValue(str(r[column]), str(r[column]), r["n"], str(r[column]) in selected)
        for r in rows if r[column] not in (None, "")
    ]


def _response_facet(qs: QuerySet[Recommendation], selected: list[str]) -> list[FacetValue]:
    from qadam.registry.models import Response

    labels = dict(Response.choices)
    rows = qs.order_by().values("response").annotate(n=Count("pk")).order_by("response")
    return [
        FacetValue(r["response"] or "none", str(labels.get(r["response"], r["response"])),
                   r["n"], (r["response"] or "none") in selected)
        for r in rows
    ]


def _state_facet(qs: QuerySet[Recommendation], column: str, selected: list[str]) -> list[FacetValue]:
    rows = qs.order_by().values(f"{column}_id").annotate(n=Count("pk"))
    counts = {r[f"{column}_id"]: r["n"] for r in rows if r[f"{column}_id"]}
    states = State.objects.in_bulk(list(counts))
    values = [
        FacetValue(s.iso3, s.display_name(), counts[pk], s.iso3 in selected)
        for pk, s in states.items()
    ]
    return sorted(values, key=lambda v: (-v.count, v.label))


def _recommending_state_facet(ids: QuerySet[Any], selected: list[str]) -> list[FacetValue]:
    through = Recommendation.recommending_states.through
    rows = (
        through.objects.filter(recommendation_id__in=ids)
        .values("state_id").annotate(n=Count("recommendation_id", distinct=True))
    )
    counts = {r["state_id"]: r["n"] for r in rows}
    states = State.objects.in_bulk(list(counts))
    values = [
        FacetValue(s.iso3, s.display_name(), counts[pk], s.iso3 in selected)
        for pk, s in states.items()
    ]
    return sorted(values, key=lambda v: (-v.count, v.label))


def _regional_group_facet(ids: QuerySet[Any], selected: list[str]) -> list[FacetValue]:
    through = Recommendation.recommending_states.through
    rows = (
        through.objects.filter(recommendation_id__in=ids)
        .values("state__regional_group")
        .annotate(n=Count("recommendation_id", distinct=True))
    )
    labels = dict(State.Group.choices)
    return [
        FacetValue(r["state__regional_group"], str(labels.get(r["state__regional_group"], "")),
                   r["n"], r["state__regional_group"] in selected)
        for r in rows if r["state__regional_group"]
    ]


def _label_facet(ids: QuerySet[Any], taxonomy: str, selected: list[str]) -> list[FacetValue]:
    rows = (
        Label.objects.filter(recommendation_id__in=ids, term__taxonomy__code=taxonomy)
        .exclude(status=Label.Status.REJECTED)
        .values("term_id")
        .annotate(n=Count("recommendation_id", distinct=True))
    )
    counts = {r["term_id"]: r["n"] for r in rows}
    terms = Term.objects.in_bulk(list(counts))
    values = [
        FacetValue(t.code, str(t), counts[pk], t.code in selected) for pk, t in terms.items()
    ]
    return sorted(values, key=lambda v: (-v.count, v.label))
