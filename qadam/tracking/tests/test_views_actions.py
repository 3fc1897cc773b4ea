"""Action pages: detail, create and edit (the secretariat's and a focal point's),
optimistic concurrency, and linking recommendations and clusters."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from qadam.accounts.models import User
from qadam.audit.models import AuditEvent
from qadam.indicators.models import Dataset, Indicator
from qadam.tracking.models import Action, Assessment
from qadam.tracking.tests import factories as f

ClientFor = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _english_storage(settings: Any, tmp_path: Path) -> Iterator[None]:
    f.use_storage(settings, tmp_path)
    with translation.override("en"):
        yield


def _form(action: Action, **changes: Any) -> dict[str, Any]:
    """The secretariat's edit form as the page fills it in, with ``changes``."""
    data: dict[str, Any] = {
        "title_en": action.title.get("en", ""),
        "number": action.number,
        "status": action.status,
        "budget_currency": action.budget_currency,
        "timeframe_text": action.timeframe_text,
        "deadline_start": str(action.deadline_start or ""),
        "deadline": str(action.deadline or ""),
        "version": action.version,
    }
    # As the page renders it: one row per co-executor, then three empty ones.
    co = list(action.assignments.filter(role="co"))
    data["co-INITIAL_FORMS"] = str(len(co))
    data["co-TOTAL_FORMS"] = str(len(co) + 3)
    lead = action.assignments.filter(role="lead").first()
    if lead:
        data["lead"] = lead.institution_id
    for i, a in enumerate(co):
        data[f"co-{i}-institution"] = a.institution_id
        if a.as_agreed:
            data[f"co-{i}-as_agreed"] = "on"
    data.update(changes)
    return data


def test_the_secretariat_creates_an_action_with_agencies_deadline_and_budget(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    plan = f.plan()
    mlsp, mia, gpo = f.institution("MLSP"), f.institution("MIA"), f.institution("GPO")
    outcome = f.outcome_type()
    response = client_for("admin").post(
        reverse("tracking:action-create", args=[plan.pk]),
        {
            "number": "1",
            "title_en": "Synthetic mechanism to prevent violence",
            "title_kk": "Синтетикалық тетік",
            "outcome_type": outcome.pk,
            "timeframe_text": "By the end of 2027",
            "deadline_start": "2027-01-01",
            "deadline": "2027-12-31",
            "status": "not-started",
            "budget_planned": "1500000",
            "budget_currency": "kzt",
            "budget_source": "Synthetic republican budget",
            "lead": mia.pk,
            "co-TOTAL_FORMS": "3",
            "co-INITIAL_FORMS": "0",
            "co-0-institution": gpo.pk,
            "co-0-as_agreed": "on",
            "co-1-institution": mlsp.pk,
        },
    )
    action = Action.objects.get()
    assert response["Location"] == reverse("tracking:action-detail", args=[action.pk])
    assert action.title == {
        "en": "Synthetic mechanism to prevent violence",
        "kk": "Синтетикалық тетік",
    }
    assert (action.deadline_start, action.deadline) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert action.budget_planned == Decimal("1500000")
    assert action.budget_currency == "KZT"
    assert [(a.institution.code, a.role, a.as_agreed) for a in action.assignments.all()] == [
        ("MIA", "lead", False),
        ("GPO", "co", True),
        ("MLSP", "co", False),
    ]
    assert action.published is False


def test_an_exact_date_is_a_one_day_period(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    action = f.action(deadline_start=None, deadline=None, timeframe_text="")
    client_for("admin").post(
        reverse("tracking:action-edit", args=[action.pk]),
        _form(action, deadline="2026-08-31", timeframe_text="August 2026"),
    )
    action.refresh_from_db()
    assert action.deadline_start == action.deadline == datetime.date(2026, 8, 31)
    assert action.timeframe_text == "August 2026"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline_start": "2027-01-01", "deadline": ""}, "A period needs its last day"),
        ({"deadline_start": "2028-01-01", "deadline": "2027-12-31"}, "cannot be before"),
        ({"budget_currency": "tenge"}, "Give the currency as three letters"),
        ({"budget_planned": "-5"}, "greater than or equal to 0"),
        ({"co-0-institution": "LEAD"}, "is listed twice"),
        ({"indicators": "3-2-1, 99-9-9"}, "No imported indicator has the code 3-2-1, 99-9-9."),
    ],
)
def test_bad_action_input_is_refused_with_a_specific_message(
    changes: dict[str, str], message: str, personas: dict[str, User], client_for: ClientFor
) -> None:
    action = f.action(lead="MLSP")
    if changes.get("co-0-institution") == "LEAD":
        changes = {"co-0-institution": str(f.institution("MLSP").pk)}
    before = (action.version, action.deadline, action.budget_currency)
    response = client_for("admin").post(
        reverse("tracking:action-edit", args=[action.pk]), _form(action, **changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    action.refresh_from_db()
    assert (action.version, action.deadline, action.budget_currency) == before


def test_the_secretariat_names_the_indicators_an_action_should_move(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    dataset = Dataset.objects.create(code="synthetic-stats", kind="opensdg")
    Indicator.objects.create(dataset=dataset, code="3-2-1", title={"en": "Synthetic under-5"})
    action = f.action()
    client = client_for("admin")
    client.post(
        reverse("tracking:action-edit", args=[action.pk]),
        _form(action, indicators="3-2-1, 3-2-1"),
    )
    assert list(action.indicators.values_list("code", flat=True)) == ["3-2-1"]
    assert AuditEvent.objects.filter(action="tracking.action.indicators").exists()
    page = client.get(reverse("tracking:action-detail", args=[action.pk])).content.decode()
    assert "Synthetic under-5" in page
    edit = client.get(reverse("tracking:action-edit", args=[action.pk])).content.decode()
    assert 'value="3-2-1"' in edit


def test_the_detail_shows_links_to_the_registry_budget_assignments_and_history(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    rec = f.recommendation("Synthetic recommendation on social protection", number="9.1")
    other = f.recommendation("Synthetic recommendation on labour", number="9.2")
    cluster = f.cluster("Synthetic cluster: social rights", [rec, other])
    action = f.action(
        lead="MLSP",
        co=[("GPO", True)],
        recommendations=[rec],
        clusters=[cluster],
        budget_planned=Decimal("100"),
        budget_source="Synthetic local budget",
    )
    client = client_for("admin")
    client.post(reverse("tracking:action-links", args=[action.pk]), {"add": [other.pk]})
    html = client.get(reverse("tracking:action-detail", args=[action.pk])).content.decode()
    assert reverse("registry:recommendation-detail", args=[rec.pk]) in html
    assert reverse("tracking:assessment", args=[rec.pk]) in html
    assert "Synthetic cluster: social rights" in html
    assert "Synthetic local budget" in html
    assert "Yes, as agreed" in html
    assert "Linked or unlinked recommendations" in html  # history


def test_focal_point_cannot_edit_other_ministry_action(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    other = f.action(lead="MIA", title="Synthetic MIA action")
    hidden = f.action(lead="MIA", title="Synthetic hidden MIA action", published=False)
    client = client_for("focal_point")
    page = client.get(reverse("tracking:action-detail", args=[other.pk])).content.decode()
    assert "Edit the action" not in page
    assert "Report progress" not in page
    for target, code in ((other, 403), (hidden, 404)):
        url = reverse("tracking:action-edit", args=[target.pk])
        assert client.get(url).status_code == code
        response = client.post(
            url,
            {
                "description_en": "Synthetic takeover",
                "budget_spent": "9",
                "version": target.version,
            },
        )
        assert response.status_code == code
        target.refresh_from_db()
        assert target.description == {}
        assert target.budget_spent is None


def test_a_focal_point_edits_only_description_and_money_spent(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    action = f.action(
        lead="MIA", co=["MLSP"], title="Synthetic shared action", status="in-progress"
    )
    client = client_for("focal_point")
    page = client.get(reverse("tracking:action-edit", args=[action.pk])).content.decode()
    assert 'name="description_en"' in page and 'name="budget_spent"' in page
    assert 'name="title_en"' not in page and 'name="status"' not in page
    response = client.post(
        reverse("tracking:action-edit", args=[action.pk]),
        {
            "description_en": "Synthetic working group formed",
            "budget_spent": "1200.50",
            "title_en": "Synthetic hijacked title",
            "status": "done",
            "version": action.version,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.description == {"en": "Synthetic working group formed"}
    assert action.budget_spent == Decimal("1200.50")
    assert action.title == {"en": "Synthetic shared action"}
    assert action.status == "in-progress"


def test_a_contributor_may_not_edit_the_action_itself(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    action = f.action(lead="MLSP")
    assert (
        client_for("contributor").get(reverse("tracking:action-edit", args=[action.pk])).status_code
        == 403
    )


def test_concurrent_edit_is_refused_with_a_clear_message(
    personas: dict[str, User], client_for: ClientFor, make_user: Callable[..., User]
) -> None:
    """Two sessions open the same action; the first saves; the second is refused."""
    action = f.action(lead="MLSP", title="Synthetic action before edits")
    first, second = client_for("admin"), client_for("focal_point")
    # Both load the form: each carries the version it started from.
    assert (
        f'name="version" value="{action.version}"'
        in first.get(reverse("tracking:action-edit", args=[action.pk])).content.decode()
    )
    assert (
        f'name="version" value="{action.version}"'
        in second.get(reverse("tracking:action-edit", args=[action.pk])).content.decode()
    )
    started = action.version

    saved = first.post(
        reverse("tracking:action-edit", args=[action.pk]),
        _form(
            action,
            title_en="Synthetic title by the secretariat",
            description_en="Synthetic description by the secretariat",
        ),
    )
    assert saved.status_code == 302

    refused = second.post(
        reverse("tracking:action-edit", args=[action.pk]),
        {
            "description_en": "Synthetic description by the focal point",
            "budget_spent": "5",
            "version": started,
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 409
    assert "Your changes were not saved" in html
    assert "This record was changed by someone else after you opened it" in html
    assert "Reload it and apply your changes again." in html
    # The second user's text is still in the form, to copy.
    assert "Synthetic description by the focal point" in html
    action.refresh_from_db()
    assert action.description == {"en": "Synthetic description by the secretariat"}
    assert action.budget_spent is None
    assert action.version == started + 1


def test_a_stale_secretariat_edit_leaves_the_institutions_alone(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    action = f.action(lead="MLSP", co=["MIA"])
    stale = _form(action, lead=str(f.institution("MJ").pk))
    client = client_for("admin")
    client.post(reverse("tracking:action-edit", args=[action.pk]), _form(action, number="7"))
    response = client.post(reverse("tracking:action-edit", args=[action.pk]), stale)
    assert response.status_code == 409
    assert [a.institution.code for a in action.assignments.all()] == ["MLSP", "MIA"]


def test_linking_by_search_and_unlinking(personas: dict[str, User], client_for: ClientFor) -> None:
    wanted = f.recommendation("Synthetic call to ratify the labour convention", number="5.1")
    f.recommendation("Synthetic call about prisons", number="5.2")
    action = f.action(lead="MLSP")
    client = client_for("admin")
    url = reverse("tracking:action-links", args=[action.pk])

    html = client.get(url, {"q": "labour"}).content.decode()
    assert f'name="add" value="{wanted.pk}"' in html
    assert "prisons" not in html

    client.post(url, {"add": [wanted.pk], "q": "labour"})
    assert list(action.recommendations.all()) == [wanted]
    assert Assessment.objects.get(recommendation=wanted).derived_status == "not-started"
    # Already linked: not offered again, but listed to unlink.
    html = client.get(url, {"q": "labour"}).content.decode()
    assert f'name="add" value="{wanted.pk}"' not in html
    assert f'name="remove" value="{wanted.pk}"' in html

    client.post(url, {"remove": [wanted.pk]})
    assert not action.recommendations.exists()


def test_linking_a_cluster_links_all_its_recommendations(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    a = f.recommendation("Synthetic first member", number="6.1")
    b = f.recommendation("Synthetic second member", number="6.2")
    hidden = f.recommendation("Synthetic unpublished member", number="6.3", published=False)
    cluster = f.cluster("Synthetic cluster on migrants", [a, b, hidden])
    action = f.action(lead="MLSP")
    client = client_for("admin")
    url = reverse("tracking:action-links", args=[action.pk])
    html = client.get(url, {"q": "migrants"}).content.decode()
    assert f'name="add_cluster" value="{cluster.pk}"' in html

    client.post(url, {"add_cluster": [cluster.pk]})
    assert list(action.clusters.all()) == [cluster]
    # The secretariat sees unpublished recommendations too, so all three come.
    assert set(action.recommendations.all()) == {a, b, hidden}

    client.post(url, {"remove_cluster": [cluster.pk]})
    assert not action.clusters.exists()
    assert action.recommendations.count() == 3  # members stay until unlinked one by one


def test_garbage_in_the_link_form_changes_nothing(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    action = f.action(lead="MLSP")
    response = client_for("admin").post(
        reverse("tracking:action-links", args=[action.pk]), {"add": ["1;drop"]}, follow=True
    )
    assert "The selection was not understood" in response.content.decode()
    assert not action.recommendations.exists()


def test_publishing_an_action_of_an_unpublished_plan_warns(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    action = f.action(f.plan(published=False), published=False)
    response = client_for("admin").post(
        reverse("tracking:action-publish", args=[action.pk]), {"published": "1"}, follow=True
    )
    assert "nobody outside the government sees it until the plan is published" in (
        response.content.decode()
    )
    assert (
        client_for("observer").get(reverse("tracking:action-detail", args=[action.pk])).status_code
        == 404
    )


def test_import_flags_are_explained_to_the_secretariat_only(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    action = f.action(lead=None, flags=["missing-agencies"])
    url = reverse("tracking:action-detail", args=[action.pk])
    message = "The plan names no agency in charge of this action."
    assert message in client_for("admin").get(url).content.decode()
    assert message not in client_for("observer").get(url).content.decode()


@pytest.mark.parametrize("persona", ["admin", "focal_point", "observer"])
def test_the_action_page_costs_the_same_queries_for_5_and_50_updates(
    persona: str,
    personas: dict[str, User],
    client_for: ClientFor,
    django_assert_max_num_queries: Any,
) -> None:
    recs = [f.recommendation(f"Synthetic recommendation {i}", number=f"7.{i}") for i in range(3)]
    action = f.action(lead="MLSP", co=[("GPO", True)], recommendations=recs)
    client = client_for(persona)

    def add(n: int) -> None:
        for i in range(n):
            f.evidence(f.update(action, f.STATES[i % len(f.STATES)], "MLSP"))

    add(5)
    url = reverse("tracking:action-detail", args=[action.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    add(45)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert client.get(url).status_code == 200
