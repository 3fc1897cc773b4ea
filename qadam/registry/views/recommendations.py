"""The public recommendation list and detail pages.

The list is one GET form: every filter, the search, the sort and the page live in
the URL, so a view of the registry can be bookmarked, shared and opened by the
API with the same parameters (see docs/ui.md for the contract).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from qadam.audit.actions import history_for
from qadam.registry.access import get_recommendation_for_user, get_recommendations_for_user
from qadam.registry.models import Label, Recommendation
from qadam.registry.queries import (
    LABEL_FACETS,
    FacetValue,
    RecommendationQuery,
    apply_filters,
    facets,
    ordered,
)
from qadam.registry.similar import similar_recommendations
from qadam.registry.templatetags.registry_ui import is_slug
from qadam.taxonomy.models import Mechanism

PAGE_SIZE = 25
# A facet longer than this shows its biggest values and folds the rest away.
TOP_VALUES = 8
LABELS_PER_ROW = 3

# Facets in the order the form shows them, with their legends.
FACET_TITLES: list[tuple[str, Promise]] = [
    ("mechanism", gettext_lazy("Mechanism")),
    ("cycle", gettext_lazy("Cycle")),
    ("session", gettext_lazy("Session")),
    ("response", gettext_lazy("Response")),
    ("sur", gettext_lazy("State under review")),
    ("by", gettext_lazy("Recommending state")),
    ("rgroup", gettext_lazy("Regional group of the recommending state")),
    ("theme", gettext_lazy("OHCHR human-rights theme")),
    ("group", gettext_lazy("Group of persons")),
    ("issue", gettext_lazy("UPR Info issue")),
    ("goal", gettext_lazy("SDG goal")),
    ("target", gettext_lazy("SDG target")),
    ("action", gettext_lazy("Action category")),
]

SORT_LABELS: list[tuple[str, Promise]] = [
    ("document", gettext_lazy("Review, most recent session first")),
    ("-date", gettext_lazy("Date, newest first")),
    ("date", gettext_lazy("Date, oldest first")),
    ("number", gettext_lazy("Recommendation number")),
    ("response", gettext_lazy("Response")),
]


def _action_labels() -> dict[str, str]:
    # UPR Info's scale of how much action a recommendation asks for.
    return {
        "1": _("1 – Minimal action"),
        "2": _("2 – Continuing action"),
        "3": _("3 – Considering action"),
        "4": _("4 – General action"),
        "5": _("5 – Specific action"),
    }


@dataclass
class FacetGroup:
    param: str
    title: str
    shown: list[FacetValue]
    folded: list[FacetValue] = field(default_factory=list)

    @property
    def selected_count(self) -> int:
        return sum(1 for v in [*self.shown, *self.folded] if v.selected)


@dataclass
class Chip:
    """One active filter, shown as a link that removes it."""

    title: str
    label: str
    remove_url: str


def recommendation_list(request: HttpRequest) -> HttpResponse:
    query = RecommendationQuery.from_params(request.GET)
    results = apply_filters(get_recommendations_for_user(request.user), query)
    page = Paginator(_with_row_data(ordered(results, query)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    values = facets(results, query)
    if "cycle" not in values:
        values["cycle"] = _cycle_facet(results, query.cycle)
    _relabel(values)
    context = {
        "query": query,
        "page": page,
        "rows": [_row(rec) for rec in page.object_list],
        "facet_groups": _facet_groups(values),
        "chips": _chips(request.GET, query, values),
        "sorts": SORT_LABELS,
        "page_links": _page_links(page),
    }
    return render(request, "registry/recommendation_list.html", context)


def _with_row_data(qs: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Everything a row shows, in a fixed number of queries whatever the page size."""
    live_labels = (
        Label.objects.filter(status=Label.Status.CONFIRMED)
        .select_related("term__taxonomy")
        .order_by("term__taxonomy__sort_order", "term__sort_key", "term__code")
    )
    return qs.select_related("document", "mechanism", "session__mechanism").prefetch_related(
        "recommending_states", Prefetch("labels", queryset=live_labels)
    )


@dataclass
class Row:
    rec: Recommendation
    labels: list[Label]
    more_labels: int


def _row(rec: Recommendation) -> Row:
    # One label per term, whichever source gave it: the row is a glance, not the record.
    labels = list({label.term_id: label for label in rec.labels.all()}.values())
    return Row(rec, labels[:LABELS_PER_ROW], max(0, len(labels) - LABELS_PER_ROW))


def _cycle_facet(qs: QuerySet[Recommendation], selected: list[str]) -> list[FacetValue]:
    rows = (
        qs.order_by()
        .values("session__cycle__number")
        .annotate(n=Count("pk", distinct=True))
        .order_by("session__cycle__number")
    )
    return [
        FacetValue(
            str(r["session__cycle__number"]),
            "",
            r["n"],
            str(r["session__cycle__number"]) in selected,
        )
        for r in rows
        if r["session__cycle__number"] is not None
    ]


def _relabel(values: dict[str, list[FacetValue]]) -> None:
    """Give code-valued facets human labels (queries.py returns the raw codes)."""
    names = {
        m.code: m.display_name()
        for m in Mechanism.objects.filter(code__in=[v.value for v in values["mechanism"]])
    }
    for v in values["mechanism"]:
        v.label = names.get(v.value, v.value)
    for v in values["cycle"]:
        v.label = _("Cycle %(number)s") % {"number": v.value}
    for v in values["session"]:
        v.label = _("Session %(number)s") % {"number": v.value}
    actions = _action_labels()
    for v in values["action"]:
        v.label = actions.get(v.value, v.value)
    for param in LABEL_FACETS:
        for v in values.get(param, []):
            v.label = _without_slug(v.value, v.label)


def _without_slug(code: str, label: str) -> str:
    """ "womens-rights Women's rights" -> "Women's rights": a slug code says nothing a
    reader needs, while codes such as "16.2" or "D25" do, and stay."""
    if is_slug(code) and label.startswith(code + " "):
        return label[len(code) + 1 :]
    return label


def _facet_groups(values: dict[str, list[FacetValue]]) -> list[FacetGroup]:
    groups = []
    for param, title in FACET_TITLES:
        items = values.get(param, [])
        if not items:
            continue
        if len(items) <= TOP_VALUES + 2:  # folding away one or two values helps nobody
            groups.append(FacetGroup(param, str(title), items))
            continue
        top = sorted(items, key=lambda v: -v.count)[:TOP_VALUES]
        shown = [v for v in items if v in top or v.selected]
        folded = [v for v in items if v not in shown]
        groups.append(FacetGroup(param, str(title), shown, folded))
    return groups


def _chips(
    params: QueryDict, query: RecommendationQuery, values: dict[str, list[FacetValue]]
) -> list[Chip]:
    chips = []
    if query.q:
        chips.append(Chip(_("Search"), query.q, "?" + _without(params, "q")))
    for param, title in FACET_TITLES:
        labels = {v.value: v.label for v in values.get(param, [])}
        for value in getattr(query, param):
            chips.append(
                Chip(str(title), labels.get(value, value), "?" + _without(params, param, value))
            )
    return chips


def _without(params: QueryDict, name: str, value: str | None = None) -> str:
    """The query string minus one parameter (or one of its values), back on page 1."""
    copy = params.copy()
    copy.pop("page", None)
    if value is None:
        copy.pop(name, None)
    else:
        copy.setlist(name, [v for v in copy.getlist(name) if v != value])
    return copy.urlencode()


def _page_links(page: Page[Any]) -> list[int | str]:
    """Page numbers around the current one, with the paginator's ellipsis in gaps."""
    paginator = page.paginator
    return list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


# --- detail ---------------------------------------------------------------


# Similar recommendations read for the detail page: the five shown, and the pool in which
# a pending suggestion looks for already labelled examples of its term.
SIMILAR_SHOWN = 5
SIMILAR_POOL = 30
EXAMPLES_PER_SUGGESTION = 3


def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_recommendation_for_user(request.user, pk)
    labels = rec.labels.select_related("term__taxonomy", "created_by", "decided_by").order_by(
        "term__taxonomy__sort_order",
        "term__taxonomy__code",
        "term__sort_key",
        "term__code",
        "provenance",
    )
    # Undecided machine suggestions are drafts: apart from the labels, and only for people
    # with a role (labelling.rules). Decided ones join the labels with their decision.
    pending = [lb for lb in labels if _is_pending(lb)]
    similar = similar_recommendations(rec, SIMILAR_POOL) if rec.published else []
    can_see = request.user.has_perm("labelling.view_suggestions")
    context = {
        "rec": rec,
        "texts": _texts_current_first(rec.text, get_language() or "en"),
        "has_current_text": bool(rec.text.get(get_language() or "en")),
        "action_label": _action_labels().get(str(rec.action_category), rec.action_category),
        "states": rec.recommending_states.all(),
        "clusters": rec.clusters.all(),
        "label_groups": _group_by_taxonomy(lb for lb in labels if not _is_pending(lb)),
        "suggestion_groups": _suggestion_groups(pending, similar) if can_see else [],
        "can_decide_suggestions": request.user.has_perm("labelling.decide"),
        "similar": similar[:SIMILAR_SHOWN],
        "history": history_for(rec)[:50],
    }
    return render(request, "registry/recommendation_detail.html", context)


def _texts_current_first(texts: dict[str, str], language: str) -> list[tuple[str, str]]:
    order = [language, "kk", "ru", "en", *sorted(texts)]
    seen: dict[str, str] = {}
    for code in order:
        if texts.get(code) and code not in seen:
            seen[code] = texts[code]
    return list(seen.items())


@dataclass
class LabelGroup:
    taxonomy: Any
    labels: list[Label]


def _group_by_taxonomy(labels: Iterable[Label]) -> list[LabelGroup]:
    groups: dict[int, LabelGroup] = {}
    for label in labels:
        tax = label.term.taxonomy
        groups.setdefault(tax.pk, LabelGroup(tax, [])).labels.append(label)
    return list(groups.values())


def _is_pending(label: Label) -> bool:
    return label.provenance == Label.Provenance.MODEL and label.status == Label.Status.SUGGESTED


@dataclass
class PendingSuggestion:
    label: Label
    # Similar recommendations that carry the same term, confirmed: evidence to compare.
    examples: list[Recommendation]


@dataclass
class SuggestionGroup:
    taxonomy: Any
    suggestions: list[PendingSuggestion]


def _suggestion_groups(
    pending: list[Label], similar: list[tuple[Recommendation, float]]
) -> list[SuggestionGroup]:
    """Pending suggestions by taxonomy, most certain first, each with up to three similar
    recommendations already labelled with its term. One query, whatever the count."""
    if not pending:
        return []
    neighbours = [other for other, _score in similar]
    carrying: dict[int, set[int]] = {}
    rows = Label.objects.filter(
        recommendation__in=neighbours,
        term_id__in={lb.term_id for lb in pending},
        status=Label.Status.CONFIRMED,
    ).values_list("term_id", "recommendation_id")
    for term_id, rec_id in rows:
        carrying.setdefault(term_id, set()).add(rec_id)

    def examples(label: Label) -> list[Recommendation]:
        found = carrying.get(label.term_id, set())
        return [o for o in neighbours if o.pk in found][:EXAMPLES_PER_SUGGESTION]

    return [
        SuggestionGroup(g.taxonomy, [PendingSuggestion(lb, examples(lb)) for lb in g.labels])
        for g in _group_by_taxonomy(sorted(pending, key=lambda lb: -(lb.score or 0)))
    ]
