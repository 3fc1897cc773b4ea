"""A recommendation's implementation page: derived status, and the secretariat's override."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qadam.accounts.models import User
from qadam.tracking.actions import refresh_assessments
from qadam.tracking.models import Assessment
from qadam.tracking.tests import factories as f

ClientFor = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_the_page_shows_the_derived_status_and_the_visible_actions(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    rec = f.recommendation("Synthetic recommendation on gender policy", number="2.1")
    f.action(title="Synthetic public action", recommendations=[rec], status="in-progress")
    f.action(
        f.plan(published=False),
        title="Synthetic hidden action",
        recommendations=[rec],
        published=False,
        status="not-started",
    )
    refresh_assessments([rec])
    html = (
        client_for("anonymous").get(reverse("tracking:assessment", args=[rec.pk])).content.decode()
    )
    assert "In progress" in html
    assert "(derived from the actions)" in html
    assert "Synthetic public action" in html
    assert "Synthetic hidden action" not in html
    assert reverse("registry:recommendation-detail", args=[rec.pk]) in html
    assert "Override the assessment" not in html


def test_a_recommendation_without_actions_is_not_started(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    rec = f.recommendation("Synthetic recommendation nobody acts on", number="2.2")
    html = (
        client_for("observer").get(reverse("tracking:assessment", args=[rec.pk])).content.decode()
    )
    assert "Not started" in html
    assert "No action you can see implements this recommendation yet." in html


def test_an_unpublished_recommendation_has_no_public_page(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    rec = f.recommendation("Synthetic unpublished recommendation", number="2.3", published=False)
    url = reverse("tracking:assessment", args=[rec.pk])
    assert client_for("observer").get(url).status_code == 404
    assert client_for("anonymous").get(url).status_code == 302
    assert client_for("admin").get(url).status_code == 200


def test_the_secretariat_overrides_with_a_reason_and_can_go_back(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    rec = f.recommendation("Synthetic recommendation overtaken by events", number="2.4")
    f.action(recommendations=[rec], status="in-progress")
    client = client_for("admin")
    url = reverse("tracking:assessment", args=[rec.pk])

    no_reason = client.post(url, {"status": "obsolete", "reason": "  "})
    assert no_reason.status_code == 400
    assert "Give the reason for overriding the derived status." in no_reason.content.decode()
    assert not Assessment.objects.filter(recommendation=rec).exclude(override_status="").exists()

    client.post(url, {"status": "obsolete", "reason": "Synthetic: the law was repealed"})
    assessment = Assessment.objects.get(recommendation=rec)
    assert assessment.status == "obsolete"
    assert assessment.overridden_by == personas["admin"]
    public = client_for("anonymous").get(url).content.decode()
    assert "No longer relevant" in public
    assert "(set by the secretariat)" in public
    assert "Synthetic: the law was repealed" in public
    assert "Overrode the assessment" in public  # history

    client.post(url, {"status": "", "reason": ""})
    assessment.refresh_from_db()
    assert (assessment.override_status, assessment.override_reason) == ("", "")
    assert assessment.status == "in-progress"


def test_an_unknown_status_is_refused(personas: dict[str, User], client_for: ClientFor) -> None:
    rec = f.recommendation("Synthetic recommendation", number="2.5")
    response = client_for("admin").post(
        reverse("tracking:assessment", args=[rec.pk]), {"status": "finished", "reason": "x"}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
