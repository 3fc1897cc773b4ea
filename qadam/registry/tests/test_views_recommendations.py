"""The public recommendation list and detail pages, over HTTP, through the personas."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from qadam.audit.actions import record
from qadam.registry.models import Response
from qadam.registry.tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    f.forget_caches()


@pytest.fixture
def catalogue(db: None) -> f.Catalogue:
    return f.build_catalogue()


def list_url(lang: str = "en") -> str:
    with translation.override(lang):
        return reverse("registry:recommendation-list")


def detail_url(pk: int, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse("registry:recommendation-detail", args=[pk])


def numbers_on(html: str) -> list[str]:
    """Recommendation numbers in the order the list shows them."""
    return re.findall(r'id="rec-\d+-title">\s*<a [^>]*>Recommendation ([\d.]+)', html)


def test_root_redirects_to_a_language(client: Client, catalogue: f.Catalogue) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] in ("/en/", "/kk/", "/ru/")


def test_public_sees_recommendation_list_in_kazakh(client: Client, catalogue: f.Catalogue) -> None:
    response = client.get(list_url("kk"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="kk">' in html
    assert "Ұсынымдар" in html  # "Recommendations" in the heading and the menu
    assert "Қазақстан" in html  # the state under review facet in Kazakh


def test_list_shows_every_published_recommendation_and_hides_drafts(
    client: Client, catalogue: f.Catalogue
) -> None:
    html = client.get(list_url()).content.decode()
    assert sorted(numbers_on(html)) == ["120.1", "120.2", "120.3", "99.1", "99.2"]
    assert "Synthetic unpublished draft" not in html
    assert "Showing 1–5 of 5 recommendations" in html


def test_secretariat_sees_unpublished_recommendations(client_for, catalogue: f.Catalogue) -> None:
    html = client_for("admin").get(list_url()).content.decode()
    assert "120.9" in numbers_on(html)


def test_list_renders_facets_with_counts(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(list_url()).content.decode()
    for legend in (
        "Mechanism",
        "Cycle",
        "Session",
        "Response",
        "State under review",
        "Recommending state",
        "Regional group of the recommending state",
        "OHCHR human-rights theme",
        "SDG goal",
        "Action category",
    ):
        assert f"<legend>{legend}</legend>" in html
    # France recommended two of the five, Brazil two, Ghana two.
    assert re.search(
        r'name="by" value="FRA">\s*<span class="facet-label">France</span>'
        r'\s*<span class="count">2</span>',
        html,
    )
    assert re.search(
        r'name="response" value="supported">\s*<span class="facet-label">'
        r'Supported</span>\s*<span class="count">2</span>',
        html,
    )
    assert re.search(
        r'name="theme" value="D25">\s*<span class="facet-label">'
        r'D25 Prohibition of torture</span>\s*<span class="count">2</span>',
        html,
    )
    assert re.search(
        r'name="session" value="20">\s*<span class="facet-label">Session 20</span>', html
    )


def test_search_narrows_the_list(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(list_url(), {"q": "tortur"}).content.decode()
    assert sorted(numbers_on(html)) == ["120.1", "120.3"]
    assert 'value="tortur"' in html


def test_search_finds_words_in_any_language(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(list_url(), {"q": "пенитенциарной"}).content.decode()
    assert numbers_on(html) == ["99.1"]


def test_facets_combine_and_the_url_carries_the_whole_state(
    client: Client, catalogue: f.Catalogue
) -> None:
    params = {"q": "convention", "response": ["supported", "noted"], "by": "GHA", "sort": "number"}
    html = client.get(list_url(), params).content.decode()
    assert numbers_on(html) == ["120.2"]
    # The form comes back as it was sent, so the next submit keeps the state.
    assert 'name="q" id="id_q" value="convention"' in html
    assert re.search(r'name="by" value="GHA" checked', html)
    assert re.search(r'name="response" value="noted" checked', html)
    assert '<option value="number" selected>' in html


def test_active_filters_are_removable_chips_that_keep_the_rest(
    client: Client, catalogue: f.Catalogue
) -> None:
    html = client.get(list_url(), {"q": "convention", "by": ["GHA", "FRA"]}).content.decode()
    chips = dict(
        re.findall(
            r'<a class="chip" href="\?([^"]*)"><span class="chip-title">'
            r"([^<]+):</span>",
            html,
        )
    )
    removals = {title: parse_qs(qs.replace("&amp;", "&")) for qs, title in chips.items()}
    by_state = [q for q in (parse_qs(qs.replace("&amp;", "&")) for qs in chips) if "by" in q]
    assert {"q": ["convention"], "by": ["FRA"]} in by_state
    assert {"q": ["convention"], "by": ["GHA"]} in by_state
    assert removals and "Clear all filters" in html
    search_removal = [
        parse_qs(qs.replace("&amp;", "&")) for qs, t in chips.items() if t == "Search"
    ]
    assert search_removal == [{"by": ["GHA", "FRA"]}]


def test_a_shared_url_shows_the_same_results(client: Client, catalogue: f.Catalogue) -> None:
    first = client.get(list_url(), {"theme": "D25", "sort": "-date"})
    shared_url = first.request["PATH_INFO"] + "?" + first.request["QUERY_STRING"]
    again = Client().get(shared_url)
    assert numbers_on(again.content.decode()) == numbers_on(first.content.decode())
    assert sorted(numbers_on(first.content.decode())) == ["120.1", "120.3"]


def test_filter_by_regional_group_and_cycle(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(list_url(), {"rgroup": "GRULAC", "cycle": "1"}).content.decode()
    assert numbers_on(html) == ["99.1"]


def test_no_results_say_so_and_offer_to_clear(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(list_url(), {"q": "zzzznothing"}).content.decode()
    assert numbers_on(html) == []
    assert "No recommendation matches this search and these filters." in html
    assert "Clear all filters and see every recommendation" in html


def test_pagination_keeps_the_other_parameters(client: Client, db: None) -> None:
    doc = f.document("A/HRC/SYN/PAGES")
    for i in range(30):
        f.recommendation(f"Synthetic paging recommendation {i}", doc, f"1.{i:02d}")
    first = client.get(list_url(), {"q": "paging", "sort": "number"}).content.decode()
    assert len(numbers_on(first)) == 25
    assert "Showing 1–25 of 30 recommendations" in first
    next_link = re.search(r'<a href="\?([^"]+)" rel="next">', first)
    assert next_link
    params = parse_qs(next_link.group(1).replace("&amp;", "&"))
    assert params == {"q": ["paging"], "sort": ["number"], "page": ["2"]}
    second = client.get(list_url(), params).content.decode()
    assert numbers_on(second) == [f"1.{i:02d}" for i in range(25, 30)]
    assert "Showing 26–30 of 30 recommendations" in second


def test_a_page_out_of_range_shows_the_last_page(client: Client, catalogue: f.Catalogue) -> None:
    response = client.get(list_url(), {"page": "99"})
    assert response.status_code == 200
    assert len(numbers_on(response.content.decode())) == 5


def _queries_for_list(client: Client) -> int:
    """Queries of a list request once caches are warm (the first one builds them)."""
    client.get(list_url())
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(list_url()).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(
    client: Client, catalogue: f.Catalogue, django_assert_max_num_queries
) -> None:
    few = _queries_for_list(client)
    for i in range(40):
        rec = f.recommendation(
            f"Synthetic filler recommendation {i}",
            catalogue.doc_2014,
            f"130.{i}",
            states=[catalogue.france, catalogue.ghana],
        )
        f.label(rec, catalogue.theme_torture, source="ohchr")
        f.label(rec, catalogue.goal_16, source="open-sdg")
    many = _queries_for_list(client)
    assert many == few
    with django_assert_max_num_queries(30):
        client.get(list_url(), {"q": "synthetic", "by": "FRA", "theme": "D25"})


def test_rows_show_states_response_and_labels(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(list_url(), {"q": "criminalise"}).content.decode()
    assert "France, Brazil" in html or "Brazil, France" in html
    assert 'class="badge response-supported">Supported<' in html
    assert "Prohibition of torture" in html
    assert "SDG 16" in html
    assert "A/HRC/SYN/20" in html


def test_fallback_marker_appears_when_text_is_missing_in_the_language(
    client: Client, catalogue: f.Catalogue
) -> None:
    html = client.get(list_url("kk"), {"q": "judicial"}).content.decode()
    assert '<span lang="en">Continue the judicial reform</span>' in html
    assert re.search(
        r'<span class="fallback" lang="en" title="[^"]+">'
        r'<span aria-hidden="true">EN</span>',
        html,
    )


def test_no_fallback_marker_when_the_text_exists(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(list_url("ru"), {"q": "criminalise"}).content.decode()
    assert "Криминализировать пытки" in html
    assert 'class="fallback"' not in html


def test_russian_only_text_is_marked_in_english(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(list_url("en"), {"q": "пенитенциарной"}).content.decode()
    assert '<span lang="ru">Продолжить реформу пенитенциарной системы</span>' in html
    assert 'title="Not available in English; shown in Russian"' in html


# --- detail ------------------------------------------------------------------


def test_detail_shows_text_facts_and_provenance(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(detail_url(catalogue.torture.pk)).content.decode()
    assert "<h1>Recommendation 120.1</h1>" in html
    assert "Criminalise torture in line with the Convention against Torture" in html
    assert "Криминализировать пытки" in html  # the other language, below
    assert reverse("registry:document-detail", args=[catalogue.doc_2014.pk]) in html
    assert "Imported from ohchr" in html
    assert "Suggested by model tfidf-v3 with score 0.82" in html
    assert ">Confirmed<" in html
    assert "Prohibition of torture" in html


def test_detail_shows_the_current_language_first(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(detail_url(catalogue.torture.pk, "ru")).content.decode()
    assert html.index("Криминализировать") < html.index("Criminalise torture")


def test_detail_says_when_the_text_is_missing_in_the_language(
    client: Client, catalogue: f.Catalogue
) -> None:
    html = client.get(detail_url(catalogue.russian_only.pk, "kk")).content.decode()
    assert 'class="notice"' in html
    assert '<blockquote lang="ru">' in html


def test_detail_shows_a_label_set_by_a_user(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(detail_url(catalogue.press.pk)).content.decode()
    assert "Set by user aigerim" in html


def test_detail_lists_similar_recommendations(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(detail_url(catalogue.torture.pk)).content.decode()
    similar = html[html.index('id="similar-heading"') : html.index('id="history-heading"')]
    assert detail_url(catalogue.press.pk) in similar
    assert detail_url(catalogue.torture.pk) not in similar


def test_detail_shows_history(client: Client, catalogue: f.Catalogue, personas) -> None:
    record(
        personas["admin"],
        "registry.label.confirm",
        catalogue.torture,
        {"status": ["suggested", "confirmed"]},
    )
    html = client.get(detail_url(catalogue.torture.pk)).content.decode()
    assert "registry.label.confirm" in html
    assert "aigerim" in html
    assert "suggested → confirmed" in html


def test_unpublished_detail_is_404_for_the_public_only(client_for, catalogue: f.Catalogue) -> None:
    url = detail_url(catalogue.hidden.pk)
    assert client_for("anonymous").get(url).status_code == 404
    assert client_for("ngo_member").get(url).status_code == 404
    assert client_for("admin").get(url).status_code == 200


def test_missing_recommendation_is_404(client: Client, catalogue: f.Catalogue) -> None:
    assert client.get(detail_url(999999)).status_code == 404


def test_response_badge_for_every_response(client: Client, catalogue: f.Catalogue) -> None:
    html = client.get(list_url()).content.decode()
    for value in (Response.SUPPORTED, Response.NOTED, Response.SUPPORTED_IN_PART, Response.PENDING):
        assert f"badge response-{value}" in html
