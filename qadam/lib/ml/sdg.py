"""Scores texts against the 17 SDG goals and 169 targets, with reasons a person can check.

Components (each scores every text against every goal):
- keywords: the phrases of the public SDG query systems (OSDG, SIRIS, Auckland, Elsevier)
  found in the text; the strongest explainable signal for English;
- stems: naive-Bayes log-odds of word stems learned from the goal, target and indicator
  titles in English, Russian and Kazakh (and any labelled recommendations);
- prototypes: character n-gram TF-IDF cosine to per-goal and per-target centroids, which
  copes with Russian and Kazakh inflection without a stemmer;
- query hits from `qadam.lib.ml.sdgquery` when that module is importable;
- optionally multilingual sentence embeddings (`qadam.lib.ml.embed`).
A logistic regression over these per-(text, goal) scores, fitted out-of-fold on
held-out titles and labelled recommendations (never on benchmark texts), turns them
into calibrated probabilities.
"""

from __future__ import annotations

import csv
import json
import re
import time
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import yaml

from qadam.lib.ml.types import SDG_GOAL, SDG_TARGET, ModelFileError, Reason, Suggestion

GOALS = tuple(str(i) for i in range(1, 18))
LANGS = ("en", "ru", "kk")
FORMAT_VERSION = 2  # 2: own n-gram hash (NumPy), not scikit-learn's murmurhash
N_HASH = 2**19
_KK_LETTERS = set("әғқңөұүһі")
_TOKEN = re.compile(r"[^\W\d_]{2,}")
_STOP = frozenset(
    (
        "to",
        "of",
        "in",
        "on",
        "or",
        "by",
        "as",
        "at",
        "be",
        "is",
        "an",
        "it",
        "the",
        "and",
        "for",
        "with",
        "all",
        "its",
        "their",
        "from",
        "that",
        "this",
        "are",
        "was",
        "were",
        "has",
        "have",
        "been",
        "into",
        "such",
        "which",
        "other",
        "more",
        "than",
        "can",
        "will",
        "per",
        "also",
        "including",
        "among",
        "between",
        "within",
        "both",
        "и",
        "в",
        "во",
        "на",
        "по",
        "с",
        "со",
        "к",
        "о",
        "об",
        "от",
        "для",
        "из",
        "за",
        "не",
        "что",
        "как",
        "или",
        "его",
        "их",
        "это",
        "при",
        "до",
        "және",
        "мен",
        "бен",
        "пен",
        "үшін",
        "да",
        "де",
        "та",
        "те",
        "бойынша",
    )
)


@dataclass(frozen=True)
class Example:
    """One training text: a title, a labelled recommendation or a keyword phrase."""

    text: str
    lang: str
    goals: frozenset[str]
    targets: frozenset[str] = frozenset()
    kind: str = "title"


# ---------------------------------------------------------------- text helpers


def normalise(text: str) -> str:
    """Lower-cased, accent-folded, whitespace-collapsed text, for de-duplication."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", folded))


def guess_lang(text: str) -> str:
    letters = set(text.lower())
    if letters & _KK_LETTERS:
        return "kk"
    if any("а" <= ch <= "я" for ch in letters):
        return "ru"
    return "en"


def stems(text: str) -> list[str]:
    """Word stems by truncation: crude, but the same rule serves English, Russian and
    Kazakh, whose suffixes mostly fall after the sixth letter."""
    return list(_stems_of(text))


_CACHE_SIZE = 4096  # texts whose tokens and phrase matches are kept (scoring, then reasons)


@lru_cache(maxsize=_CACHE_SIZE)
def _stems_of(text: str) -> tuple[str, ...]:
    """`stems`, cached per text: scoring and the reasons of one batch share it."""
    return tuple(w[:6] for w in _words_of(text) if w not in _STOP)


@lru_cache(maxsize=_CACHE_SIZE)
def _words_of(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text.lower()))


_MIX = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)


def _hash_words(words: Sequence[str]) -> sp.csr_matrix:
    """Hashed character 3-5-gram counts of each word padded with a space on both sides
    (scikit-learn's `char_wb` n-grams), one row per word, all in NumPy: the windows of
    every n over the concatenated padded words, an FNV-style rolling hash, a final mix."""
    padded = "".join(f" {w} " for w in words).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(padded, dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(w) + 2 for w in words), dtype=np.int64, count=len(words))
    ends = np.cumsum(lengths)
    owner = np.repeat(np.arange(len(words)), lengths)
    end_of = ends[owner]  # for each character, where its padded word ends
    rows, cols = [], []
    rolling = np.zeros(len(codes), dtype=np.uint64)
    position = np.arange(len(codes))
    with np.errstate(over="ignore"):
        for n in range(1, 6):
            # rolling[i] is now the hash of codes[i : i + n]
            rolling[: len(codes) - n + 1] = rolling[: len(codes) - n + 1] * _MIX ^ codes[n - 1 :]
            if n < 3:
                continue
            starts = np.flatnonzero(position + n <= end_of)
            mixed = rolling[starts] ^ np.uint64(n)
            mixed = (mixed ^ (mixed >> np.uint64(31))) * _MIX2
            mixed ^= mixed >> np.uint64(29)
            rows.append(owner[starts])
            cols.append((mixed & np.uint64(N_HASH - 1)).astype(np.int64))
    row, col = np.concatenate(rows), np.concatenate(cols)
    matrix = sp.csr_matrix(
        (np.ones(len(row), dtype=np.float32), (row, col)), shape=(len(words), N_HASH)
    )
    matrix.sum_duplicates()
    return matrix


def char_ngram_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Hashed character 3-5-gram counts per text (n-grams stay within a word). Each
    distinct word is hashed once; a text's counts are the sum of its words'."""
    vocab: dict[str, int] = {}
    indptr: list[int] = [0]
    indices: list[int] = []
    for text in texts:
        for word in text.lower().split():
            col = vocab.get(word)
            if col is None:
                col = vocab[word] = len(vocab)
            indices.append(col)
        indptr.append(len(indices))
    if not vocab:
        return sp.csr_matrix((len(texts), N_HASH), dtype=np.float32)
    words = sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), indices, indptr),
        shape=(len(texts), len(vocab)),
    )
    matrix = sp.csr_matrix(words @ _hash_words(list(vocab)))
    matrix.sort_indices()
    return matrix


def _l2_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


# ---------------------------------------------------------------- training data


def _read_yaml(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v).strip() for k, v in data.items() if v}


def _code_parts(key: str) -> list[str]:
    return key.removesuffix("-title").removesuffix("-short").split("-")


def load_titles(data_dir: Path) -> list[Example]:
    """Goal, target and indicator titles in three languages, plus Kazakhstan's national
    indicator titles."""
    out: list[Example] = []
    sources = [
        (data_dir / "sdg" / "translations", f"global_{k}.yml")
        for k in ("goals", "targets", "indicators")
    ]
    sources.append((data_dir / "kazstat-sdg" / "translations", "national_indicators.yml"))
    for folder, name in sources:
        for lang in LANGS:
            for key, text in _read_yaml(folder / lang / name).items():
                parts = _code_parts(key)
                if parts[0] not in GOALS:
                    continue
                target = frozenset({f"{parts[0]}.{parts[1]}"}) if len(parts) > 1 else frozenset()
                kind = {1: "goal", 2: "target"}.get(len(parts), "indicator")
                out.append(Example(text, lang, frozenset({parts[0]}), target, kind))
    return out


_PHRASE = re.compile(r'\{([^{}]+)\}|<([^<>]+)>|"([^"]+)"')


def load_keyword_phrases(data_dir: Path) -> list[Example]:
    """Every quoted phrase of the text2sdg query systems, as a one-goal example."""
    folder = data_dir / "sdg-queries" / "text2sdg"
    out: list[Example] = []
    for system in ("sdgo", "siris", "auckland", "elsevier"):
        path = folder / f"{system}_queries.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                goal = str(int(row["sdg"].split("-")[1]))
                for match in _PHRASE.finditer(row["query"]):
                    phrase = next(g for g in match.groups() if g).replace("*", "").strip()
                    if phrase:
                        out.append(Example(phrase, "en", frozenset({goal}), kind="keyword"))
    return out


def load_ohchr_examples(data_dir: Path) -> list[Example]:
    """OHCHR thematic-list recommendations that carry SDG labels (English)."""
    from qadam.lib.ohchr_docx import parse_ohchr_list  # the parser pulls in python-docx

    out: list[Example] = []
    for path in sorted((data_dir / "ohchr-thematic-lists").glob("*.docx")):
        for record in parse_ohchr_list(path.read_bytes(), path.name).records:
            goals = {lab.term for lab in record.labels if lab.taxonomy == SDG_GOAL}
            targets = {lab.term for lab in record.labels if lab.taxonomy == SDG_TARGET}
            if goals & set(GOALS):
                out.append(
                    Example(
                        record.text,
                        "en",
                        frozenset(goals & set(GOALS)),
                        frozenset(targets),
                        "ohchr",
                    )
                )
    return out


def examples_from_labels(items: Iterable[tuple[str, set[str]]]) -> list[Example]:
    out = []
    for text, labels in items:
        goals = {lab.split(".")[0] for lab in labels} & set(GOALS)
        if goals and text.strip():
            targets = frozenset(lab for lab in labels if "." in lab)
            out.append(Example(text, guess_lang(text), frozenset(goals), targets, "labelled"))
    return out


def drop_excluded(
    examples: list[Example], exclude_texts: Collection[str]
) -> tuple[list[Example], int]:
    banned = {normalise(t) for t in exclude_texts}
    kept = [ex for ex in examples if normalise(ex.text) not in banned]
    return kept, len(examples) - len(kept)


# ---------------------------------------------------------------- components


class KeywordIndex:
    """Query-system phrases by stemmed key; a phrase shared by k goals weighs 1/k for each."""

    def __init__(self, phrases: dict[str, tuple[str, list[str]]]) -> None:
        self.phrases = phrases
        self.max_len = max((len(k.split()) for k in phrases), default=1)
        keys = list(phrases)
        self._column = {k: i for i, k in enumerate(keys)}
        self._prefixes = {
            " ".join(words[:j]) for words in (k.split() for k in keys) for j in range(1, len(words))
        }
        rows = [r for r, k in enumerate(keys) for _ in phrases[k][1]]
        cols = [int(g) - 1 for k in keys for g in phrases[k][1]]
        data = [1.0 / len(phrases[k][1]) for k in keys for _ in phrases[k][1]]
        self._weights = sp.csr_matrix((data, (rows, cols)), shape=(len(keys), 17))
        self._cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def fit(cls, examples: Iterable[Example]) -> KeywordIndex:
        goals: dict[str, set[str]] = defaultdict(set)
        shown: dict[str, str] = {}
        for ex in examples:
            key = " ".join(stems(ex.text))
            if key:
                goals[key] |= ex.goals
                shown.setdefault(key, ex.text)
        return cls({k: (shown[k], sorted(g, key=int)) for k, g in goals.items()})

    def matches(self, text: str) -> set[str]:
        return set(self._matches(text))

    def _matches(self, text: str) -> tuple[str, ...]:
        """Phrases found, by walking from each word only while the words so far begin a
        phrase (most walks stop after one word). Cached per text for the reasons."""
        cached = self._cache.get(text)
        if cached is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            cached = self._cache[text] = self._walk(text)
        return cached

    def _walk(self, text: str) -> tuple[str, ...]:
        words = _stems_of(text)
        found: dict[str, None] = {}
        phrases, prefixes = self.phrases, self._prefixes
        for i in range(len(words)):
            key = words[i]
            j = i + 1
            while True:
                if key in phrases:
                    found[key] = None
                if key not in prefixes or j >= len(words):
                    break
                key = f"{key} {words[j]}"
                j += 1
        return tuple(found)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        column = self._column
        indptr: list[int] = [0]
        indices: list[int] = []
        for text in texts:
            indices.extend(column[k] for k in self._matches(text))
            indptr.append(len(indices))
        hits = sp.csr_matrix(
            (np.ones(len(indices)), indices, indptr), shape=(len(texts), len(column))
        )
        return np.asarray((hits @ self._weights).todense(), dtype=np.float64)

    def reason(self, text: str, goal: str) -> Reason | None:
        hits = [k for k in self._matches(text) if goal in self.phrases[k][1]]
        if not hits:
            return None
        hits.sort(key=lambda k: (-len(k.split()), k))
        words = ", ".join(self.phrases[k][0] for k in hits[:6])
        return Reason("query", f"SDG query phrases: {words}", float(len(hits)))


def _goal_vector(goals: Iterable[str]) -> np.ndarray:
    vec = np.zeros(17)
    for goal in goals:
        vec[int(goal) - 1] = 1.0
    return vec


class StemModel:
    """Naive-Bayes log-odds of word stems per goal, centred across goals."""

    def __init__(self, vocab: list[str], weights: np.ndarray) -> None:
        self.vocab = vocab
        self.index = {w: i for i, w in enumerate(vocab)}
        self.weights = weights
        self._cache: dict[str, tuple[list[str], np.ndarray]] = {}

    @classmethod
    def fit(cls, examples: Iterable[Example], alpha: float = 0.3) -> StemModel:
        counts: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(17))
        for ex in examples:
            share = _goal_vector(ex.goals) / len(ex.goals)
            for word in set(stems(ex.text)):
                counts[word] += share
        vocab = sorted(counts)
        matrix = np.array([counts[w] for w in vocab]) if vocab else np.zeros((0, 17))
        logp = np.log((matrix + alpha) / (matrix.sum(axis=0) + alpha * max(len(vocab), 1)))
        return cls(vocab, (logp - logp.mean(axis=1, keepdims=True)).astype(np.float32))

    def _counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        index = self.index
        indptr: list[int] = [0]
        indices: list[int] = []
        for text in texts:
            indices.extend(c for c in {index.get(w) for w in _stems_of(text)} if c is not None)
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        matrix = sp.csr_matrix((data, indices, indptr), shape=(len(texts), len(self.vocab)))
        matrix.sort_indices()
        return matrix

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        counts = self._counts(texts)
        known = np.maximum(np.asarray(counts.sum(axis=1)).ravel(), 1.0)
        return np.asarray(counts @ self.weights) / np.sqrt(known)[:, None]

    def reason(self, text: str, goal: str) -> Reason | None:
        words, cols = self._known_words(text)
        if not words:
            return None
        values = self.weights[cols, int(goal) - 1]
        strong = np.flatnonzero(values > 1.0)
        if not len(strong):
            return None
        top = strong[np.argsort(-values[strong], kind="stable")[:6]]
        total = sum(float(values[i]) for i in top)
        return Reason("terms", ", ".join(words[i] for i in top), round(total, 3))

    def _known_words(self, text: str) -> tuple[list[str], np.ndarray]:
        """The text's distinct non-stop words whose stem is known, with the stem's row
        (cached per text: one call per suggested goal)."""
        cached = self._cache.get(text)
        if cached is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            words: list[str] = []
            cols: list[int] = []
            for word in dict.fromkeys(_words_of(text)):
                col = self.index.get(word[:6])
                if col is not None and word not in _STOP:
                    words.append(word)
                    cols.append(col)
            cached = self._cache[text] = (words, np.array(cols, dtype=np.int64))
        return cached


class Prototypes:
    """Character n-gram TF-IDF centroids of the goals and of the targets."""

    def __init__(self, idf: np.ndarray, goals: sp.csr_matrix, targets: sp.csr_matrix) -> None:
        self.idf = idf.astype(np.float32)
        self.goals = goals
        self.targets = targets
        self._dense: tuple[np.ndarray, np.ndarray] | None = None

    def _centroid_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """The goal and target centroids as one dense (n-grams used × centroids) block,
        and the map from hashed n-gram to its row there (-1: in no centroid)."""
        if self._dense is None:
            both = sp.vstack([self.goals, self.targets]).tocsc()
            used = np.flatnonzero(np.diff(both.indptr))
            colmap = np.full(N_HASH, -1, dtype=np.int64)
            colmap[used] = np.arange(len(used))
            self._dense = (colmap, np.ascontiguousarray(both[:, used].T.toarray()))
        return self._dense

    def vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        matrix = char_ngram_counts(texts)
        np.log1p(matrix.data, out=matrix.data)
        matrix.data *= self.idf[matrix.indices]
        return _l2_rows(matrix)

    @classmethod
    def fit(cls, examples: Sequence[Example], targets: Sequence[str]) -> Prototypes:
        raw = char_ngram_counts([ex.text for ex in examples])
        df = np.bincount(raw.indices, minlength=N_HASH)
        idf = (np.log((1 + len(examples)) / (1 + df)) + 1).astype(np.float32)
        model = cls(idf, sp.csr_matrix((17, N_HASH)), sp.csr_matrix((len(targets), N_HASH)))
        vecs = model.vectors([ex.text for ex in examples])
        model.goals = _centroids(vecs, [ex.goals for ex in examples], GOALS)
        model.targets = _centroids(vecs, [ex.targets for ex in examples], targets)
        return model

    def similarities(self, vecs: sp.csr_matrix) -> np.ndarray:
        """Cosines to the 17 goal centroids, then to the target centroids, in one product."""
        colmap, dense = self._centroid_columns()
        mapped = colmap[vecs.indices]
        keep = mapped >= 0
        rows = np.repeat(np.arange(vecs.shape[0]), np.diff(vecs.indptr))[keep]
        indptr = np.zeros(vecs.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=vecs.shape[0]), out=indptr[1:])
        compact = sp.csr_matrix(
            (vecs.data[keep], mapped[keep], indptr), shape=(vecs.shape[0], dense.shape[0])
        )
        return np.asarray(compact @ dense, dtype=np.float64)

    def goal_scores(self, vecs: sp.csr_matrix) -> np.ndarray:
        return self.similarities(vecs)[:, :17]

    def target_scores(self, vecs: sp.csr_matrix) -> np.ndarray:
        return self.similarities(vecs)[:, 17:]


def _centroids(
    vecs: sp.csr_matrix, labels: Sequence[frozenset[str]], names: Sequence[str]
) -> sp.csr_matrix:
    index = {name: i for i, name in enumerate(names)}
    rows, cols = [], []
    for row, labs in enumerate(labels):
        for lab in labs:
            if lab in index:
                rows.append(index[lab])
                cols.append(row)
    member = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(names), vecs.shape[0])
    )
    centroids = _l2_rows(sp.csr_matrix(member @ vecs))
    return _prune(centroids, keep=0.002)


def _prune(matrix: sp.csr_matrix, keep: float) -> sp.csr_matrix:
    """Drops tiny centroid weights: they change cosines by well under 1% but double the file."""
    matrix = matrix.copy()
    matrix.data[matrix.data < keep] = 0
    matrix.eliminate_zeros()
    return _l2_rows(matrix)


class QueryComponent:
    """Hits of the Aurora boolean queries (written per target), via `sdgquery`. The phrase
    systems (OSDG, SIRIS, Auckland, Elsevier) are covered faster by `KeywordIndex`."""

    systems = ("aurora",)

    def __init__(self, data_dir: Path) -> None:
        from qadam.lib.ml.sdgquery import QuerySet

        self.query_set = QuerySet.load(data_dir, systems=self.systems)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.query_set.features(texts), dtype=np.float64)

    def reasons(self, text: str, goal: str) -> list[Reason]:
        hits = [h for h in self.query_set.match(text) if h.goal == goal]
        return [
            Reason(
                "query",
                f"{h.system} {h.query_id} (target {h.target}): {', '.join(h.matched)}",
                1.0,
                h.target or "",
            )
            for h in hits[:3]
        ]


# ---------------------------------------------------------------- combiner features


def _relative(scores: np.ndarray) -> list[np.ndarray]:
    top = scores.max(axis=1, keepdims=True)
    return [scores, scores - top, (scores >= top - 1e-12).astype(float) * (top > 0)]


def pair_features(parts: dict[str, np.ndarray]) -> np.ndarray:
    """One row per (text, goal): each component's score, its gap to the text's best goal,
    and whether it is the best goal."""
    columns: list[np.ndarray] = []
    for name in sorted(parts):
        scores = parts[name]
        if name in ("keywords", "queries"):
            total = scores.sum(axis=1, keepdims=True)
            scores = np.log1p(scores)
            columns.append(
                np.divide(np.exp(scores) - 1, total, out=np.zeros_like(scores), where=total > 0)
            )
        columns.extend(_relative(scores))
    return np.stack([c.reshape(-1) for c in columns], axis=1)


# ---------------------------------------------------------------- fitting


@dataclass
class Parts:
    """The fitted components; `scores` gives each one's (n, 17) goal scores."""

    keywords: KeywordIndex
    stems: StemModel
    prototypes: Prototypes
    queries: QueryComponent | None = None
    embedder: Any = None

    @classmethod
    def fit(
        cls,
        examples: Sequence[Example],
        keywords: Sequence[Example],
        targets: Sequence[str],
        extras: Parts | None = None,
    ) -> Parts:
        documents = [ex for ex in examples if ex.kind != "keyword"]
        parts = cls(
            KeywordIndex.fit(keywords),
            StemModel.fit([*documents, *keywords]),
            Prototypes.fit(documents, targets),
        )
        if extras is not None:
            parts.queries = extras.queries
            if extras.embedder is not None:
                parts.embedder = extras.embedder.refit(documents)
        return parts

    def scores(
        self, texts: Sequence[str], langs: Sequence[str]
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Each component's (n, 17) goal scores, and the texts' cosines to the goal then
        target centroids (n, 17 + targets)."""
        sims = self.prototypes.similarities(self.prototypes.vectors(texts))
        out = {
            "keywords": self.keywords.scores(texts),
            "stems": self.stems.scores(texts),
            "prototypes": sims[:, :17],
        }
        if self.queries is not None:
            out["queries"] = self.queries.scores(texts)
        if self.embedder is not None:
            out["embeddings"] = self.embedder.goal_scores(texts, langs)
        return out, sims


def _fold_of(ex: Example, k: int) -> int:
    if ex.kind == "goal":
        return -1  # goal titles anchor every fold's prototypes
    key = min(ex.targets) if ex.targets and ex.kind != "labelled" else ex.text
    return sum(key.encode()) * 2654435761 % 2**32 % k


def synthetic_paragraphs(
    held_out: Sequence[Example], rng: np.random.Generator, per_goal: int = 3
) -> list[Example]:
    """Paragraph-length dev texts: several held-out titles of one goal (or of two goals)
    in one language, joined. Marked kind="synthetic"."""
    by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ex in held_out:
        if ex.kind in ("target", "indicator") and len(ex.goals) == 1:
            by_key[(ex.lang, next(iter(ex.goals)))].append(ex.text)
    out = []
    keys = sorted(by_key)
    for lang, goal in keys:
        pool = by_key[(lang, goal)]
        for _ in range(per_goal):
            picked = rng.choice(
                len(pool), size=min(len(pool), int(rng.integers(2, 5))), replace=False
            )
            out.append(
                Example(
                    " ".join(pool[i] for i in picked), lang, frozenset({goal}), kind="synthetic"
                )
            )
        other = [k for k in keys if k[0] == lang and k[1] != goal]
        if other:
            lang2, goal2 = other[int(rng.integers(len(other)))]
            text = f"{pool[int(rng.integers(len(pool)))]} {by_key[(lang2, goal2)][0]}"
            out.append(Example(text, lang, frozenset({goal, goal2}), kind="synthetic"))
    return out


def dev_set(
    pool: Sequence[Example],
    keywords: Sequence[Example],
    targets: Sequence[str],
    extras: Parts | None,
    k: int = 5,
    with_folds: bool = False,
) -> tuple[list[Example], dict[str, np.ndarray]]:
    """Out-of-fold component scores for held-out examples and synthetic paragraphs."""
    rng = np.random.default_rng(7)
    dev: list[Example] = []
    chunks: list[dict[str, np.ndarray]] = []
    for fold in range(k):
        train = [ex for ex in pool if _fold_of(ex, k) != fold]
        held = [ex for ex in pool if _fold_of(ex, k) == fold]
        parts = Parts.fit(train, keywords, targets, extras)
        texts = [*held, *synthetic_paragraphs(held, rng)]
        chunks.append(parts.scores([ex.text for ex in texts], [ex.lang for ex in texts])[0])
        chunks[-1]["fold"] = np.full((len(texts), 1), fold)
        dev.extend(texts)
    stacked = {name: np.vstack([c[name] for c in chunks]) for name in chunks[0]}
    folds = stacked.pop("fold")[:, 0]
    return dev, {**stacked, "fold": folds} if with_folds else stacked


def goal_matrix(examples: Sequence[Example]) -> np.ndarray:
    return np.array([_goal_vector(ex.goals) for ex in examples]) if examples else np.zeros((0, 17))


# ---------------------------------------------------------------- the scorer

COMPONENTS = ("keywords", "stems", "prototypes")
TARGET_SHARPNESS = 30.0  # softmax temperature over target cosines within a goal


def _target_key(code: str) -> list[int]:
    return [int(x) if x.isdigit() else 100 + ord(x) for x in code.split(".")]


def _balanced_thresholds(probs: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per goal, the threshold with the best balanced accuracy on the dev set: it weighs
    a missed goal as much as a wrong one, whatever the goal's share of the dev texts."""
    candidates = np.linspace(0.01, 0.9, 90)
    out = np.empty(17)
    for g in range(17):
        pos, neg = probs[truth[:, g], g], probs[~truth[:, g], g]
        if len(pos) == 0 or len(neg) == 0:
            out[g] = 0.5
            continue
        scores = [((pos >= c).mean() + (neg < c).mean()) / 2 for c in candidates]
        out[g] = candidates[int(np.argmax(scores))]
    return out


class SdgScorer:
    """Calibrated SDG goal and target probabilities, with reasons, for any text."""

    def __init__(
        self,
        parts: Parts,
        combiner: tuple[np.ndarray, float],
        thresholds: np.ndarray,
        meta: dict[str, Any],
    ) -> None:
        self.parts = parts
        self.coef, self.intercept = combiner
        self.thresholds = thresholds
        self.meta = meta
        self.targets: list[str] = meta["targets"]
        self.target_titles: dict[str, dict[str, str]] = meta["target_titles"]
        self._target_goal = np.array([int(t.split(".")[0]) - 1 for t in self.targets])

    @classmethod
    def train(
        cls,
        data_dir: Path,
        *,
        extra_examples: Sequence[tuple[str, set[str]]] = (),
        exclude_texts: Collection[str] = (),
        use_embeddings: bool = False,
    ) -> SdgScorer:
        started = time.monotonic()
        data_dir = Path(data_dir)
        titles = load_titles(data_dir)
        pool, removed = drop_excluded(
            [*titles, *load_ohchr_examples(data_dir), *examples_from_labels(extra_examples)],
            exclude_texts,
        )
        keywords, removed_kw = drop_excluded(load_keyword_phrases(data_dir), exclude_texts)
        targets = sorted({t for ex in titles for t in ex.targets}, key=_target_key)
        extras = _embedding_extras(pool) if use_embeddings else None
        dev, dev_scores = dev_set(pool, keywords, targets, extras)
        combiner, thresholds = _fit_combiner(dev_scores, goal_matrix(dev) > 0)
        parts = Parts.fit(pool, keywords, targets, extras)
        meta = {
            "version": FORMAT_VERSION,
            "components": sorted(dev_scores),
            "targets": targets,
            "target_titles": _target_titles(titles),
            "training": {
                "examples": len(pool),
                "keyword_phrases": len(keywords),
                "dev_texts": len(dev),
                "excluded_duplicates": removed + removed_kw,
                "seconds": round(time.monotonic() - started, 1),
            },
        }
        return cls(parts, combiner, thresholds, meta)

    def save(self, folder: Path) -> list[Path]:
        """Writes sdg-scorer.json and sdg-scorer.npz; returns their paths."""
        return _save(self, Path(folder))

    @classmethod
    def load(cls, folder: Path) -> SdgScorer:
        """Raises ModelFileError naming the file when one is missing or unreadable."""
        return _load(Path(folder))

    # ------------------------------------------------------------ scoring

    def _langs(self, texts: Sequence[str], langs: Sequence[str | None] | None) -> list[str]:
        given = list(langs) if langs is not None else [None] * len(texts)
        return [lang or guess_lang(text) for text, lang in zip(texts, given, strict=True)]

    def _score(
        self, texts: Sequence[str], langs: Sequence[str | None] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        scores, sims = self.parts.scores(list(texts), self._langs(texts, langs))
        features = pair_features(scores)
        logits = features @ self.coef + self.intercept
        probs = (1.0 / (1.0 + np.exp(-logits))).reshape(len(texts), 17)
        empty = np.array([not _stems_of(t) for t in texts], dtype=bool)
        probs[empty] = 0.0  # nothing to go on: no goal, rather than the combiner's prior
        return probs, sims

    def goal_probabilities(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, 17))
        return self._score(texts, langs)[0]

    def target_probabilities(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.targets)))
        goal_probs, sims = self._score(texts, langs)
        return self._targets_from(goal_probs, sims)

    def _targets_from(self, goal_probs: np.ndarray, sims: np.ndarray) -> np.ndarray:
        """A target's probability: its goal's, shared among the goal's targets by how
        much the text resembles each target's titles."""
        sims = sims[:, 17:] * TARGET_SHARPNESS
        out = np.zeros_like(sims)
        for g in range(17):
            cols = self._target_goal == g
            share = np.exp(sims[:, cols] - sims[:, cols].max(axis=1, keepdims=True))
            out[:, cols] = goal_probs[:, [g]] * share / share.sum(axis=1, keepdims=True)
        return out

    def suggest(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[list[Suggestion]]:
        if not texts:
            return []
        resolved = self._langs(texts, langs)
        goal_probs, sims = self._score(texts, resolved)
        target_probs = self._targets_from(goal_probs, sims)
        return [
            self._suggest_one(text, lang, goal_probs[i], target_probs[i])
            for i, (text, lang) in enumerate(zip(texts, resolved, strict=True))
        ]

    def _suggest_one(
        self, text: str, lang: str, goals: np.ndarray, targets: np.ndarray
    ) -> list[Suggestion]:
        out: list[Suggestion] = []
        for g in np.argsort(-goals):
            if goals[g] < self.thresholds[g]:
                continue
            goal = GOALS[g]
            cols = np.flatnonzero(self._target_goal == g)
            best = cols[int(np.argmax(targets[cols]))]
            title = (
                self.target_titles[self.targets[best]].get(lang)
                or self.target_titles[self.targets[best]]["en"]
            )
            title_reason = Reason(
                "title",
                f"{self.targets[best]} {title}",
                round(float(targets[best]), 3),
                self.targets[best],
            )
            reasons = [
                r
                for r in (
                    self.parts.keywords.reason(text, goal),
                    self.parts.stems.reason(text, goal),
                )
                if r
            ]
            out.append(
                Suggestion(SDG_GOAL, goal, round(float(goals[g]), 4), (*reasons, title_reason))
            )
            if targets[best] >= self.thresholds[g] / 2:
                out.append(
                    Suggestion(
                        SDG_TARGET,
                        self.targets[best],
                        round(float(targets[best]), 4),
                        (title_reason,),
                    )
                )
        return out


def _target_titles(titles: Sequence[Example]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for ex in titles:
        if ex.kind == "target":
            out[next(iter(ex.targets))][ex.lang] = ex.text
    return dict(out)


def _fit_combiner(
    scores: dict[str, np.ndarray], truth: np.ndarray
) -> tuple[tuple[np.ndarray, float], np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    features = pair_features(scores)
    model = LogisticRegression(C=1.0, max_iter=3000).fit(features, truth.reshape(-1))
    probs = model.predict_proba(features)[:, 1].reshape(-1, 17)
    combiner = (model.coef_[0].astype(np.float64), float(model.intercept_[0]))
    return combiner, _balanced_thresholds(probs, truth)


def _embedding_extras(pool: Sequence[Example]) -> Parts:
    from qadam.lib.ml.embed import Embedder, Encoder

    single = [ex for ex in pool if len(ex.goals) == 1 and ex.kind != "keyword"]
    embedder = Embedder.fit(
        Encoder(), [ex.text for ex in single], [int(next(iter(ex.goals))) - 1 for ex in single]
    )
    return Parts(None, None, None, embedder=embedder)  # type: ignore[arg-type]


# ---------------------------------------------------------------- files (NumPy + JSON, no pickle)

JSON_NAME = "sdg-scorer.json"
NPZ_NAME = "sdg-scorer.npz"


def _csr_arrays(prefix: str, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
    return {
        f"{prefix}_data": matrix.data.astype(np.float32),
        f"{prefix}_indices": matrix.indices.astype(np.int32),
        f"{prefix}_indptr": matrix.indptr.astype(np.int64),
    }


def _csr_from(arrays: Any, prefix: str) -> sp.csr_matrix:
    indptr = arrays[f"{prefix}_indptr"]
    data = (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], indptr)
    return sp.csr_matrix(data, shape=(len(indptr) - 1, N_HASH))


def _save(scorer: SdgScorer, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    parts = scorer.parts
    arrays = {
        "stem_weights": parts.stems.weights,
        "idf": parts.prototypes.idf,
        "coef": scorer.coef,
        "intercept": np.array([scorer.intercept]),
        "thresholds": scorer.thresholds,
        **_csr_arrays("goals", parts.prototypes.goals),
        **_csr_arrays("targets", parts.prototypes.targets),
    }
    if parts.embedder is not None:
        arrays["embed_vectors"] = parts.embedder.vectors
        arrays["embed_goals"] = parts.embedder.goals
    document = {**scorer.meta, "stem_vocab": parts.stems.vocab, "phrases": parts.keywords.phrases}
    json_path, npz_path = folder / JSON_NAME, folder / NPZ_NAME
    json_path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with npz_path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]
    return [json_path, npz_path]


def _load(folder: Path) -> SdgScorer:
    json_path, npz_path = folder / JSON_NAME, folder / NPZ_NAME
    for path in (json_path, npz_path):
        if not path.is_file():
            raise ModelFileError(path, "missing")
    try:
        document = json.loads(json_path.read_text(encoding="utf-8"))
        if document.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"format version {document.get('version')!r}, expected {FORMAT_VERSION}"
            )
        phrases = {k: (v[0], list(v[1])) for k, v in document.pop("phrases").items()}
        vocab = document.pop("stem_vocab")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelFileError(json_path, f"unreadable ({exc})") from exc
    try:
        with np.load(npz_path, allow_pickle=False) as arrays:
            prototypes = Prototypes(
                arrays["idf"].astype(np.float32),
                _csr_from(arrays, "goals"),
                _csr_from(arrays, "targets"),
            )
            parts = Parts(
                KeywordIndex(phrases), StemModel(vocab, arrays["stem_weights"]), prototypes
            )
            if "embed_vectors" in arrays:
                from qadam.lib.ml.embed import Embedder, Encoder

                parts.embedder = Embedder(Encoder(), arrays["embed_vectors"], arrays["embed_goals"])
            combiner = (arrays["coef"], float(arrays["intercept"][0]))
            thresholds = arrays["thresholds"]
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(npz_path, f"unreadable ({exc})") from exc
    return SdgScorer(parts, combiner, thresholds, document)
