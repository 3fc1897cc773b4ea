"""The indicator pages and API: the list with its key figures, one indicator's chart,
map, table and metadata, and its links to recommendations and plan actions."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qadam.audit.models import AuditEvent
from qadam.indicators.models import Indicator, IndicatorLink
from qadam.registry.tests import factories as f
from qadam.taxonomy.models import Term
from qadam.tracking.models import Action, Plan

pytestmark = pytest.mark.django_db
REFUSED = ("focal_point", "contributor", "ngo_member", "observer", "outsider")


@pytest.fixture
def imported(regions: None, synthetic_repo: Path) -> Indicator:
    call_command(
        "indicators", "import", "opensdg", str(synthetic_repo), stdout=io.StringIO(), verbosity=0
    )
    return Indicator.objects.get(code="3-2-2")


def _detail(indicator: Indicator) -> str:
    return reverse("indicators:indicator-detail", args=[indicator.dataset.code, indicator.code])


def test_key_figure_is_two_clicks_from_the_menu(imported: Indicator) -> None:
    home = Client().get(reverse("registry:recommendation-list")).content.decode()
    assert reverse("indicators:indicator-list") in home  # click one
    listing = Client().get(reverse("indicators:indicator-list")).content.decode()
    assert "Key indicators" in listing
    assert "6 (2019) → 5 (2021)" in listing  # newborn deaths down, on the list itself
    assert _detail(imported) in listing  # click two


def test_indicator_page_has_chart_map_table_and_source(imported: Indicator) -> None:
    page = Client().get(_detail(imported)).content.decode()
    assert page.count("<svg") >= 2  # the time series and the map
    assert 'data-code="KZAKM"' in page
    assert "<table" in page and "Akmola Region" in page
    assert "Reports on SDG indicator 3.2.2." in page
    assert "has different values" in page  # what the import set aside, for this file


def test_map_year_can_be_chosen(imported: Indicator) -> None:
    page = Client().get(_detail(imported), {"year": 2019}).content.decode()
    assert "By region, 2019" in page


def test_series_can_be_chosen(imported: Indicator) -> None:
    chosen = next(s for s in imported.series.all() if s.disaggregation == {"SEX": "F"})
    page = Client().get(_detail(imported), {"series": chosen.pk}).content.decode()
    assert f'value="{chosen.pk}" selected' in page


def test_page_speaks_russian(imported: Indicator) -> None:
    with translation.override("ru"):
        url = _detail(imported)
    assert url.startswith("/ru/")
    page = Client().get(url).content.decode()
    assert "Синтетическая неонатальная смертность" in page


def test_recommendations_of_the_indicator_target_are_listed(imported: Indicator) -> None:
    target = Term.objects.get(code="3.2")
    rec = f.recommendation("Synthetic: reduce neonatal mortality in rural areas")
    f.label(rec, target)
    unconfirmed = f.recommendation("Synthetic: a machine's guess only")
    f.label(unconfirmed, target, status="suggested")
    page = Client().get(_detail(imported)).content.decode()
    assert "reduce neonatal mortality" in page
    assert "a machine&#x27;s guess" not in page
    assert "1 recommendation is labelled with SDG target 3.2" in page


def test_secretariat_links_and_unlinks_a_recommendation(
    imported: Indicator, client_for: Callable[[str], Client]
) -> None:
    rec = f.recommendation("Synthetic: improve perinatal care")
    admin = client_for("admin")
    admin.post(
        reverse("indicators:link-add", args=["kazstat-sdg", "3-2-2"]),
        {"recommendation": rec.pk, "note": "perinatal"},
    )
    link = IndicatorLink.objects.get()
    assert "improve perinatal care" in Client().get(_detail(imported)).content.decode()
    assert AuditEvent.objects.filter(action="indicators.link").exists()
    admin.post(reverse("indicators:link-remove", args=[link.pk]))
    assert not IndicatorLink.objects.exists()


def test_secretariat_is_offered_recommendations_sharing_the_indicator_words(
    imported: Indicator, client_for: Callable[[str], Client]
) -> None:
    rec = f.recommendation("Synthetic: lower the neonatal mortality rate in every region")
    f.recommendation("Protect freedom of assembly")  # shares no word with the title
    page = client_for("admin").get(_detail(imported)).content.decode()
    offered = page[page.index("words in common") :]
    assert "lower the neonatal mortality rate" in offered
    assert "freedom of assembly" not in offered
    assert f'name="recommendation" value="{rec.pk}"' in offered
    observer_page = client_for("observer").get(_detail(imported)).content.decode()
    assert "words in common" not in observer_page


@pytest.mark.parametrize("role", REFUSED)
def test_only_the_secretariat_links(
    imported: Indicator, client_for: Callable[[str], Client], role: str
) -> None:
    rec = f.recommendation("Synthetic: something")
    client = client_for(role)
    add = reverse("indicators:link-add", args=["kazstat-sdg", "3-2-2"])
    assert client.post(add, {"recommendation": rec.pk}).status_code == 403
    link = IndicatorLink.objects.create(indicator=imported, recommendation=rec)
    assert client.post(reverse("indicators:link-remove", args=[link.pk])).status_code == 403
    assert IndicatorLink.objects.count() == 1


def test_published_actions_naming_the_indicator_are_shown(imported: Indicator) -> None:
    plan = Plan.objects.create(title={"en": "Synthetic plan"}, kind="other", published=True)
    action = Action.objects.create(plan=plan, title={"en": "Synthetic perinatal centres"})
    action.indicators.add(imported)
    hidden = Action.objects.create(plan=plan, title={"en": "Synthetic draft"}, published=False)
    hidden.indicators.add(imported)
    Action.objects.filter(pk=action.pk).update(published=True)
    page = Client().get(_detail(imported)).content.decode()
    assert "Synthetic perinatal centres" in page
    assert "Synthetic draft" not in page


def test_unknown_indicator_is_404(regions: None) -> None:
    url = reverse("indicators:indicator-detail", args=["kazstat-sdg", "99-9-9"])
    assert Client().get(url).status_code == 404


def test_api_lists_and_gives_observations(imported: Indicator) -> None:
    listing = Client().get("/api/v1/indicators", {"regions": "true"}).json()
    assert {i["code"] for i in listing} == {"3-2-2"}
    detail = Client().get("/api/v1/indicators/kazstat-sdg/3-2-2").json()
    assert detail["sdg"] == "3.2.2"
    total = next(s for s in detail["series"] if s["disaggregation"] == {"SEX": "_T"})
    assert {"region": "", "year": 2021, "value": 5.0, "flags": []} in total["observations"]
    assert Client().get("/api/v1/indicators/kazstat-sdg/nope").status_code == 404


def test_key_figure_across_a_method_change_says_so(regions: None, tmp_path: Path) -> None:
    root = tmp_path / "synthetic-poverty"
    (root / "data").mkdir(parents=True)
    (root / "data" / "indicator_1-2-1.csv").write_text(
        "Year,UNIT_MEASURE,REF_AREA,Value\n2016,PT,,2.6\n2017,PT,,2.7\n2018,PT,,4.3\n"
    )
    call_command("indicators", "import", "opensdg", str(root), stdout=io.StringIO(), verbosity=0)
    listing = Client().get(reverse("indicators:indicator-list")).content.decode()
    assert "2.60 (2016) → 4.30 (2018)" in listing
    assert "The method changed in 2018: the two values are not comparable." in listing
