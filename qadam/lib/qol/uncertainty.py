"""How much a year's ranking owes to the standard's choices: Monte Carlo rank intervals
and Sobol sensitivity indices, after the JRC's practice for composite indicators
(JRC/OECD Handbook on Constructing Composite Indicators, 2008; COINr).

Three groups of factors vary, independently:

* ``weights``: each component weight times U(weight_range), e.g. U(0.75, 1.25), then
  renormalised (a zero weight stays zero);
* ``goalposts``: each indicator's low and high shifted by U(-goalpost_shift,
  +goalpost_shift) of its range (for log indicators, of the range in log units, so a
  goalpost never crosses zero); with shifts below half the range, low stays below high;
* ``aggregation``: across components, geometric or arithmetic with equal odds (off
  with ``vary_aggregation=False``: the standard's method throughout).

Data, within-component aggregation, coverage and carry-forward stay as in the nominal
evaluation, so exactly the regions that have an index that year are ranked (the rest
are listed in ``excluded``). Rank 1 is the highest index; ties share the average rank.

Rank intervals come from ``draws`` pseudo-random draws. The Sobol indices (first order
S1 and total ST per group, see ``sobol.py``) are of the mean absolute rank shift from
the nominal ranking, over all ranked regions and per region, from a separate scrambled
Sobol design of ``sobol_samples`` × 5 runs. Both streams come from ``seed``: the same
seed gives the same output, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

from qadam.lib.qol.compute import (
    Model,
    Panel,
    across,
    evaluate,
    model,
    normalise,
    transform,
    within,
)
from qadam.lib.qol.sobol import saltelli_design, sobol_indices
from qadam.lib.qol.standard import Standard

DEFAULT_SEED = 20251
GROUPS = ("weights", "goalposts", "aggregation")
CHUNK = 2048  # draws evaluated at once: bounds memory at CHUNK × indicators × regions floats

FloatArray = NDArray[np.float64]
Indices = dict[str, dict[str, float | None]]


@dataclass(frozen=True, eq=False)
class Uncertainty:
    """Rank intervals and sensitivity of one year's ranking. Arrays are per ranked
    region, in ``regions`` order (the panel's, less the excluded)."""

    year: int
    regions: tuple[str, ...]
    excluded: tuple[str, ...]  # no index that year: not ranked
    index: FloatArray  # nominal
    nominal_rank: FloatArray
    ranks: FloatArray  # (draws, regions)
    median_rank: FloatArray
    rank_p5: FloatArray
    rank_p95: FloatArray
    wide: NDArray[np.bool_]
    sobol: Indices  # group -> {"S1", "ST"}; None where the rank shift never varies
    sobol_by_region: dict[str, Indices]
    draws: int
    seed: int
    settings: dict[str, Any]

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per ranked region, best nominal rank first."""
        order = np.argsort(self.nominal_rank, kind="stable")
        return [
            {
                "region": self.regions[r],
                "index": float(self.index[r]),
                "nominal_rank": float(self.nominal_rank[r]),
                "median_rank": float(self.median_rank[r]),
                "rank_p5": float(self.rank_p5[r]),
                "rank_p95": float(self.rank_p95[r]),
                "interval": float(self.rank_p95[r] - self.rank_p5[r]),
                "wide": bool(self.wide[r]),
            }
            for r in order
        ]


def uncertainty(
    standard: Standard,
    panel: Panel,
    year: int,
    draws: int = 1000,
    seed: int = DEFAULT_SEED,
    *,
    weight_range: tuple[float, float] = (0.75, 1.25),
    goalpost_shift: float = 0.10,
    vary_aggregation: bool = True,
    wide_ranks: float = 5.0,
    sobol_samples: int = 1024,
) -> Uncertainty:
    """Monte Carlo rank intervals and Sobol indices for ``year`` (see the module doc).

    A region's interval is ``wide`` when rank_p95 - rank_p5 >= ``wide_ranks``."""
    settings = {
        "weight_range": (float(weight_range[0]), float(weight_range[1])),
        "goalpost_shift": float(goalpost_shift),
        "vary_aggregation": bool(vary_aggregation),
        "wide_ranks": float(wide_ranks),
        "sobol_samples": int(sobol_samples),
    }
    _check(draws, settings)
    evaluation = evaluate(standard, panel)
    if year not in evaluation.years:
        raise ValueError(f"year {year} is not in the panel ({', '.join(map(str, panel.years))})")
    y = evaluation.years.index(year)
    ranked = ~np.isnan(evaluation.index[:, y])
    regions = tuple(r for r, keep in zip(evaluation.regions, ranked, strict=True) if keep)
    excluded = tuple(r for r, keep in zip(evaluation.regions, ranked, strict=True) if not keep)
    simulator = _Simulator(model(standard), evaluation.values[:, ranked, y], settings)
    index = evaluation.index[ranked, y]
    nominal = _ranks(index[None, :])[0]
    mc_seed, sobol_seed = np.random.SeedSequence(seed).spawn(2)
    ranks = simulator.ranks(np.random.default_rng(mc_seed).random((draws, simulator.dims)))
    p5, median, p95 = np.percentile(ranks, [5, 50, 95], axis=0) if regions else np.zeros((3, 0))
    sobol, by_region = _sensitivity(simulator, nominal, regions, sobol_samples, sobol_seed)
    return Uncertainty(
        year=year,
        regions=regions,
        excluded=excluded,
        index=index,
        nominal_rank=nominal,
        ranks=ranks,
        median_rank=median,
        rank_p5=p5,
        rank_p95=p95,
        wide=(p95 - p5) >= wide_ranks,
        sobol=sobol,
        sobol_by_region=by_region,
        draws=draws,
        seed=seed,
        settings=settings,
    )


class _Simulator:
    """The index of every ranked region under draws of the three factor groups; a draw is
    a row of uniform [0, 1) numbers: component weights, then goalposts (all lows, then
    all highs), then aggregation."""

    def __init__(self, m: Model, values: FloatArray, settings: dict[str, Any]) -> None:
        self.m = m
        self.values = transform(values, m.log[:, None])  # (I, R)
        self.weights = m.indicator_weight[:, None] * ~np.isnan(values)
        self.settings = settings
        count = len(m.low)
        self.group_sizes = (len(m.component_weight), 2 * count, 1)
        self.dims = sum(self.group_sizes)

    def ranks(self, u: FloatArray) -> FloatArray:
        if self.values.shape[1] == 0:
            return np.zeros((len(u), 0))
        parts = [self.index(u[start : start + CHUNK]) for start in range(0, len(u), CHUNK)]
        return _ranks(np.concatenate(parts))

    def index(self, u: FloatArray) -> FloatArray:
        m, count = self.m, len(self.m.low)
        components = len(m.component_weight)
        low_w, high_w = self.settings["weight_range"]
        weights = m.component_weight * (low_w + u[:, :components] * (high_w - low_w))
        shift = (2 * u[:, components : components + 2 * count] - 1) * self.settings[
            "goalpost_shift"
        ]
        span = m.high - m.low
        low = m.low + shift[:, :count] * span
        high = m.high + shift[:, count:] * span
        scores = normalise(self.values, low[..., None], high[..., None], m.reverse[:, None])
        scores = within(m, scores, self.weights)  # (draws, C, R)
        if not self.settings["vary_aggregation"]:
            return across(m, scores, weights)
        geometric = across(m, scores, weights, "geometric")
        arithmetic = across(m, scores, weights, "arithmetic")
        return np.where(u[:, -1:] < 0.5, geometric, arithmetic)


def _sensitivity(
    simulator: _Simulator,
    nominal: FloatArray,
    regions: tuple[str, ...],
    samples: int,
    seed: np.random.SeedSequence,
) -> tuple[Indices, dict[str, Indices]]:
    """Sobol indices of the mean absolute rank shift, overall and per region."""
    a, b, mixed = saltelli_design(simulator.group_sizes, samples, seed)
    outputs = []
    for design in (a, b, *mixed):
        shift = np.abs(simulator.ranks(design) - nominal)
        overall = shift.mean(axis=1) if regions else np.zeros(len(design))
        outputs.append(np.column_stack([overall, shift]))
    first, total = sobol_indices(outputs[0], outputs[1], outputs[2:])

    def indices(column: int) -> Indices:
        return {
            group: {"S1": _plain(first[g, column]), "ST": _plain(total[g, column])}
            for g, group in enumerate(GROUPS)
        }

    return indices(0), {region: indices(n + 1) for n, region in enumerate(regions)}


def _ranks(index: FloatArray) -> FloatArray:
    """Ranks along the last axis: 1 for the highest index, ties averaged."""
    return np.asarray(rankdata(-index, axis=-1, method="average"), dtype=np.float64)


def _check(draws: int, settings: dict[str, Any]) -> None:
    low, high = settings["weight_range"]
    problems = [
        (draws < 1, f"draws must be at least 1, got {draws}"),
        (not 0 < low <= high, f"weight_range must be 0 < low <= high, got {(low, high)}"),
        (
            not 0 <= settings["goalpost_shift"] < 0.5,
            "goalpost_shift must be in [0, 0.5) of the range, so low stays below high",
        ),
        (settings["wide_ranks"] <= 0, "wide_ranks must be above 0"),
    ]
    for failed, message in problems:
        if failed:
            raise ValueError(message)


def _plain(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
