"""The secretariat reviews suggestions in a real browser (Debian's headless Chromium)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from qadam.labelling.tests.conftest import suggestion
from qadam.registry.models import Label
from qadam.registry.tests import factories as f

pytestmark = pytest.mark.browser


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(live_server.url + "/en/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/en/$"))


def test_the_secretariat_decides_suggestions_on_the_page_and_in_bulk_in_the_queue(
    page: Any, live_server: Any, personas: dict[str, Any], screenshot_dir: Path
) -> None:
    catalogue = f.build_catalogue()
    Label.objects.filter(provenance="model", status="suggested").delete()
    f.label(catalogue.torture, catalogue.goal_16, source="ohchr")
    goal_5 = f.term("sdg-goal", "5", {"en": "Gender equality"})
    suggestion(catalogue.press, catalogue.goal_16, 0.82, source="syn-model-1")
    suggestion(catalogue.press, goal_5, 0.35, source="syn-model-1")
    queued = [
        suggestion(catalogue.disability, catalogue.goal_16, 0.7),
        suggestion(catalogue.russian_only, catalogue.theme_torture, 0.6),
    ]

    log_in(page, live_server, "aigerim")
    page.goto(f"{live_server.url}/en/recommendations/{catalogue.press.pk}/")
    section = page.locator("section.suggested-labels")
    assert section.get_by_text("Words that weighed: torture, detention").first.is_visible()
    assert section.get_by_text("82%").is_visible()
    page.screenshot(path=str(screenshot_dir / "qadam-labelling-suggestions.png"), full_page=True)

    page.get_by_role("button", name="Accept Peace, justice and strong institutions").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 suggestion was accepted.").is_visible()
    page.get_by_role("button", name="Reject Gender equality").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 suggestion was rejected.").is_visible()

    assert page.locator("section.suggested-labels").count() == 0
    labels = page.locator("table.labels-table")
    accepted = labels.locator("tr", has_text="Peace, justice and strong institutions")
    rejected = labels.locator("tr", has_text="Gender equality")
    assert "Confirmed" in accepted.inner_text() and "Decided by aigerim" in accepted.inner_text()
    assert "Suggested by model syn-model-1" in accepted.inner_text()
    assert "Rejected" in rejected.inner_text()
    page.screenshot(path=str(screenshot_dir / "qadam-labelling-decided.png"), full_page=True)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Labelling").click()
    page.wait_for_url(re.compile(r"/en/labelling/suggestions/"))
    assert page.get_by_text("2 suggestions").is_visible()
    for label in queued:
        page.locator(f"#label-{label.pk}").check()
    page.get_by_role("button", name="Accept the checked suggestions").click()
    page.wait_for_load_state()
    assert page.get_by_text("2 suggestions were accepted.").is_visible()
    assert page.get_by_text("No suggestion is waiting for review.").is_visible()
    page.screenshot(path=str(screenshot_dir / "qadam-labelling-queue.png"), full_page=True)
    assert set(
        Label.objects.filter(pk__in=[lb.pk for lb in queued]).values_list("status", flat=True)
    ) == {"confirmed"}
