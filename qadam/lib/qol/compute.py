"""Scores, coverage, thresholds and verdicts for every region and year of a panel.

The rules, in the order they apply (all vectorised over indicators, regions, years):

1. carry-forward: a missing value takes the latest earlier observed value of the same
   indicator and region if it is at most ``carry_forward_years`` years older; it is
   flagged with the year it came from. Carried values are never carried again.
2. normalisation (HDI style, fixed goalposts): s = clip((x - low) / (high - low), 0, 1),
   after the natural log of x, low and high for ``transform: log`` (x <= 0 scores as
   low); ``1 - s`` when lower is better. Goalposts never depend on the data, so one
   region's scores never depend on another's.
3. a component's coverage is the share of its indicator weight with data; below
   ``min_coverage`` the component is missing, otherwise its score is the weighted mean
   of the indicators with data, their weights renormalised. Missing is never zero.
4. the index is the weighted mean of the component scores, computed only when every
   component with a weight above zero is present; otherwise index and verdict are None
   and ``reason`` is "coverage".
5. means are weighted arithmetic or weighted geometric, weights normalised to sum 1.
   A geometric mean with a zero score (at a weight above zero) is 0: the
   non-substitutability that makes HDI-style indices geometric in the first place.
6. verdict: sufficient iff index >= the index threshold, at most
   ``max_failed_components`` components below their thresholds, and no indicator worse
   than its hard floor. Comparisons allow 1e-9 so a region exactly at every threshold
   is sufficient.

A weight of zero switches an indicator or a component off: its score is still reported,
but it takes no part in coverage, the means, the thresholds, the floors or the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qadam.lib.qol.standard import Standard

TOLERANCE = 1e-9  # thresholds are met "exactly" despite rounding in logs and means
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False, init=False)
class Panel:
    """Raw values, shape (indicators, regions, years), NaN where missing. The values are
    copied (and made read-only), so the caller's array may change afterwards."""

    values: FloatArray
    indicators: tuple[str, ...]
    regions: tuple[str, ...]
    years: tuple[int, ...]

    def __init__(
        self,
        values: ArrayLike,
        indicators: Iterable[str],
        regions: Iterable[str],
        years: Iterable[int],
    ) -> None:
        labels = {
            "indicators": tuple(indicators),
            "regions": tuple(regions),
            "years": tuple(int(year) for year in years),
        }
        array = np.array(values, dtype=np.float64)
        for name, items in labels.items():
            if len(set(items)) != len(items):
                raise ValueError(f"Panel {name} must be unique, got {items}")
        expected = tuple(len(items) for items in labels.values())
        if array.shape != expected:
            raise ValueError(
                f"Panel values have shape {array.shape}; (indicators, regions, years) "
                f"labels say {expected}"
            )
        if np.isinf(array).any():
            raise ValueError("Panel values must be finite numbers or NaN for missing")
        array.setflags(write=False)
        object.__setattr__(self, "values", array)
        for name, items in labels.items():
            object.__setattr__(self, name, items)


@dataclass(frozen=True, eq=False)
class Model:
    """The standard as arrays: goalposts and thresholds already transformed (log)."""

    low: FloatArray  # (I,)
    high: FloatArray
    log: BoolArray
    reverse: BoolArray  # lower is better
    threshold: FloatArray  # transformed
    floor: FloatArray  # raw units, NaN: none
    higher_is_better: BoolArray
    indicator_weight: FloatArray  # (I,) raw
    component_weight: FloatArray  # (C,) raw
    members: tuple[NDArray[np.intp], ...]  # indicator positions of each component
    live: BoolArray  # (I,) counts: its own weight and its component's above zero
    within: str
    across: str


def model(standard: Standard) -> Model:
    """``standard`` as arrays in indicator order, for scoring many regions at once."""
    indicators = standard.indicators
    log = np.array([i.transform == "log" for i in indicators])
    raw = {
        key: np.array([getattr(i, key) for i in indicators], dtype=np.float64)
        for key in ("low", "high", "threshold")
    }
    members, start = [], 0
    for component in standard.components:
        members.append(np.arange(start, start + len(component.indicators)))
        start += len(component.indicators)
    component_weight = np.array([c.weight for c in standard.components])
    indicator_weight = np.array([i.weight for i in indicators])
    owner_weight = np.repeat(component_weight, [len(c.indicators) for c in standard.components])
    higher = np.array([i.higher_is_better for i in indicators])
    return Model(
        low=transform(raw["low"], log),
        high=transform(raw["high"], log),
        log=log,
        reverse=~higher,
        threshold=transform(raw["threshold"], log),
        floor=np.array([np.nan if i.floor is None else i.floor for i in indicators]),
        higher_is_better=higher,
        indicator_weight=indicator_weight,
        component_weight=component_weight,
        members=tuple(members),
        live=(indicator_weight > 0) & (owner_weight > 0),
        within=standard.within_components,
        across=standard.across_components,
    )


def transform(values: FloatArray, log: BoolArray) -> FloatArray:
    """Natural log where ``log`` (broadcast against ``values``); -inf for x <= 0, which
    the clip in ``normalise`` turns into the score of a log indicator's low goalpost."""
    positive = values > 0
    logs = np.log(np.where(positive, values, 1.0))
    logged = np.where(positive, logs, np.where(np.isnan(values), np.nan, -np.inf))
    return np.where(log, logged, values)


def normalise(values: FloatArray, low: Any, high: Any, reverse: Any) -> FloatArray:
    """Scores in [0, 1] from transformed values; goalposts broadcast against ``values``.
    NaN stays NaN."""
    score = np.clip((values - low) / (high - low), 0.0, 1.0)
    return np.where(reverse, 1.0 - score, score)


def aggregate(scores: FloatArray, weights: FloatArray, method: str, axis: int) -> FloatArray:
    """Weighted arithmetic or geometric mean along ``axis``, weights normalised to sum 1.

    Entries with weight 0 are left out exactly (their score may be anything but NaN);
    all weights 0 gives NaN. Geometric with a zero score at a positive weight gives 0."""
    weights = np.broadcast_to(weights, scores.shape)
    total = weights.sum(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "arithmetic":
            return np.asarray((weights * scores).sum(axis=axis) / total)
        active = weights > 0
        zero = (active & (scores <= 0)).any(axis=axis)
        logs = np.log(np.where(active & (scores > 0), scores, 1.0))
        mean = np.exp((weights * logs).sum(axis=axis) / total)
    return np.where(zero, 0.0, mean)


def within(m: Model, scores: FloatArray, weights: FloatArray) -> FloatArray:
    """Component scores (..., C, R) from indicator scores (..., I, R) and the weights
    (broadcastable to them) of the indicators that have data."""
    weights = np.broadcast_to(weights, scores.shape)
    filled = np.where(weights > 0, scores, 0.0)  # keeps NaN of weightless ones out
    parts = [
        aggregate(filled[..., idx, :], weights[..., idx, :], m.within, axis=-2) for idx in m.members
    ]
    return np.stack(parts, axis=-2)


def across(
    m: Model, components: FloatArray, weights: FloatArray | None = None, method: str = ""
) -> FloatArray:
    """Index (..., R) from component scores (..., C, R); ``weights`` (..., C) and
    ``method`` default to the standard's. Components with weight 0 may be NaN."""
    w = (m.component_weight if weights is None else weights)[..., :, None]
    filled = np.where(w > 0, components, 0.0)
    return aggregate(filled, w, method or m.across, axis=-2)


def component_thresholds(standard: Standard) -> dict[str, float]:
    """Each component's threshold: explicit, or the score of a region sitting exactly at
    every threshold of its indicators."""
    m = model(standard)
    at = normalise(m.threshold, m.low, m.high, m.reverse)[:, None]  # (I, 1 region)
    derived = within(m, at, m.indicator_weight[:, None])[:, 0]
    return {
        c.code: float(derived[n]) if c.threshold is None else c.threshold
        for n, c in enumerate(standard.components)
    }


def index_threshold(standard: Standard) -> float:
    """The index of a region whose every component sits exactly at its threshold (with
    derived component thresholds: the region exactly at every indicator threshold)."""
    m = model(standard)
    levels = np.array(list(component_thresholds(standard).values()))[:, None]
    return float(across(m, levels)[0])


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Everything ``evaluate`` found. Arrays follow the panel's axes with years sorted:
    (indicators | components, regions, years), or (regions, years)."""

    standard: Standard
    regions: tuple[str, ...]
    years: tuple[int, ...]
    values: FloatArray  # raw values used, after carry-forward
    carried: BoolArray
    carried_from: NDArray[np.int64]  # the year a carried value comes from (0: not carried)
    indicator_scores: FloatArray
    component_scores: FloatArray  # NaN: missing (coverage below min_coverage)
    component_coverage: FloatArray  # share of the component's indicator weight with data
    component_ok: BoolArray
    coverage: FloatArray  # share of the standard's total indicator weight with data
    coverage_ok: BoolArray
    index: FloatArray  # NaN: no index (a component is missing)
    below: BoolArray  # component present and below its threshold
    floor_breach: BoolArray
    has_verdict: BoolArray
    sufficient: BoolArray  # False where there is no verdict: read has_verdict first
    component_thresholds: FloatArray
    index_threshold: float

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per region and year (regions in panel order, years ascending)."""
        return [self._row(r, y) for r in range(len(self.regions)) for y in range(len(self.years))]

    def _row(self, r: int, y: int) -> dict[str, Any]:
        s = self.standard
        components, indicators = s.component_codes, s.indicator_codes
        counted = [c.weight > 0 for c in s.components]
        verdict = bool(self.sufficient[r, y]) if self.has_verdict[r, y] else None
        return {
            "region": self.regions[r],
            "year": self.years[y],
            "index": _plain(self.index[r, y]),
            "components": {
                code: _plain(self.component_scores[c, r, y]) for c, code in enumerate(components)
            },
            "indicators": {
                code: _plain(self.indicator_scores[i, r, y]) for i, code in enumerate(indicators)
            },
            "values": {code: _plain(self.values[i, r, y]) for i, code in enumerate(indicators)},
            "sufficient": verdict,
            "failed_components": [
                code for c, code in enumerate(components) if counted[c] and self.below[c, r, y]
            ],
            "coverage": float(self.coverage[r, y]),
            "coverage_ok": bool(self.coverage_ok[r, y]),
            "components_covered": {
                code: bool(self.component_ok[c, r, y]) for c, code in enumerate(components)
            },
            "carried": [
                {"indicator": code, "from_year": int(self.carried_from[i, r, y])}
                for i, code in enumerate(indicators)
                if self.carried[i, r, y]
            ],
            "floor_breaches": [
                code for i, code in enumerate(indicators) if self.floor_breach[i, r, y]
            ],
            "reason": None if verdict is not None else "coverage",
        }


def evaluate(standard: Standard, panel: Panel) -> Evaluation:
    """Scores and verdicts for every region and year of ``panel``.

    The panel's indicators must be the standard's (any order; ValueError otherwise)."""
    values, years = _aligned(standard, panel)
    values, carried, carried_from = carry_forward(values, years, standard.carry_forward_years)
    m = model(standard)
    v = values.transpose(2, 0, 1)  # (Y, I, R): indicators next to regions, as ``within`` wants
    has = ~np.isnan(v)
    scores = normalise(
        transform(v, m.log[:, None]), m.low[:, None], m.high[:, None], m.reverse[:, None]
    )
    weights = m.indicator_weight[:, None] * has
    total = np.array([m.indicator_weight[idx].sum() for idx in m.members])[:, None]
    covered = np.stack([weights[..., idx, :].sum(axis=-2) for idx in m.members], axis=-2)
    component_coverage = covered / total
    component_ok = component_coverage >= standard.min_coverage - 1e-12
    components = np.where(component_ok, within(m, scores, weights), np.nan)
    counted = (m.component_weight > 0)[:, None]
    complete = (component_ok | ~counted).all(axis=-2)
    index = np.where(complete, across(m, components), np.nan)
    share = m.component_weight / m.component_weight.sum()
    coverage = (share[:, None] * component_coverage).sum(axis=-2)
    thresholds = np.array(list(component_thresholds(standard).values()))
    level = index_threshold(standard)
    below = component_ok & (components < thresholds[:, None] - TOLERANCE)
    failed = (below & counted).sum(axis=-2)
    floor = m.floor[:, None]
    worse = np.where(m.higher_is_better[:, None], v < floor, v > floor)
    breach = has & worse & m.live[:, None]
    has_verdict = ~np.isnan(index)
    sufficient = (
        has_verdict
        & (np.nan_to_num(index, nan=-1.0) >= level - TOLERANCE)
        & (failed <= standard.max_failed_components)
        & ~breach.any(axis=-2)
    )

    def out(array: NDArray[Any]) -> NDArray[Any]:
        return np.moveaxis(array, 0, -1)  # years back to the last axis

    return Evaluation(
        standard=standard,
        regions=panel.regions,
        years=tuple(int(year) for year in years),
        values=values,
        carried=carried,
        carried_from=carried_from,
        indicator_scores=out(scores),
        component_scores=out(components),
        component_coverage=out(component_coverage),
        component_ok=out(component_ok),
        coverage=out(coverage),
        coverage_ok=out((component_ok | ~counted).all(axis=-2)),
        index=out(index),
        below=out(below),
        floor_breach=out(breach),
        has_verdict=out(has_verdict),
        sufficient=out(sufficient),
        component_thresholds=thresholds,
        index_threshold=level,
    )


def carry_forward(
    values: FloatArray, years: NDArray[np.int64], limit: int
) -> tuple[FloatArray, BoolArray, NDArray[np.int64]]:
    """(values with gaps filled, carried flags, source years) along the last axis, years
    ascending: the latest earlier observed value at most ``limit`` years older."""
    observed = ~np.isnan(values)
    position = np.where(observed, np.arange(len(years)), -1)
    latest = np.maximum.accumulate(position, axis=-1)
    source_year = years[np.maximum(latest, 0)]
    carried = ~observed & (latest >= 0) & (years - source_year <= limit)
    taken = np.take_along_axis(values, np.maximum(latest, 0), axis=-1)
    filled = np.where(carried, taken, values)
    return filled, carried, np.where(carried, source_year, 0)


def _aligned(standard: Standard, panel: Panel) -> tuple[FloatArray, NDArray[np.int64]]:
    """The panel's values in the standard's indicator order and ascending years."""
    expected, given = standard.indicator_codes, panel.indicators
    if set(expected) != set(given):
        missing = [code for code in expected if code not in given]
        extra = [code for code in given if code not in expected]
        raise ValueError(
            f"Panel indicators do not match standard {standard.code!r}: "
            f"missing {missing}, not in the standard {extra}"
        )
    order = [given.index(code) for code in expected]
    years = np.array(panel.years, dtype=np.int64)
    by_year = np.argsort(years, kind="stable")
    return panel.values[order][:, :, by_year], years[by_year]


def _plain(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
