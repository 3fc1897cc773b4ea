"""The recommendation list: filters, full-text search, facets and sorting.

One module serves the web list and the API, so both accept the same parameters
and a URL copied from one works in the other.

Speed at scale (250,000 recommendations, OHCHR's whole index; docs/performance.md).
``apply_filters`` still returns an ordinary SQL-filtered queryset, so anything can be
composed with it. But at that size SQL is slow at what the list does next: a dozen
facet GROUP BYs over a large result set, its count, and sorting it by joined columns
(session number, document symbol). So, once the registry has SNAPSHOT_MIN_ROWS rows:

* the registry's facet columns, labels, recommending States and default sort key are
  kept in memory as a columnar snapshot (``_Snapshot``: NumPy arrays, some 30 MB at
  250k rows), rebuilt (about a second) when the data version changes: a registry,
  taxonomy or labelling audit event, a new row or label, an admin edit,
  ``invalidate_caches()``; and at the latest after SNAPSHOT_MAX_AGE;
* a request works its result set out once, from the snapshot and the search index
  (``_evaluate``), and takes the count, the page and the facets from it; the page's
  rows are then read by id;
* the unfiltered result set, its order and its facets are kept across requests.

Anything the snapshot cannot answer (another sort, a queryset filtered after
apply_filters) falls back to plain SQL, which gives the same answers more slowly.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
from django.apps import apps as django_apps
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.signals import request_finished, request_started
from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import get_language

from qadam.audit.models import AuditEvent
from qadam.registry.models import Label, Recommendation, Response, SourceDocument
from qadam.registry.search import matching_ids_sql, search_filter
from qadam.taxonomy.models import Cycle, Mechanism, Session, State, Term

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


# -- filters ------------------------------------------------------------------------------
# Each filter is written as "indexed column IN (small subquery)" rather than a join, so
# that the database can drive it from an index and never needs DISTINCT.


def apply_filters(
    qs: QuerySet[Recommendation], query: RecommendationQuery
) -> QuerySet[Recommendation]:
    base = qs
    qs = _reference_filters(qs, query)
    if query.response:
        qs = qs.filter(response__in=[("" if v == "none" else v) for v in query.response])
    if query.action:
        qs = qs.filter(action_category__in=[int(v) for v in query.action if v.isdigit()])
    through = Recommendation.recommending_states.through
    if query.by:
        qs = qs.filter(
            pk__in=through.objects.filter(state__iso3__in=query.by).values("recommendation_id")
        )
    if query.rgroup:
        qs = qs.filter(
            pk__in=through.objects.filter(state__regional_group__in=query.rgroup).values(
                "recommendation_id"
            )
        )
    for param, taxonomy in LABEL_FACETS.items():
        codes = getattr(query, param)
        if codes:
            qs = qs.filter(pk__in=_labelled_with(taxonomy, codes))
    if query.q:
        qs = search_filter(qs, query.q)
    return _tagged(qs, base=base, query=query)


def _reference_filters(
    qs: QuerySet[Recommendation], query: RecommendationQuery
) -> QuerySet[Recommendation]:
    """Mechanism, cycle, session and state under review: by id, looked up in small tables."""
    if query.mechanism:
        qs = qs.filter(
            mechanism_id__in=Mechanism.objects.filter(code__in=query.mechanism).values("pk")
        )
    if query.cycle:
        cycles = Cycle.objects.filter(number__in=_ints(query.cycle))
        qs = qs.filter(session_id__in=Session.objects.filter(cycle__in=cycles).values("pk"))
    if query.session:
        qs = qs.filter(
            session_id__in=Session.objects.filter(number__in=_ints(query.session)).values("pk")
        )
    if query.sur:
        qs = qs.filter(
            state_under_review_id__in=State.objects.filter(iso3__in=query.sur).values("pk")
        )
    return qs


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _labelled_with(taxonomy: str, codes: list[str]) -> QuerySet[Label, Any]:
    """Recommendations with a live label on these terms or on their children."""
    terms = Term.objects.filter(
        Q(taxonomy__code=taxonomy, code__in=codes)
        | Q(parent__taxonomy__code=taxonomy, parent__code__in=codes)
    )
    return (
        Label.objects.filter(term_id__in=terms.values("pk"))
        .filter(status=Label.Status.CONFIRMED)
        .values("recommendation_id")
    )


# -- sorting ------------------------------------------------------------------------------


def ordered(qs: QuerySet[Recommendation], query: RecommendationQuery) -> QuerySet[Recommendation]:
    # count() and, for the default sort, [a:b] come from the snapshot: same rows, same
    # order, less work (see _ListQuerySet).
    return _tagged(qs.order_by(*SORTS[query.sort]), paged=True, shared=not query.is_filtered())


# -- facets -------------------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def facets(qs: QuerySet[Recommendation], query: RecommendationQuery) -> dict[str, list[FacetValue]]:
    """Counts per value of each filter, over the current result set."""
    counts = _facet_counts(qs, shared=not query.is_filtered())
    if counts is None:
        return _sql_facets(qs, query)
    return _facet_values(counts, query)


def _facet_values(counts: FacetCounts, query: RecommendationQuery) -> dict[str, list[FacetValue]]:
    states, terms = counts.state_labels, counts.term_labels
    out: dict[str, list[FacetValue]] = {}
    for name in ("mechanism", "cycle", "session", "action"):
        out[name] = [
            FacetValue(str(v), str(v), n, str(v) in getattr(query, name))
            for v, n in sorted(counts.columns[name].items())
        ]
    out["response"] = _response_values(counts.columns["response"], query.response)
    out["sur"] = _coded_values(counts.columns["sur"], states, query.sur)
    out["by"] = _coded_values(counts.by, states, query.by)
    groups = dict(State.Group.choices)
    out["rgroup"] = [
        FacetValue(g, str(groups.get(g, "")), n, g in query.rgroup)
        for g, n in sorted(counts.rgroup.items())
    ]
    for param, taxonomy in LABEL_FACETS.items():
        out[param] = _coded_values(counts.labels.get(taxonomy, {}), terms, getattr(query, param))
    return out


def _response_values(counts: dict[Any, int], selected: list[str]) -> list[FacetValue]:
    labels = dict(Response.choices)
    return [
        FacetValue(r or "none", str(labels.get(r, r)), n, (r or "none") in selected)
        for r, n in sorted(counts.items())
    ]


def _coded_values(
    counts: dict[Any, int], labels: dict[Any, tuple[str, str]], selected: list[str]
) -> list[FacetValue]:
    """Values named by a row's (code, label), such as a State's ISO3 and name."""
    values = [
        FacetValue(labels[pk][0], labels[pk][1], n, labels[pk][0] in selected)
        for pk, n in counts.items()
        if pk in labels
    ]
    return sorted(values, key=lambda v: (-v.count, v.label))


def _state_labels(states: dict[Any, State]) -> dict[Any, tuple[str, str]]:
    return {pk: (s.iso3, s.display_name()) for pk, s in states.items()}


def _term_labels(terms: dict[Any, Term]) -> dict[Any, tuple[str, str]]:
    return {pk: (t.code, str(t)) for pk, t in terms.items()}


# -- facets in plain SQL: the fallback, same answers --------------------------------------


def _sql_facets(
    qs: QuerySet[Recommendation], query: RecommendationQuery
) -> dict[str, list[FacetValue]]:
    ids = qs.values("pk")
    out: dict[str, list[FacetValue]] = {}
    for name, column in (
        ("mechanism", "mechanism__code"),
        ("cycle", "session__cycle__number"),
        ("session", "session__number"),
        ("action", "action_category"),
    ):
        out[name] = _column_facet(qs, column, getattr(query, name))
    responses = qs.order_by().values("response").annotate(n=Count("pk"))
    out["response"] = _response_values({r["response"]: r["n"] for r in responses}, query.response)
    surs = qs.order_by().values("state_under_review_id").annotate(n=Count("pk"))
    sur = {r["state_under_review_id"]: r["n"] for r in surs if r["state_under_review_id"]}
    out["sur"] = _coded_values(sur, _state_labels(State.objects.in_bulk(list(sur))), query.sur)
    through = Recommendation.recommending_states.through.objects.filter(recommendation_id__in=ids)
    rows = through.values("state_id").annotate(n=Count("recommendation_id", distinct=True))
    by = {r["state_id"]: r["n"] for r in rows}
    out["by"] = _coded_values(by, _state_labels(State.objects.in_bulk(list(by))), query.by)
    rows = through.values("state__regional_group").annotate(
        n=Count("recommendation_id", distinct=True)
    )
    rgroup = {r["state__regional_group"]: r["n"] for r in rows if r["state__regional_group"]}
    groups = dict(State.Group.choices)
    out["rgroup"] = [
        FacetValue(g, str(groups.get(g, "")), n, g in query.rgroup)
        for g, n in sorted(rgroup.items())
    ]
    out.update(_sql_label_facets(ids, query))
    return out


def _column_facet(
    qs: QuerySet[Recommendation], column: str, selected: list[str]
) -> list[FacetValue]:
    rows = qs.order_by().values(column).annotate(n=Count("pk", distinct=True)).order_by(column)
    return [
        FacetValue(str(r[column]), str(r[column]), r["n"], str(r[column]) in selected)
        for r in rows
        if r[column] not in (None, "")
    ]


def _sql_label_facets(
    ids: QuerySet[Any], query: RecommendationQuery
) -> dict[str, list[FacetValue]]:
    """All label facets in one GROUP BY, split by taxonomy afterwards."""
    rows = (
        Label.objects.filter(
            recommendation_id__in=ids, term__taxonomy__code__in=list(LABEL_FACETS.values())
        )
        .filter(status=Label.Status.CONFIRMED)
        .values("term_id")
        .annotate(n=Count("recommendation_id", distinct=True))
    )
    counts = {r["term_id"]: r["n"] for r in rows}
    terms = Term.objects.select_related("taxonomy").in_bulk(list(counts))
    out = {}
    for param, taxonomy in LABEL_FACETS.items():
        mine = {pk: n for pk, n in counts.items() if terms[pk].taxonomy.code == taxonomy}
        out[param] = _coded_values(mine, _term_labels(terms), getattr(query, param))
    return out


# -- the snapshot: the registry's facet columns in memory ---------------------------------

# Rebuild at least this often (seconds), for writes that bypass every version signal.
SNAPSHOT_MAX_AGE = 600.0
# Below this many recommendations SQL answers in a few milliseconds: no snapshot.
SNAPSHOT_MIN_ROWS = 5000
_ID_BITS = 40  # sort key = (rank of session and document) << 40 | id
_GENERATION_KEY = "qadam:registry:list-generation"
_SHARED_ENTRIES = 32
# Audited actions that change what the list shows (rows, labels, names of terms and
# States). Other apps' writes (a progress update) leave the snapshot alone.
LIST_AUDIT_PREFIXES = ("registry.", "taxonomy.", "labelling.")


@dataclass
class FacetCounts:
    """Raw counts: per column value, per recommending state and group, per term."""

    columns: dict[str, dict[Any, int]]  # mechanism code, session/cycle number, response, ...
    by: dict[int, int]  # State pk -> count
    rgroup: dict[str, int]
    labels: dict[str, dict[int, int]]  # taxonomy code -> Term pk -> count
    # pk -> (code, name in the active language) of the States and Terms counted.
    state_labels: dict[Any, tuple[str, str]] = field(default_factory=dict)
    term_labels: dict[Any, tuple[str, str]] = field(default_factory=dict)


@dataclass
class _Coded:
    """One value per row (or per pair), as small integer codes into ``values``."""

    codes: np.ndarray
    values: list[Any]  # code -> value; None means "no value" and is never counted
    rows: np.ndarray | None = None  # for pairs: the row position of each pair
    # For pairs, sorted by row: row r's pairs are entries offsets[r] to offsets[r + 1].
    offsets: np.ndarray | None = None

    def entries(self, rows: np.ndarray) -> np.ndarray:
        """Indexes of the pairs of these rows: for a few rows, far cheaper than a mask
        over every pair."""
        assert self.offsets is not None
        starts = self.offsets[rows]
        lengths = self.offsets[rows + 1] - starts
        shift = starts - np.cumsum(lengths) + lengths
        return np.repeat(shift, lengths) + np.arange(int(lengths.sum()))

    def matching(self, wanted: set[Any]) -> np.ndarray:
        """True for each entry whose value is wanted."""
        codes = [code for code, value in enumerate(self.values) if value in wanted]
        return np.isin(self.codes, codes)


class _Snapshot:
    """Facet columns, live labels, recommending states and the default sort key, one
    array entry per recommendation (sorted by id) or per (recommendation, value) pair."""

    def __init__(self, version: tuple[Any, ...], ids: np.ndarray) -> None:
        self.version = version
        self.built = time.monotonic()
        self.ids = ids
        self.columns: dict[str, _Coded] = {}
        self.pairs: dict[str, _Coded] = {}  # "by", "rgroup", "labels"
        self.term_taxonomy: dict[int, str] = {}
        # Reference rows for facet labels: they change with load_reference or the admin,
        # both of which change the data version.
        self.states: dict[Any, State] = {}
        self.terms: dict[Any, Term] = {}
        self.names: dict[str, tuple[dict[Any, tuple[str, str]], dict[Any, tuple[str, str]]]] = {}
        self.sort_key: np.ndarray | None = None
        self.shared: dict[tuple[Any, ...], Any] = {}  # unfiltered sets, orders, counts

    def fresh(self, version: tuple[Any, ...]) -> bool:
        return self.version == version and time.monotonic() - self.built < SNAPSHOT_MAX_AGE

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Row position of each id, -1 for ids the snapshot lacks."""
        if not len(self.ids):
            return np.full(len(ids), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return np.where(self.ids[pos] == ids, pos, -1)

    def mask_of(self, ids: np.ndarray) -> np.ndarray:
        mask = np.zeros(len(self.ids), dtype=bool)
        pos = self.positions(ids)
        mask[pos[pos >= 0]] = True
        return mask

    def rows_with(self, pair: str, wanted: set[Any]) -> np.ndarray:
        """Rows with at least one pair value among ``wanted``."""
        coded = self.pairs[pair]
        mask = np.zeros(len(self.ids), dtype=bool)
        assert coded.rows is not None
        mask[coded.rows[coded.matching(wanted)]] = True
        return mask

    def counts(self, mask: np.ndarray) -> FacetCounts:
        rows = np.flatnonzero(mask)
        columns = {name: _tally(c.codes[rows], c.values) for name, c in self.columns.items()}
        few = 2 * len(rows) < len(self.ids)
        pairs = {}
        for name, c in self.pairs.items():
            assert c.rows is not None
            codes = c.codes[c.entries(rows)] if few else c.codes[mask[c.rows]]
            pairs[name] = _tally(codes, c.values)
        labels: dict[str, dict[int, int]] = {taxonomy: {} for taxonomy in LABEL_FACETS.values()}
        for term, n in pairs["labels"].items():
            taxonomy = self.term_taxonomy.get(term)
            if taxonomy in labels:
                labels[taxonomy][term] = n
        return FacetCounts(columns, pairs["by"], pairs["rgroup"], labels)

    def named(self, counts: FacetCounts) -> FacetCounts:
        """The counts with the names of their States and Terms in the active language
        (worked out once per language: a name is a dict lookup and a fallback)."""
        language = get_language() or ""
        if language not in self.names:
            self.names[language] = (_state_labels(self.states), _term_labels(self.terms))
        return replace(
            counts, state_labels=self.names[language][0], term_labels=self.names[language][1]
        )

    def remember(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        # Threads (runserver) may race here: at worst both compute the value.
        value = self.shared.get(key)
        if value is None:
            if len(self.shared) >= _SHARED_ENTRIES:
                self.shared.clear()
            value = self.shared[key] = make()
        return value


def _tally(codes: np.ndarray, values: list[Any]) -> dict[Any, int]:
    counts = np.bincount(codes, minlength=len(values))
    out: dict[Any, int] = {}
    for code in np.flatnonzero(counts):
        value = values[code]
        if value is not None:  # several codes may share a value (a session number)
            out[value] = out.get(value, 0) + int(counts[code])
    return out


def _encode(raw: np.ndarray, mapping: dict[Any, Any] | None = None) -> _Coded:
    """Codes for raw values; ``mapping`` turns a raw value into the facet's (-1 is NULL)."""
    uniques, codes = np.unique(raw, return_inverse=True)
    values: list[Any] = [u.item() for u in uniques]
    if mapping is not None:
        values = [mapping.get(v) for v in values]
    elif raw.dtype.kind == "i":
        values = [None if v == -1 else v for v in values]
    return _Coded(codes.astype(np.int32).reshape(-1), values)


# -- building a snapshot ------------------------------------------------------------------


def _fetch(qs: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """All rows of a values_list queryset as plain tuples: no per-row Django overhead."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _build(alias: str, version: tuple[Any, ...]) -> _Snapshot:
    rec = Recommendation._meta
    columns = [
        "id",
        "document_id",
        "session_id",
        "mechanism_id",
        "action_category",
        "state_under_review_id",
    ]
    rows = _int_rows(alias, rec.db_table, columns)
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    snap = _Snapshot(version, rows[:, 0].copy())
    sessions = {
        pk: (number, cycle)
        for pk, number, cycle in _fetch(
            Session.objects.using(alias).values_list("pk", "number", "cycle__number")
        )
    }
    mechanisms = dict(_fetch(Mechanism.objects.using(alias).values_list("pk", "code")))
    session_ids = rows[:, 2]
    snap.columns["mechanism"] = _encode(rows[:, 3], mechanisms)
    snap.columns["session"] = _encode(session_ids, {k: v[0] for k, v in sessions.items()})
    snap.columns["cycle"] = _encode(session_ids, {k: v[1] for k, v in sessions.items()})
    snap.columns["response"] = _response_column(snap, alias)
    snap.columns["action"] = _encode(rows[:, 4])
    snap.columns["sur"] = _encode(rows[:, 5])
    _add_pairs(snap, alias)
    snap.sort_key = _sort_key(snap, alias, rows[:, 1], session_ids, sessions)
    return snap


def _int_rows(
    alias: str, table: str, columns: list[str], where: str = "", params: tuple[Any, ...] = ()
) -> np.ndarray:
    """Integer columns of a whole table (NULL as -1) in one string: a tuple per row
    through the driver costs seconds at a million rows, one string a fraction of that."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    cells = [f"COALESCE({qn(c)}, -1)" for c in columns]
    if connection.vendor == "sqlite":
        row = " || ',' || ".join(cells)
        sql = f"SELECT group_concat({row}, ',') FROM {qn(table)} {where}"
    elif connection.vendor == "postgresql":
        row = f"concat_ws(',', {', '.join(cells)})"
        sql = f"SELECT string_agg({row}, ',') FROM {qn(table)} {where}"
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(cells)} FROM {qn(table)} {where}", params)
            return np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, len(columns))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        text = cursor.fetchone()[0]
    flat = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, np.int64)
    return flat.reshape(-1, len(columns))


def _response_column(snap: _Snapshot, alias: str) -> _Coded:
    """The response of each row, from one id list per response (a handful of values)."""
    recs = Recommendation.objects.using(alias).order_by()
    codes = np.full(len(snap.ids), -1, dtype=np.int32)
    values: list[Any] = sorted(r for (r,) in _fetch(recs.values_list("response").distinct()))
    for code, response in enumerate(values):
        compiled = _ids_sql(recs.filter(response=response))
        pos = snap.positions(_fetch_ids(alias, compiled)) if compiled else np.zeros(0, int)
        codes[pos[pos >= 0]] = code
    if (codes < 0).any():  # rows written meanwhile: no response known, not counted
        codes[codes < 0] = len(values)
        values.append(None)
    return _Coded(codes, values)


def _add_pairs(snap: _Snapshot, alias: str) -> None:
    """Recommending states, their groups and live labels, as deduplicated pairs."""
    through = Recommendation.recommending_states.through._meta.db_table
    states = _int_rows(alias, through, ["recommendation_id", "state_id"])
    groups = {
        pk: group or None
        for pk, group in _fetch(State.objects.using(alias).values_list("pk", "regional_group"))
    }
    snap.pairs["by"] = _pairs(snap, states, None)
    snap.pairs["rgroup"] = _pairs(snap, states, groups)
    labels = _int_rows(
        alias,
        Label._meta.db_table,
        ["recommendation_id", "term_id"],
        "WHERE status = %s",
        (Label.Status.CONFIRMED.value,),
    )
    snap.pairs["labels"] = _pairs(snap, labels, None)
    snap.term_taxonomy = dict(_fetch(Term.objects.using(alias).values_list("pk", "taxonomy__code")))
    snap.states = State.objects.using(alias).in_bulk()
    faceted = [pk for pk, code in snap.term_taxonomy.items() if code in LABEL_FACETS.values()]
    snap.terms = Term.objects.using(alias).in_bulk(faceted)


def _pairs(snap: _Snapshot, pairs: np.ndarray, mapping: dict[Any, Any] | None) -> _Coded:
    """(recommendation id, value) pairs -> (row, value code), each pair once: two labels
    on one term (imported, then confirmed by a user) are one recommendation, as are two
    recommending states of one group."""
    rows = snap.positions(pairs[:, 0])
    keep = rows >= 0  # rows written while the snapshot was being read
    coded = _encode(pairs[keep, 1], mapping)
    width = max(len(coded.values), 1)
    unique = _distinct(rows[keep] * width + coded.codes)
    pair_rows = unique // width
    offsets = np.searchsorted(pair_rows, np.arange(len(snap.ids) + 1))
    return _Coded((unique % width).astype(np.int32), coded.values, pair_rows, offsets)


def _distinct(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting: ten times faster than its hash table on a million int64s."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _sort_key(
    snap: _Snapshot,
    alias: str,
    document_ids: np.ndarray,
    session_ids: np.ndarray,
    sessions: dict[int, tuple[int, int | None]],
) -> np.ndarray | None:
    """SORTS["document"], (-session number, document symbol, id), as one int64 per row,
    in the database's own order: document ranks come from its ORDER BY symbol (its
    collation), and rows without a session sort where it puts NULLs."""
    ranked = _fetch(SourceDocument.objects.using(alias).order_by("symbol").values_list("pk"))
    doc_rank = {pk: rank for rank, (pk,) in enumerate(ranked)}
    numbers = sorted({number for number, _cycle in sessions.values()}, reverse=True)
    nulls_first = connections[alias].features.nulls_order_largest  # NULL is "largest"
    number_rank = {n: i + int(nulls_first) for i, n in enumerate(numbers)}
    null_rank = 0 if nulls_first else len(numbers)
    session_rank = {pk: number_rank[n] for pk, (n, _cycle) in sessions.items()}
    s = np.fromiter((session_rank.get(v, null_rank) for v in session_ids.tolist()), np.int64)
    d = np.fromiter((doc_rank.get(v, -1) for v in document_ids.tolist()), np.int64)
    group = s * (len(doc_rank) + 1) + d
    too_big = len(group) and (group.max() >= 1 << (62 - _ID_BITS) or snap.ids[-1] >= 1 << _ID_BITS)
    if too_big or (d < 0).any():
        return None  # SQL sorts instead
    return (group << _ID_BITS) | snap.ids


# -- versions, the per-request memo, and the snapshot of the moment ----------------------

_snapshots: dict[str, _Snapshot] = {}
_build_lock = threading.Lock()
_local = threading.local()


def _start_request(**kwargs: Any) -> None:
    _local.memo = {}


def _end_request(**kwargs: Any) -> None:
    _local.memo = None


request_started.connect(_start_request, dispatch_uid="qadam.registry.queries.start")
request_finished.connect(_end_request, dispatch_uid="qadam.registry.queries.end")


def _memoised(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """Within one HTTP request, compute once; outside requests, always compute."""
    memo: dict[tuple[Any, ...], Any] | None = getattr(_local, "memo", None)
    if memo is None:
        return make()
    if key not in memo:
        memo[key] = make()
    return memo[key]


def invalidate_caches() -> None:
    """Forget every snapshot here and, with a shared cache, in every other process.

    Audited writes, new rows and labels and admin edits already change the data
    version; call this after changing the registry any other way (raw SQL, a shell)."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, None)
    _snapshots.clear()


def _data_version(alias: str) -> tuple[Any, ...]:
    """Cheap change markers: the newest audit event of an app that writes what the list
    shows, the newest row and label, the newest admin edit; and whether the registry is
    still large (at least SNAPSHOT_MIN_ROWS rows)."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    audit = AuditEvent._meta.db_table
    prefixes = " OR ".join(["action LIKE %s"] * len(LIST_AUDIT_PREFIXES))
    markers = [
        f"(SELECT id FROM {qn(audit)} WHERE {prefixes} ORDER BY id DESC LIMIT 1)",
        *(f"(SELECT MAX(id) FROM {qn(m._meta.db_table)})" for m in _marker_models()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(markers)}, {_size_probe(alias)}",
            [f"{prefix}%" for prefix in LIST_AUDIT_PREFIXES],
        )
        row = cursor.fetchone()
    return (*row, cache.get(_GENERATION_KEY, 0))


def _marker_models() -> list[Any]:
    models_: list[Any] = [Recommendation, Label]
    if django_apps.is_installed("django.contrib.admin"):
        from django.contrib.admin.models import LogEntry

        models_.append(LogEntry)
    return models_


def _size_probe(alias: str) -> str:
    """SQL for min(row count, SNAPSHOT_MIN_ROWS): reads at most that many index entries."""
    table = connections[alias].ops.quote_name(Recommendation._meta.db_table)
    return f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT {SNAPSHOT_MIN_ROWS}) AS probe)"


# alias -> whether the registry was large when last looked at. Deciding costs nothing
# extra: the probe rides along with a query the request makes anyway (the count, or the
# version check). A stale answer costs speed, never correctness: both paths are exact.
_large: dict[str, bool] = {}


def _current(alias: str) -> _Snapshot | None:
    """The snapshot for this data version, built if need be; None for a small registry."""
    if not _large.get(alias):
        return None
    version = _memoised(("version", alias), lambda: _data_version(alias))
    if version[-2] < SNAPSHOT_MIN_ROWS:
        _large[alias] = False
        return None
    if connections[alias].in_atomic_block:
        # Inside a transaction the snapshot may hold writes that will be rolled back,
        # and SQLite then hands out the same ids (and version markers) again: use it
        # for this request only.
        return _memoised(("snapshot", alias), lambda: _build(alias, version))  # type: ignore[no-any-return]
    snap = _snapshots.get(alias)
    if snap is None or not snap.fresh(version):
        with _build_lock:
            snap = _snapshots.get(alias)
            if snap is None or not snap.fresh(version):
                snap = _snapshots[alias] = _build(alias, version)
    return snap


def _count_and_probe(qs: QuerySet[Recommendation]) -> int:
    """COUNT(*) of the result set, learning on the way whether the registry is large."""
    connection = connections[qs.db]
    compiled = _ids_sql(qs)
    if compiled is None:
        return 0
    if connection.vendor not in ("sqlite", "postgresql"):
        return len(_fetch_ids(qs.db, compiled))
    sql = f"SELECT (SELECT COUNT(*) FROM ({compiled[0]}) AS result), {_size_probe(qs.db)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, compiled[1])
        count, size = cursor.fetchone()
    _large[qs.db] = size >= SNAPSHOT_MIN_ROWS
    return int(count)


# -- result sets: from memory when apply_filters made them, else from SQL -----------------


def _ids_sql(qs: QuerySet[Recommendation]) -> tuple[str, tuple[Any, ...]] | None:
    try:
        sql, params = qs.order_by().values_list("id", flat=True).query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def _result(
    qs: QuerySet[Recommendation], snap: _Snapshot, shared: bool
) -> tuple[tuple[Any, ...], np.ndarray]:
    """The result set as a row mask over the snapshot, computed once per request (once
    per data version when ``shared``), with the key it is kept under."""
    compiled = _ids_sql(qs)
    if compiled is None:
        return ("empty",), np.zeros(len(snap.ids), dtype=bool)
    key = ("ids", qs.db, compiled[0], repr(compiled[1]))

    def make() -> np.ndarray:
        tag: _Tag | None = getattr(qs, "_qadam_tag", None)
        if tag is not None and tag.base is not None and tag.sql == compiled:
            return _evaluate(tag.base, tag.query, snap)  # type: ignore[arg-type]
        return snap.mask_of(_fetch_ids(qs.db, compiled))

    if shared:
        return key, snap.remember(key, make)
    return key, _memoised(key, make)


def _fetch_ids(alias: str, compiled: tuple[str, tuple[Any, ...]]) -> np.ndarray:
    """Run an ids query (one column, ``id``). The ids come back as one comma-separated
    string: three to four times faster than a Python tuple per row at 100k rows."""
    connection = connections[alias]
    sql, params = compiled
    if connection.vendor == "sqlite":
        sql = f"SELECT group_concat(id) FROM ({sql})"
    elif connection.vendor == "postgresql":
        sql = f"SELECT string_agg(id::text, ',') FROM ({sql}) AS ids"
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        text = cursor.fetchone()[0]
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, np.int64)


def _evaluate(
    base: QuerySet[Recommendation], query: RecommendationQuery, snap: _Snapshot
) -> np.ndarray:
    """apply_filters(base, query), in memory: the base set (kept per version), then each
    filter as a mask over the snapshot's columns, then the search from its index alone."""
    mask = _result(base, snap, shared=True)[1].copy()
    alias = base.db
    columns = snap.columns
    wanted: dict[str, set[Any]] = {
        "mechanism": set(query.mechanism),
        "cycle": set(_ints(query.cycle)),
        "session": set(_ints(query.session)),
        "response": {"" if v == "none" else v for v in query.response},
        "action": set(_ints(query.action)),
        "sur": _state_pks(alias, query.sur),
    }
    for name, values in wanted.items():
        if getattr(query, name):
            mask &= columns[name].matching(values)
    if query.by:
        mask &= snap.rows_with("by", _state_pks(alias, query.by))
    if query.rgroup:
        mask &= snap.rows_with("rgroup", set(query.rgroup))
    for param, taxonomy in LABEL_FACETS.items():
        if getattr(query, param):
            mask &= snap.rows_with("labels", _term_pks(alias, taxonomy, getattr(query, param)))
    found = matching_ids_sql(query.q, alias) if query.q else None
    if found is not None:
        mask &= snap.mask_of(_fetch_ids(alias, found))
    return mask


def _state_pks(alias: str, iso3: list[str]) -> set[Any]:
    if not iso3:
        return set()
    return set(State.objects.using(alias).filter(iso3__in=iso3).values_list("pk", flat=True))


def _term_pks(alias: str, taxonomy: str, codes: list[str]) -> set[Any]:
    """The terms _labelled_with filters on: these codes and their children."""
    terms = Term.objects.using(alias).filter(
        Q(taxonomy__code=taxonomy, code__in=codes)
        | Q(parent__taxonomy__code=taxonomy, parent__code__in=codes)
    )
    return set(terms.values_list("pk", flat=True))


def _facet_counts(qs: QuerySet[Recommendation], shared: bool) -> FacetCounts | None:
    snap = _current(qs.db)
    if snap is None:
        return None
    key, mask = _result(qs, snap, shared)
    counts = snap.remember(("counts", *key), lambda: snap.counts(mask)) if shared else None
    return snap.named(counts or snap.counts(mask))


def _page_ids(
    qs: QuerySet[Recommendation], shared: bool, start: int, stop: int | None
) -> list[int] | None:
    """Ids of rows [start:stop] in the default order, or None to let SQL sort."""
    snap = _current(qs.db)
    if snap is None or snap.sort_key is None:
        return None
    key, mask = _result(qs, snap, shared)
    size = int(mask.sum())
    stop = size if stop is None else min(stop, size)
    if start >= stop:
        return []
    sort_key: np.ndarray = snap.sort_key
    if shared:
        keys = snap.remember(("order", *key), lambda: np.sort(sort_key[mask]))
    else:
        keys = sort_key[mask]
        keys = np.sort(np.partition(keys, stop - 1)[:stop] if stop < size else keys)
    return (keys[start:stop] & ((1 << _ID_BITS) - 1)).tolist()  # type: ignore[no-any-return]


# -- the queryset that carries it ----------------------------------------------------------


@dataclass(frozen=True)
class _Tag:
    """How apply_filters made a queryset, and whether ordered() has paged it."""

    base: QuerySet[Recommendation] | None = None
    query: RecommendationQuery | None = None
    sql: tuple[str, tuple[Any, ...]] | None = None  # its ids query when tagged
    paged: bool = False
    shared: bool = False


class _ListQuerySet(QuerySet[Recommendation]):
    """A recommendation queryset whose count() (and [a:b], in the default order) come
    from the snapshot. Everything else (iteration, another order, more filters) is
    plain Django; more filters also end the in-memory evaluation (the SQL differs)."""

    _qadam_tag = _Tag()
    _qadam_plain: type[QuerySet[Recommendation]] = QuerySet

    def _clone(self) -> Any:
        clone = super()._clone()  # type: ignore[misc]
        clone._qadam_tag = self._qadam_tag
        return clone

    def _qadam_countable(self) -> bool:
        query = self.query
        return (
            self._qadam_tag.paged
            and self._result_cache is None
            and not query.is_sliced
            and not query.combinator
            and query.group_by is None
            and not query.distinct
        )

    def count(self) -> int:
        if not self._qadam_countable():
            return super().count()
        snap = _current(self.db)
        if snap is None:
            return _count_and_probe(self)
        return int(_result(self, snap, self._qadam_tag.shared)[1].sum())

    def __getitem__(self, k: Any) -> Any:
        if (
            isinstance(k, slice)
            and k.step is None
            and (k.start or 0) >= 0
            and (k.stop is None or k.stop >= 0)
            and self._qadam_countable()
            and tuple(self.query.order_by) == SORTS["document"]
        ):
            page = _page_ids(self, self._qadam_tag.shared, k.start or 0, k.stop)
            if page is not None:
                return self._qadam_rows(page)
        return super().__getitem__(k)

    def _qadam_rows(self, page: list[int]) -> QuerySet[Recommendation]:
        """These rows, in this order, loading related objects as this queryset does.

        The search and the list's filters are not repeated (the page's ids came from
        them, and a search would make the database run again for 25 rows), but the
        base queryset's are: whatever a snapshot says, an unpublished row stays out."""
        query = self.query
        plain = self._qadam_plain
        state: Any = self  # Django's private queryset state, which the stubs do not know
        if query.annotations or query.extra or state._fields is not None:
            rows = self._clone()
            rows.__class__ = plain
            return rows.filter(pk__in=page)  # type: ignore[no-any-return]
        base = self._qadam_tag.base
        source = plain(model=self.model, using=state._db) if base is None else base
        fresh: Any = source.filter(pk__in=page)
        fresh = fresh.order_by(*query.order_by)
        fresh.query.select_related = query.select_related
        fresh.query.deferred_loading = query.deferred_loading
        fresh._prefetch_related_lookups = state._prefetch_related_lookups
        return fresh


_list_classes: dict[type, type[_ListQuerySet]] = {}


def _tagged(qs: QuerySet[Recommendation], **changes: Any) -> QuerySet[Recommendation]:
    """A copy of ``qs`` as a _ListQuerySet, its tag updated with ``changes``."""
    plain: type[QuerySet[Recommendation]] = getattr(qs, "_qadam_plain", type(qs))
    if plain not in _list_classes:
        _list_classes[plain] = (
            _ListQuerySet
            if plain is QuerySet
            else type(f"List{plain.__name__}", (_ListQuerySet, plain), {"_qadam_plain": plain})
        )
    clone = qs._chain()  # type: ignore[attr-defined]
    clone.__class__ = _list_classes[plain]
    tag = getattr(qs, "_qadam_tag", _Tag())
    if "query" in changes:
        changes["query"] = copy.deepcopy(changes["query"])  # later edits must not leak in
        changes["sql"] = _ids_sql(clone)
    clone._qadam_tag = replace(tag, **changes)
    return clone  # type: ignore[no-any-return]
