"""Quality of life in a real browser (Debian's headless Chromium): the verdicts page with
its map, ranking and heat-map; "what if"; and the secretariat's editor."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from qadam.qol.actions import do_evaluate, do_queue_evaluation
from qadam.qol.models import Evaluation, StandardVersion

pytestmark = pytest.mark.browser

# The synthetic world's 2023 ranking (see conftest.py): Akmola fails nothing, Aktobe fails both.
RANKED = ["Region KZNS", "Region KZALA", "Region KZAKM", "Region KZAKT"]


@pytest.fixture
def evaluated(standard: StandardVersion) -> Evaluation:
    return do_evaluate(do_queue_evaluation(None, standard))


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(base_url + "/en/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-" + username)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/en/$"))


def test_anyone_sees_the_map_ranking_with_intervals_and_heat_map_and_changes_year(
    page: Any, live_server: Any, evaluated: Evaluation, screenshot_dir: Path
) -> None:
    page.goto(live_server.url + "/en/qol/")
    assert page.get_by_text("In 2023, 3 of 4 regions meet the standard.").is_visible()

    qol_map = page.locator(".figure svg[role=img]")
    assert qol_map.count() == 1 and qol_map.is_visible()
    box = qol_map.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 200
    for code in ("KZAKM", "KZAKT", "KZALA", "KZNS"):
        region = qol_map.locator(f'path[data-code="{code}"]')
        assert region.count() == 1
        assert (region.locator("> title").text_content() or "").startswith(f"Region {code}: ")

    ranking = page.locator("table", has=page.locator("caption", has_text="Regions ranked"))
    rows = ranking.locator("tbody tr")
    assert rows.locator("th").all_inner_texts() == RANKED
    assert ranking.locator("tbody td:first-child").all_inner_texts() == ["1", "2", "3", "4"]
    assert ranking.get_by_role("columnheader", name="Median rank and 5–95% interval").is_visible()
    intervals = ranking.locator("tbody td:last-child")
    # The synthetic regions lie far apart: no weight or goalpost choice swaps two of them.
    assert [t.strip() for t in intervals.all_inner_texts()] == [
        "1 (1–1)",
        "2 (2–2)",
        "3 (3–3)",
        "4 (4–4)",
    ]
    assert intervals.locator(".interval span").count() == 4
    assert intervals.locator(".interval span").first.is_visible()
    assert ranking.get_by_text("uncertain").count() == 0
    aktobe = rows.filter(has_text="Region KZAKT")
    assert "Not sufficient" in aktobe.inner_text()
    assert "Income" in aktobe.inner_text() and "Housing" in aktobe.inner_text()
    assert rows.locator(".verdict-yes").count() == 3

    heat = page.locator("table.heat")
    assert heat.locator("caption").inner_text() == "Component scores by region, 2023"
    assert heat.locator("tbody tr", has_text="Region KZAKT").locator("td.below").count() == 2
    assert heat.locator("td.below").count() == 2
    assert heat.locator("td.ok").count() == 6
    page.screenshot(path=str(screenshot_dir / "qol-overview.png"), full_page=True)

    page.get_by_role("navigation", name="Year").get_by_role("link", name="2021").click()
    page.wait_for_url(re.compile(r"\?year=2021$"))
    assert page.get_by_text("In 2021, 2 of 4 regions meet the standard.").is_visible()
    # Rank intervals are drawn for the evaluated year only.
    assert ranking.get_by_role("columnheader", name="Median rank and 5–95% interval").count() == 0
    assert ranking.locator("tbody tr th").all_inner_texts() == RANKED
    assert heat.locator("caption").inner_text() == "Component scores by region, 2021"
    assert (page.locator(".figure svg > title").text_content() or "").endswith("2021")
    page.screenshot(path=str(screenshot_dir / "qol-overview-2021.png"), full_page=True)


def test_what_if_in_the_form_changes_verdicts_and_saves_nothing(
    page: Any, live_server: Any, evaluated: Evaluation, screenshot_dir: Path
) -> None:
    page.goto(live_server.url + "/en/qol/")
    page.get_by_role("navigation", name="Quality of life").get_by_role(
        "link", name="What if"
    ).click()
    page.wait_for_url(re.compile(r"/en/qol/synthetic-qol/what-if/$"))
    poverty = page.get_by_label("Share below the subsistence minimum")
    area = page.get_by_label("Floor area per person")
    assert float(poverty.input_value()) == 5.0 and float(area.input_value()) == 20.0

    poverty.fill("8")
    area.fill("18")
    page.get_by_role("button", name="Recompute").click()
    page.wait_for_url(re.compile(r"t_poverty=8.*t_area=18"))
    result = page.locator("#result")
    assert result.inner_text() == "In 2023: 4 of 4 regions sufficient (saved standard: 3)."
    changed = page.locator("tr.changed")
    assert changed.count() == 1
    assert "Region KZAKT" in changed.inner_text() and "(verdict changed)" in changed.inner_text()
    assert page.locator(".verdict-yes").count() == 4
    assert float(page.get_by_label("Share below the subsistence minimum").input_value()) == 8
    page.screenshot(path=str(screenshot_dir / "qol-what-if.png"), full_page=True)

    assert StandardVersion.objects.count() == 1
    assert Evaluation.objects.count() == 1


def test_secretariat_saves_a_version_in_the_editor_and_a_focal_point_is_refused(
    browser: Any,
    page: Any,
    live_server: Any,
    standard: StandardVersion,
    personas: dict[str, Any],
    screenshot_dir: Path,
) -> None:
    log_in(page, live_server.url, "aigerim")
    page.goto(live_server.url + "/en/qol/synthetic-qol/standard/")
    page.get_by_role("link", name="Edit (saves a new version)").click()
    page.wait_for_url(re.compile(r"/en/qol/synthetic-qol/edit/$"))
    text = page.get_by_label("The standard, in YAML")
    yaml = text.input_value()
    assert yaml.count("threshold: 5.0") == 1
    text.fill(yaml.replace("threshold: 5.0", "threshold: 6.0"))
    page.get_by_label("What changed, and why").fill("Looser poverty line")
    page.screenshot(path=str(screenshot_dir / "qol-editor.png"), full_page=True)
    page.get_by_role("button", name="Save a new version").click()

    page.wait_for_url(re.compile(r"/en/qol/synthetic-qol/standard/$"))
    assert page.get_by_text("Version 2 is saved and is being evaluated.").is_visible()
    assert page.locator(".subtitle").inner_text() == "Version 2"
    versions = page.locator("table", has=page.get_by_role("columnheader", name="What changed"))
    assert versions.locator("tbody tr").first.locator("td").first.inner_text() == "2"
    newest = versions.locator("tbody tr", has_text="Looser poverty line")
    assert newest.locator("td").first.inner_text() == "2" and "aigerim" in newest.inner_text()
    assert page.get_by_text("threshold: 5.0 → 6.0").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "qol-standard-v2.png"), full_page=True)
    latest = StandardVersion.objects.order_by("-number").first()
    assert latest is not None and latest.number == 2 and latest.note == "Looser poverty line"

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        focal = context.new_page()
        focal.set_default_timeout(10_000)
        log_in(focal, live_server.url, "daniyar")
        response = focal.goto(live_server.url + "/en/qol/synthetic-qol/edit/")
        assert response is not None and response.status == 403
        assert focal.get_by_text("You are not allowed to do this").is_visible()
        assert focal.locator("textarea").count() == 0
        focal.screenshot(path=str(screenshot_dir / "qol-editor-refused.png"), full_page=True)
    finally:
        context.close()
    assert StandardVersion.objects.count() == 2
