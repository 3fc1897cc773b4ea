"""Who may do what on the labelling pages: every write and read, role by role.

Anonymous visitors are sent to log in; a signed-in user without the permission gets 403;
nothing changes when a write is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qadam.labelling.actions import do_store_overlap_groups
from qadam.labelling.models import LabellingRun, ModelVersion, OverlapGroup
from qadam.labelling.tests.conftest import Scene, suggestion
from qadam.registry.models import Label
from qadam.registry.tests import factories as f

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]
ROLES = ["admin", "focal_point", "contributor", "ngo_member", "observer", "outsider", "anonymous"]
SECRETARIAT_ONLY = {"admin": 302, "anonymous": 302}  # anonymous: to the login page
REFUSED = {"outsider": 403, "anonymous": 302}


def expected(persona: str, allowed: dict[str, int], default: int = 403) -> int:
    return allowed.get(persona, default)


def refused_to_login(response: Any, persona: str) -> None:
    if persona == "anonymous":
        assert "/login/" in response["Location"]


@pytest.fixture
def pending(personas: dict[str, Any]) -> Label:
    catalogue = f.build_catalogue()
    return suggestion(catalogue.press, catalogue.goal_16, 0.8)


@pytest.mark.parametrize("persona", ROLES)
@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_who_may_decide_one_suggestion(
    client_for: Clients, pending: Label, persona: str, decision: str
) -> None:
    response = client_for(persona).post(reverse("labelling:decide"), {decision: pending.pk})
    assert response.status_code == expected(persona, SECRETARIAT_ONLY)
    refused_to_login(response, persona)
    pending.refresh_from_db()
    assert (pending.status != "suggested") is (persona == "admin")


@pytest.mark.parametrize("persona", ROLES)
def test_who_may_decide_in_bulk(client_for: Clients, pending: Label, persona: str) -> None:
    response = client_for(persona).post(
        reverse("labelling:decide"), {"decision": "accept", "label": [pending.pk]}
    )
    assert response.status_code == expected(persona, SECRETARIAT_ONLY)
    pending.refresh_from_db()
    assert (pending.status == "confirmed") is (persona == "admin")


@pytest.mark.parametrize("persona", ROLES)
def test_who_may_train(client_for: Clients, personas: dict[str, Any], persona: str) -> None:
    from django_tasks_db.models import DBTaskResult

    response = client_for(persona).post(reverse("labelling:train"))
    assert response.status_code == expected(persona, SECRETARIAT_ONLY)
    refused_to_login(response, persona)
    assert DBTaskResult.objects.exists() is (persona == "admin")


@pytest.mark.parametrize("persona", ROLES)
def test_who_may_make_a_version_active(client_for: Clients, trained: Scene, persona: str) -> None:
    earlier = trained.version
    ModelVersion.objects.filter(pk=earlier.pk).update(active=False)
    response = client_for(persona).post(reverse("labelling:activate", args=[earlier.pk]))
    assert response.status_code == expected(persona, SECRETARIAT_ONLY)
    earlier.refresh_from_db()
    assert earlier.active is (persona == "admin")


@pytest.mark.parametrize("persona", ROLES)
def test_who_may_start_a_run(client_for: Clients, trained: Scene, persona: str) -> None:
    response = client_for(persona).post(reverse("labelling:runs"), {"scope": "all"})
    assert response.status_code == expected(persona, SECRETARIAT_ONLY)
    assert LabellingRun.objects.exists() is (persona == "admin")


@pytest.mark.parametrize("persona", ROLES)
@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_who_may_decide_an_overlap_group(
    client_for: Clients, personas: dict[str, Any], persona: str, decision: str
) -> None:
    catalogue = f.build_catalogue()
    do_store_overlap_groups([{"ids": [catalogue.torture.pk, catalogue.press.pk], "score": 0.5}])
    group = OverlapGroup.objects.get()
    response = client_for(persona).post(
        reverse("labelling:overlap-decide", args=[group.pk]), {"decision": decision}
    )
    # Roles without labelling.view_overlap do not learn the group exists.
    allowed = {"admin": 302, "outsider": 404, "anonymous": 302}
    assert response.status_code == expected(persona, allowed)
    group.refresh_from_db()
    assert (group.status != "suggested") is (persona == "admin")


READ_PAGES = ["labelling:suggestions", "labelling:overlaps", "labelling:classify"]


@pytest.mark.parametrize("persona", ROLES)
@pytest.mark.parametrize("page", READ_PAGES)
def test_who_may_see_suggestions_overlaps_and_classify(
    client_for: Clients, personas: dict[str, Any], persona: str, page: str
) -> None:
    response = client_for(persona).get(reverse(page))
    assert response.status_code == expected(persona, REFUSED, 200)
    refused_to_login(response, persona)


@pytest.mark.parametrize("persona", ROLES)
def test_who_may_see_runs(client_for: Clients, personas: dict[str, Any], persona: str) -> None:
    response = client_for(persona).get(reverse("labelling:runs"))
    assert response.status_code == expected(persona, {"admin": 200, "anonymous": 302})


@pytest.mark.parametrize("persona", ROLES)
def test_everyone_may_read_model_versions(
    client_for: Clients, personas: dict[str, Any], persona: str
) -> None:
    assert client_for(persona).get(reverse("labelling:models")).status_code == 200


@pytest.mark.parametrize("persona", ROLES)
def test_who_may_classify_a_text(client_for: Clients, trained: Scene, persona: str) -> None:
    response = client_for(persona).post(
        reverse("labelling:classify"), {"text": "Reduce overcrowding in prisons"}
    )
    assert response.status_code == expected(persona, REFUSED, 200)
    assert ("Conditions of detention" in response.content.decode()) is (response.status_code == 200)


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("admin", True),
        ("focal_point", True),
        ("contributor", True),
        ("ngo_member", True),
        ("observer", True),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_sees_the_labelling_menu_and_suggestions(
    client_for: Clients, pending: Label, persona: str, visible: bool
) -> None:
    url = reverse("registry:recommendation-detail", args=[pending.recommendation_id])
    html = client_for(persona).get(url).content.decode()
    assert ("Suggested labels" in html) is visible
    assert (reverse("labelling:suggestions") in html) is visible
