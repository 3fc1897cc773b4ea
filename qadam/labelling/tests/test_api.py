"""The labelling API at /api/v1/labelling: classify, link, suggestions, models, overlaps."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from qadam.labelling.actions import do_store_overlap_groups
from qadam.labelling.tests.conftest import Scene, suggestion
from qadam.registry.models import Label
from qadam.registry.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/labelling"
Clients = Callable[[str], Client]


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")


def test_classify_returns_labels_with_reasons_model_version_and_notes(
    client_for: Clients, trained: Scene
) -> None:
    response = post(
        client_for("ngo_member"),
        "/classify",
        {
            "texts": [
                {"id": "a", "text": "Reduce overcrowding in prisons and detention centres"},
                {"id": "b", "text": "   "},
            ]
        },
    )
    assert response.status_code == 200
    a, b = response.json()
    assert a["id"] == "a" and a["model_version"] == trained.version.name
    top = a["labels"][0]
    assert top["taxonomy"] == "syn-topic" and top["term"] == "Conditions of detention"
    assert 0 < top["score"] <= 1 and top["reasons"][0]["kind"] == "terms"
    assert b["labels"] == [] and b["notes"] == ["empty"]


def test_classify_without_an_active_model_answers_503_with_a_message(
    client_for: Clients, personas: dict[str, Any]
) -> None:
    response = post(client_for("observer"), "/classify", {"texts": [{"id": "1", "text": "x"}]})
    assert response.status_code == 503
    assert "No model version is active yet" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"texts": []},
        {"texts": [{"id": "1"}]},
        {"texts": [{"id": "1", "text": "x", "lang": "de"}]},
        {"texts": [{"id": str(n), "text": "x"} for n in range(1001)]},
        {"nothing": True},
    ],
)
def test_classify_refuses_bad_input(
    client_for: Clients, personas: dict[str, Any], body: dict[str, Any]
) -> None:
    assert post(client_for("admin"), "/classify", body).status_code in (400, 422)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 503),
        ("focal_point", 503),
        ("contributor", 503),
        ("ngo_member", 503),
        ("observer", 503),
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_classify(
    client_for: Clients, personas: dict[str, Any], persona: str, status: int
) -> None:
    # No model is trained here: 503 means the caller passed the permission check.
    response = post(client_for(persona), "/classify", {"texts": [{"id": "1", "text": "x"}]})
    assert response.status_code == status


def test_link_finds_the_recommendations_a_paragraph_addresses(
    client_for: Clients, trained: Scene
) -> None:
    response = post(
        client_for("observer"),
        "/link",
        {"text": "New wells brought drinking water to rural villages", "k": 3},
    )
    assert response.status_code == 200
    links = response.json()
    assert len(links) == 3
    assert all("water" in " ".join(lk["shared_words"]) for lk in links)
    assert links[0]["score"] >= links[-1]["score"]
    assert "Access to clean water" in links[0]["shared_terms"]


def test_suggestions_are_listed_filtered_and_paginated(
    client_for: Clients, personas: dict[str, Any]
) -> None:
    catalogue = f.build_catalogue()
    Label.objects.filter(provenance="model", status="suggested").delete()
    suggestion(catalogue.press, catalogue.goal_16, 0.9)
    suggestion(catalogue.disability, catalogue.goal_16, 0.6, source="syn-model-2")
    suggestion(catalogue.hidden, catalogue.goal_16, 0.7)
    client = client_for("observer")
    body = client.get(f"{API}/suggestions").json()
    assert body["count"] == 2  # not the unpublished one
    assert [s["score"] for s in body["items"]] == [0.9, 0.6]
    assert body["items"][0]["reasons"][0]["kind"] == "terms"
    assert client.get(f"{API}/suggestions", {"min_score": "0.8"}).json()["count"] == 1
    assert client.get(f"{API}/suggestions", {"model": "syn-model-2"}).json()["count"] == 1
    page = client.get(f"{API}/suggestions", {"page_size": 1, "page": 2}).json()
    assert page["items"][0]["score"] == 0.6 and page["previous"]
    assert client_for("admin").get(f"{API}/suggestions").json()["count"] == 3
    assert client_for("outsider").get(f"{API}/suggestions").status_code == 403
    assert client_for("anonymous").get(f"{API}/suggestions").status_code == 401


def test_deciding_suggestions_records_who_and_counts(
    client_for: Clients, personas: dict[str, Any]
) -> None:
    catalogue = f.build_catalogue()
    a = suggestion(catalogue.press, catalogue.goal_16, 0.9)
    response = post(client_for("admin"), "/suggestions/decide", {"ids": [a.pk], "accept": True})
    assert response.status_code == 200 and response.json() == {"decided": 1}
    a.refresh_from_db()
    assert a.status == "confirmed" and a.decided_by == personas["admin"]
    again = post(client_for("admin"), "/suggestions/decide", {"ids": [a.pk], "accept": False})
    assert again.status_code == 404  # no longer a suggestion


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("focal_point", 403),
        ("contributor", 403),
        ("ngo_member", 403),
        ("observer", 403),
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_decide_suggestions_through_the_api(
    client_for: Clients, personas: dict[str, Any], persona: str, status: int
) -> None:
    catalogue = f.build_catalogue()
    a = suggestion(catalogue.press, catalogue.goal_16, 0.9)
    response = post(client_for(persona), "/suggestions/decide", {"ids": [a.pk], "accept": True})
    assert response.status_code == status
    a.refresh_from_db()
    assert (a.status == "confirmed") is (status == 200)


def test_model_versions_are_public_with_their_evaluation(client: Client, trained: Scene) -> None:
    versions = client.get(f"{API}/models").json()
    assert [v["name"] for v in versions] == [trained.version.name]
    assert versions[0]["active"] and versions[0]["bytes"] > 0
    assert versions[0]["training"]["syn-topic"]["mean_f1_out_of_fold"] > 0.9
    assert "per_term" not in versions[0]["training"]["syn-topic"]
    one = client.get(f"{API}/models/{trained.version.name}").json()
    assert one["training"]["syn-topic"]["per_term"]["water"]["positives"] == 15
    assert client.get(f"{API}/models/no-such-version").status_code == 404


def test_overlap_groups_are_listed_by_status(client_for: Clients, personas: dict[str, Any]) -> None:
    catalogue = f.build_catalogue()
    do_store_overlap_groups(
        [{"ids": [catalogue.torture.pk, catalogue.press.pk], "score": 0.6, "shared": ["torture"]}]
    )
    body = client_for("contributor").get(f"{API}/overlaps").json()
    assert body["count"] == 1
    group = body["items"][0]
    assert [m["number"] for m in group["members"]] == ["120.1", "120.3"]
    assert group["shared_words"] == ["torture"] and group["cluster"] is None
    assert client_for("contributor").get(f"{API}/overlaps?status=rejected").json()["count"] == 0
    assert client_for("outsider").get(f"{API}/overlaps").status_code == 403


def test_the_endpoints_are_documented_in_the_openapi_document(client: Client, db: None) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("classify", "link", "suggestions", "suggestions/decide", "models", "overlaps"):
        operation = next(iter(paths[f"{API}/{path}"].values()))
        assert operation["summary"] and operation["description"]
