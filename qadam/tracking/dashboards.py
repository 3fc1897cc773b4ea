"""The numbers behind the dashboards: implementation status, overdue actions, budgets.

Everything is computed over what the user may see (``get_actions_for_user`` and
``get_recommendations_for_user``), in SQL: each figure is one GROUP BY query plus
one query for the names of what it groups by, whatever the number of rows. Views
turn these rows into charts, tables and exports (``tracking.views.dashboards``).

A recommendation's status is its assessment: the secretariat's override when there
is one, else the status derived from its actions; without an assessment it has
not started. The derived status comes from *all* the actions of a recommendation,
so for a user who does not see every action it counts only when the user sees at
least one of them: otherwise an unpublished plan would show through its effect on
public figures. An override is the secretariat's own statement and always counts.

At scale (250,000 recommendations) a status figure is a GROUP BY over hundreds of
thousands of rows, and the page has ten of them: seconds of work. So once the
registry is large, each figure (rows, names, order) is cached under the SQL of what
the user may see, the filters, the language and the data version (``_data_version``:
the newest audit event that can move a figure, the newest row of each table the
figures read); any such write, or CACHE_SECONDS, makes the next request count again.
See docs/performance.md, "Tracking".
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.signals import request_finished, request_started
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Upper
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qadam.lib.i18n import pick
from qadam.registry.access import get_recommendations_for_user
from qadam.registry.models import Cluster, Label, Recommendation
from qadam.taxonomy.models import Cycle, Institution, Mechanism, Term
from qadam.tracking.access import get_actions_for_user
from qadam.tracking.models import (
    Action,
    ActionInstitution,
    Assessment,
    FollowUpDeadline,
    Plan,
    Status,
)

STATUSES: list[str] = list(Status.values)  # the order of columns and stacked segments
CLOSED = (Status.DONE, Status.OBSOLETE)  # an action in these states is never overdue
FOLLOWUP_SOON_DAYS = 90  # treaty-body follow-up takes months to prepare: warn early
_R = TypeVar("_R")


# -- scope: what the user sees, narrowed by the dashboard's filters ---------------------


@dataclass(frozen=True)
class Scope:
    """The dashboard's filters; None means "all"."""

    plan: int | None = None
    mechanism: int | None = None
    institution: int | None = None

    def narrows_actions(self) -> bool:
        return self.plan is not None or self.institution is not None


def sees_every_action(user: Any) -> bool:
    return bool(user.has_perm("tracking.change_action"))


def scoped_actions(user: Any, scope: Scope) -> QuerySet[Action]:
    """The user's actions within the scope, as a plain queryset (no DISTINCT, no joins):
    safe to aggregate over."""
    qs = _within(Action.objects.all(), "pk", get_actions_for_user(user))
    if scope.plan is not None:
        qs = qs.filter(plan_id=scope.plan)
    if scope.institution is not None:
        qs = qs.filter(
            pk__in=ActionInstitution.objects.filter(institution_id=scope.institution).values(
                "action_id"
            )
        )
    if scope.mechanism is not None:
        linked = Action.recommendations.through.objects.filter(
            recommendation__mechanism_id=scope.mechanism
        )
        qs = qs.filter(pk__in=linked.values("action_id"))
    return qs.order_by()


def scoped_recommendations(user: Any, scope: Scope) -> QuerySet[Recommendation]:
    """The user's recommendations within the scope. A plan or institution filter keeps
    the recommendations that the user's actions in that plan or institution address."""
    qs = get_recommendations_for_user(user)
    if scope.mechanism is not None:
        qs = qs.filter(mechanism_id=scope.mechanism)
    if scope.narrows_actions():
        linked = Action.recommendations.through.objects.filter(
            action_id__in=scoped_actions(user, scope).values("pk")
        )
        qs = qs.filter(pk__in=linked.values("recommendation_id"))
    return qs.order_by()


def _within(qs: QuerySet[Any], field: str, allowed: QuerySet[Any]) -> QuerySet[Any]:
    """``qs`` where ``field`` is the pk of a row of ``allowed``; no condition at all when
    ``allowed`` is a whole table (the secretariat's view), which spares the database an
    ``IN`` over every row of it."""
    if not allowed.query.where and not allowed.query.distinct:
        return qs
    return qs.filter(**{f"{field}__in": allowed.order_by().values("pk")})


def status_expression(user: Any, rec_ref: str = "pk", prefix: str = "") -> Case:
    """A recommendation's status as SQL. ``prefix`` reaches the recommendation from the
    queried model ("recommendation__"); ``rec_ref`` names its id there."""
    override = F(f"{prefix}assessment__override_status")
    derived = Coalesce(F(f"{prefix}assessment__derived_status"), Value(Status.NOT_STARTED))
    overridden = When(**{f"{prefix}assessment__override_status__gt": ""}, then=override)
    if sees_every_action(user):
        return Case(overridden, default=derived, output_field=CharField())
    # One uncorrelated subquery, which the database evaluates once (SQLite into a
    # temporary index, PostgreSQL into a hash), not an EXISTS per recommendation.
    seen = Action.recommendations.through.objects.filter(
        action_id__in=get_actions_for_user(user).order_by().values("pk")
    ).values("recommendation_id")
    return Case(
        overridden,
        When(**{f"{rec_ref}__in": seen}, then=derived),
        default=Value(Status.NOT_STARTED),
        output_field=CharField(),
    )


# -- the cache: a large registry's figures, kept until the next write that can move them ---

# Below this many recommendations every figure takes a few milliseconds: no cache (and
# tests, demo data and small deployments always see SQL's answer of the moment).
CACHE_MIN_RECOMMENDATIONS = 5000
# At the latest, count again after this long: bounds staleness after writes that leave no
# trace _data_version sees (an UPDATE from a shell, an unaudited script).
CACHE_SECONDS = 600
_CACHE_PREFIX = "qadam:tracking:dashboard:"
# Audited verbs that never move a figure: progress reports being drafted and exchanged
# (a validated update moves its action, which is audited as tracking.action.update),
# uploads awaiting confirmation, tokens. Any other verb, known or new, invalidates.
_NEUTRAL_VERBS = (
    "tracking.update.create",
    "tracking.update.edit",
    "tracking.update.submitted",
    "tracking.update.returned",
    "tracking.update.published",
    "tracking.update.delete",
    "tracking.update.demo",
    "tracking.evidence.add",
    "tracking.plan.import.upload",
    "registry.import.upload",
    "registry.import.preview",
    "accounts.token.create",
    "accounts.token.revoke",
)
_AUDIT_WINDOW = 5000
_local = threading.local()


def _cached(compute: Callable[..., _R]) -> Callable[..., _R]:
    """Keep what ``compute(user, scope, *args)`` returns (rows, names and order) for a
    large registry, under what the user may see, the scope, the arguments, the language
    and the data version; else compute it each time."""

    @functools.wraps(compute)
    def cached(user: Any, scope: Scope, *args: Any) -> _R:
        version = _data_version(Action.objects.db)
        if version is None:
            return compute(user, scope, *args)
        # The SQL of what the user may see names their institution, "published only" or
        # nothing: users who see the same share the figures, and nobody sees more.
        seen = (scoped_actions(user, scope), scoped_recommendations(user, scope))
        try:
            view = [qs.values("pk").query.sql_with_params() for qs in seen]
        except EmptyResultSet:
            return compute(user, scope, *args)
        signature = (compute.__qualname__, view, scope, args, get_language(), version)
        key = _CACHE_PREFIX + hashlib.sha256(repr(signature).encode()).hexdigest()
        found: _R | None = cache.get(key)
        if found is None:
            found = compute(user, scope, *args)
            cache.set(key, found, CACHE_SECONDS)
        return found

    return cached


def _data_version(alias: str) -> tuple[Any, ...] | None:
    """Change markers for the figures, once per request; None when the cache is off
    (a small registry, or inside a transaction whose writes may be rolled back)."""
    if connections[alias].in_atomic_block:
        return None
    memo: dict[str, Any] | None = getattr(_local, "memo", None)
    if memo is None:
        return _read_version(alias)
    if alias not in memo:
        memo[alias] = _read_version(alias)
    return memo[alias]  # type: ignore[no-any-return]


def _read_version(alias: str) -> tuple[Any, ...] | None:
    from qadam.audit.models import AuditEvent

    connection = connections[alias]
    qn = connection.ops.quote_name
    audit = qn(AuditEvent._meta.db_table)
    neutral = ", ".join(["%s"] * len(_NEUTRAL_VERBS))
    markers = [
        # The newest event that counts among the last _AUDIT_WINDOW, read newest first
        # along the primary key: at most that many rows, however many neutral events
        # came last. A new event that counts is the newest, so it always shows; one that
        # drops out of the window changes the marker too (a harmless extra recount).
        f"(SELECT id FROM {audit} WHERE id > (SELECT COALESCE(MAX(id), 0) - "
        f"{_AUDIT_WINDOW} FROM {audit}) AND action NOT IN ({neutral}) ORDER BY id DESC LIMIT 1)",
        *(f"(SELECT MAX(id) FROM {qn(table)})" for table in _marker_tables()),
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {qn(Recommendation._meta.db_table)} "
        f"LIMIT {CACHE_MIN_RECOMMENDATIONS}) AS probe)",
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(markers)}", list(_NEUTRAL_VERBS))
        row = cursor.fetchone()
    if row[-1] < CACHE_MIN_RECOMMENDATIONS:
        return None
    return (*row[:-1], cache.get(_CACHE_PREFIX + "generation", 0))


def _marker_tables() -> list[str]:
    """Tables whose newest row id moves when rows are added without an audit event."""
    from django.apps import apps

    models_: list[Any] = [
        Plan,
        Action,
        ActionInstitution,
        Action.recommendations.through,
        Action.clusters.through,
        Recommendation,
        Label,
        Recommendation.clusters.through,
        Assessment,
    ]
    if apps.is_installed("django.contrib.admin"):
        from django.contrib.admin.models import LogEntry

        models_.append(LogEntry)
    return [m._meta.db_table for m in models_]


def forget_cached_figures() -> None:
    """Count everything again on the next request in this process (and in every
    process, with a shared cache). Audited writes and new rows already do; call this
    after changing tracked data any other way (raw SQL, a shell)."""
    try:
        cache.incr(_CACHE_PREFIX + "generation")
    except ValueError:
        cache.set(_CACHE_PREFIX + "generation", 1, None)


def _start_request(**kwargs: Any) -> None:
    _local.memo = {}


def _end_request(**kwargs: Any) -> None:
    _local.memo = None


request_started.connect(_start_request, dispatch_uid="qadam.tracking.dashboards.start")
request_finished.connect(_end_request, dispatch_uid="qadam.tracking.dashboards.end")


# -- rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """What a row is about: a full name for tables, a short one for chart axes, and the
    language of the name when it is not the page's."""

    text: str
    short: str = ""
    lang: str = ""

    @property
    def axis(self) -> str:
        return self.short or self.text


@dataclass
class StatusRow:
    name: Name
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _translated(value: dict[str, str], short: str = "", code: str = "") -> Name:
    picked = pick(value, get_language() or "en")
    text = (
        f"{code} — {picked.text}"
        if code and picked.text and code != picked.text
        else (picked.text or code)
    )
    return Name(text, short or code, picked.language if picked.fallback else "")


def _collect(
    rows: Iterable[dict[str, Any]], names: Callable[[list[Any]], dict[Any, Name]]
) -> list[tuple[Any, StatusRow]]:
    """(key, status, n) rows → one StatusRow per key, named by one bulk lookup."""
    by_key: dict[Any, StatusRow] = {}
    for row in rows:
        status = row["dash_status"] if row["dash_status"] in STATUSES else Status.NOT_STARTED
        entry = by_key.setdefault(row["dash_key"], StatusRow(Name("")))
        entry.counts[status] += row["n"]
    labels = names([k for k in by_key if k is not None])
    for key, entry in by_key.items():
        entry.name = labels.get(key) or Name(_("(not recorded)"))
    return list(by_key.items())


def _grouped(qs: QuerySet[Any], key: Any, status: Case, count: str) -> QuerySet[Any]:
    # Names that no model uses for a field: annotations must not shadow columns.
    return (
        qs.order_by()
        .annotate(dash_key=key, dash_status=status)
        .values("dash_key", "dash_status")
        .annotate(n=Count(count, distinct=True))
    )


# -- implementation status by dimension ----------------------------------------------


@_cached
def status_by_mechanism(user: Any, scope: Scope) -> list[StatusRow]:
    recs = scoped_recommendations(user, scope)
    rows = _grouped(recs, F("mechanism_id"), status_expression(user), "pk")
    mechanisms: dict[Any, Mechanism] = {}

    def names(keys: list[Any]) -> dict[Any, Name]:
        mechanisms.update(Mechanism.objects.in_bulk(keys))
        return {pk: _translated(m.name, code=m.code) for pk, m in mechanisms.items()}

    def order(kr: tuple[Any, StatusRow]) -> tuple[int, str]:
        m = mechanisms.get(kr[0])
        return (m.sort_order, m.code) if m else (99999, "")

    return [row for _k, row in sorted(_collect(rows, names), key=order)]


@_cached
def status_by_cycle(user: Any, scope: Scope) -> list[StatusRow]:
    recs = scoped_recommendations(user, scope)
    rows = _grouped(recs, F("session__cycle_id"), status_expression(user), "pk")
    cycles: dict[Any, Cycle] = {}

    def names(keys: list[Any]) -> dict[Any, Name]:
        cycles.update(Cycle.objects.select_related("mechanism").in_bulk(keys))
        return {
            pk: Name(
                _("%(mechanism)s, cycle %(number)s")
                % {"mechanism": c.mechanism.display_name(), "number": c.number},
                _("%(mechanism)s cycle %(number)s")
                % {"mechanism": c.mechanism.code, "number": c.number},
            )
            for pk, c in cycles.items()
        }

    collected = _collect(rows, names)
    for key, row in collected:
        if key is None:
            row.name = Name(_("No cycle recorded"))

    def order(kr: tuple[Any, StatusRow]) -> tuple[int, int, int]:
        c = cycles.get(kr[0])
        return (1, 0, 0) if c is None else (0, c.mechanism.sort_order, c.number)

    return [row for _k, row in sorted(collected, key=order)]


@_cached
def status_by_cluster(user: Any, scope: Scope) -> list[StatusRow]:
    through = _within(
        Recommendation.clusters.through.objects.all(),
        "recommendation_id",
        scoped_recommendations(user, scope),
    )
    status = status_expression(user, "recommendation_id", "recommendation__")
    rows = _grouped(through, F("cluster_id"), status, "recommendation_id")

    def names(keys: list[Any]) -> dict[Any, Name]:
        return {
            # A confirmed overlap group spans documents and has none of its own.
            c.pk: Name(f"{c.name} ({c.document.symbol})" if c.document else c.name, c.name)
            for c in Cluster.objects.select_related("document").filter(pk__in=keys)
        }

    return _largest_first(_collect(rows, names))


@_cached
def status_by_term(user: Any, scope: Scope, taxonomy: str) -> list[StatusRow]:
    """By OHCHR theme ("ohchr-theme") or UPR Info issue ("upr-info-issue"): a
    recommendation counts once under each term it carries a live label for."""
    labels = _within(
        Label.objects.filter(term__taxonomy__code=taxonomy),
        "recommendation_id",
        scoped_recommendations(user, scope),
    ).filter(status=Label.Status.CONFIRMED)
    status = status_expression(user, "recommendation_id", "recommendation__")
    rows = _grouped(labels, F("term_id"), status, "recommendation_id")
    return _largest_first(_collect(rows, _term_names))


@_cached
def status_by_sdg_goal(user: Any, scope: Scope) -> list[StatusRow]:
    """A recommendation labelled with a target counts under the target's goal."""
    labels = _within(
        Label.objects.filter(
            Q(term__taxonomy__code="sdg-goal")
            | Q(term__taxonomy__code="sdg-target", term__parent__taxonomy__code="sdg-goal"),
        ),
        "recommendation_id",
        scoped_recommendations(user, scope),
    ).filter(status=Label.Status.CONFIRMED)
    goal = Case(
        When(term__taxonomy__code="sdg-goal", then=F("term_id")), default=F("term__parent_id")
    )
    status = status_expression(user, "recommendation_id", "recommendation__")
    rows = _grouped(labels, goal, status, "recommendation_id")
    terms: dict[Any, Term] = {}

    def names(keys: list[Any]) -> dict[Any, Name]:
        terms.update(Term.objects.in_bulk(keys))
        return {
            pk: _translated(t.name, short=_("SDG %(code)s") % {"code": t.code}, code=t.code)
            for pk, t in terms.items()
        }

    collected = _collect(rows, names)
    return [row for _k, row in sorted(collected, key=lambda kr: _goal_order(terms.get(kr[0])))]


def _goal_order(term: Term | None) -> tuple[int, str]:
    if term is None:
        return (999, "")
    return (int(term.code), "") if term.code.isdigit() else (998, term.code)


def _term_names(keys: list[Any]) -> dict[Any, Name]:
    out = {}
    for t in Term.objects.filter(pk__in=keys):
        code = t.code if t.code and not t.code.islower() else ""  # "D25" yes, "justice" no
        out[t.pk] = _translated(t.name, short=pick(t.name, get_language() or "en").text, code=code)
    return out


@_cached
def status_by_institution(user: Any, scope: Scope) -> list[StatusRow]:
    """Recommendations each institution works on, through the actions it leads or
    co-executes (a recommendation counts once per institution)."""
    through = _within(
        Action.recommendations.through.objects.all(), "action_id", scoped_actions(user, scope)
    )
    # The recommendations as a correlated EXISTS, never an IN list: SQLite would loop
    # over that list for every action (250,000 x 50,000 probes at scale).
    visible = scoped_recommendations(user, scope)
    if visible.query.where:
        through = through.filter(Exists(visible.filter(pk=OuterRef("recommendation_id"))))
    status = status_expression(user, "recommendation_id", "recommendation__")
    rows = _grouped(through, F("action__assignments__institution_id"), status, "recommendation_id")
    collected = _collect(rows, _institution_names)
    for key, row in collected:
        if key is None:
            row.name = Name(_("No institution assigned"))
    return [row for _k, row in sorted(collected, key=lambda kr: (kr[0] is None, kr[1].name.axis))]


def _institution_names(keys: list[Any]) -> dict[Any, Name]:
    return {i.pk: _translated(i.name, code=i.code) for i in Institution.objects.filter(pk__in=keys)}


def _largest_first(collected: list[tuple[Any, StatusRow]]) -> list[StatusRow]:
    return [row for _k, row in sorted(collected, key=lambda kr: (-kr[1].total, kr[1].name.text))]


# -- overdue actions by institution ---------------------------------------------------


@dataclass
class OverdueRow:
    name: Name
    lead: int = 0
    co: int = 0

    @property
    def total(self) -> int:
        return self.lead + self.co


@_cached
def overdue_by_institution(user: Any, scope: Scope, today: datetime.date) -> list[OverdueRow]:
    """Open actions whose deadline has passed, per institution and role in them."""
    rows = (
        ActionInstitution.objects.filter(
            action_id__in=overdue_actions(user, scope, today).values("pk")
        )
        .order_by()
        .values("institution_id", "role")
        .annotate(n=Count("action_id", distinct=True))
    )
    by_inst: dict[Any, OverdueRow] = defaultdict(lambda: OverdueRow(Name("")))
    for row in rows:
        entry = by_inst[row["institution_id"]]
        if row["role"] == ActionInstitution.Role.LEAD:
            entry.lead += row["n"]
        else:
            entry.co += row["n"]
    names = _institution_names(list(by_inst))
    for key, entry in by_inst.items():
        entry.name = names.get(key) or Name(_("(not recorded)"))
    return sorted(by_inst.values(), key=lambda r: (-r.total, r.name.axis))


def overdue_actions(user: Any, scope: Scope, today: datetime.date) -> QuerySet[Action]:
    return scoped_actions(user, scope).filter(deadline__lt=today).exclude(status__in=CLOSED)


# -- budgets: planned vs spent, never adding up different currencies ---------------------


@dataclass
class BudgetRow:
    name: Name
    currency: str
    planned: Decimal
    spent: Decimal
    actions: int

    @property
    def spent_share(self) -> Decimal | None:
        """Spent as a percentage of planned; None when nothing was planned."""
        if not self.planned:
            return None
        return (self.spent / self.planned * 100).quantize(Decimal("0.1"))


def _with_budget(actions: QuerySet[Action]) -> QuerySet[Action]:
    return actions.filter(Q(budget_planned__isnull=False) | Q(budget_spent__isnull=False))


@_cached
def budget_by_plan(user: Any, scope: Scope) -> list[BudgetRow]:
    rows = (
        _with_budget(scoped_actions(user, scope))
        .values("plan_id", currency=Upper("budget_currency"))
        .annotate(planned=Sum("budget_planned"), spent=Sum("budget_spent"), n=Count("pk"))
    )
    return _budget_rows(rows, "plan_id", _plan_names)


@_cached
def budget_by_institution(user: Any, scope: Scope) -> list[BudgetRow]:
    """An action's money counts for its lead institution only, so no amount counts twice."""
    rows = (
        ActionInstitution.objects.filter(
            role=ActionInstitution.Role.LEAD,
            action_id__in=_with_budget(scoped_actions(user, scope)).values("pk"),
        )
        .order_by()
        .values("institution_id", currency=Upper("action__budget_currency"))
        .annotate(
            planned=Sum("action__budget_planned"),
            spent=Sum("action__budget_spent"),
            n=Count("action_id", distinct=True),
        )
    )
    return _budget_rows(rows, "institution_id", _institution_names)


def _budget_rows(
    rows: Iterable[dict[str, Any]], key: str, names: Callable[[list[Any]], dict[Any, Name]]
) -> list[BudgetRow]:
    rows = list(rows)
    labels = names([r[key] for r in rows])
    out = [
        BudgetRow(
            labels.get(r[key]) or Name(_("(not recorded)")),
            r["currency"] or "",
            r["planned"] or Decimal(0),
            r["spent"] or Decimal(0),
            r["n"],
        )
        for r in rows
    ]
    return sorted(out, key=lambda r: (r.currency, r.name.text))


def _plan_names(keys: list[Any]) -> dict[Any, Name]:
    out = {}
    for plan in Plan.objects.filter(pk__in=keys):
        name = _translated(plan.title)
        if plan.is_demo:
            # Demo plans say so wherever they are shown.
            name = Name(_("%(title)s (demo)") % {"title": name.text}, name.short, name.lang)
        out[plan.pk] = name
    return out


# -- treaty-body follow-up deadlines ---------------------------------------------------


@dataclass
class FollowUpGroups:
    overdue: list[FollowUpDeadline]
    soon: list[FollowUpDeadline]
    later: list[FollowUpDeadline]
    met: list[FollowUpDeadline]


def followup_deadlines(user: Any, today: datetime.date) -> FollowUpGroups:
    """Every follow-up deadline (there are a handful per review), grouped by urgency,
    with the recommendations the user may see."""
    from django.db.models import Prefetch

    recs = get_recommendations_for_user(user).select_related("document").order_by("id")
    deadlines = FollowUpDeadline.objects.prefetch_related(
        Prefetch("recommendations", queryset=recs), "institutions"
    ).order_by("due", "pk")
    soon = today + datetime.timedelta(days=FOLLOWUP_SOON_DAYS)
    groups = FollowUpGroups([], [], [], [])
    for deadline in deadlines:
        if deadline.done:
            groups.met.append(deadline)
        elif deadline.due < today:
            groups.overdue.append(deadline)
        elif deadline.due <= soon:
            groups.soon.append(deadline)
        else:
            groups.later.append(deadline)
    return groups
