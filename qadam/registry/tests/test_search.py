"""Full-text search: prefixes, AND, Cyrillic, and an index that follows every write.

Runs on SQLite (FTS5 table kept by triggers) and on PostgreSQL (GIN index), e.g.
``scripts/with-postgres.sh .venv/bin/pytest qadam/registry/tests/test_search.py``.
All texts are invented.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from qadam.lib.text import normalise_for_match
from qadam.registry import search
from qadam.registry.models import Recommendation, SourceDocument
from qadam.registry.queries import RecommendationQuery, apply_filters
from qadam.taxonomy.models import Mechanism

pytestmark = pytest.mark.django_db
_keys = itertools.count(1)


@pytest.fixture
def doc() -> SourceDocument:
    upr, _ = Mechanism.objects.get_or_create(code="UPR", defaults={"kind": "upr", "name": {}})
    return SourceDocument.objects.create(symbol="SYNTHETIC/SEARCH/1", kind="other", mechanism=upr)


def make(doc: SourceDocument, **texts: str) -> Recommendation:
    """A recommendation with texts by language, search_text filled as the importer does."""
    return Recommendation.objects.create(
        document=doc,
        key=f"k{next(_keys)}",
        text=texts,
        mechanism=doc.mechanism,
        search_text=normalise_for_match(" ".join(texts.values())),
    )


def found(q: str) -> set[int]:
    return set(search.search_filter(Recommendation.objects.all(), q).values_list("pk", flat=True))


def test_prefix_matches_the_start_of_a_word(doc: SourceDocument) -> None:
    torture = make(doc, en="Prevent torture in places of detention")
    make(doc, en="Protect journalists")
    assert found("tortur") == {torture.pk}
    assert found("TORTURE") == {torture.pk}
    assert found("orture") == set()  # a prefix, not a substring


def test_every_word_must_match(doc: SourceDocument) -> None:
    both = make(doc, en="Protect the rights of women with disabilities")
    make(doc, en="Protect the rights of children")
    make(doc, en="Women in public office")
    assert found("women rights") == {both.pk}
    assert found("rights women disab") == {both.pk}
    assert found("women rights nowhere") == set()


def test_cyrillic_russian_and_kazakh_match_case_insensitively(doc: SourceDocument) -> None:
    ru = make(doc, en="Combat domestic violence", ru="Бороться с бытовым насилием")
    kk = make(doc, kk="Әйелдердің құқықтарын қорғау")
    both = make(doc, ru="Защищать права ЖЕНЩИН", kk="Әйелдер ҚҰҚЫҚТАРЫ")
    assert found("НАСИЛИЕМ") == {ru.pk}
    assert found("насил") == {ru.pk}
    assert found("женщин") == {both.pk}
    assert found("әйелдер") == {kk.pk, both.pk}
    assert found("ӘЙЕЛДЕРДІҢ") == {kk.pk}
    assert found("құқық") == {kk.pk, both.pk}
    assert found("domestic насил") == {ru.pk}


def test_letters_with_marks_are_not_folded_into_others(doc: SourceDocument) -> None:
    moi = make(doc, ru="Мой отчёт")
    make(doc, ru="Мои отчеты")
    assert found("мой") == {moi.pk}
    assert found("отчёт") == {moi.pk}


def test_latin_accents_fold_like_search_text(doc: SourceDocument) -> None:
    rec = make(doc, fr="Renforcer la sécurité des défenseurs")
    assert found("securite") == {rec.pk}
    assert found("SÉCURITÉ") == {rec.pk}


def test_index_follows_save_update_and_delete(doc: SourceDocument) -> None:
    rec = make(doc, en="Abolish the death penalty")
    assert found("penalty") == {rec.pk}

    rec.text = {"en": "Ratify the optional protocol"}
    rec.search_text = normalise_for_match(rec.text["en"])
    rec.save()
    assert found("penalty") == set()
    assert found("protocol") == {rec.pk}

    Recommendation.objects.filter(pk=rec.pk).update(search_text="combat trafficking")
    assert found("protocol") == set()
    assert found("traffick") == {rec.pk}

    rec.search_text = "independent judiciary"
    Recommendation.objects.bulk_update([rec], ["search_text"])
    assert found("traffick") == set()
    assert found("judic") == {rec.pk}

    Recommendation.objects.filter(pk=rec.pk).delete()
    assert found("judic") == set()


def test_index_follows_bulk_create(doc: SourceDocument) -> None:
    recs = Recommendation.objects.bulk_create(
        Recommendation(
            document=doc,
            key=f"b{i}",
            text={"en": f"Synthetic word{i}"},
            mechanism=doc.mechanism,
            search_text=f"synthetic word{i}",
        )
        for i in range(30)
    )
    assert found("synthetic") == {r.pk for r in recs}
    assert found("word17") == {recs[17].pk}


def test_query_syntax_is_never_interpreted(doc: SourceDocument) -> None:
    rec = make(doc, en='Protect "human rights" defenders (HRDs) - now')
    for q in [
        '"human',
        "human OR nothing",
        "rights*",
        "(hrds)",
        "NEAR(human rights)",
        "-now",
        "human:rights",
        "defenders'",
        "a & b | !c",
        "\\",
        "%",
        "_",
    ]:
        search.search_filter(Recommendation.objects.all(), q).count()  # no syntax error
    assert found('"human" (rights)') == {rec.pk}
    assert found("hrds") == {rec.pk}


def test_empty_or_punctuation_query_filters_nothing(doc: SourceDocument) -> None:
    make(doc, en="Anything")
    assert found("") == found("  ,;  ") == set(Recommendation.objects.values_list("pk", flat=True))


def test_search_composes_with_filters_and_subqueries(doc: SourceDocument) -> None:
    rec = make(doc, en="Guarantee freedom of expression")
    rec.response = "noted"
    rec.save()
    make(doc, en="Guarantee freedom of assembly")
    query = RecommendationQuery(q="freedom expression", response=["noted"])
    qs = apply_filters(Recommendation.objects.all(), query)
    assert list(qs.values_list("pk", flat=True)) == [rec.pk]
    # As a subquery, the way the facets use it.
    outer = Recommendation.objects.filter(pk__in=qs.values("pk"))
    assert list(outer.values_list("pk", flat=True)) == [rec.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 triggers only")
def test_a_lost_sqlite_index_is_healed(doc: SourceDocument) -> None:
    rec = make(doc, en="Strengthen the ombudsman")
    assert search.ensure_index() is False
    with connection.cursor() as cursor:  # what a table rebuild by a later migration does
        for name in search.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    make(doc, en="Written while the index was gone: ombudsman")
    assert search.ensure_index() is True
    assert len(found("ombudsman")) == 2
    assert rec.pk in found("strengthen")
