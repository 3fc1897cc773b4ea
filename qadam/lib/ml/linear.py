"""Supervised multi-label linear models: one calibrated logistic regression per term.

Why this shape: on tens of thousands of labelled recommendations a word-and-bigram
TF-IDF with one-vs-rest logistic regression is fast (thousands of texts a second),
small enough to ship as plain arrays, and explainable, because each suggestion can name
the words that pushed it over the line. Probabilities are calibrated per term with
Platt scaling on out-of-fold scores, and each term's decision threshold is the one that
maximised F1 on those same out-of-fold scores, so no text ever grades itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from qadam.lib.ml.types import ModelFileError, Reason, Suggestion

FORMAT = "qadam-linear-1"
MIN_EXAMPLES = 5  # fewer positives than this and a term gets no model: say so, don't guess
FOLDS = 3
TOP_TERMS = 5
# Words that open most recommendations and say nothing about their subject.
BOILERPLATE = frozenset(
    {
        "take",
        "continue",
        "ensure",
        "consider",
        "adopt",
        "further",
        "strengthen",
        "efforts",
        "measures",
        "necessary",
        "all",
        "its",
        "the",
        "and",
        "of",
        "to",
        "in",
        "for",
        "with",
        "on",
        "by",
        "a",
        "an",
        "as",
        "at",
        "be",
        "that",
        "this",
        "which",
        "or",
        "from",
        "are",
        "is",
        "been",
        "has",
        "have",
        "their",
        "other",
        "including",
        "particular",
        "particularly",
        "also",
        "into",
    }
)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens of any script, without the boilerplate verbs."""
    words = _TOKEN.findall(text.lower().replace("ё", "е"))
    return [w for w in words if w not in BOILERPLATE and not w.isdigit()]


@dataclass(frozen=True)
class TermFit:
    """What training found out about one term."""

    term: str
    positives: int
    threshold: float
    f1_out_of_fold: float


class LinearLabeller:
    """One taxonomy's terms, each with weights, a Platt scaler and a threshold."""

    def __init__(
        self,
        taxonomy: str,
        vectorizer: TfidfVectorizer,
        terms: list[str],
        weights: np.ndarray,
        bias: np.ndarray,
        platt: np.ndarray,
        thresholds: np.ndarray,
        skipped: dict[str, int],
    ) -> None:
        self.taxonomy = taxonomy
        self.vectorizer = vectorizer
        self.terms = terms
        self.weights = weights  # (n_features, n_terms), float32
        self.bias = bias
        self.platt = platt  # (n_terms, 2): a, b of sigmoid(a * margin + b)
        self.thresholds = thresholds
        self.skipped = skipped  # term -> examples, for terms too rare to learn
        self._vocabulary = np.array(vectorizer.get_feature_names_out(), dtype=object)

    # ----- training -------------------------------------------------------------------
    @classmethod
    def train(
        cls, taxonomy: str, texts: Sequence[str], labels: Sequence[set[str]], c: float = 8.0
    ) -> tuple[LinearLabeller, list[TermFit]]:
        counts: dict[str, int] = {}
        for row in labels:
            for term in row:
                counts[term] = counts.get(term, 0) + 1
        terms = sorted(t for t, n in counts.items() if n >= MIN_EXAMPLES)
        skipped = {t: n for t, n in counts.items() if n < MIN_EXAMPLES}
        vectorizer = _vectorizer()
        x = vectorizer.fit_transform(texts)
        y = _label_matrix(labels, terms)
        margins = _out_of_fold_margins(x, y, c)
        platt = np.array([_platt(margins[:, j], y[:, j]) for j in range(len(terms))])
        probs = _sigmoid(margins * platt[:, 0] + platt[:, 1]) if terms else margins
        fits = [_best_threshold(terms[j], probs[:, j], y[:, j]) for j in range(len(terms))]
        weights, bias = _fit_all(x, y, c)
        model = cls(
            taxonomy,
            vectorizer,
            terms,
            weights,
            bias,
            platt.reshape(-1, 2),
            np.array([f.threshold for f in fits]),
            skipped,
        )
        return model, fits

    # ----- prediction -----------------------------------------------------------------
    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, (n_texts, n_terms)."""
        x = self.vectorizer.transform(texts)
        return self._calibrate(x @ self.weights + self.bias)

    def _calibrate(self, margins: np.ndarray) -> np.ndarray:
        return _sigmoid(margins * self.platt[:, 0] + self.platt[:, 1])

    def suggest(self, texts: Sequence[str], reasons: bool = True) -> list[list[Suggestion]]:
        x = self.vectorizer.transform(texts)
        probs = self._calibrate(np.asarray(x @ self.weights) + self.bias)
        out: list[list[Suggestion]] = []
        for i in range(len(texts)):
            row = x.getrow(i) if reasons else None
            picked = np.flatnonzero(probs[i] >= self.thresholds)
            picked = picked[np.argsort(-probs[i, picked])]
            out.append(
                [
                    Suggestion(
                        self.taxonomy,
                        self.terms[j],
                        round(float(probs[i, j]), 4),
                        self._reasons(row, int(j)) if row is not None else (),
                    )
                    for j in picked
                ]
            )
        return out

    def _reasons(self, row: sparse.csr_matrix, j: int) -> tuple[Reason, ...]:
        """The words of this text that weighed most for term j."""
        contributions = row.data * self.weights[row.indices, j]
        order = np.argsort(-contributions)[:TOP_TERMS]
        words = [str(self._vocabulary[row.indices[k]]) for k in order if contributions[k] > 0]
        if not words:
            return ()
        weight = float(contributions[order].clip(min=0).sum())
        return (Reason("terms", ", ".join(words), round(weight, 4)),)

    # ----- files ----------------------------------------------------------------------
    def save(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        arrays = folder / f"{self.taxonomy}.npz"
        meta = folder / f"{self.taxonomy}.json"
        np.savez_compressed(
            arrays,
            weights=self.weights,
            bias=self.bias,
            platt=self.platt,
            thresholds=self.thresholds,
            idf=self.vectorizer.idf_.astype(np.float32),
        )
        vocabulary = self._vocabulary.tolist()
        meta.write_text(
            json.dumps(
                {
                    "format": FORMAT,
                    "taxonomy": self.taxonomy,
                    "terms": self.terms,
                    "skipped": self.skipped,
                    "vocabulary": vocabulary,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        return [meta, arrays]

    @classmethod
    def load(cls, folder: Path, taxonomy: str) -> LinearLabeller:
        meta_path = folder / f"{taxonomy}.json"
        arrays_path = folder / f"{taxonomy}.npz"
        meta = _read_json(meta_path)
        if meta.get("format") != FORMAT:
            raise ModelFileError(meta_path, f"unknown model format {meta.get('format')!r}")
        arrays = _read_npz(arrays_path, ("weights", "bias", "platt", "thresholds", "idf"))
        vectorizer = _vectorizer()
        vectorizer.vocabulary_ = {w: i for i, w in enumerate(meta["vocabulary"])}
        vectorizer.idf_ = arrays["idf"]
        return cls(
            taxonomy,
            vectorizer,
            list(meta["terms"]),
            arrays["weights"],
            arrays["bias"],
            arrays["platt"],
            arrays["thresholds"],
            dict(meta.get("skipped", {})),
        )


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        tokenizer=tokenize,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
        dtype=np.float32,
    )


def _label_matrix(labels: Sequence[set[str]], terms: list[str]) -> np.ndarray:
    index = {t: j for j, t in enumerate(terms)}
    y = np.zeros((len(labels), len(terms)), dtype=np.int8)
    for i, row in enumerate(labels):
        for term in row:
            if term in index:
                y[i, index[term]] = 1
    return y


def _fit_one(x: sparse.csr_matrix, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    if y.min() == y.max():
        # A term every (or no) example carries: a constant, not a model.
        return np.zeros(x.shape[1], dtype=np.float32), 10.0 if y[0] else -10.0
    model = LogisticRegression(C=c, solver="liblinear", max_iter=200)
    model.fit(x, y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def _fit_all(x: sparse.csr_matrix, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    weights = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    bias = np.zeros(y.shape[1], dtype=np.float32)
    for j in range(y.shape[1]):
        weights[:, j], bias[j] = _fit_one(x, y[:, j], c)
    return weights, bias


def _out_of_fold_margins(x: sparse.csr_matrix, y: np.ndarray, c: float) -> np.ndarray:
    margins = np.zeros(y.shape, dtype=np.float32)
    if x.shape[0] < FOLDS * 2 or not y.shape[1]:
        return margins
    for train, held in KFold(FOLDS, shuffle=True, random_state=0).split(np.arange(x.shape[0])):
        weights, bias = _fit_all(x[train], y[train], c)
        margins[held] = x[held] @ weights + bias
    return margins


def _platt(margin: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    if y.min() == y.max():
        return 1.0, 0.0
    model = LogisticRegression(C=1e4, solver="lbfgs")
    model.fit(margin.reshape(-1, 1), y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _best_threshold(term: str, probs: np.ndarray, y: np.ndarray) -> TermFit:
    """The probability cut that maximised this term's F1 on out-of-fold scores."""
    order = np.argsort(-probs)
    hits = np.cumsum(y[order])
    positives = int(y.sum())
    if not positives:
        return TermFit(term, 0, 1.0, 0.0)
    ranks = np.arange(1, len(probs) + 1)
    f1 = 2 * hits / (ranks + positives)
    best = int(np.argmax(f1))
    # Cut halfway to the next score down, so a text scoring just under the lowest
    # out-of-fold positive is not lost; never below 0.2, since a suggestion a person must
    # review should be more than a hunch.
    below = float(probs[order[best + 1]]) if best + 1 < len(order) else 0.0
    threshold = max((float(probs[order[best]]) + below) / 2, 0.2)
    return TermFit(term, positives, threshold, round(float(f1[best]), 4))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(path, "the model file is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(path, f"the model file is unreadable ({exc})") from None
    if not isinstance(data, dict):
        raise ModelFileError(path, "the model file does not hold a JSON object")
    return data


def _read_npz(path: Path, keys: Sequence[str]) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in keys}
    except FileNotFoundError:
        raise ModelFileError(path, "the model file is missing") from None
    except (OSError, ValueError, KeyError, EOFError) as exc:
        raise ModelFileError(path, f"the model file is unreadable ({exc})") from None
