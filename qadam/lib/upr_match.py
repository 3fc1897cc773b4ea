"""Match recommendations from two sources by text, e.g. a UPR report and UPR Info.

Used both to measure the report extractor and to join report recommendations to
UPR Info rows in the registry. The sources do not line up one to one:

* UPR Info has one row per (text, recommending State), so a recommendation made by
  three States is three rows with the same text;
* either side may split a recommendation in two or merge two into one;
* wording differs in small ways (quotes, "To ratify" vs "Ratify", typos fixed).

So the matching is many-to-one in both directions: every text on either side is
paired with its most similar text on the other side when that similarity reaches
the threshold, and what finds no partner is reported as unmatched.

Speed: a TF-IDF index of words and word pairs proposes a few candidates per text
(one sparse matrix product), a word-count bound discards candidates that cannot
reach the threshold, and only the rest are scored with the finer ``match_score``.
The 42 benchmark reports match in about a second; one report against all 35,667
UPR Info rows takes a few seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from qadam.lib.text import normalise_for_match

DEFAULT_THRESHOLD = 0.8
CANDIDATES = 5  # per text and direction; the right partner is nearly always first
MIN_COSINE = 0.2

_LEADING_TO = re.compile(r"^(?:to|that)\s+")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Pair:
    report: int  # index into report_texts
    upr_info: int  # index into upr_info_texts
    score: float


@dataclass
class Matching:
    """All accepted pairs, and the indexes left without a partner on each side."""

    pairs: list[Pair] = field(default_factory=list)
    unmatched_report: list[int] = field(default_factory=list)
    unmatched_upr_info: list[int] = field(default_factory=list)

    def upr_info_for(self, report: int) -> list[int]:
        """UPR Info rows paired with one report recommendation."""
        return [pair.upr_info for pair in self.pairs if pair.report == report]

    def report_for(self, upr_info: int) -> list[int]:
        """Report recommendations paired with one UPR Info row."""
        return [pair.report for pair in self.pairs if pair.upr_info == upr_info]


def match_key(text: str) -> str:
    """Normalised text without the infinitive "To ..." some documents prefix."""
    return _LEADING_TO.sub("", normalise_for_match(text))


def match_score(a: str, b: str) -> float:
    """Similarity of two match keys in [0, 1], compared word by word.

    difflib's ratio over words, or, when one text is a large part of the other (a
    split or merged recommendation), the share of the shorter one's words found in
    order in the longer one, slightly discounted so that a full match still wins.
    Words rather than characters: as telling for this purpose, and far faster.
    """
    return _Words(a).score(_Words(b), 0.0)


class _Words:
    """A match key as words, with the word counts used to bound the score cheaply."""

    __slots__ = ("counts", "words")

    def __init__(self, key: str) -> None:
        self.words = _WORDS.findall(key)
        self.counts = Counter(self.words)

    def score(self, other: _Words, threshold: float) -> float:
        left, right = self.words, other.words
        if not left or not right:
            return 0.0
        shorter = min(len(left), len(right))
        # Shared words bound both scores from above: skip pairs that cannot reach
        # the threshold without running difflib (most candidate pairs in a big join).
        shared = sum((self.counts & other.counts).values())
        ratio_bound = 2 * shared / (len(left) + len(right))
        part_bound = 0.9 * shared / shorter + 0.1 * ratio_bound if shorter >= 8 else 0.0
        if max(ratio_bound, part_bound) < threshold:
            return 0.0
        matcher = SequenceMatcher(None, left, right, autojunk=False)
        ratio = matcher.ratio()
        if ratio >= 0.95 or shorter < 8:
            return ratio
        common = sum(block.size for block in matcher.get_matching_blocks())
        return max(ratio, 0.9 * common / shorter + 0.1 * ratio)


def match_records(
    report_texts: list[str], upr_info_texts: list[str], threshold: float = DEFAULT_THRESHOLD
) -> Matching:
    """Pair each text with its best partner on the other side if the score >= threshold."""
    left = [match_key(text) for text in report_texts]
    right = [match_key(text) for text in upr_info_texts]
    if not left or not right:
        return Matching([], list(range(len(left))), list(range(len(right))))
    left_words = [_Words(key) for key in left]
    right_words = [_Words(key) for key in right]
    scores = {
        (i, j): left_words[i].score(right_words[j], threshold) for i, j in _candidates(left, right)
    }
    best: dict[tuple[int, int], float] = {}
    for side in (0, 1):
        chosen: dict[int, tuple[float, int, int]] = {}
        for (i, j), score in scores.items():
            key = (i, j)[side]
            if score >= threshold and score > chosen.get(key, (-1.0, 0, 0))[0]:
                chosen[key] = (score, i, j)
        for score, i, j in chosen.values():
            best[(i, j)] = score
    pairs = [Pair(i, j, round(score, 4)) for (i, j), score in sorted(best.items())]
    matched_left = {pair.report for pair in pairs}
    matched_right = {pair.upr_info for pair in pairs}
    return Matching(
        pairs,
        [i for i in range(len(left)) if i not in matched_left],
        [j for j in range(len(right)) if j not in matched_right],
    )


def _candidates(left: list[str], right: list[str]) -> set[tuple[int, int]]:
    """Top TF-IDF neighbours of each text on the other side, both directions.

    Pairs whose cosine is below MIN_COSINE are dropped: in the benchmark no
    accepted pair had a cosine below 0.26, and in a join against all of UPR Info
    almost every row is such an unrelated pair.
    """
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    matrix = vectoriser.fit_transform(left + right)
    cosine = (matrix[: len(left)] @ matrix[len(left) :].T).tocsr()
    cosine.data[cosine.data < MIN_COSINE] = 0.0
    cosine.eliminate_zeros()
    pairs: set[tuple[int, int]] = set()
    for i, j in _top_per_row(cosine, CANDIDATES):
        pairs.add((i, j))
    for j, i in _top_per_row(cosine.T.tocsr(), CANDIDATES):
        pairs.add((i, j))
    return pairs


def _top_per_row(matrix: csr_matrix, k: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for row in range(len(indptr) - 1):
        start, end = indptr[row], indptr[row + 1]
        if start == end:
            continue
        top = np.argsort(-data[start:end])[:k]
        out.extend((row, int(indices[start + t])) for t in top)
    return out
