"""Plan pages: list, detail with its actions table, create, edit, publish, delete."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from qadam.accounts.models import User
from qadam.audit.models import AuditEvent
from qadam.tracking.models import Plan
from qadam.tracking.tests import factories as f

ClientFor = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_the_list_marks_demo_plans_and_hides_unpublished_ones_from_the_public(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    f.plan("Synthetic demo plan", is_demo=True)
    f.plan("Synthetic unpublished plan", published=False)
    public = client_for("observer").get(reverse("tracking:plan-list")).content.decode()
    assert "Synthetic demo plan" in public
    assert "Demo plan" in public
    assert "Synthetic unpublished plan" not in public
    assert "New plan" not in public

    secretariat = client_for("admin").get(reverse("tracking:plan-list")).content.decode()
    assert "Synthetic unpublished plan" in secretariat
    assert "Not published" in secretariat
    assert "New plan" in secretariat


def test_the_detail_shows_the_actions_table(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    plan = f.plan("Synthetic follow-up plan", is_demo=True)
    f.action(
        plan,
        "2",
        "Synthetic proposal for accession to a convention",
        "MLSP",
        co=["MIA", ("GPO", True), "MJ"],
        outcome_type=f.outcome_type("synthetic-imc", "Synthetic proposals to the IMC"),
        timeframe_text="By the end of 2023",
        deadline_start=datetime.date(2023, 1, 1),
        deadline=datetime.date(2023, 12, 31),
        status="in-progress",
        budget_planned=Decimal("2500000"),
        budget_spent=Decimal("1000000.50"),
        budget_currency="KZT",
    )
    page = client_for("anonymous").get(reverse("tracking:plan-detail", args=[plan.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for text in (
        "Synthetic proposal for accession to a convention",
        "Synthetic proposals to the IMC",
        "By the end of 2023",
        'datetime="2023-12-31"',
        'datetime="2023-01-01"',
        "Overdue",  # the deadline passed and the action is not done
        "GPO</abbr> (as agreed)",
        "MLSP</abbr>",
        "In progress",
        "2,500,000.00 KZT",
        "1,000,000.50 KZT",
        "This plan is demonstration material",
    ):
        assert text in html, text
    # The lead comes first, then the co-executors in the plan's order.
    assert html.index(">MLSP<") < html.index(">MIA<") < html.index(">GPO<") < html.index(">MJ<")
    assert "Edit the plan" not in html


def test_the_secretariat_creates_edits_publishes_and_deletes_a_plan(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    client = client_for("admin")
    response = client.post(
        reverse("tracking:plan-create"),
        {
            "title_en": "Synthetic interagency plan for UPR cycle 4",
            "title_ru": "Синтетический межведомственный план",
            "kind": "upr-plan",
            "period_start": "2025-01-01",
            "period_end": "2028-12-31",
            "adopted_by": "Synthetic decree No. 1",
        },
    )
    plan = Plan.objects.get()
    assert response["Location"] == reverse("tracking:plan-detail", args=[plan.pk])
    assert plan.title["ru"] == "Синтетический межведомственный план"
    assert plan.published is False
    assert plan.period_end == datetime.date(2028, 12, 31)

    client.post(
        reverse("tracking:plan-edit", args=[plan.pk]),
        {"title_en": "Synthetic plan, renamed", "kind": "upr-plan", "is_demo": "on"},
    )
    plan.refresh_from_db()
    assert plan.title == {"en": "Synthetic plan, renamed"}
    assert plan.is_demo

    client.post(reverse("tracking:plan-publish", args=[plan.pk]), {"published": "1"})
    plan.refresh_from_db()
    assert plan.published

    page = client.get(reverse("tracking:plan-detail", args=[plan.pk])).content.decode()
    assert "Created the plan" in page and "Edited the plan" in page  # the history

    confirm = client.get(reverse("tracking:plan-delete", args=[plan.pk]))
    assert "Delete the plan" in confirm.content.decode()
    assert Plan.objects.filter(pk=plan.pk).exists()  # GET only asks
    client.post(reverse("tracking:plan-delete", args=[plan.pk]))
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert list(
        AuditEvent.objects.filter(object_type="tracking.plan").values_list("action", flat=True)
    ) == [
        "tracking.plan.delete",
        "tracking.plan.publish",
        "tracking.plan.update",
        "tracking.plan.create",
    ]


def test_a_plan_needs_a_title_and_a_period_that_ends_after_it_starts(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    response = client_for("admin").post(
        reverse("tracking:plan-create"),
        {"kind": "upr-plan", "period_start": "2028-01-01", "period_end": "2025-01-01"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give the title in at least one language." in html
    assert "The period cannot end before it starts." in html
    assert not Plan.objects.exists()


def test_publishing_is_a_post(personas: dict[str, User], client_for: ClientFor) -> None:
    plan = f.plan(published=False)
    response = client_for("admin").get(reverse("tracking:plan-publish", args=[plan.pk]))
    assert response.status_code == 405


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["admin", "focal_point", "observer"])
def test_the_plan_list_costs_the_same_queries_for_5_and_50_plans(
    persona: str,
    personas: dict[str, User],
    client_for: ClientFor,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(persona)
    url = reverse("tracking:plan-list")
    for i in range(5):
        f.action(f.plan(f"Synthetic plan {i}"), lead="MLSP")
    client.get(url)  # warm caches (content types, permissions)
    few = _queries(client, url)
    for i in range(45):
        f.action(f.plan(f"Synthetic plan {i + 5}"), lead="MLSP")
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("persona", ["admin", "focal_point", "observer", "anonymous"])
def test_the_plan_detail_costs_the_same_queries_for_5_and_50_actions(
    persona: str,
    personas: dict[str, User],
    client_for: ClientFor,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(persona)
    plan = f.plan()
    outcome = f.outcome_type()

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            f.action(plan, str(i), lead="MLSP", co=["MIA", ("GPO", True)], outcome_type=outcome)

    add(5, 0)
    url = reverse("tracking:plan-detail", args=[plan.pk])
    client.get(url)
    few = _queries(client, url)
    add(45, 5)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.content.decode().count("(as agreed)") == 50
