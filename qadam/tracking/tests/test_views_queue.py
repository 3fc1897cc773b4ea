"""The work queue: what an institution must do now, and what waits for the secretariat."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from qadam.accounts.models import User
from qadam.tracking.tests import factories as f

ClientFor = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _section(html: str, heading_id: str) -> str:
    """The HTML of one queue section, from its heading to the next section."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


@pytest.fixture
def work(personas: dict[str, User]) -> dict[str, Any]:
    plan = f.plan("Synthetic queue plan")
    recent = timezone.localdate() - datetime.timedelta(days=10)
    made: dict[str, Any] = {
        "overdue": f.action(plan, "1", "Synthetic overdue action", "MLSP", deadline=_days(-5)),
        "soon": f.action(
            plan, "2", "Synthetic action due soon", "MIA", co=["MLSP"], deadline=_days(20)
        ),
        "later": f.action(plan, "3", "Synthetic action due later", "MLSP", deadline=_days(200)),
        "reported": f.action(
            plan, "4", "Synthetic recently reported action", "MLSP", deadline=_days(300)
        ),
        "done": f.action(
            plan, "5", "Synthetic finished action", "MLSP", deadline=_days(-50), status="done"
        ),
        "mia": f.action(plan, "6", "Synthetic MIA overdue action", "MIA", deadline=_days(-3)),
        "hidden": f.action(
            f.plan("Synthetic draft plan", published=False),
            "7",
            "Synthetic unpublished MLSP action",
            "MLSP",
            deadline=_days(10),
            published=False,
        ),
    }
    f.update(made["reported"], "submitted", "MLSP", as_of=recent)
    made["draft"] = f.update(made["later"], "draft", "MLSP", text="Synthetic draft text")
    made["returned"] = f.update(
        made["later"], "returned", "MLSP", review_comment="Synthetic: add the budget figures"
    )
    made["mia_draft"] = f.update(made["mia"], "draft", "MIA", text="Synthetic MIA draft")
    made["submitted"] = f.update(
        made["overdue"], "submitted", "MLSP", as_of=recent - datetime.timedelta(days=200)
    )
    return made


@pytest.mark.parametrize("persona", ["focal_point", "contributor"])
def test_the_queue_shows_the_institutions_work_in_its_sections(
    persona: str, work: dict[str, Any], client_for: ClientFor
) -> None:
    response = client_for(persona).get(reverse("tracking:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ministry of Labour and Social Protection of the Population (MLSP)" in html

    overdue = _section(html, "overdue-heading")
    assert "Synthetic overdue action" in overdue
    assert "Synthetic finished action" not in overdue  # done is not overdue
    due = _section(html, "due-heading")
    assert "Synthetic action due soon" in due  # co-executed counts
    assert "Synthetic unpublished MLSP action" in due  # their own, published or not
    assert "Synthetic action due later" not in due
    report = _section(html, "report-heading")
    assert "Synthetic action due later" in report
    assert "Synthetic overdue action" in report  # its last report is 200 days old
    assert "Synthetic recently reported action" not in report
    assert "Synthetic finished action" not in report
    assert "Synthetic: add the budget figures" in _section(html, "returned-heading")
    drafts = _section(html, "drafts-heading")
    assert reverse("tracking:update-detail", args=[work["draft"].pk]) in drafts
    assert "Synthetic overdue action" in _section(html, "submitted-heading")
    # Nothing of another ministry.
    assert "Synthetic MIA overdue action" not in html
    assert reverse("tracking:update-detail", args=[work["mia_draft"].pk]) not in html


def test_another_ministrys_focal_point_sees_only_theirs(
    work: dict[str, Any], client_for: ClientFor
) -> None:
    client = Client()
    client.force_login(f.user("erlan", "focal_point", "MIA"))
    html = client.get(reverse("tracking:queue")).content.decode()
    assert "Synthetic MIA overdue action" in html
    assert "Synthetic action due soon" in html  # MIA leads it
    assert "Synthetic overdue action" not in html
    assert "Synthetic unpublished MLSP action" not in html
    assert "Synthetic: add the budget figures" not in html


def test_the_secretariat_queue_lists_updates_to_review(
    work: dict[str, Any], client_for: ClientFor
) -> None:
    html = client_for("admin").get(reverse("tracking:queue")).content.decode()
    submitted = _section(html, "submitted-heading")
    assert reverse("tracking:update-detail", args=[work["submitted"].pk]) in submitted
    overdue = _section(html, "overdue-heading")
    assert "Synthetic overdue action" in overdue and "Synthetic MIA overdue action" in overdue
    assert "Synthetic draft text" not in html


def test_a_government_user_without_an_institution_is_told(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    client = Client()
    client.force_login(f.user("synthetic-unlinked", "focal_point"))
    html = client.get(reverse("tracking:queue")).content.decode()
    assert "Your account is not linked to an institution yet." in html


def test_the_menu_shows_the_queue_to_those_who_have_one(
    personas: dict[str, User], client_for: ClientFor
) -> None:
    assert (
        "My work queue"
        in client_for("focal_point").get(reverse("tracking:plan-list")).content.decode()
    )
    observer = client_for("observer").get(reverse("tracking:plan-list")).content.decode()
    assert "My work queue" not in observer
    assert 'href="/en/tracking/plans/" aria-current="page"' in observer


@pytest.mark.parametrize("persona", ["focal_point", "admin"])
def test_the_queue_costs_the_same_queries_for_5_and_50_actions(
    persona: str,
    personas: dict[str, User],
    client_for: ClientFor,
    django_assert_max_num_queries: Any,
) -> None:
    plan = f.plan()
    client = client_for(persona)

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            action = f.action(
                plan, str(i), lead="MLSP", co=["MIA"], deadline=_days((i * 7) % 60 - 20)
            )
            f.update(action, "draft" if i % 2 else "submitted", "MLSP")

    add(5, 0)
    url = reverse("tracking:queue")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    add(45, 5)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert client.get(url).status_code == 200
