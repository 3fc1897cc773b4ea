"""Variance-based sensitivity (Sobol indices) for groups of factors, in NumPy.

Why not SALib: it pulls in matplotlib, pandas, multiprocess and dill, while the few
dozen lines below are all the QoL engine needs. The method is the standard one
(Saltelli et al. 2010, "Variance based sensitivity analysis of model output",
Computer Physics Communications 181: 259–270; the JRC's COINr does the same):

* design: two independent n × d matrices A and B of uniform [0, 1) factors, taken
  from one scrambled Sobol sequence of dimension 2d (the first d columns are A, the
  rest B), and for each group g the matrix AB_g: A with the columns of g taken from B;
  the model runs n × (G + 2) times;
* first order (Saltelli 2010, table 2, (b)): S1_g = mean(f(B) · (f(AB_g) − f(A))) / V;
* total (Jansen 1999, table 2, (f)): ST_g = mean((f(A) − f(AB_g))²) / 2 / V;
* V is the variance of f over A and B together.

Groups are factors that vary together (all component weights, say): their indices are
those of the group as one factor. n should be a power of 2 (Sobol sequences balance at
powers of 2). tests/test_qol_uncertainty.py checks the estimators on the Ishigami
function against its analytic indices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.stats import qmc

FloatArray = NDArray[np.float64]


def saltelli_design(
    group_sizes: Sequence[int], n: int, seed: int | np.random.SeedSequence
) -> tuple[FloatArray, FloatArray, list[FloatArray]]:
    """(A, B, [AB_g for each group]) of uniform [0, 1) factors, n rows each; a group's
    columns follow the previous groups'."""
    if n < 2 or n & (n - 1):
        raise ValueError(f"Sobol samples must be a power of 2 (at least 2), got {n}")
    dims = sum(group_sizes)
    rng = np.random.default_rng(seed)
    base = qmc.Sobol(2 * dims, scramble=True, seed=rng).random_base2(int(np.log2(n)))
    a, b = base[:, :dims], base[:, dims:]
    mixed, start = [], 0
    for size in group_sizes:
        ab = a.copy()
        ab[:, start : start + size] = b[:, start : start + size]
        mixed.append(ab)
        start += size
    return a, b, mixed


def sobol_indices(
    f_a: FloatArray, f_b: FloatArray, f_ab: Sequence[FloatArray]
) -> tuple[FloatArray, FloatArray]:
    """(S1, ST), each shaped (groups, *outputs), from model outputs shaped (n, *outputs)
    on A, B and each AB_g. NaN where the output does not vary at all."""
    both = np.concatenate([f_a, f_b])
    variance = np.var(both, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.stack([np.mean(f_b * (f - f_a), axis=0) / variance for f in f_ab])
        total = np.stack([np.mean((f_a - f) ** 2, axis=0) / 2 / variance for f in f_ab])
    flat = np.ptp(both, axis=0) == 0
    return np.where(flat, np.nan, first), np.where(flat, np.nan, total)
