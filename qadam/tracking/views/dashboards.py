"""Dashboards: each section is a chart, the accessible table behind it, and exports.

A section is built once as a ``Section`` (columns, rows with raw values and their
display text, charts), and the page, the CSV and the XLSX are all written from that
one object, so an export is exactly the table on the page. The numbers come from
``qadam.tracking.dashboards``; see docs/dashboards.md.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from qadam.lib.svgchart import GREY, Series, bar_chart, stacked_bar_chart
from qadam.taxonomy.models import Institution, Mechanism
from qadam.tracking import dashboards as q
from qadam.tracking.access import get_plans_for_user
from qadam.tracking.models import Plan, Status

CHART_ROWS = 20  # a chart with more bars than this is unreadable; the table has them all
CHART_WIDTH = 880  # the page's text column; narrower screens scale the chart down
STATUS_COLOURS = {
    Status.NOT_STARTED: GREY,
    Status.IN_PROGRESS: "#56B4E9",
    Status.PARTIAL: "#E69F00",
    Status.DONE: "#009E73",
    Status.OBSOLETE: "#CC79A7",
}
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# -- sections ----------------------------------------------------------------------


@dataclass
class Column:
    label: str
    numeric: bool = True


@dataclass
class Row:
    header: q.Name
    values: list[Any]  # raw, for exports
    display: list[str]  # formatted for the reader's language, for the page


@dataclass
class Section:
    key: str
    title: str
    help: str
    columns: list[Column]  # the first one heads the row headers
    rows: list[Row]
    charts: list[SafeString] = field(default_factory=list)

    def header_row(self) -> list[str]:
        return [c.label for c in self.columns]

    def body(self) -> list[tuple[q.Name, list[tuple[str, bool]]]]:
        """Each row's header and its cells as (display text, is numeric), for the page."""
        kinds = [c.numeric for c in self.columns[1:]]
        return [(row.header, list(zip(row.display, kinds, strict=True))) for row in self.rows]

    def data_rows(self) -> list[list[Any]]:
        return [[row.header.text, *row.values] for row in self.rows]


@dataclass(frozen=True)
class StatusSpec:
    title: Promise
    help: Promise
    row_label: Promise  # heads the first column
    chart_desc: Promise
    rows: Callable[[Any, q.Scope], list[q.StatusRow]]


STATUS_SECTIONS: dict[str, StatusSpec] = {
    "status-mechanism": StatusSpec(
        gettext_lazy("Implementation status by mechanism"),
        gettext_lazy("Recommendations of each UN mechanism, by implementation status."),
        gettext_lazy("Mechanism"),
        gettext_lazy(
            "Stacked bars, one per mechanism, split by implementation status. "
            "The table below gives the same numbers."
        ),
        q.status_by_mechanism,
    ),
    "status-cycle": StatusSpec(
        gettext_lazy("Implementation status by review cycle"),
        gettext_lazy("Recommendations of each review cycle, by implementation status."),
        gettext_lazy("Cycle"),
        gettext_lazy(
            "Stacked bars, one per review cycle, split by implementation status. "
            "The table below gives the same numbers."
        ),
        q.status_by_cycle,
    ),
    "status-cluster": StatusSpec(
        gettext_lazy("Implementation status by cluster"),
        gettext_lazy(
            "Recommendations of each cluster in its source document, by implementation "
            "status. A recommendation in several clusters counts in each."
        ),
        gettext_lazy("Cluster"),
        gettext_lazy(
            "Stacked bars, one per cluster, split by implementation status. "
            "The table below gives the same numbers."
        ),
        q.status_by_cluster,
    ),
    "status-theme": StatusSpec(
        gettext_lazy("Implementation status by OHCHR human-rights theme"),
        gettext_lazy(
            "Recommendations labelled with each OHCHR theme, by implementation status. "
            "A recommendation with several themes counts under each."
        ),
        gettext_lazy("Theme"),
        gettext_lazy(
            "Stacked bars, one per human-rights theme, split by implementation status. "
            "The table below gives the same numbers."
        ),
        lambda user, scope: q.status_by_term(user, scope, "ohchr-theme"),
    ),
    "status-issue": StatusSpec(
        gettext_lazy("Implementation status by UPR Info issue"),
        gettext_lazy(
            "Recommendations labelled with each UPR Info issue, by implementation status. "
            "A recommendation with several issues counts under each."
        ),
        gettext_lazy("Issue"),
        gettext_lazy(
            "Stacked bars, one per UPR Info issue, split by implementation status. "
            "The table below gives the same numbers."
        ),
        lambda user, scope: q.status_by_term(user, scope, "upr-info-issue"),
    ),
    "status-goal": StatusSpec(
        gettext_lazy("Implementation status by Sustainable Development Goal"),
        gettext_lazy(
            "Recommendations linked to each SDG (directly or through one of its targets), "
            "by implementation status."
        ),
        gettext_lazy("Goal"),
        gettext_lazy(
            "Stacked bars, one per Sustainable Development Goal, split by implementation "
            "status. The table below gives the same numbers."
        ),
        q.status_by_sdg_goal,
    ),
    "status-institution": StatusSpec(
        gettext_lazy("Implementation status by responsible institution"),
        gettext_lazy(
            "Recommendations addressed by the actions each institution leads or "
            "co-executes, by implementation status."
        ),
        gettext_lazy("Institution"),
        gettext_lazy(
            "Stacked bars, one per institution, split by implementation status. "
            "The table below gives the same numbers."
        ),
        q.status_by_institution,
    ),
}
OTHER_SECTIONS = ("overdue-institution", "budget-plan", "budget-institution")
SECTION_KEYS = (*STATUS_SECTIONS, *OTHER_SECTIONS)


def build_section(key: str, user: Any, scope: q.Scope, today: datetime.date) -> Section:
    if key in STATUS_SECTIONS:
        return _status_section(key, STATUS_SECTIONS[key], user, scope)
    if key == "overdue-institution":
        return _overdue_section(user, scope, today)
    if key == "budget-plan":
        return _budget_section(
            key,
            _("Budget planned and spent, by plan"),
            _("Money planned and spent on the actions of each plan, in each currency."),
            _("Plan"),
            q.budget_by_plan(user, scope),
        )
    if key == "budget-institution":
        return _budget_section(
            key,
            _("Budget planned and spent, by lead institution"),
            _(
                "Money planned and spent on the actions each institution leads, in each "
                "currency. An action's money counts for its lead institution only, so that "
                "no amount counts twice."
            ),
            _("Institution"),
            q.budget_by_institution(user, scope),
        )
    raise KeyError(key)


def _count(n: int) -> str:
    return number_format(n, force_grouping=True)


def _money(amount: Decimal) -> str:
    return number_format(amount, decimal_pos=2, force_grouping=True)


def _status_section(key: str, spec: StatusSpec, user: Any, scope: q.Scope) -> Section:
    status_rows = spec.rows(user, scope)
    labels = dict(Status.choices)
    columns = [
        Column(str(spec.row_label), numeric=False),
        *(Column(str(labels[s])) for s in q.STATUSES),
        Column(_("Total")),
    ]
    rows = []
    for r in status_rows:
        values = [*(r.counts[s] for s in q.STATUSES), r.total]
        rows.append(Row(r.name, values, [_count(v) for v in values]))
    section = Section(key, str(spec.title), str(spec.help), columns, rows)
    if status_rows:
        shown = status_rows[:CHART_ROWS]
        series = [
            Series(str(labels[s]), [r.counts[s] for r in shown], STATUS_COLOURS[Status(s)])
            for s in q.STATUSES
        ]
        section.charts.append(
            _svg(
                stacked_bar_chart(
                    f"chart-{key}",
                    section.title,
                    _chart_desc(str(spec.chart_desc), len(status_rows)),
                    [r.name.axis for r in shown],
                    series,
                    fmt=lambda v: _count(int(v)),
                    width=CHART_WIDTH,
                )
            )
        )
    return section


def _chart_desc(desc: str, total: int) -> str:
    if total <= CHART_ROWS:
        return desc
    more = ngettext(
        "The chart shows the first %(shown)d of %(total)d row; the table lists them all.",
        "The chart shows the first %(shown)d of %(total)d rows; the table lists them all.",
        total,
    ) % {"shown": CHART_ROWS, "total": total}
    return f"{desc} {more}"


def _overdue_section(user: Any, scope: q.Scope, today: datetime.date) -> Section:
    overdue = q.overdue_by_institution(user, scope, today)
    columns = [
        Column(_("Institution"), numeric=False),
        Column(_("Overdue actions it leads")),
        Column(_("Overdue actions it co-executes")),
        Column(_("Total")),
    ]
    rows = []
    for r in overdue:
        values = [r.lead, r.co, r.total]
        rows.append(Row(r.name, values, [_count(v) for v in values]))
    section = Section(
        "overdue-institution",
        _("Overdue actions by institution"),
        _(
            "Actions not yet completed whose deadline has passed (as of %(date)s), for "
            "each institution that leads or co-executes them."
        )
        % {"date": date_format(today, "DATE_FORMAT")},
        columns,
        rows,
    )
    if overdue:
        shown = overdue[:CHART_ROWS]
        section.charts.append(
            _svg(
                stacked_bar_chart(
                    "chart-overdue-institution",
                    section.title,
                    _chart_desc(
                        _(
                            "Stacked bars, one per institution: overdue actions it leads, "
                            "then those it co-executes. The table below gives the same numbers."
                        ),
                        len(overdue),
                    ),
                    [r.name.axis for r in shown],
                    [
                        Series(_("Leads"), [r.lead for r in shown], "#D55E00"),
                        Series(_("Co-executes"), [r.co for r in shown], "#0072B2"),
                    ],
                    fmt=lambda v: _count(int(v)),
                    width=CHART_WIDTH,
                )
            )
        )
    return section


def _budget_section(
    key: str, title: str, help_text: str, row_label: str, budget: list[q.BudgetRow]
) -> Section:
    columns = [
        Column(row_label, numeric=False),
        Column(_("Currency"), numeric=False),
        Column(_("Planned")),
        Column(_("Spent")),
        # A literal percent sign, not a placeholder (else msgfmt -c wants "% o" kept):
        # xgettext:no-python-format
        Column(_("Spent, % of planned")),
        Column(_("Actions with a budget")),
    ]
    rows = []
    for r in budget:
        share = r.spent_share
        values = [r.currency, r.planned, r.spent, share if share is not None else "", r.actions]
        display = [
            r.currency,
            _money(r.planned),
            _money(r.spent),
            number_format(share, decimal_pos=1) if share is not None else "—",
            _count(r.actions),
        ]
        rows.append(Row(r.name, values, display))
    section = Section(key, title, help_text, columns, rows)
    for currency in sorted({r.currency for r in budget}):
        section.charts.append(_budget_chart(key, title, currency, budget))
    return section


def _budget_chart(key: str, title: str, currency: str, budget: list[q.BudgetRow]) -> SafeString:
    """One chart per currency: amounts in different currencies never share an axis."""
    mine = [r for r in budget if r.currency == currency][:CHART_ROWS]
    slug = "".join(ch for ch in currency.lower() if ch.isalnum()) or "none"
    return _svg(
        bar_chart(
            f"chart-{key}-{slug}",
            _("%(title)s, in %(currency)s") % {"title": title, "currency": currency},
            _chart_desc(
                _(
                    "Pairs of bars: the amount planned, then the amount spent, in "
                    "%(currency)s. The table below gives the same numbers."
                )
                % {"currency": currency},
                len([r for r in budget if r.currency == currency]),
            ),
            [r.name.axis for r in mine],
            [
                Series(_("Planned"), [float(r.planned) for r in mine], "#0072B2"),
                Series(_("Spent"), [float(r.spent) for r in mine], "#E69F00"),
            ],
            fmt=lambda v: _money(Decimal(str(v))),
            width=CHART_WIDTH,
        )
    )


def _svg(markup: str) -> SafeString:
    # svgchart escapes every text it writes; the markup itself is ours.
    return mark_safe(markup)


# -- filters -------------------------------------------------------------------------


class InstitutionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.display_name()}"


class DashboardFilterForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(),
        required=False,
        label=gettext_lazy("Plan"),
        empty_label=gettext_lazy("All plans"),
    )
    mechanism = forms.ModelChoiceField(
        queryset=Mechanism.objects.all(),
        required=False,
        label=gettext_lazy("Mechanism"),
        empty_label=gettext_lazy("All mechanisms"),
    )
    institution = InstitutionChoice(
        queryset=Institution.objects.filter(active=True),
        required=False,
        label=gettext_lazy("Institution"),
        empty_label=gettext_lazy("All institutions"),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        plan_field.queryset = get_plans_for_user(user)

    def scope(self) -> q.Scope:
        """The valid filters; one the user may not use (another's plan) is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        picked = {name: data.get(name) for name in ("plan", "mechanism", "institution")}
        return q.Scope(**{k: (v.pk if v is not None else None) for k, v in picked.items()})

    def query_string(self, scope: q.Scope) -> str:
        pairs = [(k, v) for k, v in vars(scope).items() if v is not None]
        return urlencode(pairs)


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm("tracking.view_dashboard"):
        raise PermissionDenied


# -- views -------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = DashboardFilterForm(request.user, request.GET or None)
    scope = form.scope()
    today = timezone.localdate()
    sections = [build_section(key, request.user, scope, today) for key in SECTION_KEYS]
    context = {
        "form": form,
        "filtered": scope != q.Scope(),
        "filter_query": form.query_string(scope),
        "sections": sections,
        "followups": q.followup_deadlines(request.user, today),
        "followup_soon_days": q.FOLLOWUP_SOON_DAYS,
        "today": today,
    }
    return render(request, "tracking/dashboard.html", context)


@login_required
def dashboard_export(request: HttpRequest, section: str) -> HttpResponse:
    """One section's table as CSV (UTF-8 with a BOM, which Excel needs) or XLSX."""
    _require(request)
    if section not in SECTION_KEYS:
        raise Http404
    fmt = request.GET.get("format", "csv")
    if fmt not in EXPORT_TYPES:
        return HttpResponseBadRequest(
            _("Unknown export format %(format)s: use csv or xlsx.") % {"format": fmt},
            content_type="text/plain; charset=utf-8",
        )
    scope = DashboardFilterForm(request.user, request.GET).scope()
    today = timezone.localdate()
    built = build_section(section, request.user, scope, today)
    body = _csv(built) if fmt == "csv" else _xlsx(built)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    filename = f"qadam-{section}-{today.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv(section: Section) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(section.header_row())
    writer.writerows(section.data_rows())
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(section: Section) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = section.key[:31]  # Excel's limit on sheet names
    sheet.append(section.header_row())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in section.data_rows():
        sheet.append(row)
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
