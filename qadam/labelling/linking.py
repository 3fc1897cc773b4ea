"""Which recommendations a paragraph addresses: "linking" a report's text to the registry.

TF-IDF cosine over every recommendation's ``search_text`` (all its languages, normalised),
with word unigrams and bigrams, boosted when the recommendation carries, confirmed, a term
the classifier suggests for the paragraph. The index is fitted once per process and kept
in memory, keyed by (number of recommendations, largest id, latest ``updated_at``) as in
``registry.similar``; a request checks the key (one aggregate query), transforms the one
paragraph and reads only the columns of its own words. Visibility is the user's: the
candidates are filtered through ``get_recommendations_for_user``, so an unpublished
recommendation never reaches the public. Without a trained model there is simply no
label boost."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Count, Max
from django.utils.translation import get_language
from scipy.sparse import csc_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from qadam.lib.i18n import pick
from qadam.lib.ml.types import ModelFileError, Suggestion
from qadam.lib.text import normalise_for_match
from qadam.registry.access import get_recommendations_for_user
from qadam.registry.models import Label, Recommendation
from qadam.registry.similar import _top

# Cosine candidates read before visibility and labels are applied.
CANDIDATES = 300
# A shared label multiplies the cosine by at most 1 + LABEL_BOOST: labels reorder
# related texts but never lift an unrelated one.
LABEL_BOOST = 0.5
# Suggestions below this probability do not boost.
MIN_SUGGESTION = 0.3
SHARED_WORDS = 8

IndexKey = tuple[int, int | None, datetime | None]


@dataclass(frozen=True)
class Link:
    recommendation: Recommendation
    score: float
    shared_words: list[str] = field(default_factory=list)
    shared_terms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Index:
    key: IndexKey
    vectorizer: TfidfVectorizer | None
    matrix: csc_matrix | None
    ids: np.ndarray
    features: np.ndarray


_lock = threading.Lock()
_index: _Index | None = None


def _data_key() -> IndexKey:
    agg = Recommendation.objects.aggregate(n=Count("pk"), top=Max("pk"), latest=Max("updated_at"))
    return (agg["n"], agg["top"], agg["latest"])


def _build(key: IndexKey) -> _Index:
    ids: list[int] = []
    texts: list[str] = []
    rows = Recommendation.objects.order_by("pk").values_list("pk", "search_text")
    for pk, text in rows.iterator(chunk_size=5000):
        ids.append(pk)
        texts.append(text or "")
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2),
        stop_words="english",
        sublinear_tf=True,
        dtype=np.float32,
        min_df=2 if len(texts) >= 2000 else 1,
    )
    try:
        matrix = vectorizer.fit_transform(texts).tocsc()
    except ValueError:  # no rows, or no words in them
        return _Index(key, None, None, np.array([], dtype=np.int64), np.array([]))
    features = vectorizer.get_feature_names_out()
    return _Index(key, vectorizer, matrix, np.array(ids, dtype=np.int64), features)


def get_index() -> _Index:
    global _index
    key = _data_key()
    current = _index
    if current is not None and current.key == key:
        return current
    with _lock:
        if _index is None or _index.key != key:
            _index = _build(key)
        return _index


def reset() -> None:
    global _index
    with _lock:
        _index = None


def suggest_terms(text: str, lang: str | None = None) -> list[Suggestion]:
    """The active model's suggestions for the paragraph; none when no model is usable."""
    from qadam.labelling import engine

    try:
        return engine.classify([text], [lang])[0].suggestions
    except (engine.NoModel, ModelFileError):
        return []


def link_paragraph(
    text: str,
    user: Any,
    k: int = 10,
    lang: str | None = None,
    suggestions: Sequence[Suggestion] | None = None,
) -> list[Link]:
    """The ``k`` recommendations (visible to ``user``) the paragraph most likely addresses,
    best first, with the words and labels they share with it.

    ``suggestions`` may pass the classifier's output when the caller already has it."""
    index = get_index()
    query = normalise_for_match(text or "")
    if index.vectorizer is None or index.matrix is None or not query or k <= 0:
        return []
    vector = index.vectorizer.transform([query])
    if vector.nnz == 0:
        return []
    columns = index.matrix[:, vector.indices]
    cosine = np.asarray(columns @ vector.data).ravel()
    best = [i for i in _top(cosine, max(CANDIDATES, k * 10)) if cosine[i] > 0]
    if not best:
        return []
    visible = set(
        get_recommendations_for_user(user)
        .filter(pk__in=[int(index.ids[i]) for i in best])
        .values_list("pk", flat=True)
    )
    rows = [i for i in best if int(index.ids[i]) in visible]
    if suggestions is None:
        suggestions = suggest_terms(text, lang)
    shared = _shared_terms(suggestions, [int(index.ids[i]) for i in rows])
    ranked = []
    for i in rows:
        pk = int(index.ids[i])
        terms = shared.get(pk, {})
        boost = min(1.0, sum(terms.values()))
        ranked.append((float(cosine[i]) * (1 + LABEL_BOOST * boost), i, pk))
    ranked.sort(key=lambda r: (-r[0], r[2]))
    chosen = ranked[:k]
    found = Recommendation.objects.select_related("document").in_bulk([pk for *_, pk in chosen])
    csr = columns.tocsr()
    words = index.features[vector.indices]
    return [
        Link(
            recommendation=found[pk],
            score=round(min(score, 1.0), 3),
            shared_words=_words(csr, i, vector.data, words),
            shared_terms=sorted(shared.get(pk, {}), key=lambda t: -shared[pk][t]),
        )
        for score, i, pk in chosen
        if pk in found
    ]


def _words(csr: Any, row: int, weights: np.ndarray, words: np.ndarray) -> list[str]:
    """The paragraph's words found in one recommendation, the heaviest first."""
    start, end = csr.indptr[row], csr.indptr[row + 1]
    cols = csr.indices[start:end]
    products = csr.data[start:end] * weights[cols]
    order = np.argsort(-products, kind="stable")
    return [str(words[cols[j]]) for j in order[:SHARED_WORDS]]


def _shared_terms(suggestions: Sequence[Suggestion], pks: list[int]) -> dict[int, dict[str, float]]:
    """recommendation id -> {term name: suggestion score} for the suggested terms the
    recommendation carries confirmed. One query."""
    wanted = {(s.taxonomy, s.term): s.score for s in suggestions if s.score >= MIN_SUGGESTION}
    if not wanted or not pks:
        return {}
    language = get_language() or "en"
    rows = Label.objects.filter(
        recommendation_id__in=pks,
        status=Label.Status.CONFIRMED,
        term__taxonomy__code__in={t for t, _ in wanted},
        term__code__in={c for _, c in wanted},
    ).values_list("recommendation_id", "term__taxonomy__code", "term__code", "term__name")
    shared: dict[int, dict[str, float]] = {}
    for pk, taxonomy, code, name in rows:
        score = wanted.get((taxonomy, code))
        if score is not None:
            shared.setdefault(pk, {})[pick(name, language).text or code] = score
    return shared
