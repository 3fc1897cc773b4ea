"""Linking a paragraph to the recommendations it addresses (qadam.labelling.linking)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from qadam.labelling.linking import link_paragraph
from qadam.labelling.tests.conftest import Scene
from qadam.registry.models import Recommendation
from qadam.registry.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommendations(personas: dict[str, Any]) -> dict[str, Recommendation]:
    doc = f.document("A/HRC/SYN/LINK")
    texts = {
        "opcat": "Ratify the Optional Protocol to the Convention against Torture (OP-CAT) and "
        "establish a national preventive mechanism to visit places of detention",
        "torture": "Criminalise torture in the Criminal Code in line with the Convention",
        "water": "Ensure access to safe drinking water in rural areas",
        "press": "Protect journalists and guarantee the freedom of the press",
        "school": "Build schools and train teachers in rural regions",
    }
    recs = {k: f.recommendation(t, doc, str(n)) for n, (k, t) in enumerate(texts.items(), 1)}
    recs["hidden"] = f.recommendation(
        "Synthetic draft: prevent torture with a preventive mechanism visiting prisons",
        doc,
        "99",
        published=False,
    )
    return recs


PARAGRAPH = (
    "In 2023 the national preventive mechanism against torture visited 120 places of "
    "detention, as the Optional Protocol to the Convention against Torture requires."
)


def test_a_paragraph_about_torture_prevention_ranks_the_op_cat_recommendation_first(
    recommendations: dict[str, Recommendation],
) -> None:
    links = link_paragraph(PARAGRAPH, AnonymousUser(), k=3)
    assert links[0].recommendation == recommendations["opcat"]
    assert links[0].score > 0.2
    assert "national preventive" in links[0].shared_words
    assert links[0].score >= links[1].score


def test_an_unrelated_paragraph_gets_low_scores(
    recommendations: dict[str, Recommendation],
) -> None:
    links = link_paragraph("Quarterly weather statistics of mountain tourism", AnonymousUser())
    assert all(link.score < 0.1 for link in links)
    assert link_paragraph("", AnonymousUser()) == []


def test_unpublished_recommendations_never_show_to_the_public(
    recommendations: dict[str, Recommendation], personas: dict[str, Any]
) -> None:
    public = link_paragraph(PARAGRAPH, AnonymousUser(), k=10)
    assert recommendations["hidden"] not in [link.recommendation for link in public]
    for persona in ("observer", "ngo_member", "outsider"):
        seen = link_paragraph(PARAGRAPH, personas[persona], k=10)
        assert recommendations["hidden"] not in [link.recommendation for link in seen]
    secretariat = link_paragraph(PARAGRAPH, personas["admin"], k=10)
    assert recommendations["hidden"] in [link.recommendation for link in secretariat]


def test_k_limits_the_number_of_links(recommendations: dict[str, Recommendation]) -> None:
    assert len(link_paragraph("rural", AnonymousUser(), k=1)) == 1


def test_it_works_without_a_trained_model(recommendations: dict[str, Recommendation]) -> None:
    links = link_paragraph("drinking water for rural villages", AnonymousUser(), k=2)
    assert links[0].recommendation == recommendations["water"]
    assert links[0].shared_terms == []


def test_shared_labels_boost_and_are_named(trained: Scene) -> None:
    text = "Wells now bring safe drinking water to rural villages"
    links = link_paragraph(text, AnonymousUser(), k=5)
    water = set(trained.examples["water"])
    labelled = [lk for lk in links if lk.recommendation in water]
    assert labelled and all(lk.shared_terms == ["Access to clean water"] for lk in labelled)
    # The unlabelled recommendation the model only suggested for shares no label.
    assert all(lk.shared_terms == [] for lk in links if lk.recommendation not in water)
    without = {
        lk.recommendation: lk.score
        for lk in link_paragraph(text, AnonymousUser(), k=50, suggestions=[])
    }
    assert labelled[0].score > without[labelled[0].recommendation]


def test_the_index_follows_new_recommendations(
    recommendations: dict[str, Recommendation],
) -> None:
    assert link_paragraph("desertification of steppe pastures", AnonymousUser()) == []
    new = f.recommendation("Fight desertification of steppe pastures", number="77")
    assert (
        link_paragraph("desertification of steppe pastures", AnonymousUser())[0].recommendation
        == new
    )
