"""The public pages in a real browser: Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from qadam.registry.tests import factories as f

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(live_server: Any, settings: Any) -> f.Catalogue:
    return f.build_catalogue()


def result_count(page: Any) -> int:
    return int(page.locator("ol.results > li").count())


def test_search_and_a_facet_narrow_the_list_and_the_url_keeps_the_state(
    page: Any, live_server: Any, catalogue: f.Catalogue, screenshot_dir: Path
) -> None:
    page.goto(live_server.url + "/en/")
    assert result_count(page) == 5

    page.get_by_label("Search the text of recommendations").fill("tortur")
    page.locator('input[name="response"][value="supported"]').check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"response=supported"))

    assert result_count(page) == 1
    assert page.get_by_role("heading", name="Recommendation 120.1").is_visible()
    params = parse_qs(urlsplit(page.url).query)
    assert params["q"] == ["tortur"]
    assert params["response"] == ["supported"]
    # The state survives the round trip: the form shows what the URL says.
    assert page.get_by_label("Search the text of recommendations").input_value() == "tortur"
    assert page.locator('input[name="response"][value="supported"]').is_checked()

    # Removing the chip undoes only that filter.
    page.locator("a.chip", has_text="Supported").click()
    page.wait_for_url(lambda url: "response=" not in url)
    assert result_count(page) == 2
    page.screenshot(path=str(screenshot_dir / "qadam-list-filtered.png"), full_page=True)


def test_switching_to_kazakh_translates_the_interface(
    page: Any, live_server: Any, catalogue: f.Catalogue, screenshot_dir: Path
) -> None:
    page.goto(live_server.url + "/en/?q=convention")
    page.get_by_role("button", name="Қазақша").click()
    page.wait_for_url(re.compile(r"/kk/\?q=convention"))
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.get_by_role("heading", level=1).inner_text() == "Ұсынымдар"
    assert page.get_by_role("button", name="Қазақша").get_attribute("aria-current") == "true"
    # Texts missing in Kazakh say so, in the language they are shown in.
    marker = page.locator(".fallback").first
    assert marker.get_attribute("lang") == "en"
    assert marker.get_attribute("title") == "Қазақ тілінде жоқ; ағылшын тілінде көрсетілген"
    page.screenshot(path=str(screenshot_dir / "qadam-list-kk.png"), full_page=False)


def _focused(page: Any) -> dict[str, str]:
    return page.evaluate(  # type: ignore[no-any-return]
        "() => ({id: document.activeElement.id, cls: document.activeElement.className,"
        " tag: document.activeElement.tagName, text: document.activeElement.textContent})"
    )


def test_keyboard_reaches_the_skip_link_first_and_then_the_search_box(
    page: Any, live_server: Any, catalogue: f.Catalogue
) -> None:
    page.goto(live_server.url + "/en/")
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert "skip-link" in focused["cls"]
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0  # shown on screen while focused

    page.keyboard.press("Enter")  # skip the header
    # The hash changes a moment after the key press on a loaded machine: wait for it.
    page.wait_for_function("location.hash === '#main'", timeout=5000)
    for _ in range(5):
        page.keyboard.press("Tab")
        if _focused(page)["id"] == "id_q":
            break
    assert _focused(page)["id"] == "id_q"
    page.keyboard.type("disabilit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=disabilit"))
    assert result_count(page) == 1


def test_the_focus_is_visible(page: Any, live_server: Any, catalogue: f.Catalogue) -> None:
    page.goto(live_server.url + "/en/")
    page.get_by_label("Search the text of recommendations").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_the_detail_page_shows_the_record(
    page: Any, live_server: Any, catalogue: f.Catalogue, screenshot_dir: Path
) -> None:
    page.goto(live_server.url + "/en/?q=criminalise")
    page.get_by_role("link", name="Recommendation 120.1").click()
    page.wait_for_url(re.compile(r"/en/recommendations/\d+/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Recommendation 120.1"
    assert page.get_by_text("Suggested by model tfidf-v3 with score 0.82").is_visible()
    assert page.get_by_role("heading", name="Similar recommendations").is_visible()
    russian = page.locator('blockquote[lang="ru"]')
    assert "Криминализировать" in russian.inner_text()
    page.screenshot(path=str(screenshot_dir / "qadam-detail.png"), full_page=True)


def test_the_list_works_on_a_phone(
    page: Any, live_server: Any, catalogue: f.Catalogue, screenshot_dir: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/en/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling
    page.screenshot(path=str(screenshot_dir / "qadam-list-phone.png"), full_page=False)
