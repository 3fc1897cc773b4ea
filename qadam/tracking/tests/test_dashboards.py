"""Dashboards over HTTP: the numbers of a small synthetic scene, what each persona sees,
filters, charts with accessible tables, CSV/XLSX exports, and a flat query count.

The scene (all synthetic): five recommendations, two UPR-like mechanisms, a published
plan and an unpublished one, two ministries and two currencies. Deadlines lie in 2020,
so "overdue" does not depend on the day the tests run.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from qadam.registry.tests import factories as rf
from qadam.taxonomy.models import Institution, Mechanism
from qadam.tracking.actions import refresh_assessments
from qadam.tracking.models import Action, Assessment, Plan, Status
from qadam.tracking.tests import factories as f

PAST = datetime.date(2020, 6, 30)
MIA = "MIA — Ministry of Internal Affairs"
MLSP = "MLSP — Ministry of Labour and Social Protection of the Population"
DASHBOARD = "tracking:dashboard"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class Scene:
    plan: Plan
    draft: Plan
    upr: Mechanism
    cedaw: Mechanism
    mlsp: Institution
    mia: Institution
    done_action: Action
    hidden_action: Action


def build_scene() -> Scene:
    """r1 done (MLSP leads, MIA co-executes), r2 in progress (MIA), r3 partial through an
    unpublished MIA action, r4 (CEDAW) not started (MLSP), r5 overridden as no longer
    relevant without any action."""
    rf.forget_caches()
    upr = rf.mechanism("UPR", "Synthetic review")
    cedaw = rf.mechanism("CEDAW", "Synthetic committee")
    upr_doc = rf.document("A/HRC/SYN/20", rf.session(20, upr, cycle=2))
    cedaw_doc = rf.document("CEDAW/C/SYN/1", rf.session(70, cedaw, cycle=1))
    r1, r2, r3, r5 = (
        rf.recommendation(f"Synthetic recommendation {n}", upr_doc, f"1.{n}") for n in (1, 2, 3, 5)
    )
    r4 = rf.recommendation("Synthetic committee recommendation", cedaw_doc, "4")
    plan = f.plan("Synthetic published plan")
    draft = f.plan("Synthetic unpublished plan", published=False)
    common: dict[str, Any] = {"deadline": PAST, "deadline_start": PAST}
    done_action = f.action(
        plan, "1", lead="MLSP", co=["MIA"], recommendations=[r1], status=Status.DONE,
        budget_planned=Decimal("1000"), budget_spent=Decimal("400"), **common,
    )  # fmt: skip
    f.action(
        plan, "2", lead="MIA", recommendations=[r2], status=Status.IN_PROGRESS,
        budget_planned=Decimal("500"), budget_spent=Decimal("100"), budget_currency="USD",
        **common,
    )  # fmt: skip
    f.action(plan, "3", lead="MLSP", recommendations=[r4], budget_planned=Decimal("2000"), **common)
    hidden = f.action(
        draft, "1", lead="MIA", recommendations=[r3], status=Status.PARTIAL, published=False,
        budget_planned=Decimal("9999"), **common,
    )  # fmt: skip
    refresh_assessments([r1, r2, r3, r4, r5])
    Assessment.objects.filter(recommendation=r5).update(
        override_status=Status.OBSOLETE, override_reason="Synthetic reason"
    )
    return Scene(
        plan, draft, upr, cedaw, f.institution("MLSP"), f.institution("MIA"), done_action, hidden
    )


@pytest.fixture
def scene(personas) -> Scene:
    return build_scene()


def sections(response) -> dict[str, Any]:
    return {s.key: s for s in response.context["sections"]}


def table(section) -> dict[str, list[Any]]:
    """Row header → raw values, as the table and the exports carry them."""
    return {row.header.text: row.values for row in section.rows}


def status(
    not_started: int = 0, in_progress: int = 0, partial: int = 0, done: int = 0, obsolete: int = 0
) -> list[int]:
    counts = [not_started, in_progress, partial, done, obsolete]
    return [*counts, sum(counts)]


def get_dashboard(client, **params):
    response = client.get(reverse(DASHBOARD), params)
    assert response.status_code == 200
    return response


# -- who may see it --------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client_for, scene):
    for url in (
        reverse(DASHBOARD),
        reverse("tracking:dashboard-export", args=["status-mechanism"]) + "?format=csv",
    ):
        response = client_for("anonymous").get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona", ["admin", "focal_point", "contributor", "ngo_member", "observer", "outsider"]
)
def test_every_signed_in_persona_sees_the_dashboard(client_for, scene, persona):
    response = get_dashboard(client_for(persona))
    assert b"Implementation dashboard" in response.content


# -- the numbers ----------------------------------------------------------------------


def test_status_by_mechanism_counts_assessments_overrides_and_unassessed(client_for, scene):
    by_mechanism = table(sections(get_dashboard(client_for("admin")))["status-mechanism"])
    assert by_mechanism == {
        "UPR — Synthetic review": status(in_progress=1, partial=1, done=1, obsolete=1),
        "CEDAW — Synthetic committee": status(not_started=1),
    }


def test_a_recommendation_without_assessment_counts_as_not_started(client_for, scene):
    Assessment.objects.all().delete()
    by_mechanism = table(sections(get_dashboard(client_for("admin")))["status-mechanism"])
    assert by_mechanism["UPR — Synthetic review"] == status(not_started=4)


def test_status_by_cycle(client_for, scene):
    by_cycle = table(sections(get_dashboard(client_for("admin")))["status-cycle"])
    assert by_cycle == {
        "Synthetic review, cycle 2": status(in_progress=1, partial=1, done=1, obsolete=1),
        "Synthetic committee, cycle 1": status(not_started=1),
    }


def test_status_by_institution_goes_through_the_actions_it_leads_or_co_executes(client_for, scene):
    by_institution = table(sections(get_dashboard(client_for("admin")))["status-institution"])
    assert by_institution == {
        MIA: status(in_progress=1, partial=1, done=1),
        MLSP: status(not_started=1, done=1),
    }


def test_status_by_cluster_theme_issue_and_sdg_goal(client_for, scene):
    r1, r2 = (
        scene.done_action.recommendations.get(),
        Action.objects.get(number="2").recommendations.get(),
    )
    f.cluster("Synthetic cluster on labour", [r1, r2])
    theme = rf.term("ohchr-theme", "E31", {"en": "Synthetic labour rights"})
    issue = rf.term("upr-info-issue", "labour", {"en": "Synthetic labour issue"})
    goal = rf.term("sdg-goal", "8", {"en": "Synthetic decent work"})
    target = rf.term("sdg-target", "8.7", {"en": "Synthetic target"})
    target.parent = goal
    target.save()
    rf.label(r1, theme)
    rf.label(r2, theme)
    rf.label(r2, theme, source="another-source")  # two labels, one recommendation
    rf.label(r1, issue)
    rf.label(r2, issue, status="rejected")  # rejected labels do not count
    rf.label(r1, goal)
    rf.label(r2, target)  # a target counts under its goal
    got = sections(get_dashboard(client_for("admin")))
    assert table(got["status-cluster"]) == {
        "Synthetic cluster on labour (A/HRC/SYN/20)": status(in_progress=1, done=1)
    }
    assert table(got["status-theme"]) == {
        "E31 — Synthetic labour rights": status(in_progress=1, done=1)
    }
    assert table(got["status-issue"]) == {"Synthetic labour issue": status(done=1)}
    assert table(got["status-goal"]) == {"8 — Synthetic decent work": status(in_progress=1, done=1)}


def test_overdue_actions_by_institution_and_role(client_for, scene):
    overdue = table(sections(get_dashboard(client_for("admin")))["overdue-institution"])
    # MIA leads a2 and the hidden action; MLSP leads a3; a1 is done, so never overdue.
    assert overdue == {
        MIA: [2, 0, 2],
        MLSP: [1, 0, 1],
    }


def test_an_action_due_in_the_future_is_not_overdue(client_for, scene):
    Action.objects.filter(number="3").update(
        deadline=timezone.localdate() + datetime.timedelta(days=1)
    )
    overdue = table(sections(get_dashboard(client_for("admin")))["overdue-institution"])
    assert MLSP not in overdue


def test_budget_planned_vs_spent_by_plan_never_adds_currencies(client_for, scene):
    rows = sections(get_dashboard(client_for("admin")))["budget-plan"].data_rows()
    assert rows == [
        ["Synthetic published plan", "KZT", Decimal("3000"), Decimal("400"), Decimal("13.3"), 2],
        ["Synthetic unpublished plan", "KZT", Decimal("9999"), Decimal("0"), Decimal("0.0"), 1],
        ["Synthetic published plan", "USD", Decimal("500"), Decimal("100"), Decimal("20.0"), 1],
    ]


def test_budget_by_institution_counts_each_action_for_its_lead_only(client_for, scene):
    rows = sections(get_dashboard(client_for("admin")))["budget-institution"].data_rows()
    assert rows == [
        [MIA, "KZT", Decimal("9999"), Decimal("0"), Decimal("0.0"), 1],
        [MLSP, "KZT", Decimal("3000"), Decimal("400"), Decimal("13.3"), 2],
        [MIA, "USD", Decimal("500"), Decimal("100"), Decimal("20.0"), 1],
    ]


def test_budget_has_one_chart_per_currency(client_for, scene):
    budget = sections(get_dashboard(client_for("admin")))["budget-plan"]
    ids = [re.search(r'id="(chart-[^"]+)"', str(svg)).group(1) for svg in budget.charts]
    assert ids == ["chart-budget-plan-kzt", "chart-budget-plan-usd"]


# -- what each persona sees --------------------------------------------------------------


def test_observer_sees_only_published_data(client_for, scene):
    got = sections(get_dashboard(client_for("observer")))
    # r3's only action is unpublished: for the observer it has not started.
    assert table(got["status-mechanism"])["UPR — Synthetic review"] == status(
        not_started=1, in_progress=1, done=1, obsolete=1
    )
    assert table(got["status-institution"])[MIA] == status(in_progress=1, done=1)
    assert table(got["overdue-institution"])[MIA] == [1, 0, 1]
    plans = [row[0] for row in got["budget-plan"].data_rows()]
    assert "Synthetic unpublished plan" not in plans
    assert [r[:2] for r in got["budget-institution"].data_rows()] == [
        [MLSP, "KZT"],
        [MIA, "USD"],
    ]


def test_observer_export_has_no_unpublished_plan(client_for, scene):
    url = reverse("tracking:dashboard-export", args=["budget-plan"])
    body = client_for("observer").get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Synthetic published plan" in body
    assert "Synthetic unpublished plan" not in body


def test_a_focal_point_also_sees_the_unpublished_work_of_their_own_institution(client_for, scene):
    f.user("erlan", "focal_point", "MIA")
    client = client_for("anonymous")
    client.login(username="erlan", password="pw-erlan")
    got = sections(get_dashboard(client))
    assert table(got["overdue-institution"])[MIA] == [2, 0, 2]
    # MLSP's focal point does not see MIA's unpublished action.
    mlsp_view = sections(get_dashboard(client_for("focal_point")))
    assert table(mlsp_view["overdue-institution"])[MIA] == [
        1,
        0,
        1,
    ]


# -- filters --------------------------------------------------------------------------


def test_filter_by_plan(client_for, scene):
    got = sections(get_dashboard(client_for("admin"), plan=scene.plan.pk))
    assert {row[0] for row in got["budget-plan"].data_rows()} == {"Synthetic published plan"}
    # Only the recommendations the plan's actions address.
    assert table(got["status-mechanism"])["UPR — Synthetic review"] == status(in_progress=1, done=1)


def test_filter_by_mechanism(client_for, scene):
    got = sections(get_dashboard(client_for("admin"), mechanism=scene.cedaw.pk))
    assert list(table(got["status-mechanism"])) == ["CEDAW — Synthetic committee"]
    assert [r[:2] for r in got["budget-plan"].data_rows()] == [["Synthetic published plan", "KZT"]]


def test_filter_by_institution(client_for, scene):
    got = sections(get_dashboard(client_for("admin"), institution=scene.mlsp.pk))
    assert list(table(got["overdue-institution"])) == [MLSP]


def test_a_plan_the_user_may_not_see_is_not_a_usable_filter(client_for, scene):
    response = get_dashboard(client_for("observer"), plan=scene.draft.pk)
    assert response.context["form"].errors["plan"]
    plans = [row[0] for row in sections(response)["budget-plan"].data_rows()]
    assert plans == ["Synthetic published plan", "Synthetic published plan"]


def test_export_links_keep_the_filters(client_for, scene):
    response = get_dashboard(client_for("admin"), plan=scene.plan.pk)
    url = reverse("tracking:dashboard-export", args=["budget-plan"])
    assert f'{url}?format=xlsx&amp;plan={scene.plan.pk}"'.encode() in response.content


# -- charts and accessible tables --------------------------------------------------------


def test_each_section_has_a_labelled_chart_and_a_captioned_table(client_for, scene):
    html = get_dashboard(client_for("admin")).content.decode()
    for key in ("status-mechanism", "status-institution", "overdue-institution", "budget-plan"):
        block = html.split(f'<section class="dash-section" id="{key}"', 1)[1].split("</section>")[0]
        assert re.search(r'<svg [^>]*role="img" aria-labelledby="chart-[^"]+-title chart-', block)
        assert "<caption" in block
        assert '<th scope="col"' in block and '<th scope="row"' in block
        assert f"/dashboard/{key}/export/?format=csv" in block
        assert f"/dashboard/{key}/export/?format=xlsx" in block


def test_an_empty_section_says_so_instead_of_drawing_an_empty_chart(client_for, scene):
    html = get_dashboard(client_for("admin")).content.decode()
    block = html.split('id="status-theme"', 1)[1].split("</section>")[0]
    assert "<svg" not in block and "Nothing to show" in block


# -- exports --------------------------------------------------------------------------


def export(client, key: str, fmt: str, **params):
    url = reverse("tracking:dashboard-export", args=[key])
    return client.get(url, {"format": fmt, **params})


def as_text(values: list[Any]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


@pytest.mark.parametrize("key", ["status-mechanism", "overdue-institution", "budget-plan"])
def test_csv_export_is_the_table_in_utf8_with_a_bom(client_for, scene, key):
    client = client_for("admin")
    section = sections(get_dashboard(client))[key]
    response = export(client, key, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="qadam-{key}-{today}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [section.header_row(), *(as_text(r) for r in section.data_rows())]


@pytest.mark.parametrize("key", ["status-mechanism", "budget-institution"])
def test_xlsx_export_is_the_table(client_for, scene, key):
    client = client_for("admin")
    section = sections(get_dashboard(client))[key]
    response = export(client, key, "xlsx")
    assert response["Content-Disposition"].endswith(f'{timezone.localdate().isoformat()}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    expected = [section.header_row(), *section.data_rows()]
    assert [[same(v) for v in r] for r in rows] == [[same(v) for v in r] for r in expected]
    # Numbers stay numbers, so that a spreadsheet can add them up.
    assert all(isinstance(v, int | float) for v in rows[1][-2:])


def same(value: Any) -> Any:
    """Numbers compared as numbers (XLSX has no decimals), empty cells as empty text."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    return "" if value is None else value


def test_exports_are_in_the_page_language(client_for, scene):
    client = client_for("admin")
    with translation.override("ru"):
        url = reverse("tracking:dashboard-export", args=["status-mechanism"])
    assert url.startswith("/ru/")
    response = client.get(url, {"format": "csv"})
    header = response.content.decode("utf-8-sig").splitlines()[0]
    with translation.override("ru"):
        assert header.split(",")[1] == str(Status.NOT_STARTED.label)


def test_unknown_section_is_404_and_unknown_format_400(client_for, scene):
    client = client_for("admin")
    assert export(client, "status-nowhere", "csv").status_code == 404
    bad = export(client, "status-mechanism", "pdf")
    assert bad.status_code == 400
    assert b"csv or xlsx" in bad.content


# -- query count -------------------------------------------------------------------------


def grow(start: int, stop: int) -> None:
    """Recommendations start..stop-1, each with its own mechanism, cycle, cluster, theme,
    institution, plan and currency, so that any per-row query would show."""
    for i in range(start, stop):
        mech = rf.mechanism(f"M{i}", f"Synthetic mechanism {i}")
        doc = rf.document(f"SYN/{i}", rf.session(100 + i, mech, cycle=1 + i % 3))
        rec = rf.recommendation(f"Synthetic grown recommendation {i}", doc, f"{i}.1")
        rf.label(rec, rf.term("ohchr-theme", f"T{i}", {"en": f"Synthetic theme {i}"}))
        rf.label(rec, rf.term("sdg-goal", str(i % 17 + 1)))
        f.cluster(f"Synthetic cluster {i}", [rec])
        plan = f.plan(f"Synthetic grown plan {i}", published=i % 2 == 0)
        f.action(
            plan, str(i), lead=f"I{i}", co=[f"J{i}"], recommendations=[rec],
            published=i % 2 == 0, deadline=PAST, budget_planned=Decimal(i),
            budget_currency=f"C{i % 100:02d}"[:3],
        )  # fmt: skip
        refresh_assessments([rec])


def count_queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["admin", "observer"])
def test_query_count_does_not_grow_with_rows(
    client_for, personas, persona, django_assert_max_num_queries
):
    client = client_for(persona)
    page = reverse(DASHBOARD)
    export_url = reverse("tracking:dashboard-export", args=["status-theme"]) + "?format=xlsx"
    grow(0, 5)
    small_page, small_export = count_queries(client, page), count_queries(client, export_url)
    grow(5, 50)
    with django_assert_max_num_queries(small_page):
        assert client.get(page).status_code == 200
    with django_assert_max_num_queries(small_export):
        assert client.get(export_url).status_code == 200
