"""Import a plan of action from XLSX or CSV: the rows become the plan's actions.

``qadam.lib.plan_table`` reads the file into records (no database); this module
resolves what the records name and writes actions, all or nothing:

* agencies ("MIA, GPO (as agreed), MEAS, MLSP") → institutions, lead first, with
  "(as agreed)" kept as the assignment's ``as_agreed`` flag; an unknown agency
  rejects the row, naming the field and the text;
* the timeframe text → ``deadline_start``..``deadline`` (``qadam.lib.periods``),
  the text kept in ``timeframe_text``; an unreadable timeframe rejects the row;
* the outcome → an ``OutcomeType``, found by code or by its name in any language,
  else created (its code a slug of the text);
* ``SYMBOL NUMBER`` references and clusters → registry rows; a missing one rejects
  the row. Linking a cluster links its recommendations too.

Re-importing is safe: an action is found by its plan and number, and a row that
changes nothing reports "unchanged". Blank cells leave what the action has
(someone may have filled it in since), and links are added, never removed.

The web flow (upload → preview → confirm) keeps the uploaded file and its state
in private storage under ``plan-imports/<token>/``; a confirmed import of up to
``INLINE_ROWS`` activities runs inside the request, a bigger one as a background
task (``tracking.tasks.import_staged_plan``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from qadam.audit.actions import record
from qadam.lib.i18n import pick
from qadam.lib.periods import Period, parse_timeframe
from qadam.lib.plan_table import (
    AgencyRef,
    ClusterRef,
    PlanProblem,
    PlanRecord,
    PlanTable,
    PlanTableError,
    RecommendationRef,
    parse_plan_table,
    text_language,
)
from qadam.lib.records import ImportFormatError
from qadam.registry.models import Cluster, Label, Recommendation, SourceDocument
from qadam.taxonomy.models import Institution
from qadam.taxonomy.reference import InstitutionResolver, normalise_name
from qadam.tracking.actions import refresh_assessments
from qadam.tracking.models import Action, ActionInstitution, OutcomeType, Plan

# A confirmed web import of at most this many activities runs inside the request
# (a plan of a few dozen actions takes well under a second); a bigger one is queued.
INLINE_ROWS = 200
STAGING_DIR = "plan-imports"

# What each flag on an imported action means (Action.flags holds the codes).
FLAG_LABELS: dict[str, Promise] = {
    "missing-outcome": gettext_lazy("The plan gives no outcome for this action."),
    "missing-agencies": gettext_lazy("The plan names no agency in charge of this action."),
    "missing-timeframe": gettext_lazy("The plan gives no timeframe for this action."),
    "recurring-timeframe": gettext_lazy(
        "The timeframe recurs (e.g. annually): the action has no single deadline."
    ),
}

# The file- and row-level problems, translated; the same codes as
# qadam.lib.plan_table.MESSAGES, plus those found while resolving names.
PROBLEMS: dict[str, Promise] = {
    "empty": gettext_lazy("The file is empty."),
    "not-a-table": gettext_lazy(
        "This is %(kind)s, not an XLSX or CSV file. Save the plan as .xlsx or .csv."
    ),
    "unreadable": gettext_lazy("The file cannot be read as a table (%(detail)s)."),
    "truncated-csv": gettext_lazy(
        "The CSV file ends inside a quoted cell: it looks truncated. Upload it again."
    ),
    # ngettext_lazy(..., "rows"): the form follows params["rows"] when the message is built.
    "no-header": ngettext_lazy(
        "No header row was found in the first %(rows)s row. The plan needs the columns No., "
        "Name, Outcome, Implementation timeframe and Agencies in charge, or those of the "
        "Qadam plan template.",
        "No header row was found in the first %(rows)s rows. The plan needs the columns No., "
        "Name, Outcome, Implementation timeframe and Agencies in charge, or those of the "
        "Qadam plan template.",
        "rows",
    ),
    "missing-columns": gettext_lazy("The header row has no column %(columns)s; it has %(found)s."),
    "unknown-columns": gettext_lazy(
        "Unknown column(s) %(columns)s: this does not look like the Qadam plan template, "
        "whose columns are %(expected)s."
    ),
    "duplicate-column": gettext_lazy("The column %(column)s appears twice."),
    "no-activities": gettext_lazy("The file has a header but no activity below it."),
    "missing-name": gettext_lazy("The activity has no name."),
    "missing-number": gettext_lazy(
        "The activity has no number. Numbers identify activities when a plan is imported again."
    ),
    "duplicate-number": gettext_lazy("Number %(number)s is already used on row %(first_row)s."),
    "bad-deadline": gettext_lazy("“%(value)s” is not a date. Write it as YYYY-MM-DD."),
    "bad-amount": gettext_lazy("“%(value)s” is not an amount. Write digits, e.g. 1500000.00."),
    "bad-currency": gettext_lazy(
        "“%(value)s” is not a three-letter currency code such as KZT or USD."
    ),
    "bad-status": gettext_lazy("“%(value)s” is not a status. Use one of %(allowed)s."),
    "bad-recommendation": gettext_lazy(
        "“%(value)s” is not a recommendation reference. Write the document symbol and the "
        "number, e.g. A/HRC/28/10 124.15."
    ),
    "lead-several": ngettext_lazy(
        "The lead column names %(count)s agency. Put the others in co_executors.",
        "The lead column names %(count)s agencies. Put the others in co_executors.",
        "count",
    ),
    "unknown-agency": gettext_lazy(
        "Unknown agency “%(name)s”. Use an acronym or name from the reference list of "
        "institutions, or add the institution first."
    ),
    "bad-timeframe": gettext_lazy(
        "The timeframe “%(value)s” cannot be read as a date or a period. Write it like "
        "“By the end of 2023”, “August 2022”, “Q3 2024” or “2024–2026”."
    ),
    "timeframe-too-long": ngettext_lazy(
        "The timeframe is %(length)s character long; at most %(limit)s are kept.",
        "The timeframe is %(length)s characters long; at most %(limit)s are kept.",
        "length",
    ),
    "number-too-long": ngettext_lazy(
        "The number “%(value)s” is longer than %(limit)s character.",
        "The number “%(value)s” is longer than %(limit)s characters.",
        "limit",
    ),
    "missing-recommendation": gettext_lazy(
        "There is no recommendation %(value)s in the registry. Import its document first."
    ),
    "missing-cluster": gettext_lazy("There is no cluster “%(value)s” in the registry."),
    "ambiguous-cluster": gettext_lazy(
        "Several documents have a cluster “%(value)s”. Write it as “SYMBOL: name”."
    ),
    "too-large": gettext_lazy("The file is %(size)s bytes, over the limit of %(limit)s bytes."),
}
OUTCOMES: dict[str, Promise] = {
    "rejected": gettext_lazy("Rejected"),
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "unchanged": gettext_lazy("Unchanged"),
    "skipped": gettext_lazy("Section heading"),
}


def problem_message(code: str, params: dict[str, Any]) -> str:
    # The lazy message is formatted first: a plural one picks its form from ``params``.
    return str(PROBLEMS[code] % params)


def error_message(exc: ImportFormatError) -> str:
    """A file-level error, translated, naming the file, and the row and field if known."""
    if isinstance(exc, PlanTableError):
        message = problem_message(exc.code, exc.params)
    else:
        message = exc.message
    if exc.row and exc.field:
        return _("%(file)s, row %(row)s, field %(field)s: %(message)s") % {
            "file": exc.file, "row": exc.row, "field": exc.field, "message": message,
        }  # fmt: skip
    if exc.row:
        return _("%(file)s, row %(row)s: %(message)s") % {
            "file": exc.file, "row": exc.row, "message": message,
        }  # fmt: skip
    return _("%(file)s: %(message)s") % {"file": exc.file, "message": message}


# --- the report ----------------------------------------------------------------------


@dataclass
class PlanRowOutcome:
    row: int
    outcome: str  # created / updated / unchanged / skipped / rejected
    number: str = ""
    field: str = ""
    reason: str = ""
    # "field" names a column here; the dataclass helper goes by its module name.
    flags: list[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v or k in ("row", "outcome")}


@dataclass
class PlanImportReport:
    filename: str
    dry_run: bool = False
    layout: str = ""
    plan_id: int | None = None
    plan_title: str = ""
    plan_created: bool = False
    rows: list[PlanRowOutcome] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        for row in self.rows:
            if row.outcome != "skipped":
                out[row.outcome] = out.get(row.outcome, 0) + 1
        return out

    @property
    def rejected(self) -> list[PlanRowOutcome]:
        return [r for r in self.rows if r.outcome == "rejected"]

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.rejected

    def reject(self, row: int, number: str, field_name: str, reason: str) -> None:
        self.rows.append(PlanRowOutcome(row, "rejected", number, field_name, reason))

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "dry_run": self.dry_run,
            "layout": self.layout,
            "plan": {"id": self.plan_id, "title": self.plan_title, "created": self.plan_created},
            "counts": self.counts,
            "written": self.written,
            "rows": [r.to_json() for r in sorted(self.rows, key=lambda r: r.row)],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanImportReport:
        plan = data.get("plan") or {}
        return cls(
            filename=data.get("file", ""),
            dry_run=bool(data.get("dry_run")),
            layout=data.get("layout", ""),
            plan_id=plan.get("id"),
            plan_title=plan.get("title", ""),
            plan_created=bool(plan.get("created")),
            rows=[PlanRowOutcome(**row) for row in data.get("rows", [])],
        )


# --- resolving ----------------------------------------------------------------------


@dataclass
class _Resolved:
    """What one record names, as database rows."""

    institutions: list[tuple[Institution, str, bool]] = field(default_factory=list)
    period: Period | None = None
    recommendations: list[Recommendation] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)


_AND_RE = re.compile(r"\s+(?:and|и|және|&)\s+", re.IGNORECASE)
NUMBER_LIMIT = Action._meta.get_field("number").max_length or 20
TIMEFRAME_LIMIT = Action._meta.get_field("timeframe_text").max_length or 200


class PlanImporter:
    """Resolves and writes the records of one file into one plan, inside a transaction."""

    def __init__(self, plan: Plan, table: PlanTable, actor: Any, report: PlanImportReport):
        self.plan = plan
        self.table = table
        self.actor = actor
        self.report = report
        self.institutions = InstitutionResolver()
        self.outcomes = OutcomeTypes()
        # "By the end of the year" in a 2022 plan is 2022, whenever it is imported.
        self.reference = plan.adopted_on or plan.period_start
        self._recommendations: dict[str, dict[str, list[Recommendation]]] = {}
        self._clusters: list[Cluster] | None = None
        self.touched: dict[int, Recommendation] = {}

    def run(self) -> None:
        for number, heading in self.table.sections:
            self.report.rows.append(PlanRowOutcome(number, "skipped", reason=heading))
        for problem in self.table.problems:
            self._reject(problem)
        existing = {
            a.number.casefold(): a
            for a in self.plan.actions.prefetch_related(
                "assignments", "recommendations", "clusters"
            )
        }
        for rec in self.table.records:
            resolved, problems = self.resolve(rec)
            for field_name, code, params in problems:
                self.report.reject(rec.row, rec.number, field_name, problem_message(code, params))
            if not problems:
                outcome, flags = self.write(rec, resolved, existing.get(rec.number.casefold()))
                self.report.rows.append(PlanRowOutcome(rec.row, outcome, rec.number, flags=flags))
        refresh_assessments(self.touched.values())

    def _reject(self, problem: PlanProblem) -> None:
        self.report.reject(
            problem.row, "", problem.field, problem_message(problem.code, problem.params)
        )

    # -- resolution --------------------------------------------------------------
    def resolve(self, rec: PlanRecord) -> tuple[_Resolved, list[tuple[str, str, dict[str, Any]]]]:
        problems: list[tuple[str, str, dict[str, Any]]] = []
        out = _Resolved()
        if len(rec.number) > NUMBER_LIMIT:
            problems.append(
                ("number", "number-too-long", {"value": rec.number, "limit": NUMBER_LIMIT})
            )
        out.institutions = self._agencies(rec.agencies, problems)
        out.period = self._period(rec, problems)
        out.recommendations = self._linked_recommendations(rec.recommendations, problems)
        out.clusters = self._linked_clusters(rec.clusters, problems)
        return out, problems

    def _agencies(
        self, refs: list[AgencyRef], problems: list[tuple[str, str, dict[str, Any]]]
    ) -> list[tuple[Institution, str, bool]]:
        found: dict[int, tuple[Institution, str, bool]] = {}
        for ref in refs:
            institutions = self._institutions(ref.name)
            if institutions is None:
                problems.append((ref.column, "unknown-agency", {"name": ref.text}))
                continue
            for inst in institutions:
                role = "lead" if ref.role == "lead" and not found else "co"
                found.setdefault(inst.pk, (inst, role, ref.as_agreed))
        return list(found.values())

    def _institutions(self, name: str) -> list[Institution] | None:
        """One institution, or each of "MIA and GPO"; None if any part is unknown."""
        whole = self.institutions.resolve(name)
        if whole is not None:
            return [whole]
        parts = [self.institutions.resolve(part) for part in _AND_RE.split(name)]
        if len(parts) < 2 or any(p is None for p in parts):
            return None
        return [p for p in parts if p is not None]

    def _period(
        self, rec: PlanRecord, problems: list[tuple[str, str, dict[str, Any]]]
    ) -> Period | None:
        if not rec.timeframe:
            return None
        if len(rec.timeframe) > TIMEFRAME_LIMIT:
            problems.append(
                (
                    "timeframe",
                    "timeframe-too-long",
                    {"length": len(rec.timeframe), "limit": TIMEFRAME_LIMIT},
                )
            )
            return None
        period = parse_timeframe(rec.timeframe, today=self.reference)
        if period is None:
            problems.append(("timeframe", "bad-timeframe", {"value": rec.timeframe}))
        return period

    def _linked_recommendations(
        self, refs: list[RecommendationRef], problems: list[tuple[str, str, dict[str, Any]]]
    ) -> list[Recommendation]:
        out = []
        for ref in refs:
            by_number = self._document_recommendations(ref.symbol)
            found = by_number.get(ref.number.casefold(), [])
            if not found:
                problems.append(("recommendations", "missing-recommendation", {"value": str(ref)}))
            out.extend(found)
        return out

    def _document_recommendations(self, symbol: str) -> dict[str, list[Recommendation]]:
        """Number → recommendations of one document (a cycle-1 number may have parts)."""
        key = symbol.casefold()
        if key not in self._recommendations:
            index: dict[str, list[Recommendation]] = {}
            for rec in Recommendation.objects.filter(document__symbol__iexact=symbol).only(
                "pk", "number", "document_id"
            ):
                index.setdefault(rec.number.casefold(), []).append(rec)
            self._recommendations[key] = index
        return self._recommendations[key]

    def _linked_clusters(
        self, refs: list[ClusterRef], problems: list[tuple[str, str, dict[str, Any]]]
    ) -> list[Cluster]:
        out = []
        for ref in refs:
            matches = [c for c in self._all_clusters() if _cluster_matches(c, ref)]
            if not matches:
                problems.append(("clusters", "missing-cluster", {"value": str(ref)}))
            elif len(matches) > 1:
                problems.append(("clusters", "ambiguous-cluster", {"value": str(ref)}))
            else:
                out.append(matches[0])
        return out

    def _all_clusters(self) -> list[Cluster]:
        if self._clusters is None:
            self._clusters = list(Cluster.objects.select_related("document"))
        return self._clusters

    # -- writing -------------------------------------------------------------------
    def write(
        self, rec: PlanRecord, resolved: _Resolved, action: Action | None
    ) -> tuple[str, list[str]]:
        """Create or update the action; the outcome and the flags it carries."""
        fields = self._fields(rec, resolved, action)
        links = self._links(resolved)
        if action is None:
            action = Action(plan=self.plan, number=rec.number, **fields)
            action.flags = _flags(action, resolved, rec)
            action.save()
            self._write_assignments(action, resolved.institutions)
            action.recommendations.add(*links[0])
            action.clusters.add(*links[1])
            record(self.actor, "tracking.action.create", action, {
                **{k: _jsonable(v) for k, v in fields.items()},
                "number": rec.number,
                "institutions": _assignment_list(resolved.institutions),
                "recommendations_added": [r.pk for r in links[0]],
                "clusters_added": [c.pk for c in links[1]],
                "import": self.report.filename,
            })  # fmt: skip
            self._touch(links[0])
            return "created", action.flags
        changes = self._update(action, fields, resolved, rec, links)
        if not changes:
            return "unchanged", action.flags
        record(
            self.actor,
            "tracking.action.update",
            action,
            {**changes, "import": self.report.filename},
        )
        self._touch(list(action.recommendations.all()) if "status" in changes else links[0])
        return "updated", action.flags

    def _fields(
        self, rec: PlanRecord, resolved: _Resolved, action: Action | None
    ) -> dict[str, Any]:
        """The action's fields the row fills; a blank cell leaves what is there."""
        fields: dict[str, Any] = {"title": {**(action.title if action else {}), **rec.title}}
        if rec.outcome:
            fields["outcome_type"] = self.outcomes.get_or_create(rec.outcome)
        if rec.timeframe:
            fields["timeframe_text"] = rec.timeframe
            period = resolved.period
            fields["deadline_start"] = period.start if period else None
            fields["deadline"] = period.end if period else None
        if rec.deadline:
            start = fields.get("deadline_start")
            fields["deadline"] = rec.deadline
            fields["deadline_start"] = start if start and start <= rec.deadline else rec.deadline
        if rec.budget_planned is not None:
            fields["budget_planned"] = rec.budget_planned
            fields["budget_currency"] = rec.budget_currency or "KZT"
        elif rec.budget_currency:
            fields["budget_currency"] = rec.budget_currency
        if rec.budget_source:
            fields["budget_source"] = rec.budget_source
        if rec.status:
            fields["status"] = rec.status
        return fields

    @staticmethod
    def _links(resolved: _Resolved) -> tuple[list[Recommendation], list[Cluster]]:
        """The recommendations to link: those named, and every member of the clusters."""
        recs = {r.pk: r for r in resolved.recommendations}
        if resolved.clusters:
            for rec in Recommendation.objects.filter(clusters__in=resolved.clusters).only("pk"):
                recs.setdefault(rec.pk, rec)
        return list(recs.values()), resolved.clusters

    def _update(
        self,
        action: Action,
        fields: dict[str, Any],
        resolved: _Resolved,
        rec: PlanRecord,
        links: tuple[list[Recommendation], list[Cluster]],
    ) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for name, new in fields.items():
            old = getattr(action, name)
            if old != new:
                changes[name] = [_jsonable(old), _jsonable(new)]
                setattr(action, name, new)
        before = _assignment_list(
            [(a.institution, a.role, a.as_agreed) for a in action.assignments.all()]
        )
        after = _assignment_list(resolved.institutions)
        if resolved.institutions and before != after:
            changes["institutions"] = [before, after]
            self._write_assignments(action, resolved.institutions)
        have_recs = {r.pk for r in action.recommendations.all()}
        new_recs = [r for r in links[0] if r.pk not in have_recs]
        have_clusters = {c.pk for c in action.clusters.all()}
        new_clusters = [c for c in links[1] if c.pk not in have_clusters]
        if new_recs:
            action.recommendations.add(*new_recs)
            changes["recommendations_added"] = [r.pk for r in new_recs]
        if new_clusters:
            action.clusters.add(*new_clusters)
            changes["clusters_added"] = [c.pk for c in new_clusters]
        flags = _flags(action, resolved, rec)
        if flags != action.flags:
            changes["flags"] = [action.flags, flags]
            action.flags = flags
        if changes:
            action.version += 1  # an edit form opened before the import must not win
            action.save()
        return changes

    @staticmethod
    def _write_assignments(
        action: Action, institutions: list[tuple[Institution, str, bool]]
    ) -> None:
        action.assignments.all().delete()
        ActionInstitution.objects.bulk_create(
            ActionInstitution(action=action, institution=inst, role=role, as_agreed=agreed,
                              position=i)
            for i, (inst, role, agreed) in enumerate(institutions)
        )  # fmt: skip
        # The prefetched assignments are stale now.
        getattr(action, "_prefetched_objects_cache", {}).pop("assignments", None)

    def _touch(self, recommendations: Iterable[Recommendation]) -> None:
        for rec in recommendations:
            self.touched[rec.pk] = rec


def _cluster_matches(cluster: Cluster, ref: ClusterRef) -> bool:
    if normalise_name(cluster.name) != normalise_name(ref.name):
        return False
    if not ref.symbol:
        return True
    return cluster.document is not None and (
        cluster.document.symbol.casefold() == ref.symbol.casefold()
    )


def _flags(action: Action, resolved: _Resolved, rec: PlanRecord) -> list[str]:
    """The import flags of the action as it now stands (a cell filled later clears one)."""
    flags = []
    if action.outcome_type_id is None:
        flags.append("missing-outcome")
    if not resolved.institutions and (action.pk is None or not action.assignments.exists()):
        flags.append("missing-agencies")
    if not action.timeframe_text and action.deadline is None:
        flags.append("missing-timeframe")
    # A row without timeframe keeps what an earlier import found.
    recurring = (
        resolved.period.recurring
        if resolved.period
        else not rec.timeframe and ("recurring-timeframe" in action.flags)
    )
    if recurring:
        flags.append("recurring-timeframe")
    return flags


def _assignment_list(institutions: list[tuple[Institution, str, bool]]) -> list[list[Any]]:
    return [[inst.code, role, agreed] for inst, role, agreed in institutions]


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, OutcomeType):
        return value.code
    if value is not None and not isinstance(value, (str, int, float, bool, dict, list)):
        return str(value)
    return value


class OutcomeTypes:
    """Outcome types by code and by name in any language; new ones are created."""

    def __init__(self) -> None:
        self.by_code: dict[str, OutcomeType] = {}
        self.by_name: dict[str, OutcomeType] = {}
        for outcome in OutcomeType.objects.all():
            self._index(outcome)

    def _index(self, outcome: OutcomeType) -> None:
        self.by_code[outcome.code] = outcome
        for name in outcome.name.values():
            self.by_name.setdefault(normalise_name(name), outcome)

    def get_or_create(self, text: str) -> OutcomeType:
        """The outcome type ``text`` names (its translations untouched), or a new one."""
        found = self.by_code.get(text.strip()) or self.by_name.get(normalise_name(text))
        if found is not None:
            return found
        outcome = OutcomeType.objects.create(
            code=self._new_code(text), name={text_language(text): text}
        )
        self._index(outcome)
        return outcome

    def _new_code(self, text: str) -> str:
        base = (slugify(text, allow_unicode=True) or "outcome")[:72].strip("-")
        code, n = base, 1
        while code in self.by_code:
            n += 1
            code = f"{base}-{n}"
        return code


# --- the whole import ---------------------------------------------------------------


class _Rollback(Exception):
    """Raised inside the atomic block to undo a dry run or a rejected import."""


def do_import_plan(
    user: Any,
    data: bytes,
    filename: str,
    plan: Plan | None = None,
    new_plan: dict[str, Any] | None = None,
    dry_run: bool = False,
) -> PlanImportReport:
    """Import a plan file into ``plan``, or into a new plan made of ``new_plan`` fields.

    All or nothing, in one transaction: a dry run, or any rejected row, writes
    nothing (not even the new plan). ``user`` None is the command line (trusted);
    a web user needs ``tracking.import_plan``. Raises ``ImportFormatError`` (a
    ``PlanTableError`` for the plan layouts) when the file cannot be read at all.
    """
    if user is not None and not user.has_perm("tracking.import_plan"):
        raise PermissionDenied("tracking.import_plan")
    if plan is None and not new_plan:
        raise ValueError("do_import_plan needs a plan or the fields of a new plan")
    _check_size(data, filename)
    table = parse_plan_table(data, filename)
    report = PlanImportReport(filename=filename, dry_run=dry_run, layout=table.layout)
    try:
        with transaction.atomic():
            target = plan or _create_plan(user, new_plan or {})
            report.plan_id, report.plan_created = target.pk, plan is None
            report.plan_title = pick(target.title, "en").text
            PlanImporter(target, table, user, report).run()
            if dry_run or report.rejected:
                raise _Rollback
            record(user, "tracking.plan.import", target, {
                "file": filename, "layout": table.layout, "counts": report.counts,
            })  # fmt: skip
    except _Rollback:
        if report.plan_created:
            report.plan_id = None  # the new plan was rolled back with the rest
    return report


def _check_size(data: bytes, filename: str) -> None:
    limit = int(settings.QADAM_MAX_IMPORT_BYTES)
    if len(data) > limit:
        raise ImportFormatError(
            filename, problem_message("too-large", {"size": len(data), "limit": limit})
        )


def _create_plan(user: Any, fields: dict[str, Any]) -> Plan:
    fields = {"kind": Plan.Kind.OTHER, **fields}
    plan = Plan.objects.create(**fields)
    record(user, "tracking.plan.create", plan, {k: _jsonable(v) for k, v in fields.items()})
    return plan


def find_plan_by_title(title: str) -> list[Plan]:
    """Plans one of whose titles is ``title`` (case and spacing aside)."""
    key = normalise_name(title)
    return [
        p for p in Plan.objects.all() if any(normalise_name(t) == key for t in p.title.values())
    ]


def report_summary(report: PlanImportReport) -> str:
    """One sentence: what the import did (or would do) to which plan."""
    values = {"file": report.filename, "plan": report.plan_title, **report.counts}
    if report.dry_run:
        return (
            _(
                "Dry run of %(file)s into the plan “%(plan)s”, nothing written: %(created)s to "
                "create, %(updated)s to update, %(unchanged)s unchanged, %(rejected)s rejected."
            )
            % values
        )
    if report.rejected:
        return (
            ngettext(
                "%(file)s into the plan “%(plan)s”: %(rejected)s row rejected, so nothing was "
                "written.",
                "%(file)s into the plan “%(plan)s”: %(rejected)s rows rejected, so nothing was "
                "written.",
                len(report.rejected),
            )
            % values
        )
    return (
        _(
            "%(file)s into the plan “%(plan)s”: %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged."
        )
        % values
    )


def report_details(report: PlanImportReport) -> list[str]:
    """One line per rejected or flagged row, for the command line."""
    lines = []
    for row in sorted(report.rows, key=lambda r: r.row):
        values = {"file": report.filename, "row": row.row, "field": row.field,
                  "reason": row.reason, "number": row.number}  # fmt: skip
        if row.outcome == "rejected":
            lines.append(_("%(file)s, row %(row)s, field %(field)s: %(reason)s") % values)
        for flag in row.flags:
            values["flag"] = str(FLAG_LABELS.get(flag, flag))
            lines.append(_("%(file)s, row %(row)s (action %(number)s): %(flag)s") % values)
    return lines


# --- the web flow: staged uploads ------------------------------------------------------


class StagedImportError(Exception):
    """The staged upload is gone, or not in a state that allows the step."""


@dataclass
class StagedImport:
    """An uploaded plan file waiting for (or past) its confirmation."""

    token: str
    filename: str
    user_id: int | None
    plan_id: int | None = None
    new_plan: dict[str, Any] = field(default_factory=dict)
    status: str = "previewed"  # previewed / queued / done / failed
    preview: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    rows: int = 0
    created_at: str = ""

    @property
    def folder(self) -> str:
        return f"{STAGING_DIR}/{self.token}"

    @property
    def upload_path(self) -> str:
        return f"{self.folder}/upload"

    def save(self) -> None:
        path = f"{self.folder}/state.json"
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(json.dumps(self.__dict__).encode()))

    def read_upload(self) -> bytes:
        with default_storage.open(self.upload_path, "rb") as fh:
            data: bytes = fh.read()
        return data

    def plan(self) -> Plan | None:
        return Plan.objects.filter(pk=self.plan_id).first() if self.plan_id else None

    def new_plan_fields(self) -> dict[str, Any]:
        fields = dict(self.new_plan)
        if fields.get("adopted_on"):
            fields["adopted_on"] = date.fromisoformat(fields["adopted_on"])
        return fields


_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def load_staged(token: str) -> StagedImport:
    if not _TOKEN_RE.match(token):
        raise StagedImportError(_("This import does not exist."))
    path = f"{STAGING_DIR}/{token}/state.json"
    if not default_storage.exists(path):
        raise StagedImportError(_("This import does not exist."))
    with default_storage.open(path, "rb") as fh:
        return StagedImport(**json.loads(fh.read()))


def do_stage_plan_import(
    user: Any, data: bytes, filename: str, plan: Plan | None, new_plan: dict[str, Any]
) -> StagedImport:
    """Keep the upload privately and preview it (a dry run); nothing is written yet."""
    if not user.has_perm("tracking.import_plan"):
        raise PermissionDenied("tracking.import_plan")
    staged = StagedImport(
        token=uuid.uuid4().hex,
        filename=filename,
        user_id=user.pk,
        plan_id=plan.pk if plan else None,
        new_plan={k: _jsonable(v) for k, v in new_plan.items()} if plan is None else {},
        created_at=timezone.now().isoformat(),
    )
    default_storage.save(staged.upload_path, ContentFile(data))
    try:
        report = do_import_plan(
            user, data, filename, plan=plan, new_plan=staged.new_plan_fields(), dry_run=True
        )
    except ImportFormatError as exc:
        staged.status, staged.error = "failed", error_message(exc)
    else:
        staged.preview = report.to_json()
        staged.rows = len(report.rows)
        staged.status = "previewed"
    staged.save()
    record(user, "tracking.plan.import.upload", None, {"file": filename, "token": staged.token})
    return staged


def can_confirm(staged: StagedImport) -> bool:
    return staged.status == "previewed" and not staged.preview.get("counts", {}).get("rejected")


def do_confirm_plan_import(user: Any, staged: StagedImport) -> StagedImport:
    """Import a previewed upload: inline when small, else as a background task."""
    if not user.has_perm("tracking.import_plan"):
        raise PermissionDenied("tracking.import_plan")
    if not can_confirm(staged):
        raise StagedImportError(
            _("Only a previewed import whose preview rejected no rows can be confirmed.")
        )
    record(user, "tracking.plan.import.confirm", staged.plan(), {"token": staged.token})
    if staged.rows <= INLINE_ROWS:
        return run_staged_import(staged, user)
    from qadam.tracking.tasks import import_staged_plan

    staged.status = "queued"
    staged.save()
    # Saved before queueing: the worker may finish before this request does, and its
    # state (done or failed) must not be overwritten by this one.
    import_staged_plan.enqueue(staged.token, user.pk)
    return staged


def run_staged_import(staged: StagedImport, user: Any) -> StagedImport:
    """The real import of a staged upload (inside the request or the task worker)."""
    try:
        report = do_import_plan(
            user, staged.read_upload(), staged.filename, plan=staged.plan(),
            new_plan=staged.new_plan_fields(),
        )  # fmt: skip
    except ImportFormatError as exc:
        staged.status, staged.error = "failed", error_message(exc)
    except PermissionDenied:
        staged.status = "failed"
        staged.error = _("You may no longer import plans; nothing was written.")
    else:
        staged.result = report.to_json()
        staged.status = "done" if report.written else "failed"
        if report.rejected:
            staged.error = _("Some rows were rejected; nothing was written.")
    staged.save()
    return staged


# --- clusters for plans that follow whole themes ----------------------------------------


@transaction.atomic
def do_cluster_by_first_issue(
    user: Any, symbol: str, taxonomy: str = "upr-info-issue"
) -> tuple[dict[str, Cluster], int]:
    """Group a document's recommendations into clusters named after their first label.

    A UPR report has no clusters; a plan that takes one action per theme needs
    them. Each recommendation joins the cluster of the first ``taxonomy`` term it
    was labelled with (labels in the order the source listed them); clusters are
    named after the term's English name. Idempotent: existing clusters are reused
    and only missing members added. Returns {term code: cluster} and the number of
    recommendations without such a label.
    """
    if user is not None and not user.has_perm("tracking.import_plan"):
        raise PermissionDenied("tracking.import_plan")
    recs = Recommendation.objects.filter(document__symbol=symbol)
    first: dict[int, Any] = {}
    labels = Label.objects.filter(recommendation__in=recs, term__taxonomy__code=taxonomy)
    for label in labels.select_related("term").order_by("id"):
        first.setdefault(label.recommendation_id, label.term)
    document = SourceDocument.objects.get(symbol=symbol)
    clusters: dict[str, Cluster] = {}
    members: list[Any] = []
    through = Recommendation.clusters.through
    for rec_id, term in sorted(first.items()):
        if term.code not in clusters:
            clusters[term.code] = _issue_cluster(user, document, term)
        members.append(through(recommendation_id=rec_id, cluster_id=clusters[term.code].pk))
    through.objects.bulk_create(members, ignore_conflicts=True)
    return clusters, recs.count() - len(first)


def _issue_cluster(user: Any, document: SourceDocument, term: Any) -> Cluster:
    name = pick(term.name, "en").text or term.code
    cluster, created = Cluster.objects.get_or_create(document=document, name=name)
    if created:
        record(user, "registry.cluster.create", cluster, {
            "document": document.symbol, "from_first_label": term.code,
        })  # fmt: skip
    return cluster
