"""Tracking in a real browser: the secretariat, a focal point and an observer each log
in and see exactly what their role should see (Debian's headless Chromium via
Playwright, against ``live_server``)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from qadam.accounts.models import User
from qadam.tracking.models import Plan, ProgressUpdate
from qadam.tracking.tests import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_server: Any, settings: Any, tmp_path: Path, personas: dict[str, User]) -> f.World:
    f.use_storage(settings, tmp_path)
    world = f.build_world()
    soon = timezone.localdate() + datetime.timedelta(days=12)
    world.own_action.deadline_start = world.own_action.deadline = soon
    world.own_action.timeframe_text = "Synthetic: within two weeks"
    world.own_action.save()
    return world


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(live_server.url + "/en/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/en/$"))


def menu(page: Any) -> Any:
    return page.get_by_role("navigation", name="Main menu")


def test_the_secretariat_sees_everything_and_creates_a_plan(
    page: Any, live_server: Any, world: f.World, screenshot_dir: Path
) -> None:
    log_in(page, live_server, "aigerim")
    menu(page).get_by_role("link", name="Plans").click()
    page.wait_for_url(re.compile(r"/en/tracking/plans/$"))
    assert page.get_by_role("link", name="Synthetic draft plan (tests)").is_visible()
    assert page.get_by_role("link", name="New plan").is_visible()

    page.get_by_role("link", name="Synthetic draft plan (tests)").click()
    for button in ("Add an action", "Edit the plan", "Delete the plan"):
        assert page.get_by_role("link", name=button).is_visible()
    assert page.get_by_role("button", name="Publish the plan").is_visible()
    # Both ministries' unpublished actions are there.
    assert page.get_by_role("link", name="Synthetic unpublished MIA action").is_visible()
    assert page.get_by_role("link", name="Synthetic unpublished MLSP action").is_visible()

    page.goto(live_server.url + "/en/tracking/plans/new/")
    page.get_by_label("Title in English").fill("Synthetic interagency plan for UPR cycle 4")
    page.get_by_label("Kind of plan").select_option("upr-plan")
    page.get_by_label("Period from").fill("2025-01-01")
    page.get_by_label("Period to").fill("2028-12-31")
    page.get_by_label("This is a demo plan").check()
    page.get_by_role("button", name="Create the plan").click()
    page.wait_for_url(re.compile(r"/en/tracking/plans/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Synthetic interagency plan for UPR cycle 4"
    )
    assert page.get_by_text("The plan was created. It is not published yet.").is_visible()
    assert Plan.objects.filter(is_demo=True, published=False).count() == 1

    # The queue of the secretariat: submitted updates to review.
    menu(page).get_by_role("link", name="My work queue").click()
    assert page.get_by_role("heading", name="Submitted updates to validate or return").is_visible()
    page.screenshot(path=str(screenshot_dir / "qadam-tracking-secretariat.png"), full_page=True)


def test_a_focal_point_works_their_queue_and_reports_progress(
    page: Any, live_server: Any, world: f.World, screenshot_dir: Path
) -> None:
    log_in(page, live_server, "daniyar")
    menu(page).get_by_role("link", name="My work queue").click()
    page.wait_for_url(re.compile(r"/en/tracking/queue/$"))
    main = page.locator("main")
    assert "(MLSP)" in main.locator(".lead").inner_text()
    due = page.locator("section", has=page.locator("#due-heading"))
    assert due.get_by_role("link", name="1. Synthetic MLSP action").is_visible()
    # Only their institution's work: nothing led by the MIA alone.
    assert main.get_by_text("Synthetic MIA action").count() == 0
    assert main.get_by_text("Synthetic unpublished MIA action").count() == 0
    page.screenshot(path=str(screenshot_dir / "qadam-tracking-queue.png"), full_page=True)

    due.get_by_role("link", name="1. Synthetic MLSP action").click()
    page.get_by_role("link", name="Report progress").click()
    page.get_by_label("What was done").fill("Synthetic progress: the draft order was prepared.")
    page.get_by_label("Proposed status of the action").select_option("in-progress")
    page.get_by_label("Evidence files").set_input_files(
        [{"name": "synthetic-order.pdf", "mimeType": "application/pdf", "buffer": f.PDF_BYTES}]
    )
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(re.compile(r"/en/tracking/updates/\d+/$"))
    assert page.get_by_role("link", name="synthetic-order.pdf").is_visible()
    page.get_by_role("button", name="Submit to the secretariat").click()
    page.wait_for_url(re.compile(r"/en/tracking/actions/\d+/$"))
    assert page.get_by_text("The update was submitted to the secretariat.").is_visible()
    update = ProgressUpdate.objects.get(text__startswith="Synthetic progress: the draft order")
    assert update.state == "submitted"
    assert update.evidence.get().original_name == "synthetic-order.pdf"

    # Another ministry's action: visible (published) but not theirs to edit.
    page.goto(live_server.url + f"/en/tracking/actions/{world.other_action.pk}/")
    assert page.get_by_role("link", name="Edit the action").count() == 0
    assert page.get_by_role("link", name="Report progress").count() == 0


def test_an_observer_sees_only_published_work_and_no_edit_buttons(
    page: Any, live_server: Any, world: f.World, screenshot_dir: Path
) -> None:
    log_in(page, live_server, "olivia")
    nav = menu(page)
    assert nav.get_by_role("link", name="My work queue").count() == 0
    nav.get_by_role("link", name="Plans").click()
    assert page.get_by_role("link", name="Synthetic interagency plan (tests)").is_visible()
    assert page.get_by_role("link", name="Synthetic draft plan (tests)").count() == 0
    assert page.get_by_role("link", name="New plan").count() == 0

    page.get_by_role("link", name="Synthetic interagency plan (tests)").click()
    assert page.get_by_role("link", name="Synthetic MLSP action").is_visible()
    assert page.locator(".buttons").count() == 0
    page.get_by_role("link", name="Synthetic MLSP action").click()
    main = page.locator("main")
    for name in ("Edit the action", "Report progress", "Link recommendations", "Delete the action"):
        assert main.get_by_role("link", name=name).count() == 0
    assert main.get_by_role("button").count() == 0
    # Published progress and its evidence only.
    assert main.get_by_role("link", name="synthetic-mlsp-published.pdf").is_visible()
    assert main.get_by_text("synthetic-mlsp-draft.pdf").count() == 0
    page.screenshot(path=str(screenshot_dir / "qadam-tracking-observer.png"), full_page=True)

    response = page.goto(live_server.url + f"/en/tracking/actions/{world.own_hidden.pk}/")
    assert response.status == 404
    draft_file = world.own_evidence["draft"].pk
    response = page.request.get(live_server.url + f"/en/tracking/evidence/{draft_file}/")
    assert response.status == 404
