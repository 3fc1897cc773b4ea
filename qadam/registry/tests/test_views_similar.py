"""Similar recommendations: TF-IDF neighbours, cached until the data change."""

from __future__ import annotations

import pytest

from qadam.registry import similar
from qadam.registry.models import Recommendation
from qadam.registry.tests import factories as f


@pytest.fixture
def catalogue(db: None) -> f.Catalogue:
    return f.build_catalogue()


def test_neighbours_share_words_and_exclude_the_recommendation_itself(
    catalogue: f.Catalogue,
) -> None:
    found = similar.similar_recommendations(catalogue.torture)
    recs = [rec for rec, _ in found]
    assert catalogue.torture not in recs
    assert recs[0] == catalogue.press  # both about torture
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def test_unpublished_recommendations_are_never_suggested(catalogue: f.Catalogue) -> None:
    twin = f.recommendation(
        "Criminalise torture in line with the Convention against Torture",
        catalogue.doc_2014,
        "120.99",
        published=False,
    )
    recs = [rec for rec, _ in similar.similar_recommendations(catalogue.torture, limit=10)]
    assert twin not in recs


def test_a_duplicate_text_is_the_closest_neighbour(catalogue: f.Catalogue) -> None:
    twin = f.recommendation(
        "Criminalise torture in line with the Convention against Torture",
        catalogue.doc_2010,
        "99.9",
    )
    rec, score = similar.similar_recommendations(catalogue.torture)[0]
    assert rec == twin
    assert score > 0.5  # the twin lacks the Russian half of the text, so not 1


def test_limit_is_respected(catalogue: f.Catalogue) -> None:
    assert len(similar.similar_recommendations(catalogue.torture, limit=1)) == 1
    assert similar.similar_recommendations(catalogue.torture, limit=0) == []


def test_the_index_is_fitted_once_and_rebuilt_when_data_change(
    catalogue: f.Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    fits = []
    real_build = similar._build

    def counting_build(key: similar.IndexKey) -> similar._Index:
        fits.append(key)
        return real_build(key)

    monkeypatch.setattr(similar, "_build", counting_build)
    similar.similar_recommendations(catalogue.torture)
    similar.similar_recommendations(catalogue.disability)
    assert len(fits) == 1

    newcomer = f.recommendation(
        "Prevent torture in places of detention", catalogue.doc_2014, "120.50"
    )
    recs = [rec for rec, _ in similar.similar_recommendations(catalogue.torture)]
    assert len(fits) == 2
    assert newcomer in recs

    # An edit changes updated_at, so the index follows it too.
    newcomer.text = {"en": "Synthetic text about fisheries"}
    newcomer.search_text = "synthetic text about fisheries"
    newcomer.save()
    recs = [rec for rec, _ in similar.similar_recommendations(catalogue.torture)]
    assert len(fits) == 3
    assert newcomer not in recs


def test_nothing_to_compare_gives_no_neighbours(db: None) -> None:
    f.forget_caches()
    rec = f.recommendation("Synthetic lonely recommendation")
    Recommendation.objects.filter(pk=rec.pk).update(search_text="")
    rec.refresh_from_db()
    assert similar.similar_recommendations(rec) == []


def test_a_text_with_no_known_word_gives_no_neighbours(catalogue: f.Catalogue) -> None:
    stranger = Recommendation(pk=10**9, search_text="zzzyx qqqvw")
    assert similar.similar_recommendations(stranger) == []
