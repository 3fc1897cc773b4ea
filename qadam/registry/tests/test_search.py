"""Full-text search: prefixes, AND, Cyrillic, and an index that follows every write.

Runs on SQLite (FTS5 table kept by triggers) and on PostgreSQL (GIN index), e.g.
``scripts/with-postgres.sh .venv/bin/pytest qadam/registry/tests/test_search.py``.
All texts are invented.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict

import pytest
from django.core.paginator import Paginator
from django.db import connection

from qadam.audit.actions import record
from qadam.lib.text import normalise_for_match
from qadam.registry import queries, search
from qadam.registry.models import Label, Recommendation, SourceDocument
from qadam.registry.queries import RecommendationQuery, apply_filters, facets, ordered
from qadam.taxonomy.models import Cycle, Mechanism, Session, State, Taxonomy, Term

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


# --- the list's in-memory snapshot gives exactly SQL's answers ------------------------------


@pytest.fixture
def snapshot_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the snapshot however small the registry (it normally starts at 5,000 rows)."""
    monkeypatch.setattr(queries, "SNAPSHOT_MIN_ROWS", 1)
    monkeypatch.setattr(queries, "_large", {"default": True})
    monkeypatch.setattr(queries, "_snapshots", {})


@pytest.fixture
def scene() -> None:
    """Sixty invented recommendations: two mechanisms sharing a session number, a
    document without a session, mixed-case symbols, duplicate and rejected labels,
    targets under goals, several recommending states per row, one unpublished row."""
    upr, _ = Mechanism.objects.get_or_create(code="UPR", defaults={"kind": "upr", "name": {}})
    crc = Mechanism.objects.create(code="CRC", kind="treaty", name={})
    cycle = Cycle.objects.create(mechanism=upr, number=2)
    s20 = Session.objects.create(mechanism=upr, number=20, cycle=cycle)
    s7 = Session.objects.create(mechanism=upr, number=7)
    c20 = Session.objects.create(mechanism=crc, number=20)
    groups = ["Africa", "WEOG", "Asia", ""]
    states = [
        State.objects.create(
            iso3=f"S{i:02d}", name={"en": f"State {i}"}, regional_group=groups[i % 4]
        )
        for i in range(8)
    ]
    docs = [
        SourceDocument.objects.create(
            symbol=symbol, kind="other", mechanism=mech, session=sess, state_under_review=states[i]
        )
        for i, (symbol, mech, sess) in enumerate(
            [
                ("A/HRC/SYN/10", upr, s20),
                ("a/hrc/syn/9", upr, s20),
                ("B/SYN", upr, s7),
                ("CRC/SYN/1", crc, c20),
                ("Z/no-session", upr, None),
            ]
        )
    ]
    themes = Taxonomy.objects.create(code="ohchr-theme", name={})
    goals = Taxonomy.objects.create(code="sdg-goal", name={})
    targets = Taxonomy.objects.create(code="sdg-target", name={})
    theme = [
        Term.objects.create(taxonomy=themes, code=f"T{i}", name={"en": f"Theme {i}"})
        for i in range(4)
    ]
    goal = [Term.objects.create(taxonomy=goals, code=str(i), name={}) for i in (5, 16)]
    target = Term.objects.create(taxonomy=targets, code="5.2", name={}, parent=goal[0])
    words = ["torture", "women", "children", "press", "disabilities"]
    responses = ["supported", "noted", "", "supported-in-part"]
    for i in range(60):
        doc = docs[i % 5]
        rec = make(doc, en=f"Synthetic {words[i % 5]} {words[(i * 3) % 5]} item{i}")
        Recommendation.objects.filter(pk=rec.pk).update(
            response=responses[i % 4],
            action_category=(i % 6) or None,
            session=doc.session,
            state_under_review=doc.state_under_review,
            published=i != 13,
        )
        rec.recommending_states.set(states[i % 8 : i % 8 + 1 + i % 3])
        _label(rec, theme[i % 4])
        if i % 5 == 0:
            _label(rec, theme[i % 4], provenance="model", source="synthetic-model")
        if i % 7 == 0:
            _label(rec, theme[(i + 1) % 4], status=Label.Status.REJECTED, source="x")
        _label(rec, target if i % 3 == 0 else goal[i % 2])


def _label(rec: Recommendation, term: Term, **extra: str) -> None:
    values = {"provenance": "imported", "source": "synthetic", "status": "confirmed", **extra}
    Label.objects.create(recommendation=rec, term=term, **values)


LIST_QUERIES = [
    {},
    {"q": "torture"},
    {"q": "wom child"},
    {"q": "nothing-like-this"},
    {"response": ["none", "noted"]},
    {"session": "20"},
    {"cycle": "2"},
    {"mechanism": "CRC"},
    {"sur": ["S01", "S03"]},
    {"by": "S02"},
    {"rgroup": "WEOG"},
    {"action": ["5", "x"]},
    {"theme": "T1"},
    {"goal": "5"},
    {"target": "5.2"},
    {"q": "press", "goal": "16"},
    {"q": "synthetic", "response": "supported", "rgroup": ["Africa", "Asia"]},
    {"sort": "number", "q": "women"},
    {"session": ["x"]},
]


def _answers(params: dict[str, object], base: object) -> dict[str, object]:
    query = RecommendationQuery.from_params(params)
    # What request_started and request_finished do for the list; sending the signals
    # themselves would also close the test's database connection.
    queries._start_request()
    try:
        qs = apply_filters(base, query)  # type: ignore[arg-type]
        paginator = Paginator(ordered(qs, query), 7)
        return {
            "count": paginator.count,
            "pages": [[r.pk for r in paginator.page(n).object_list] for n in paginator.page_range],
            "facets": {k: [asdict(v) for v in vs] for k, vs in facets(qs, query).items()},
        }
    finally:
        queries._end_request()


def _sql_answers(params: dict[str, object], base: object) -> dict[str, object]:
    query = RecommendationQuery.from_params(params)
    qs = apply_filters(base, query)  # type: ignore[arg-type]
    ids = list(qs.order_by(*queries.SORTS[query.sort]).values_list("pk", flat=True))
    return {
        "count": len(ids),
        "pages": [ids[i : i + 7] for i in range(0, len(ids), 7)] or [[]],
        "facets": {k: [asdict(v) for v in vs] for k, vs in queries._sql_facets(qs, query).items()},
    }


@pytest.mark.parametrize("params", LIST_QUERIES, ids=str)
def test_snapshot_answers_equal_sql_answers(
    scene: None, snapshot_on: None, params: dict[str, object]
) -> None:
    base = Recommendation.objects.filter(published=True)
    fast = _answers(params, base)
    assert queries._large.get("default"), "the snapshot was not used"
    assert fast == _sql_answers(params, base)


def test_small_registries_use_sql_alone(scene: None) -> None:
    queries._large.pop("default", None)
    fast = _answers({"q": "torture"}, Recommendation.objects.all())
    assert not queries._large.get("default")
    assert fast == _sql_answers({"q": "torture"}, Recommendation.objects.all())


def test_snapshot_follows_new_rows_and_audited_edits(scene: None, snapshot_on: None) -> None:
    base = Recommendation.objects.all()
    before = _answers({"q": "torture"}, base)
    rec = make(SourceDocument.objects.get(symbol="B/SYN"), en="Synthetic torture newcomer")
    after = _answers({"q": "torture"}, base)
    assert after["count"] == before["count"] + 1  # type: ignore[operator]
    Recommendation.objects.filter(pk=rec.pk).update(response="noted")
    record(None, "registry.test-edit", rec)  # every real write is audited
    assert _answers({"q": "newcomer"}, base) == _sql_answers({"q": "newcomer"}, base)


def test_invalidate_caches_forgets_unaudited_edits(scene: None, snapshot_on: None) -> None:
    base = Recommendation.objects.all()
    _answers({}, base)
    Recommendation.objects.filter(response="noted").update(response="pending")
    queries.invalidate_caches()
    assert _answers({}, base) == _sql_answers({}, base)


def test_a_stale_snapshot_never_shows_an_unpublished_row(
    scene: None, snapshot_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = Recommendation.objects.filter(published=True)
    stale = queries._build("default", queries._data_version("default"))
    monkeypatch.setattr(queries, "_current", lambda alias: stale)  # never rebuilt
    first = _answers({}, base)["pages"][0][0]  # type: ignore[index]
    Recommendation.objects.filter(pk=first).update(published=False)  # unaudited
    pages = _answers({}, base)["pages"]
    assert all(first not in page for page in pages)  # type: ignore[attr-defined]
