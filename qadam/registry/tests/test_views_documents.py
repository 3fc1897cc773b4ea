"""Source document pages, and the private original file behind them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from qadam.conftest import PERSONAS
from qadam.registry.tests import factories as f


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path: Path) -> None:
    """Originals land in a throwaway folder, never in var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/files/"},
        },
    }
    f.forget_caches()


@pytest.fixture
def catalogue(db: None) -> f.Catalogue:
    catalogue = f.build_catalogue()
    doc = catalogue.doc_2014
    doc.original.save("synthetic-report.txt", ContentFile(b"Synthetic original report\n"))
    doc.original_name = "A-HRC-SYN-20.txt"
    doc.save()
    return catalogue


def test_document_list_shows_symbols_kinds_and_counts(
    client: Client, catalogue: f.Catalogue
) -> None:
    html = client.get(reverse("registry:document-list")).content.decode()
    assert "A/HRC/SYN/20" in html and "A/HRC/SYN/7" in html
    assert "UPR Working Group report" in html
    # Three published recommendations in the 2014 review; the draft is not counted.
    row = html[html.index("A/HRC/SYN/20") :]
    row = row[: row.index("</tr>")]
    assert '">3</a>' in row
    assert "Kazakhstan" in row


def test_secretariat_counts_unpublished_recommendations_too(
    client_for, catalogue: f.Catalogue
) -> None:
    html = client_for("admin").get(reverse("registry:document-list")).content.decode()
    row = html[html.index("A/HRC/SYN/20") :]
    assert '">4</a>' in row[: row.index("</tr>")]


def test_document_links_to_its_filtered_recommendations(
    client: Client, catalogue: f.Catalogue
) -> None:
    html = client.get(
        reverse("registry:document-detail", args=[catalogue.doc_2014.pk])
    ).content.decode()
    start = html.index('href="/en/?') + len('href="')
    url = html[start : html.index('"', start)].replace("&amp;", "&")
    assert parse_qs(urlsplit(url).query) == {
        "mechanism": ["UPR"],
        "session": ["20"],
        "sur": ["KAZ"],
    }
    listed = client.get(url).content.decode()
    assert "Showing 1–3 of 3 recommendations" in listed


def test_document_detail_is_404_when_missing(client: Client, catalogue: f.Catalogue) -> None:
    assert client.get(reverse("registry:document-detail", args=[99999])).status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_only_the_secretariat_may_download_the_original(
    client_for, catalogue: f.Catalogue, persona: str
) -> None:
    doc = catalogue.doc_2014
    client = client_for(persona)
    response = client.get(reverse("registry:document-original", args=[doc.pk]))
    page = client.get(reverse("registry:document-detail", args=[doc.pk])).content.decode()
    link = reverse("registry:document-original", args=[doc.pk])
    if persona == "admin":
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert 'filename="A-HRC-SYN-20.txt"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == b"Synthetic original report\n"
        assert "no-store" in response["Cache-Control"]
        assert link in page
    else:
        # 404, not 403: nobody else learns that a private original exists.
        assert response.status_code == 404
        assert link not in page


def test_download_of_a_document_without_original_is_404_even_for_the_secretariat(
    client_for, catalogue: f.Catalogue
) -> None:
    url = reverse("registry:document-original", args=[catalogue.doc_2010.pk])
    assert client_for("admin").get(url).status_code == 404


def test_original_is_not_reachable_at_a_public_url(client: Client, catalogue: f.Catalogue) -> None:
    name = catalogue.doc_2014.original.name
    for url in (f"/files/{name}", f"/media/{name}", f"/static/{name}", f"/en/files/{name}"):
        assert client.get(url).status_code == 404


def test_download_refuses_other_methods(client_for, catalogue: f.Catalogue) -> None:
    url = reverse("registry:document-original", args=[catalogue.doc_2014.pk])
    assert client_for("admin").post(url).status_code == 405
