"""Plan import: the four real activities of the 2022 Follow-up Plan, re-runs, the
template's links and budgets, the command line, and every kind of bad input, each
with an error naming file, row and field, and nothing half-saved."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from qadam.audit.models import AuditEvent
from qadam.lib.plan_table import PLAN_COLUMNS, PlanTableError
from qadam.lib.records import ImportFormatError
from qadam.registry.models import Cluster, Recommendation
from qadam.registry.tests import factories as rf
from qadam.tracking.importing import (
    FLAG_LABELS,
    PROBLEMS,
    PlanImportReport,
    do_import_plan,
    error_message,
)
from qadam.tracking.models import Action, ActionInstitution, Assessment, OutcomeType, Plan

FOLLOW_UP_HEADER = ["No.", "Name", "Outcome", "Implementation timeframe", "Agencies in charge"]

# Four real activities of the 2022 Follow-up Plan for Human Rights and the Rule of Law
# (Government decree No. 258 of 28 April 2022), as issue 3 quotes them. The fourth's
# outcome and agencies (and timeframe) are not known to us: those cells stay empty.
ACTIVITIES: list[list[Any]] = [
    [1, "Developing mechanisms to prevent violence against women and children",
     "Proposal to the Presidential Administration", "By the end of 2022",
     "MIA, GPO (as agreed), MEAS, MLSP"],
    [2, "Proposal for accession to the International Labour Organization Convention No. 190 "
        "on the Elimination of Violence and Harassment in the Workplace",
     "Submitting proposals to the IMC on humanitarian law and human rights",
     "By the end of 2023", "MLSP, MIA, GPO (as agreed), MJ"],
    [3, "Promote the commitments made to improve gender policy at the local government level",
     "Proposal to the Presidential Administration", "August 2022",
     "MIPD, MNE, APS (as agreed), NCHR (as agreed), LEB"],
    [4, "Elaboration of the issue of increasing women's representation in public and business "
        "councils, as well as in consultative and advisory bodies", None, None, None],
]  # fmt: skip
FIRST_ROW = 6  # the sheet row of activity 1: two title rows, a blank, header, numbers
NEW_PLAN = {
    "title": {"en": "Follow-up Plan for Human Rights and the Rule of Law (2022), test excerpt"},
    "kind": Plan.Kind.FOLLOW_UP,
    "adopted_on": date(2022, 4, 28),
}


def follow_up_xlsx(activities: list[list[Any]] | None = None) -> bytes:
    """An XLSX laid out like the 2022 Follow-up Plan: merged title rows above the
    header (No. · Name · Outcome · Implementation timeframe · Agencies in charge), a row
    of column numbers under it, then the activities."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Follow-up Plan for Human Rights and the Rule of Law"])
    sheet.append(["Approved by Government decree No. 258 of 28 April 2022"])
    sheet.append(FOLLOW_UP_HEADER)
    sheet.append([1, 2, 3, 4, 5])
    sheet.append([])
    for row in ACTIVITIES if activities is None else activities:
        sheet.append(row)
    sheet.merge_cells("A1:E1")
    sheet.merge_cells("A2:E2")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_cell(row: int, column: int, value: Any) -> list[list[Any]]:
    """The four activities with one cell (0-based activity and column) changed."""
    rows = [list(r) for r in ACTIVITIES]
    rows[row][column] = value
    return rows


def template_csv(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(PLAN_COLUMNS)]
    for row in rows:
        lines.append(",".join(f'"{row.get(c, "")}"' for c in PLAN_COLUMNS))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(autouse=True)
def reference(db: None) -> None:
    call_command("load_reference", only=["institutions"], stdout=io.StringIO())


@pytest.fixture
def registry() -> dict[str, Any]:
    """A synthetic excerpt of A/HRC/28/10 with a cluster, for the template's links."""
    doc = rf.document("A/HRC/28/10")
    recs = {
        n: rf.recommendation(f"Synthetic recommendation {n}", doc, number=n)
        for n in ("124.15", "124.16", "124.17")
    }
    cluster = Cluster.objects.create(document=doc, name="Women's rights")
    cluster.recommendations.add(recs["124.16"], recs["124.17"])
    return {"doc": doc, "recs": recs, "cluster": cluster}


def counts() -> dict[str, int]:
    """Everything an import may write."""
    return {
        "plans": Plan.objects.count(),
        "actions": Action.objects.count(),
        "assignments": ActionInstitution.objects.count(),
        "outcomes": OutcomeType.objects.count(),
        "links": Action.recommendations.through.objects.count(),
        "assessments": Assessment.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def plan_of(report: PlanImportReport) -> Plan:
    assert report.plan_id is not None
    return Plan.objects.get(pk=report.plan_id)


def run(data: bytes, name: str = "follow-up-2022.xlsx", **kwargs: Any) -> PlanImportReport:
    kwargs.setdefault("new_plan", NEW_PLAN) if "plan" not in kwargs else None
    return do_import_plan(None, data, name, **kwargs)


# --- the real activities --------------------------------------------------------------


def test_the_four_real_activities_become_actions() -> None:
    report = run(follow_up_xlsx())
    assert report.counts == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    assert report.written and report.plan_created and report.layout == "follow-up"
    plan = plan_of(report)
    assert plan.title == NEW_PLAN["title"] and plan.kind == Plan.Kind.FOLLOW_UP
    actions = {a.number: a for a in plan.actions.all()}
    assert sorted(actions) == ["1", "2", "3", "4"]

    first = actions["1"]
    assert first.title == {"en": ACTIVITIES[0][1]}
    assert first.timeframe_text == "By the end of 2022"
    assert (first.deadline_start, first.deadline) == (date(2022, 1, 1), date(2022, 12, 31))
    assert [(a.institution.code, a.role, a.as_agreed, a.position)
            for a in first.assignments.select_related("institution")] == [
        ("MIA", "lead", False, 0), ("GPO", "co", True, 1), ("MEAS", "co", False, 2),
        ("MLSP", "co", False, 3),
    ]  # fmt: skip
    assert first.flags == [] and first.status == "not-started"

    third = actions["3"]
    assert (third.deadline_start, third.deadline) == (date(2022, 8, 1), date(2022, 8, 31))
    assert [(a.institution.code, a.as_agreed) for a in third.assignments.all()] == [
        ("MIPD", False), ("MNE", False), ("APS", True), ("NCHR", True), ("LEB", False),
    ]  # fmt: skip
    # One outcome type per distinct outcome, shared by the activities that name it.
    assert first.outcome_type == third.outcome_type
    assert first.outcome_type is not None
    assert first.outcome_type.name == {"en": "Proposal to the Presidential Administration"}
    assert OutcomeType.objects.count() == 2

    fourth = actions["4"]
    assert fourth.outcome_type is None and not fourth.assignments.exists()
    assert fourth.deadline is None and fourth.timeframe_text == ""
    assert fourth.flags == ["missing-outcome", "missing-agencies", "missing-timeframe"]
    assert [r.flags for r in report.rows if r.number == "4"] == [fourth.flags]
    assert set(FLAG_LABELS) >= set(fourth.flags)


def test_the_import_is_audited_action_by_action() -> None:
    report = run(follow_up_xlsx())
    actions = AuditEvent.objects.filter(action="tracking.action.create")
    assert actions.count() == 4
    assert actions.first().changes["import"] == "follow-up-2022.xlsx"  # type: ignore[union-attr]
    event = AuditEvent.objects.get(action="tracking.plan.import")
    assert event.object_id == str(report.plan_id)
    assert event.changes["counts"]["created"] == 4


def test_a_re_run_is_unchanged_and_an_edited_row_is_updated() -> None:
    first = run(follow_up_xlsx())
    plan = plan_of(first)
    before = counts()
    again = run(follow_up_xlsx(), plan=plan)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert counts() == {**before, "audit": before["audit"] + 1}  # only the import event

    action = plan.actions.get(number="2")
    edited = run(follow_up_xlsx(with_cell(1, 3, "IV квартал 2023 года")), plan=plan)
    assert edited.counts == {"created": 0, "updated": 1, "unchanged": 3, "rejected": 0}
    action.refresh_from_db()
    assert action.timeframe_text == "IV квартал 2023 года"
    assert (action.deadline_start, action.deadline) == (date(2023, 10, 1), date(2023, 12, 31))
    assert action.version == 2  # an edit form opened before the import is refused
    update = AuditEvent.objects.get(action="tracking.action.update")
    assert update.changes["deadline_start"] == ["2023-01-01", "2023-10-01"]


def test_blank_cells_keep_what_was_filled_in_since_and_flags_follow() -> None:
    plan = plan_of(run(follow_up_xlsx()))
    fourth = plan.actions.get(number="4")
    fourth.outcome_type = OutcomeType.objects.create(code="report", name={"en": "Report"})
    fourth.save()
    report = run(follow_up_xlsx(), plan=plan)
    fourth.refresh_from_db()
    assert fourth.outcome_type.code == "report"  # type: ignore[union-attr]
    assert fourth.flags == ["missing-agencies", "missing-timeframe"]
    assert [r.outcome for r in report.rows if r.number == "4"] == ["updated"]


def test_a_dry_run_reports_and_writes_nothing() -> None:
    before = counts()
    report = run(follow_up_xlsx(), dry_run=True)
    assert report.counts["created"] == 4 and report.dry_run and not report.written
    assert report.plan_id is None  # the new plan was rolled back with the rest
    assert counts() == before


def test_year_less_timeframes_count_from_the_plans_adoption() -> None:
    report = run(follow_up_xlsx(with_cell(0, 3, "до конца текущего года")))
    action = plan_of(report).actions.get(number="1")
    assert action.deadline == date(2022, 12, 31)


def test_recurring_timeframes_are_flagged_without_deadline() -> None:
    report = run(follow_up_xlsx(with_cell(0, 3, "ежегодно")))
    action = plan_of(report).actions.get(number="1")
    assert action.deadline is None and action.timeframe_text == "ежегодно"
    assert action.flags == ["recurring-timeframe"]


def test_russian_agency_names_and_joined_agencies_resolve() -> None:
    rows = with_cell(0, 4, "МВД и ГП (по согласованию), Министерство труда и социальной "
                           "защиты населения Республики Казахстан")  # fmt: skip
    report = run(follow_up_xlsx(rows))
    action = plan_of(report).actions.get(number="1")
    assert [(a.institution.code, a.role, a.as_agreed) for a in action.assignments.all()] == [
        ("MIA", "lead", True), ("GPO", "co", True), ("MLSP", "co", False),
    ]  # fmt: skip


def test_an_outcome_is_found_by_its_name_in_any_language_translations_kept() -> None:
    existing = OutcomeType.objects.create(
        code="proposal-pa",
        name={"en": "Proposal to the Presidential Administration",
              "ru": "Предложение в Администрацию Президента"},
    )  # fmt: skip
    rows = with_cell(0, 2, "Предложение в  Администрацию президента")
    rows = [rows[0], [2, "Второе", "proposal-pa", "2023", "MJ"]]
    report = run(follow_up_xlsx(rows))
    assert {a.outcome_type for a in plan_of(report).actions.all()} == {existing}
    existing.refresh_from_db()
    assert set(existing.name) == {"en", "ru"} and OutcomeType.objects.count() == 1


# --- the template: links, budgets, status -------------------------------------------------


def test_the_template_links_recommendations_and_clusters(registry: dict[str, Any]) -> None:
    data = template_csv(
        [
            {"number": "1", "title": "Synthetic action", "title_ru": "Синтетическое действие",
             "outcome": "Draft law", "timeframe": "2024–2026", "deadline": "2025-06-30",
             "lead": "MLSP", "co_executors": "GPO (as agreed)", "budget_planned": "1500000",
             "budget_source": "Republican budget", "recommendations": "A/HRC/28/10 124.15",
             "clusters": "A/HRC/28/10: Women's rights", "status": "in-progress"},
        ]
    )  # fmt: skip
    report = run(data, "template.csv")
    assert report.counts["created"] == 1 and report.layout == "template"
    action = plan_of(report).actions.get()
    assert action.title == {"en": "Synthetic action", "ru": "Синтетическое действие"}
    assert (action.deadline_start, action.deadline) == (date(2024, 1, 1), date(2025, 6, 30))
    assert action.budget_planned == Decimal("1500000") and action.budget_currency == "KZT"
    assert action.budget_source == "Republican budget" and action.status == "in-progress"
    # A whole cluster: the cluster and each of its members.
    assert list(action.clusters.all()) == [registry["cluster"]]
    linked = sorted(r.number for r in action.recommendations.all())
    assert linked == ["124.15", "124.16", "124.17"]
    assessments = Assessment.objects.filter(recommendation__in=action.recommendations.all())
    assert {a.derived_status for a in assessments} == {"in-progress"}
    # Links are added, never removed, and a re-run is unchanged.
    assert run(data, "template.csv", plan=action.plan).counts["unchanged"] == 1


# --- bad input: a specific error, nothing half-saved ---------------------------------------


def rejected(report: PlanImportReport) -> list[tuple[int, str, str]]:
    return [(r.row, r.field, r.reason) for r in report.rejected]


def test_an_unknown_agency_rejects_the_file_naming_row_field_and_text() -> None:
    before = counts()
    report = run(follow_up_xlsx(with_cell(1, 4, "MLSP, Ministry of Magic (as agreed), MJ")))
    [(row, field, reason)] = rejected(report)
    assert (row, field) == (FIRST_ROW + 1, "agencies")
    assert "Ministry of Magic (as agreed)" in reason
    assert report.counts == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 1}
    assert not report.written and counts() == before


def test_an_unparseable_timeframe_rejects_the_file() -> None:
    before = counts()
    report = run(follow_up_xlsx(with_cell(2, 3, "after the elections")))
    [(row, field, reason)] = rejected(report)
    assert (row, field) == (FIRST_ROW + 2, "timeframe")
    assert "“after the elections”" in reason
    assert counts() == before


def test_a_missing_recommendation_rejects_the_file(registry: dict[str, Any]) -> None:
    before = counts()
    data = template_csv(
        [
            {"number": "1", "title": "Good", "recommendations": "A/HRC/28/10 124.15"},
            {"number": "2", "title": "Bad",
             "recommendations": "A/HRC/28/10 999.99; A/HRC/99/1 1.1"},
            {"number": "3", "title": "Bad cluster", "clusters": "Nonexistent cluster"},
        ]
    )  # fmt: skip
    report = run(data, "template.csv")
    assert [(r, f) for r, f, _ in rejected(report)] == [
        (3, "recommendations"), (3, "recommendations"), (4, "clusters"),
    ]  # fmt: skip
    assert "A/HRC/28/10 999.99" in report.rejected[0].reason
    assert "A/HRC/99/1 1.1" in report.rejected[1].reason
    assert counts() == before


def test_row_problems_of_the_file_itself_are_reported_with_the_rest() -> None:
    rows = [*ACTIVITIES, [4, "A second activity 4", "Report", "2023", "MIA"], [5, None, "Report"]]
    report = run(follow_up_xlsx(rows))
    assert [(r, f) for r, f, _ in rejected(report)] == [
        (FIRST_ROW + 4, "number"), (FIRST_ROW + 5, "name"),
    ]  # fmt: skip
    assert f"row {FIRST_ROW + 3}" in report.rejected[0].reason
    assert Plan.objects.count() == 0


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"


@pytest.mark.parametrize(
    ("make", "name", "code", "where"),
    [
        (lambda: PDF, "plan.xlsx", "not-a-table", "plan.xlsx: "),
        (lambda: b"", "plan.xlsx", "empty", "plan.xlsx: "),
        (lambda: follow_up_xlsx()[:3000], "plan.xlsx", "unreadable", "plan.xlsx: "),
        (lambda: b"No.,Name,Outcome,Implementation timeframe,Agencies in charge\n"
                 b'1,"Developing mechanisms to prev', "plan.csv", "truncated-csv",
         "plan.csv, row 2: "),
        (lambda: b"Code,Description,Owner\n1,x,MIA\n", "plan.csv", "no-header",
         "plan.csv, row 1: "),
        (lambda: b"No.,Name,Implementation timeframe\n1,x,2023\n", "plan.csv", "missing-columns",
         "plan.csv, row 1, field outcome: "),
    ],
    ids=["pdf-renamed", "empty", "truncated-xlsx", "truncated-csv", "wrong-header",
         "missing-columns"],
)  # fmt: skip
def test_unreadable_files_get_one_error_naming_file_and_row(
    make: Callable[[], bytes], name: str, code: str, where: str
) -> None:
    before = counts()
    with pytest.raises(PlanTableError) as exc:
        run(make(), name)
    assert exc.value.code == code
    message = error_message(exc.value)
    assert message.startswith(where)
    assert message.endswith(".")
    assert counts() == before


def test_an_oversized_file_is_refused(settings: Any) -> None:
    settings.QADAM_MAX_IMPORT_BYTES = 100
    with pytest.raises(ImportFormatError) as exc:
        run(follow_up_xlsx())
    assert "over the limit of 100 bytes" in error_message(exc.value)


def test_every_problem_code_of_the_parser_is_translated() -> None:
    from qadam.lib.plan_table import MESSAGES

    assert set(MESSAGES) <= set(PROBLEMS)


def test_only_the_secretariat_imports(personas: dict[str, Any]) -> None:
    for persona in ("focal_point", "contributor", "ngo_member", "observer", "outsider"):
        with pytest.raises(PermissionDenied):
            do_import_plan(personas[persona], follow_up_xlsx(), "p.xlsx", new_plan=NEW_PLAN)
    report = do_import_plan(personas["admin"], follow_up_xlsx(), "p.xlsx", new_plan=NEW_PLAN)
    assert report.written
    assert AuditEvent.objects.filter(action="tracking.plan.import", actor=personas["admin"])


# --- the command line ---------------------------------------------------------------------


def write(tmp_path: Path, data: bytes, name: str = "follow-up-2022.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def cli(*args: str) -> str:
    out = io.StringIO()
    call_command("import_plan", *args, stdout=out)
    return out.getvalue()


def test_cli_imports_then_finds_the_same_plan_by_title(tmp_path: Path) -> None:
    path = write(tmp_path, follow_up_xlsx())
    title = "Follow-up Plan 2022 (CLI test)"
    dry = json.loads(cli(path, "--plan-title", title, "--dry-run", "--format", "json"))
    assert dry["dry_run"] and dry["counts"]["created"] == 4 and Plan.objects.count() == 0
    first = cli(path, "--plan-title", title, "--plan-kind", "follow-up")
    assert f"into the plan “{title}”: 4 created, 0 updated, 0 unchanged." in first
    assert "row 9 (action 4): The plan gives no outcome for this action." in first
    second = json.loads(cli(path, "--plan-title", title, "--format", "json"))
    assert second["counts"] == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    plan = Plan.objects.get()
    assert second["plan"] == {"id": plan.pk, "title": title, "created": False}
    assert plan.kind == "follow-up"
    third = json.loads(cli(path, "--plan-id", str(plan.pk), "--format", "json"))
    assert third["counts"]["unchanged"] == 4


def test_cli_errors_name_file_row_and_field(tmp_path: Path) -> None:
    bad = write(tmp_path, follow_up_xlsx(with_cell(0, 4, "MIA, Unknown Agency")))
    with pytest.raises(CommandError) as exc:
        cli(bad, "--plan-title", "Plan")
    assert "1 row rejected, so nothing was written" in str(exc.value)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_plan", bad, "--plan-title", "Plan", stdout=out)
    assert f"follow-up-2022.xlsx, row {FIRST_ROW}, field agencies: Unknown agency “Unknown " \
           "Agency”" in out.getvalue()  # fmt: skip
    pdf = write(tmp_path, PDF, "plan.xlsx")
    with pytest.raises(CommandError, match=r"^plan\.xlsx: This is a PDF document"):
        cli(pdf, "--plan-title", "Plan")
    with pytest.raises(CommandError, match="There is no plan 999"):
        cli(pdf, "--plan-id", "999")
    with pytest.raises(CommandError, match="--plan-title"):
        cli(pdf)
    assert Plan.objects.count() == 0


def test_recommendations_stay_untouched_by_a_rejected_import(registry: dict[str, Any]) -> None:
    data = template_csv([{"number": "1", "title": "A", "recommendations": "A/HRC/28/10 124.15",
                          "lead": "Nobody"}])  # fmt: skip
    run(data, "template.csv")
    assert not Recommendation.objects.filter(actions__isnull=False).exists()
