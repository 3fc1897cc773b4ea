"""The page frame: menu by permission, language switcher, login, footer credits."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qadam.conftest import PERSONAS
from qadam.registry.tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    f.forget_caches()


def url_in(lang: str, name: str = "registry:recommendation-list") -> str:
    with translation.override(lang):
        return reverse(name)


def test_skip_link_comes_first_and_targets_main(client: Client, db: None) -> None:
    html = client.get(url_in("en")).content.decode()
    body = html[html.index("<body>") :]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link and 'class="skip-link" href="#main"' in first_link.group(0)
    assert '<main id="main"' in html


def test_the_stylesheet_is_found_by_staticfiles(client: Client, db: None) -> None:
    """The pages link qadam/qadam.css from qadam/static/: it must be collected and served."""
    from django.contrib.staticfiles import finders

    assert finders.find("qadam/qadam.css"), (
        "add STATICFILES_DIRS = [BASE_DIR / 'qadam' / 'static'] to qadam/settings.py"
    )
    html = client.get(url_in("en")).content.decode()
    assert 'rel="stylesheet" href="/static/qadam/qadam.css"' in html


def test_footer_credits_the_data_sources_and_the_licence(client: Client, db: None) -> None:
    html = client.get(url_in("en")).content.decode()
    footer = html[html.index("<footer") :]
    for source in (
        "UPR Info",
        "OHCHR",
        "United Nations documents",
        "Open SDG",
        "Apache License 2.0",
    ):
        assert source in footer


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_menu_shows_import_and_admin_only_to_those_allowed(client_for, persona: str) -> None:
    html = client_for(persona).get(url_in("en")).content.decode()
    nav = html[html.index('class="site-nav"') : html.index("</nav>")]
    assert ("Import</a>" in nav) == (persona == "admin")
    assert ("Admin</a>" in nav) is False  # personas are not staff
    if persona == "anonymous":
        assert "Log in</a>" in nav
    else:
        assert "Log out</button>" in nav


def test_staff_see_the_admin_link(client: Client, make_user) -> None:
    user = make_user("synthetic-staff")
    user.is_staff = True
    user.save()
    client.force_login(user)
    nav = client.get(url_in("en")).content.decode()
    assert f'href="{reverse("admin:index")}"' in nav


def test_language_switcher_offers_each_language_in_its_own_name(client: Client, db: None) -> None:
    html = client.get(url_in("ru")).content.decode()
    form = html[html.index('class="language-switcher"') :]
    form = form[: form.index("</form>")]
    assert f'action="{reverse("set_language")}"' in form
    assert 'method="post"' in form
    assert re.search(r'value="kk" lang="kk">Қазақша<', form)
    assert re.search(r'value="ru" lang="ru" aria-current="true" class="current">Русский<', form)
    assert re.search(r'value="en" lang="en">English<', form)


def test_language_switcher_keeps_the_page_and_its_filters(client: Client, db: None) -> None:
    response = client.post(
        reverse("set_language"), {"language": "kk", "next": "/en/?q=torture&by=FRA"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/kk/?q=torture&by=FRA"
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="kk">' in page
    assert "Ұсынымдар" in page


def test_language_switcher_works_on_a_detail_page(client: Client, db: None) -> None:
    catalogue = f.build_catalogue()
    next_url = url_in("en", "registry:document-list")
    response = client.post(reverse("set_language"), {"language": "ru", "next": next_url})
    assert response["Location"] == url_in("ru", "registry:document-list")
    assert catalogue.doc_2014.symbol in client.get(response["Location"]).content.decode()


def test_russian_interface_is_translated(client: Client, db: None) -> None:
    html = client.get(url_in("ru")).content.decode()
    assert "Рекомендации" in html
    assert "Перейти к основному содержанию" in html


def test_login_page_renders_and_logs_in(client: Client, personas) -> None:
    login = url_in("en", "login")
    page = client.get(login)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    response = client.post(login, {"username": "aigerim", "password": "pw-aigerim"})
    assert response.status_code == 302
    assert "Signed in as aigerim" in client.get(url_in("en")).content.decode()


def test_failed_login_explains_itself(client: Client, personas) -> None:
    response = client.post(url_in("en", "login"), {"username": "aigerim", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary" role="alert"' in html


def test_log_out_is_a_post_form(client_for) -> None:
    client = client_for("observer")
    html = client.get(url_in("en")).content.decode()
    assert re.search(r'<form method="post" action="/en/logout/"', html)
    response = client.post(url_in("en", "logout"))
    assert response.status_code == 302
    assert "Log in</a>" in client.get(url_in("en")).content.decode()
