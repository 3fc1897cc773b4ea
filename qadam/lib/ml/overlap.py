"""Overlapping recommendations: texts that make the same demand.

States repeat each other within a review and across reviews ("Abolish the death
penalty", "Ratify CRPD", "Consider ratifying the Convention on the Rights of
Persons with Disabilities"). A person tracking implementation answers such
recommendations with one action, so they should be followed as one group.

The score of two texts mixes two measures over their *content*: the normalised
text with named instruments and key phrases folded to one token each (``OP-CAT``,
``CRPD``, ``death penalty``...), the ratify/accede/sign family folded to one verb,
and the boilerplate of recommendations removed ("continue efforts", "take
measures", "consider", "ensure", "Kazakhstan"):

* a cosine, ``WORD_WEIGHT`` on TF-IDF word uni- and bigrams of crudely stemmed
  words and the rest on character 3-5-grams (which forgive morphology and typos
  such as "CPRD");
* the IDF-weighted share of the smaller text's words found in the larger one, so
  a short demand inside a long one still scores high;

averaged (``COSINE_WEIGHT``) and halved (``PRINCIPAL_CLASH``) when the two texts
name different instruments or institutions first. Every score is explainable by
the words two texts share, which ``explain_pair`` lists.

Grouping never builds an n x n matrix: candidate neighbours come from a sparse
product over the rarer words only (blocking), the exact score is computed for
those candidates, connected components of the graph of pairs at or above the
threshold are then split by complete linkage, so every pair inside a group
scores at least the threshold and a chain A~B~C cannot pull A and C together.

Pure Python with NumPy, SciPy and scikit-learn; no Django. Evaluation and the
choice of ``OPERATING_THRESHOLD``: ``bench/accuracy_overlap.py`` and docs/overlap.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from qadam.lib.text import normalise_for_match

# Chosen on the dev half of the gold set (bench/overlap_gold.csv) by maximising F1
# there; the figures reported in docs/overlap.md come from the other half.
OPERATING_THRESHOLD = 0.26

# The score mixes the cosine (how alike the two texts are as wholes) with the
# containment of the smaller text's words in the larger one, weighted by IDF
# ("Abolish the death penalty" is wholly inside "Abolish the death penalty for all
# crimes, including war crimes"), then damps pairs whose first-named instrument or
# institution differs ("Ratify the OP to CRPD" vs "Ratify ICCPR-OP2"): the
# principal demand of a recommendation is the first one it names.
COSINE_WEIGHT = 0.5
PRINCIPAL_CLASH = 0.5

# Word cosine carries the demand; char n-grams only smooth morphology and typos,
# and alone they would rate any two "freedom of ..." texts alike.
WORD_WEIGHT = 0.7

# Candidate generation: neighbours per text, and the share of texts above which a
# word is too common to block on ("rights", "human"): such words add little to a
# cosine but make the sparse product quadratic.
NEIGHBOURS = 40
BLOCK_MAX_DF = 0.02
# A connected component bigger than this is first split at a higher threshold,
# so that complete linkage (quadratic in the component) stays cheap.
MAX_COMPONENT = 2000

# Named instruments and key phrases, longest and most specific first: an optional
# protocol must be consumed before its parent treaty, or "ratify the OP to CRPD"
# would also read as "ratify CRPD".
_ICCPR = r"(?:international covenant on civil and political rights|\biccpr\b)"
_ICESCR = r"(?:international covenant on economic,? social and cultural rights|\bicescr\b)"
_CAT = (
    r"(?:convention against torture(?: and other cruel,? inhuman or degrading treatment"
    r" or punishment)?|\bcat\b)"
)
_CRPD = r"(?:convention on the rights of (?:the )?persons with disabilities|\bcrpd\b|\bcprd\b)"
_CEDAW = r"(?:convention on the elimination of all forms of discrimination against women|\bcedaw\b)"
_CRC = r"(?:convention on the rights of the child|\bcrc\b)"
_OP = r"optional protocols? (?:to|of) (?:the )?"
KEY_PHRASES: tuple[tuple[str, str, str], ...] = (
    # (token, label shown to people, pattern on normalised text)
    ("kpiccprop2", "ICCPR second optional protocol", rf"second {_OP}{_ICCPR}"),
    ("kpiccprop2", "ICCPR second optional protocol", r"\biccpr-op ?2\b"),
    ("kpopcat", "OP-CAT", rf"{_OP}{_CAT}"),
    ("kpopcat", "OP-CAT", r"\bop-?cat\b"),
    ("kpopicescr", "OP-ICESCR", rf"{_OP}{_ICESCR}|\bop-icescr\b"),
    ("kpopcrpd", "OP-CRPD", rf"{_OP}{_CRPD}"),
    ("kpopcedaw", "OP-CEDAW", rf"{_OP}{_CEDAW}"),
    ("kpopcrc", "OP-CRC", rf"{_OP}{_CRC}"),
    ("kpiccpr", "ICCPR", _ICCPR),
    ("kpicescr", "ICESCR", _ICESCR),
    ("kpcat", "Convention against Torture", _CAT),
    ("kpcrpd", "CRPD", _CRPD),
    ("kpcedaw", "CEDAW", _CEDAW),
    ("kpcrc", "CRC", _CRC),
    (
        "kpicrmw",
        "Migrant Workers Convention",
        r"convention on the protection of the rights of all migrant workers"
        r"(?: and (?:members of )?their famil(?:y|ies)(?: members)?)?|\bicrmw\b|\bcmw\b",
    ),
    (
        "kpicpped",
        "Enforced Disappearance Convention",
        r"convention for the protection of all persons from enforced"
        r" disappearances?|\bicpped\b|\bcped\b",
    ),
    ("kpcerd", "CERD", r"convention on the elimination of all forms of racial discrimination"),
    ("kpicc", "Rome Statute (ICC)", r"rome statute(?: of the international criminal court)?"),
    ("kpicc", "Rome Statute (ICC)", r"international criminal court"),
    ("kpdeath", "death penalty", r"death penalty|capital punishment|death sentences?"),
    ("kpmoratorium", "moratorium", r"moratorium"),
    (
        "kpnpm",
        "national preventive mechanism",
        r"national (?:preventive|preventative) mechanism"
        r"|national mechanism (?:for|on) the prevention of torture|\bnpm\b",
    ),
    ("kpnhri", "national human rights institution", r"national human rights institutions?"),
    ("kpparis", "Paris Principles", r"paris principles"),
    (
        "kpchildombud",
        "ombudsman for children",
        r"ombuds(?:man|person) (?:for|on) (?:the )?rights of (?:the )?child(?:ren)?"
        r"|children'?s ombuds(?:man|person)",
    ),
    (
        "kpnap",
        "human rights action plan",
        r"national human rights action plan|national (?:action )?plan (?:on|for) human rights",
    ),
    ("kpstanding", "standing invitation", r"standing invitation"),
    ("kpspecialproc", "special procedures", r"special procedures?"),
    ("kpsr", "special rapporteur", r"special rapporteurs?"),
    ("kpdomviol", "domestic violence", r"domestic violence|violence (?:with)?in the family"),
    ("kpvaw", "violence against women", r"violence against women"),
    ("kpassembly", "freedom of assembly", r"(?:freedom of|right to) (?:peaceful )?assembly"),
    ("kpexpression", "freedom of expression", r"freedom of (?:opinion and )?expression"),
    ("kpreligion", "freedom of religion", r"freedom of religion(?: (?:or|and) belief)?"),
    ("kpdefamation", "defamation", r"defamation|libel|slander"),
    ("kprefoul", "non-refoulement", r"non-?refoulement"),
    ("kptrafficking", "trafficking", r"trafficking"),
    ("kptorture", "torture", r"torture"),
    ("kpchildlabour", "child labour", r"child labou?r"),
    ("kphrd", "human rights defenders", r"human rights defenders?"),
)
# Tokens are "kp" plus a letter code, so that no token contains an acronym that a
# later pattern (such as "crpd" inside an OP-CRPD token) would fold again.
_TOKEN_OF = {
    label: "kp" + "".join(chr(ord("a") + int(d)) for d in f"{n:02d}")
    for n, label in enumerate(dict.fromkeys(label for _token, label, _ in KEY_PHRASES))
}
_KEY_RES = tuple(
    (_TOKEN_OF[label], label, re.compile(pattern)) for _token, label, pattern in KEY_PHRASES
)
_KEY_LABEL = {token: label for label, token in _TOKEN_OF.items()}

# Named instruments and institutions: what a recommendation asks to ratify, set up
# or abolish. The first of these a text names is its principal demand.
PRINCIPAL: tuple[str, ...] = tuple(
    dict.fromkeys(
        label
        for _token, label, _pattern in KEY_PHRASES
        if label
        not in {
            "special procedures",
            "special rapporteur",
            "domestic violence",
            "violence against women",
            "freedom of assembly",
            "freedom of expression",
            "freedom of religion",
            "defamation",
            "non-refoulement",
            "trafficking",
            "torture",
            "child labour",
            "human rights defenders",
            "Paris Principles",
        }
    )
)

# Joining a treaty is one action however a State phrases it.
_RATIFY = re.compile(
    r"\b(?:sign(?:ing)?|ratif\w*|accede|acceding|accession|adher\w*"
    r"|become (?:a )?party|becoming (?:a )?party|join\w*)\b"
)
_ABOLISH = re.compile(r"\babolition\b|\babolish\w*")

# The boilerplate of recommendations: verbs of effort and hedging that every
# State uses, so they tell nothing about which demand a text makes.
BOILERPLATE = frozenset(
    [
        "continue",
        "continues",
        "continued",
        "continuing",
        "efforts",
        "effort",
        "take",
        "taking",
        "taken",
        "measures",
        "measure",
        "necessary",
        "steps",
        "step",
        "ensure",
        "ensuring",
        "consider",
        "considering",
        "possibility",
        "further",
        "strengthen",
        "strengthening",
        "intensify",
        "redouble",
        "step-up",
        "make",
        "making",
        "made",
        "undertake",
        "pursue",
        "kazakhstan",
        "kazakh",
        "country",
        "countries",
        "state",
        "states",
        "government",
        "its",
        "their",
        "view",
        "order",
        "including",
        "include",
        "particular",
        "particularly",
        "appropriate",
        "relevant",
        "all",
        "also",
        "well",
        "adopt",
        "adopting",
        "implement",
        "implementing",
        "improve",
        "improving",
        "promote",
        "promoting",
        "enhance",
        "effective",
        "effectively",
        "fully",
        "full",
        "concrete",
        "necessary",
        "aimed",
        "aiming",
        "line",
        "accordance",
        "keeping",
        "conformity",
        "compliance",
        "possible",
        "soon",
        "as",
        "existing",
        "current",
        "currently",
        "process",
        "work",
        "working",
        "efficient",
        "efforts",
        "view",
        "regard",
        "regarding",
        "area",
        "areas",
        "field",
    ]
) | frozenset(ENGLISH_STOP_WORDS)

_WORD = re.compile(r"[a-z][a-z0-9-]*")
_SUFFIXES = ("ational", "ations", "ation", "ities", "ity", "ings", "ing", "ies", "ed", "es", "s")


def _stem(word: str) -> str:
    # Crude on purpose: it only has to map "detention"/"detentions" and
    # "disability"/"disabilities" together, and stay readable in explanations.
    if word.startswith("kp") or len(word) <= 4:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def key_phrases(text: str) -> list[str]:
    """Labels of the named instruments and key phrases in ``text``, in order found."""
    labels: list[str] = []
    for token in _fold(text).split():
        label = _KEY_LABEL.get(token)
        if label and label not in labels:
            labels.append(label)
    return labels


def _fold(text: str) -> str:
    folded = normalise_for_match(text)
    for token, _label, pattern in _KEY_RES:
        folded = pattern.sub(f" {token} ", folded)
    folded = _RATIFY.sub(" ratify ", folded)
    return _ABOLISH.sub(" abolish ", folded)


def content_words(text: str) -> list[str]:
    """The stemmed words that carry the demand, boilerplate removed, in text order."""
    return [_stem(word) for word in _WORD.findall(_fold(text)) if word not in BOILERPLATE]


def _content(text: str) -> str:
    return " ".join(content_words(text))


@dataclass(frozen=True)
class _Features:
    combined: csr_matrix  # row dot products are the weighted word + char cosine
    words: csr_matrix  # word uni+bigram TF-IDF, L2-normalised: its dots are word cosines
    weighted: csr_matrix  # unigram presence times IDF
    present: csr_matrix  # unigram presence (0/1)
    mass: np.ndarray  # row sums of ``weighted``: a text's total IDF
    principal: np.ndarray  # first instrument or institution named, -1 for none


def _vectorise(texts: Sequence[str]) -> _Features:
    contents = [_content(t) for t in texts]
    n = len(contents)
    min_df = 2 if n >= 5000 else 1  # singletons never link two texts
    words = TfidfVectorizer(
        analyzer="word",
        token_pattern=r"\S+",
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=min_df,
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=min_df,
        dtype=np.float32,
    )
    unigrams = TfidfVectorizer(
        analyzer="word",
        token_pattern=r"\S+",
        binary=True,
        use_idf=False,
        norm=None,
        dtype=np.float32,
    )
    principal = np.array([_principal(c) for c in contents], dtype=np.int64)
    try:
        xw = words.fit_transform(contents).tocsr()
        xc = chars.fit_transform(contents).tocsr()
        present = unigrams.fit_transform(contents).tocsr()
    except ValueError:  # nothing but boilerplate in every text: no vocabulary
        empty = csr_matrix((n, 1), dtype=np.float32)
        return _Features(empty, empty, empty, empty, np.zeros(n, np.float32), principal)
    combined = hstack(
        [xw * np.float32(np.sqrt(WORD_WEIGHT)), xc * np.float32(np.sqrt(1 - WORD_WEIGHT))],
        format="csr",
    )
    df = np.bincount(present.indices, minlength=present.shape[1])
    idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
    weighted = present.multiply(idf[np.newaxis, :]).tocsr()
    mass = np.asarray(weighted.sum(axis=1)).ravel().astype(np.float32)
    return _Features(combined, xw, weighted, present, mass, principal)


_PRINCIPAL_TOKENS = {_TOKEN_OF[label]: n for n, label in enumerate(PRINCIPAL)}


def _principal(content: str) -> int:
    for token in content.split():
        found = _PRINCIPAL_TOKENS.get(token)
        if found is not None:
            return found
    return -1


def _combine(
    cosine: np.ndarray, overlap: np.ndarray, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    score = COSINE_WEIGHT * cosine + (1 - COSINE_WEIGHT) * overlap
    clash = (left >= 0) & (right >= 0) & (left != right)
    return np.clip(np.where(clash, score * PRINCIPAL_CLASH, score), 0.0, 1.0).astype(np.float32)


def _containment(f: _Features, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    shared = _row_dots(f.weighted, rows, cols, f.present)
    smaller = np.minimum(f.mass[rows], f.mass[cols])
    return np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)


def _row_dots(
    x: csr_matrix, rows: np.ndarray, cols: np.ndarray, y: csr_matrix | None = None
) -> np.ndarray:
    """x[rows[k]] . y[cols[k]] for every k (y defaults to x)."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.float32)
    other = x if y is None else y
    out = np.empty(len(rows), dtype=np.float32)
    step = 200_000  # bounds the memory of the two fancy-indexed copies
    for start in range(0, len(rows), step):
        a = x[rows[start : start + step]]
        b = other[cols[start : start + step]]
        out[start : start + step] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return out


def _candidates(xw: csr_matrix, neighbours: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs i < j that share a rare-enough word, at most ``neighbours`` per row."""
    n = xw.shape[0]
    df = np.bincount(xw.indices, minlength=xw.shape[1])
    keep = np.flatnonzero(df <= max(2, int(BLOCK_MAX_DF * n)))
    block = xw[:, keep].tocsr()
    block_t = block.T.tocsr()
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    chunk = 2000
    for start in range(0, n, chunk):
        product = (block[start : start + chunk] @ block_t).tocsr()
        for local in range(product.shape[0]):
            lo, hi = product.indptr[local], product.indptr[local + 1]
            cols = product.indices[lo:hi]
            vals = product.data[lo:hi]
            i = start + local
            if len(cols) > neighbours:
                top = np.argpartition(-vals, neighbours)[:neighbours]
                cols = cols[top]
            cols = cols[cols != i]
            rows_out.append(np.full(len(cols), i, dtype=np.int64))
            cols_out.append(cols.astype(np.int64))
    if not rows_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows = np.concatenate(rows_out)
    cols = np.concatenate(cols_out)
    lo_, hi_ = np.minimum(rows, cols), np.maximum(rows, cols)
    pairs = np.unique(lo_ * n + hi_)
    return pairs // n, pairs % n


def _scores(f: _Features, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    cosine = _row_dots(f.combined, rows, cols)
    return _combine(cosine, _containment(f, rows, cols), f.principal[rows], f.principal[cols])


def _scored_candidates(
    f: _Features, floor: float, neighbours: int = NEIGHBOURS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs scoring at least ``floor``, with their scores.

    The char cosine is at most 1, so the narrow word vectors give an upper bound
    of the score; pairs below ``floor`` even then are dropped before the wide char
    vectors are read.
    """
    rows, cols = _candidates(f.words, neighbours)
    word = _row_dots(f.words, rows, cols)
    overlap = _containment(f, rows, cols)
    bound = _combine(
        WORD_WEIGHT * word + (1 - WORD_WEIGHT), overlap, f.principal[rows], f.principal[cols]
    )
    possible = bound >= floor - 1e-6
    rows, cols = rows[possible], cols[possible]
    scores = _scores(f, rows, cols)
    keep = scores >= floor
    return rows[keep], cols[keep], scores[keep]


def _dense_scores(f: _Features, members: np.ndarray) -> np.ndarray:
    """All pairwise scores among ``members`` (a few thousand at most)."""
    sub = f.combined[members]
    cosine = (sub @ sub.T).toarray()
    shared = (f.weighted[members] @ f.present[members].T).toarray()
    mass = f.mass[members]
    smaller = np.minimum(mass[:, None], mass[None, :])
    overlap = np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)
    principal = f.principal[members]
    return _combine(cosine, overlap, principal[:, None], principal[None, :])


def pair_scores(
    texts: Sequence[str], min_score: float = 0.2, neighbours: int = NEIGHBOURS
) -> csr_matrix:
    """Scores of candidate pairs as an upper-triangular sparse matrix (i < j).

    Only pairs found by blocking (sharing a word that at most ``BLOCK_MAX_DF`` of the
    texts use, up to ``neighbours`` per text) and scoring at least ``min_score`` are
    stored; every other pair counts as 0. Scores lie in [0, 1].
    """
    n = len(texts)
    if n < 2:
        return csr_matrix((n, n), dtype=np.float32)
    f = _vectorise(texts)
    rows, cols, scores = _scored_candidates(f, min_score, neighbours)
    return csr_matrix((scores, (rows, cols)), shape=(n, n), dtype=np.float32)


def score_pairs(texts: Sequence[str], pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Exact scores of the given index pairs, with IDF weights fitted on ``texts``."""
    if not pairs:
        return np.zeros(0, dtype=np.float32)
    index = np.asarray(pairs, dtype=np.int64)
    return _scores(_vectorise(texts), index[:, 0], index[:, 1])


def explain_pair(a: str, b: str) -> list[str]:
    """What two texts share: named instruments and key phrases first, then content
    words (as spelt in ``a``), each once, in the order they appear in ``a``."""
    shared: list[str] = []
    b_phrases = set(key_phrases(b))
    shared.extend(label for label in key_phrases(a) if label in b_phrases)
    b_stems = {w for w in content_words(b) if not w.startswith("kp")}
    seen: set[str] = set()
    for word in _WORD.findall(_fold(a)):
        if word in BOILERPLATE or word.startswith("kp"):
            continue
        stem = _stem(word)
        if stem in b_stems and stem not in seen:
            seen.add(stem)
            shared.append(word)
    return shared


@dataclass(frozen=True)
class Group:
    """Texts that make the same demand.

    ids: the members in input order; representative: the member most like the
    others (ties: the earliest); mean_similarity and min_similarity: over every
    pair of members; shared: what every member shares with the representative.
    """

    ids: tuple[str, ...]
    representative: str
    mean_similarity: float
    min_similarity: float
    shared: tuple[str, ...]


def _complete_linkage(sims: np.ndarray, threshold: float) -> np.ndarray:
    distances = 1.0 - sims.astype(np.float64)
    distances = np.clip((distances + distances.T) / 2, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="complete")
    # fcluster's "distance" cut keeps merges whose height is <= t; a tiny margin keeps
    # pairs scoring exactly the threshold together.
    return fcluster(tree, t=1.0 - threshold + 1e-6, criterion="distance")


def _split(
    members: np.ndarray,
    f: _Features,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    threshold: float,
    cut: float,
) -> list[np.ndarray]:
    """Cut one connected component into complete-linkage clusters.

    ``edges`` (rows, cols, scores) are the candidate pairs scoring at least ``cut``
    and the component is connected through them at ``cut``.
    """
    if len(members) == 1:
        return [members]
    if len(members) > MAX_COMPONENT:
        # Too big for a dense matrix: split it by connectivity at a stricter cut
        # first, using only the candidate pairs; each part is then cut at the
        # threshold itself, so every group still meets ``threshold``.
        rows, cols, scores = edges
        stricter = cut + (1.0 - cut) / 4
        local = np.full(f.combined.shape[0], -1, dtype=np.int64)
        local[members] = np.arange(len(members))
        inside = (local[rows] >= 0) & (local[cols] >= 0) & (scores >= stricter)
        sub_edges = (rows[inside], cols[inside], scores[inside])
        graph = csr_matrix(
            (np.ones(int(inside.sum()), dtype=np.int8), (local[rows[inside]], local[cols[inside]])),
            shape=(len(members), len(members)),
        )
        count, labels = connected_components(graph, directed=False)
        parts: list[np.ndarray] = []
        for label in range(count):
            parts.extend(_split(members[labels == label], f, sub_edges, threshold, stricter))
        return parts
    labels = _complete_linkage(_dense_scores(f, members), threshold)
    return [members[labels == label] for label in np.unique(labels)]


def group(
    texts: Sequence[str],
    ids: Sequence[str] | None = None,
    threshold: float = OPERATING_THRESHOLD,
    min_size: int = 2,
) -> list[Group]:
    """Groups of texts making the same demand: every pair in a group scores at
    least ``threshold`` (complete linkage), so a group cannot grow by chaining.

    Only groups of at least ``min_size`` members are returned (1 returns every
    text). Order is deterministic: groups by their first member's position,
    members by position.
    """
    n = len(texts)
    labels_ids = [str(i) for i in range(n)] if ids is None else [str(i) for i in ids]
    if len(labels_ids) != n:
        raise ValueError("texts and ids differ in length")
    if n == 0:
        return []
    f = _vectorise(texts)
    if n >= 2:
        edges = _scored_candidates(f, threshold)
        rows, cols, _scores_kept = edges
        graph = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
        count, components = connected_components(graph, directed=False)
    else:
        count, components = 1, np.zeros(1, dtype=np.int32)
        edges = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
    order = np.argsort(components, kind="stable")
    bounds = np.searchsorted(components[order], np.arange(count + 1))
    clusters: list[np.ndarray] = []
    for label in range(count):
        members = order[bounds[label] : bounds[label + 1]]
        if len(members) < min_size:
            continue
        clusters.extend(_split(members, f, edges, threshold, threshold))
    return [
        _describe(members, f, texts, labels_ids)
        for members in sorted((np.sort(c) for c in clusters if len(c) >= min_size), key=min)
    ]


def _describe(members: np.ndarray, f: _Features, texts: Sequence[str], ids: list[str]) -> Group:
    if len(members) == 1:
        only = ids[int(members[0])]
        return Group((only,), only, 1.0, 1.0, tuple(content_words(texts[int(members[0])])))
    sims = _dense_scores(f, members)
    upper = sims[np.triu_indices(len(members), k=1)]
    np.fill_diagonal(sims, 0.0)
    # argmax takes the first maximum, and members are in input order: ties go to
    # the earliest text.
    rep = int(members[int(np.argmax(sims.sum(axis=1)))])
    shared: list[str] | None = None
    for other in members:
        if int(other) == rep:
            continue
        words = explain_pair(texts[rep], texts[int(other)])
        shared = words if shared is None else [w for w in shared if w in words]
    return Group(
        ids=tuple(ids[int(m)] for m in members),
        representative=ids[rep],
        mean_similarity=round(float(upper.mean()), 4),
        min_similarity=round(float(upper.min()), 4),
        shared=tuple(shared or ()),
    )
