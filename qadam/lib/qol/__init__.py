"""The quality-of-life (QoL) standard engine: framework-free, vectorised with NumPy.

A *standard* (a YAML document, format ``qadam-qol-standard/1``) groups indicators into
components, says how each raw value becomes a 0–1 score (fixed goalposts, direction,
optional log), how scores are averaged, and what "sufficient" means. This package
checks a standard, scores a panel of regional data against it, and measures how much
the resulting ranking owes to the standard's own choices.

    import numpy as np, yaml
    from qadam.lib.qol import Panel, evaluate, parse_standard, uncertainty, what_if

    standard = parse_standard(yaml.safe_load(text))       # StandardError names the path
    panel = Panel(values, standard.indicator_codes, regions, years)  # (I, R, Y), NaN missing
    for row in evaluate(standard, panel).rows():           # one dict per region and year
        row["index"], row["sufficient"], row["failed_components"], row["reason"]
    ranks = uncertainty(standard, panel, year=2023)        # 1,000 draws, seed 20251
    ranks.rows()[0]["rank_p95"], ranks.sobol["weights"]["ST"]
    lenient = what_if(standard, weights={"income": 2.0}, aggregation="arithmetic")

Public API:

* ``parse_standard(doc) -> Standard`` (frozen; ``to_document()`` gives ``doc`` back),
  ``StandardError`` (a ValueError; ``.errors`` lists each problem with its path);
* ``what_if(standard, weights=, thresholds=, aggregation=, max_failed_components=)``:
  a validated, modified copy;
* ``component_thresholds(standard)`` (code -> score), ``index_threshold(standard)``;
* ``Panel(values, indicators, regions, years)``; ``evaluate(standard, panel) ->
  Evaluation`` (arrays, and ``.rows()``: region, year, index, components, indicators,
  values, sufficient (True/False/None), failed_components, coverage, coverage_ok,
  components_covered, carried [{indicator, from_year}], floor_breaches, reason);
* ``uncertainty(standard, panel, year, draws=1000, seed=20251) -> Uncertainty``
  (``.rows()``: region, index, nominal_rank, median_rank, rank_p5, rank_p95, interval,
  wide; ``.sobol``: group -> {"S1", "ST"}; ``.excluded``: regions without an index).

The rules themselves are in the docstrings of ``compute`` (scoring, missing data,
verdict), ``uncertainty`` (what varies) and ``sobol`` (the estimators).
"""

from qadam.lib.qol.compute import (
    Evaluation,
    Panel,
    component_thresholds,
    evaluate,
    index_threshold,
)
from qadam.lib.qol.standard import (
    FORMAT,
    Component,
    IndicatorSpec,
    Standard,
    StandardError,
    parse_standard,
    what_if,
)
from qadam.lib.qol.uncertainty import DEFAULT_SEED, Uncertainty, uncertainty

__all__ = [
    "DEFAULT_SEED",
    "FORMAT",
    "Component",
    "Evaluation",
    "IndicatorSpec",
    "Panel",
    "Standard",
    "StandardError",
    "Uncertainty",
    "component_thresholds",
    "evaluate",
    "index_threshold",
    "parse_standard",
    "uncertainty",
    "what_if",
]
