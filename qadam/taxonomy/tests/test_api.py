"""The reference-data endpoints, over HTTP, on synthetic rows made here."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qadam.taxonomy.models import (
    Cycle,
    Institution,
    Mechanism,
    Region,
    Session,
    State,
    Taxonomy,
    Term,
)

API = "/api/v1"


def get_json(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def sdg(db: None) -> Taxonomy:
    goals = Taxonomy.objects.create(
        code="sdg-goal", name={"en": "Synthetic SDG goals"}, facet="goal", sort_order=1
    )
    targets = Taxonomy.objects.create(
        code="sdg-target",
        name={"en": "Synthetic SDG targets"},
        facet="target",
        sort_order=2,
        version="2024",
    )
    goal = Term.objects.create(
        taxonomy=goals,
        code="5",
        sort_key="05",
        name={"kk": "Гендерлік теңдік", "ru": "Гендерное равенство", "en": "Gender equality"},
    )
    Term.objects.create(
        taxonomy=targets,
        code="5.2",
        sort_key="05.02",
        parent=goal,
        name={"en": "Synthetic target 5.2"},
        aliases=["5.2 old spelling"],
    )
    Term.objects.create(
        taxonomy=targets,
        code="5.1",
        sort_key="05.01",
        parent=goal,
        name={"en": "Synthetic target 5.1"},
    )
    return targets


def test_taxonomies_come_in_order_with_their_term_counts(client: Client, sdg: Taxonomy) -> None:
    body = get_json(client, f"{API}/taxonomies")
    assert [(t["code"], t["facet"], t["term_count"]) for t in body] == [
        ("sdg-goal", "goal", 1),
        ("sdg-target", "target", 2),
    ]
    assert body[1]["version"] == "2024"
    assert body[1]["name"] == {"en": "Synthetic SDG targets"}


def test_terms_carry_their_parent_code_names_and_aliases(client: Client, sdg: Taxonomy) -> None:
    body = get_json(client, f"{API}/taxonomies/sdg-target/terms")
    assert body == [
        {"code": "5.1", "name": {"en": "Synthetic target 5.1"}, "parent": "5", "aliases": []},
        {
            "code": "5.2",
            "name": {"en": "Synthetic target 5.2"},
            "parent": "5",
            "aliases": ["5.2 old spelling"],
        },
    ]
    goals = get_json(client, f"{API}/taxonomies/sdg-goal/terms")
    assert goals[0]["parent"] is None
    assert set(goals[0]["name"]) == {"kk", "ru", "en"}


def test_an_unknown_taxonomy_is_not_found(client: Client, sdg: Taxonomy) -> None:
    response = client.get(f"{API}/taxonomies/no-such-taxonomy/terms")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_mechanisms_nest_sessions_under_their_cycles(client: Client, db: None) -> None:
    upr = Mechanism.objects.create(code="UPR", kind="upr", name={"en": "Synthetic UPR"})
    cycle2 = Cycle.objects.create(mechanism=upr, number=2, start_year=2012, end_year=2016)
    Session.objects.create(
        mechanism=upr, cycle=cycle2, number=20, start_date=datetime.date(2014, 10, 27)
    )
    Session.objects.create(mechanism=upr, number=99)  # not attached to a cycle
    Mechanism.objects.create(code="CAT", kind="treaty", name={"en": "Synthetic committee"})
    body = get_json(client, f"{API}/mechanisms")
    assert [m["code"] for m in body] == ["CAT", "UPR"]
    upr_out = body[1]
    assert upr_out["cycles"] == [
        {
            "number": 2,
            "start_year": 2012,
            "end_year": 2016,
            "sessions": [{"number": 20, "start_date": "2014-10-27"}],
        }
    ]
    assert upr_out["sessions"] == [{"number": 99, "start_date": None}]
    assert body[0]["cycles"] == [] and body[0]["kind"] == "treaty"


def test_mechanisms_take_the_same_queries_however_many_there_are(client: Client, db: None) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"{API}/mechanisms")
        return len(ctx.captured_queries)

    Mechanism.objects.create(code="M0", kind="treaty", name={})
    few = count()
    for i in range(1, 6):
        mech = Mechanism.objects.create(code=f"M{i}", kind="treaty", name={})
        cycle = Cycle.objects.create(mechanism=mech, number=1)
        Session.objects.create(mechanism=mech, cycle=cycle, number=1)
    assert count() == few == 3


def test_states_give_iso_codes_names_and_regional_group(client: Client, db: None) -> None:
    State.objects.create(
        iso3="FRA",
        iso2="FR",
        regional_group="WEOG",
        name={"en": "France", "ru": "Франция", "kk": "Франция"},
    )
    State.objects.create(iso3="KAZ", iso2="KZ", regional_group="Asia", name={"en": "Kazakhstan"})
    body = get_json(client, f"{API}/states")
    assert body[0] == {
        "iso3": "FRA",
        "iso2": "FR",
        "regional_group": "WEOG",
        "name": {"en": "France", "ru": "Франция", "kk": "Франция"},
    }
    assert [s["iso3"] for s in body] == ["FRA", "KAZ"]


def test_institutions_are_listed_by_acronym(client: Client, db: None) -> None:
    Institution.objects.create(
        code="SYNMIN",
        kind="ministry",
        name={"en": "Synthetic ministry"},
        aliases=["internal alias"],
    )
    Institution.objects.create(
        code="ASYN", kind="agency", name={"en": "Synthetic agency"}, active=False
    )
    body = get_json(client, f"{API}/institutions")
    assert body == [
        {"code": "ASYN", "name": {"en": "Synthetic agency"}, "kind": "agency", "active": False},
        {
            "code": "SYNMIN",
            "name": {"en": "Synthetic ministry"},
            "kind": "ministry",
            "active": True,
        },
    ]


def test_regions_give_their_years_of_existence(client: Client, db: None) -> None:
    Region.objects.create(code="SYN1", name={"en": "Synthetic region"}, valid_to=2021)
    Region.objects.create(code="SYN2", name={"en": "Synthetic city"}, kind="city", valid_from=2022)
    body = get_json(client, f"{API}/regions")
    assert body == [
        {
            "code": "SYN1",
            "name": {"en": "Synthetic region"},
            "kind": "region",
            "valid_from": None,
            "valid_to": 2021,
        },
        {
            "code": "SYN2",
            "name": {"en": "Synthetic city"},
            "kind": "city",
            "valid_from": 2022,
            "valid_to": None,
        },
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/taxonomies",
        "/mechanisms",
        "/states",
        "/institutions",
        "/regions",
        "/taxonomies/sdg-goal/terms",
    ],
)
def test_reference_data_is_public_and_read_only(client: Client, sdg: Taxonomy, path: str) -> None:
    assert client.get(API + path).status_code == 200
    assert client.post(API + path, {}).status_code == 405
