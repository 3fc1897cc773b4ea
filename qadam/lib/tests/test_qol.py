"""The QoL engine against the issue's correctness checks: the UNDP HDI, normalisation,
monotonicity, aggregation, thresholds and stability, missing data, reproducibility,
and the standard document's round trip and error messages. Every standard and panel
here is synthetic."""

import copy

import numpy as np
import pytest
import yaml

from qadam.lib.qol import (
    Panel,
    StandardError,
    component_thresholds,
    evaluate,
    index_threshold,
    parse_standard,
    uncertainty,
    what_if,
)

# --- builders ------------------------------------------------------------------------


def indicator(code, low, high, threshold, **extra):
    doc = {
        "code": code,
        "name": {"en": f"Synthetic {code}"},
        "source": {"dataset": "synthetic", "indicator": code},
        "direction": "higher-is-better",
        "goalposts": {"low": low, "high": high},
        "threshold": threshold,
    }
    doc.update(extra)
    return doc


def component(code, *indicators, **extra):
    return {"code": code, "name": {"en": f"Synthetic {code}"}, "indicators": list(indicators)}


def document(*components, across="geometric", within="arithmetic", **sections):
    doc = {
        "format": "qadam-qol-standard/1",
        "code": "synthetic-qol",
        "title": {"en": "Synthetic standard"},
        "aggregation": {"across_components": across, "within_components": within},
        "verdict": {"max_failed_components": 0, "index_rule": "threshold-region"},
        "missing": {"min_coverage": 0.5, "carry_forward_years": 0},
        "components": list(components),
    }
    for section, values in sections.items():
        doc[section] = {**doc.get(section, {}), **values}
    return doc


def with_component_fields(doc, n, **fields):
    doc = copy.deepcopy(doc)
    doc["components"][n].update(fields)
    return doc


def hdi_document():
    """The UNDP HDI (2015 method) as a standard: geometric mean of three dimensions."""
    return document(
        component("health", indicator("life-expectancy", 20, 85, 60)),
        component(
            "education",
            indicator("expected-schooling", 0, 18, 9),
            indicator("mean-schooling", 0, 15, 6),
        ),
        component("income", indicator("gni", 100, 75000, 5000, transform="log")),
    )


def synthetic_document(across="geometric", within="arithmetic"):
    """Mixed directions, a log transform, floors, one to three indicators a component."""
    return document(
        component(
            "income",
            indicator("synthetic-income", 100, 75000, 2000, transform="log", floor=500),
            indicator("synthetic-poverty", 0, 40, 10, direction="lower-is-better"),
        ),
        component("health", indicator("synthetic-life", 40, 85, 65)),
        component(
            "housing",
            indicator("synthetic-crowding", 0, 100, 30, direction="lower-is-better"),
            indicator("synthetic-water", 0, 1, 0.5),
            indicator("synthetic-rooms", 0, 10, 4, weight=2),
        ),
        component(
            "safety",
            indicator("synthetic-crime", 0, 20, 5, direction="lower-is-better", floor=15),
        ),
        across=across,
        within=within,
        verdict={"max_failed_components": 1},
        missing={"min_coverage": 0.5, "carry_forward_years": 2},
    )


def random_panel(standard, rng, regions=12, years=(2019, 2020, 2021), missing=0.0):
    """Values spread 20% beyond each indicator's goalposts, so clipping is exercised."""
    lows = np.array([i.low for i in standard.indicators])[:, None, None]
    highs = np.array([i.high for i in standard.indicators])[:, None, None]
    span = highs - lows
    shape = (len(lows), regions, len(years))
    values = rng.uniform(lows - 0.2 * span, highs + 0.2 * span, size=shape)
    values = np.where(values > 0, values, lows)  # log indicators need some positive values
    values[rng.random(shape) < missing] = np.nan
    names = tuple(f"SYNTH{n:02d}" for n in range(regions))
    return Panel(values, standard.indicator_codes, names, years)


def single(standard, *values, region="SYNTH", year=2020):
    """One region, one year, one value per indicator (None: missing)."""
    array = np.array([np.nan if v is None else v for v in values], dtype=float)
    return Panel(array[:, None, None], standard.indicator_codes, [region], [year])


def only_row(standard, *values):
    return evaluate(standard, single(standard, *values)).rows()[0]


# --- the UNDP Human Development Index ------------------------------------------------


def test_hdi_geometric_mean_of_dimension_scores_0_6971_0_3447_0_5506_is_0_510():
    doc = document(
        component("health", indicator("health-index", 0, 1, 0.5)),
        component("education", indicator("education-index", 0, 1, 0.5)),
        component("income", indicator("income-index", 0, 1, 0.5)),
    )
    row = only_row(parse_standard(doc), 0.6971, 0.3447, 0.5506)
    assert round(row["index"], 3) == 0.510


def test_hdi_income_of_3829_gives_an_income_index_of_0_5506_between_ln_100_and_ln_75000():
    row = only_row(parse_standard(hdi_document()), 50, 9, 6, 3829)
    assert round(row["components"]["income"], 4) == 0.5506
    assert round(row["indicators"]["gni"], 4) == 0.5506


def test_hdi_norway_2015_is_0_944():
    row = only_row(parse_standard(hdi_document()), 81.6, 17.5, 12.6, 64992)
    assert round(row["components"]["health"], 3) == 0.948
    assert round(row["components"]["education"], 3) == 0.906
    assert round(row["components"]["income"], 3) == 0.978
    assert round(row["index"], 3) == 0.944


# --- normalisation -------------------------------------------------------------------


def test_min_max_scores_stay_within_0_and_1_truncating_values_beyond_the_goalposts():
    standard = parse_standard(synthetic_document())
    scores = evaluate(standard, random_panel(standard, np.random.default_rng(1))).indicator_scores
    assert scores.min() == 0.0 and scores.max() == 1.0  # values beyond both ends were clipped
    row = only_row(standard, 1e9, -5, 200, -50, 2, 11, -1)
    assert row["indicators"] == {
        "synthetic-income": 1.0,
        "synthetic-poverty": 1.0,
        "synthetic-life": 1.0,
        "synthetic-crowding": 1.0,
        "synthetic-water": 1.0,
        "synthetic-rooms": 1.0,
        "synthetic-crime": 1.0,
    }


def test_a_log_indicator_at_or_below_zero_scores_as_its_low_goalpost():
    standard = parse_standard(hdi_document())
    assert only_row(standard, 50, 9, 6, 0)["indicators"]["gni"] == 0.0
    assert only_row(standard, 50, 9, 6, -10)["indicators"]["gni"] == 0.0


def test_reversing_direction_gives_one_minus_the_score():
    higher = document(component("c", indicator("x", 0, 40, 10), indicator("y", 1, 1000, 50)))
    lower = copy.deepcopy(higher)
    for item in lower["components"][0]["indicators"]:
        item["direction"] = "lower-is-better"
    lower["components"][0]["indicators"][1]["transform"] = "log"
    higher["components"][0]["indicators"][1]["transform"] = "log"
    for values in [(13.0, 7.0), (-3.0, 0.5), (55.0, 2000.0), (0.0, 1.0)]:
        up = only_row(parse_standard(higher), *values)["indicators"]
        down = only_row(parse_standard(lower), *values)["indicators"]
        assert down == {code: 1 - score for code, score in up.items()}


def test_a_change_of_units_changes_nothing():
    doc = synthetic_document()
    scaled = copy.deepcopy(doc)
    for item in scaled["components"]:
        for ind in item["indicators"]:
            ind["goalposts"] = {k: v * 1000 for k, v in ind["goalposts"].items()}
            ind["threshold"] *= 1000
            if ind.get("floor") is not None:
                ind["floor"] *= 1000
    standard, big = parse_standard(doc), parse_standard(scaled)
    panel = random_panel(standard, np.random.default_rng(2), missing=0.1)
    bigger = Panel(panel.values * 1000, panel.indicators, panel.regions, panel.years)
    one, other = evaluate(standard, panel), evaluate(big, bigger)
    np.testing.assert_allclose(one.indicator_scores, other.indicator_scores, atol=1e-12)
    np.testing.assert_allclose(one.index, other.index, atol=1e-12)
    assert index_threshold(standard) == pytest.approx(index_threshold(big), abs=1e-12)
    assert [r["sufficient"] for r in one.rows()] == [r["sufficient"] for r in other.rows()]


def test_a_constant_indicator_is_a_clear_standard_error():
    doc = document(component("c", indicator("flat", 5, 5, 5)))
    with pytest.raises(StandardError) as raised:
        parse_standard(doc)
    assert (
        str(raised.value) == "components[0].indicators[0].goalposts: low (5) must be below high (5)"
    )


# --- monotonicity --------------------------------------------------------------------


@pytest.mark.parametrize(
    "across,within",
    [("geometric", "arithmetic"), ("arithmetic", "geometric"), ("geometric", "geometric")],
)
def test_improving_any_single_indicator_never_lowers_any_score(across, within):
    standard = parse_standard(synthetic_document(across, within))
    rng = np.random.default_rng(20251)
    for _ in range(60):
        panel = random_panel(standard, rng, regions=4, missing=0.15)
        i, r, y = (rng.integers(n) for n in panel.values.shape)
        if np.isnan(panel.values[i, r, y]):
            continue
        spec = standard.indicators[i]
        step = rng.uniform(0, 0.5) * (spec.high - spec.low)
        better = panel.values.copy()
        better[i, r, y] += step if spec.higher_is_better else -step
        before = evaluate(standard, panel)
        after = evaluate(standard, Panel(better, panel.indicators, panel.regions, panel.years))
        for name in ("indicator_scores", "component_scores", "index"):
            old, new = getattr(before, name), getattr(after, name)
            assert np.array_equal(np.isnan(old), np.isnan(new))
            assert (np.nan_to_num(new) >= np.nan_to_num(old) - 1e-12).all(), name
        assert (after.sufficient >= before.sufficient).all()


# --- aggregation ---------------------------------------------------------------------


def test_geometric_aggregation_never_exceeds_arithmetic():
    geometric = parse_standard(synthetic_document("geometric", "geometric"))
    arithmetic = what_if(
        geometric,
        aggregation={"across_components": "arithmetic", "within_components": "arithmetic"},
    )
    panel = random_panel(geometric, np.random.default_rng(3), regions=40, missing=0.1)
    low, high = evaluate(geometric, panel), evaluate(arithmetic, panel)
    assert (
        np.nan_to_num(low.component_scores) <= np.nan_to_num(high.component_scores) + 1e-12
    ).all()
    assert (np.nan_to_num(low.index) <= np.nan_to_num(high.index) + 1e-12).all()
    assert index_threshold(geometric) <= index_threshold(arithmetic)


def test_a_geometric_mean_with_a_zero_score_is_zero():
    standard = parse_standard(hdi_document())
    assert only_row(standard, 20, 9, 6, 5000)["index"] == 0.0


def test_a_zero_weight_removes_an_indicator_exactly():
    doc = synthetic_document("geometric", "geometric")
    zeroed = copy.deepcopy(doc)
    zeroed["components"][2]["indicators"][1]["weight"] = 0
    removed = copy.deepcopy(doc)
    del removed["components"][2]["indicators"][1]
    with_zero, without = parse_standard(zeroed), parse_standard(removed)
    panel = random_panel(with_zero, np.random.default_rng(4), missing=0.2)
    keep = [i for i, code in enumerate(panel.indicators) if code != "synthetic-water"]
    smaller = Panel(panel.values[keep], without.indicator_codes, panel.regions, panel.years)
    one, other = evaluate(with_zero, panel), evaluate(without, smaller)
    for name in ("component_scores", "index", "coverage", "sufficient", "has_verdict"):
        assert np.array_equal(getattr(one, name), getattr(other, name), equal_nan=True), name
    assert component_thresholds(with_zero) == component_thresholds(without)
    assert index_threshold(with_zero) == index_threshold(without)


def test_all_zero_weights_are_an_error():
    doc = synthetic_document()
    for item in doc["components"][2]["indicators"]:
        item["weight"] = 0
    with pytest.raises(StandardError, match=r"^components\[2\]\.indicators: weights are all zero"):
        parse_standard(doc)
    doc = synthetic_document()
    for item in doc["components"]:
        item["weight"] = 0.0
    with pytest.raises(StandardError, match=r"^components: weights are all zero"):
        parse_standard(doc)


# --- thresholds and stability --------------------------------------------------------


def test_a_region_exactly_at_every_threshold_is_sufficient():
    for across, within in [("geometric", "arithmetic"), ("arithmetic", "geometric")]:
        doc = synthetic_document(across, within)
        doc["verdict"]["max_failed_components"] = 0
        standard = parse_standard(doc)
        row = only_row(standard, *(i.threshold for i in standard.indicators))
        assert row["sufficient"] is True
        assert row["failed_components"] == [] and row["floor_breaches"] == []
        assert row["index"] == pytest.approx(index_threshold(standard), abs=1e-12)
        assert row["components"] == pytest.approx(component_thresholds(standard), abs=1e-12)


def test_just_below_one_threshold_fails_that_component_and_max_failed_components_counts_them():
    doc = synthetic_document("arithmetic")
    doc["verdict"]["max_failed_components"] = 0
    standard = parse_standard(doc)
    at = [i.threshold for i in standard.indicators]
    at[2] -= 1  # life expectancy a year short
    row = only_row(standard, *at)
    assert row["failed_components"] == ["health"] and row["sufficient"] is False
    lenient = what_if(standard, max_failed_components=1, thresholds={"synthetic-life": 60})
    assert only_row(lenient, *at)["failed_components"] == []


def test_an_explicit_component_threshold_replaces_the_derived_one():
    doc = with_component_fields(synthetic_document(), 1, threshold=0.9)
    standard = parse_standard(doc)
    assert component_thresholds(standard)["health"] == 0.9
    derived = component_thresholds(parse_standard(synthetic_document()))
    assert derived["health"] == pytest.approx((65 - 40) / 45)


def test_a_value_worse_than_its_floor_makes_a_region_not_sufficient():
    standard = parse_standard(synthetic_document("arithmetic"))
    values = [75000, 0, 85, 0, 1, 10, 16]  # the best everywhere but crime above its floor
    row = only_row(standard, *values)
    assert row["floor_breaches"] == ["synthetic-crime"]
    assert row["failed_components"] == ["safety"]  # within max_failed_components = 1
    assert row["index"] > index_threshold(standard)
    assert row["sufficient"] is False


def test_results_do_not_depend_on_region_order():
    standard = parse_standard(synthetic_document())
    panel = random_panel(standard, np.random.default_rng(5), missing=0.1)
    order = np.random.default_rng(6).permutation(len(panel.regions))
    shuffled = Panel(
        panel.values[:, order], panel.indicators, [panel.regions[n] for n in order], panel.years
    )
    rows = {(r["region"], r["year"]): r for r in evaluate(standard, panel).rows()}
    again = {(r["region"], r["year"]): r for r in evaluate(standard, shuffled).rows()}
    assert rows == again


def test_results_do_not_depend_on_indicator_or_year_order_of_the_panel():
    standard = parse_standard(synthetic_document())
    panel = random_panel(standard, np.random.default_rng(7), missing=0.2)
    flipped = Panel(
        panel.values[::-1, :, ::-1], panel.indicators[::-1], panel.regions, panel.years[::-1]
    )
    assert evaluate(standard, panel).rows() == evaluate(standard, flipped).rows()


def test_dropping_a_region_leaves_the_others_unchanged():
    standard = parse_standard(synthetic_document())
    panel = random_panel(standard, np.random.default_rng(8), missing=0.1)
    fewer = Panel(panel.values[:, 1:], panel.indicators, panel.regions[1:], panel.years)
    rows = evaluate(standard, panel).rows()
    assert [r for r in rows if r["region"] != panel.regions[0]] == evaluate(standard, fewer).rows()


# --- missing data --------------------------------------------------------------------


def test_a_missing_indicator_is_left_out_with_its_weight_never_counted_as_zero():
    standard = parse_standard(synthetic_document("arithmetic"))
    zero = only_row(standard, 2000, 10, 65, 100, 0.8, 4, 5)  # crowding at its worst: 0
    gap = only_row(standard, 2000, 10, 65, None, 0.8, 4, 5)  # crowding missing
    assert gap["indicators"]["synthetic-crowding"] is None
    assert zero["components"]["housing"] == pytest.approx((0 + 0.8 + 2 * 0.4) / 4)
    assert gap["components"]["housing"] == pytest.approx((0.8 + 2 * 0.4) / 3)  # renormalised
    assert gap["coverage"] == pytest.approx(1 - 0.25 * 1 / 4)
    assert gap["coverage_ok"] is True and gap["sufficient"] is not None


def test_a_component_below_min_coverage_leaves_no_index_and_no_verdict():
    standard = parse_standard(synthetic_document("arithmetic"))
    row = only_row(standard, 2000, 10, 65, None, None, 4, None)  # housing at 2/4, safety at 0
    assert row["components"]["housing"] == pytest.approx(0.4)  # 0.5 is enough
    assert row["components"]["safety"] is None
    assert row["components_covered"] == {
        "income": True,
        "health": True,
        "housing": True,
        "safety": False,
    }
    assert row["index"] is None and row["sufficient"] is None
    assert row["reason"] == "coverage" and row["coverage_ok"] is False
    assert row["coverage"] == pytest.approx(1 - 0.25 * 2 / 4 - 0.25)
    stricter = what_if(standard, weights={"synthetic-rooms": 0.5})
    assert only_row(stricter, 2000, 10, 65, None, None, 4, 5)["components"]["housing"] is None


def test_carry_forward_takes_the_latest_value_at_most_n_years_back_and_flags_it():
    standard = parse_standard(synthetic_document())  # carry_forward_years: 2
    years = [2015, 2016, 2017, 2018, 2020]
    values = np.tile(np.array([2000, 10, 65, 30, 0.8, 4, 5.0])[:, None, None], (1, 1, 5))
    values[2, 0, 1:] = np.nan  # life expectancy seen in 2015 only
    values[6, 0, 3] = np.nan  # crime missing in 2018: 2017 carried
    values[6, 0, 4] = np.nan  # ... and in 2020: 2017 is three years back, too old
    rows = evaluate(standard, Panel(values, standard.indicator_codes, ["SYNTH"], years)).rows()
    carried = {r["year"]: r["carried"] for r in rows}
    assert carried[2015] == []
    assert carried[2016] == carried[2017] == [{"indicator": "synthetic-life", "from_year": 2015}]
    assert carried[2018] == [{"indicator": "synthetic-crime", "from_year": 2017}]
    assert carried[2020] == []
    by_year = {r["year"]: r for r in rows}
    assert by_year[2017]["values"]["synthetic-life"] == 65
    assert by_year[2018]["components"]["health"] is None  # 2015 is three years back
    assert by_year[2020]["index"] is None and by_year[2020]["reason"] == "coverage"


def test_no_carry_forward_by_default():
    doc = synthetic_document()
    del doc["missing"]["carry_forward_years"]
    standard = parse_standard(doc)
    values = np.array([[[2000, np.nan]]] * 7)
    rows = evaluate(
        standard, Panel(values, standard.indicator_codes, ["SYNTH"], [2020, 2021])
    ).rows()
    assert rows[1]["carried"] == [] and rows[1]["index"] is None


# --- reproducibility -----------------------------------------------------------------


def test_the_same_seed_gives_identical_uncertainty_and_another_seed_other_draws():
    standard = parse_standard(synthetic_document())
    panel = random_panel(standard, np.random.default_rng(9), regions=15)
    one = uncertainty(standard, panel, 2021, draws=1000, sobol_samples=256)
    two = uncertainty(standard, panel, 2021, draws=1000, sobol_samples=256)
    other = uncertainty(standard, panel, 2021, draws=1000, seed=7, sobol_samples=256)
    assert np.array_equal(one.ranks, two.ranks)
    assert one.rows() == two.rows() and one.sobol == two.sobol
    assert not np.array_equal(one.ranks, other.ranks)
    assert one.sobol != other.sobol


# --- the document --------------------------------------------------------------------

FULL_YAML = """
format: qadam-qol-standard/1
code: synthetic-sufficient-qol
title: {en: Synthetic sufficient QoL, ru: Синтетический стандарт, kk: Синтетикалық стандарт}
description: {en: A synthetic standard for tests}
aggregation:
  across_components: geometric
  within_components: arithmetic
verdict:
  max_failed_components: 1
  index_rule: threshold-region
missing:
  min_coverage: 0.5
  carry_forward_years: 2
components:
  - code: income
    name: {en: Income, ru: Доход, kk: Табыс}
    weight: 1.0
    threshold: null
    indicators:
      - code: "1-2-1"
        name: {en: Synthetic poverty rate}
        source: {dataset: kazstat-sdg, indicator: "1-2-1", series: "", unit: "PT",
                 disaggregation: {}, relative_to_national: false}
        direction: lower-is-better
        transform: none
        goalposts: {low: 0.0, high: 40.0}
        threshold: 10.0
        weight: 1.0
        floor: 30
        rationale: {en: "synthetic", ru: "...", kk: "..."}
      - code: kz-cash-income
        name: {en: Synthetic income}
        source: {dataset: kz-stats, indicator: kz-cash-income, relative_to_national: true}
        direction: higher-is-better
        transform: log
        goalposts: {low: 50, high: 200}
        threshold: 80
        weight: 2
        floor: null
        rationale: {en: "synthetic"}
  - code: health
    name: {en: Health}
    weight: 0.5
    threshold: 0.6
    indicators:
      - code: kz-life-expectancy
        name: {en: Synthetic life expectancy}
        source: {dataset: kz-stats, indicator: kz-life-expectancy}
        direction: higher-is-better
        transform: none
        goalposts: {low: 20, high: 85}
        threshold: 70
        weight: 1
        floor: null
        rationale: {}
"""

MINIMAL_YAML = """
format: qadam-qol-standard/1
code: synthetic-minimal
title: {en: Synthetic minimal}
components:
  - code: health
    name: {en: Health}
    indicators:
      - code: kz-life-expectancy
        name: {en: Synthetic life expectancy}
        source: {dataset: kz-stats, indicator: kz-life-expectancy}
        direction: higher-is-better
        goalposts: {low: 20, high: 85}
        threshold: 70
"""


@pytest.mark.parametrize("text", [FULL_YAML, MINIMAL_YAML, yaml.safe_dump(synthetic_document())])
def test_a_document_round_trips_exactly(text):
    doc = yaml.safe_load(text)
    standard = parse_standard(doc)
    assert standard.to_document() == doc
    assert parse_standard(standard.to_document()) == standard


def test_left_out_keys_take_their_defaults():
    standard = parse_standard(yaml.safe_load(MINIMAL_YAML))
    assert (standard.across_components, standard.within_components) == ("geometric", "arithmetic")
    assert (standard.max_failed_components, standard.min_coverage) == (0, 0.5)
    assert standard.carry_forward_years == 0
    spec = standard.indicators[0]
    assert (spec.transform, spec.weight, spec.floor) == ("none", 1.0, None)
    assert standard.components[0].threshold is None


def test_what_if_returns_a_validated_modified_copy():
    standard = parse_standard(yaml.safe_load(FULL_YAML))
    changed = what_if(
        standard,
        weights={"health": 2, "kz-cash-income": 0},
        thresholds={"health": None, "1-2-1": 15},
        aggregation="arithmetic",
    )
    assert changed.components[1].weight == 2 and changed.components[1].threshold is None
    assert changed.indicators[1].weight == 0 and changed.indicators[0].threshold == 15
    assert changed.across_components == "arithmetic"
    assert standard.to_document() == yaml.safe_load(FULL_YAML)  # the original is untouched
    with pytest.raises(StandardError, match=r"components\[0\]\.indicators\[0\]\.threshold: 50"):
        what_if(standard, thresholds={"1-2-1": 50})
    with pytest.raises(StandardError, match="'housing' is no component or indicator"):
        what_if(standard, weights={"housing": 1})
    with pytest.raises(
        StandardError, match=r"^components\[1\]\.weight: must be a finite number >= 0"
    ):
        what_if(standard, weights={"health": -1})


def _broken(path, value):
    """FULL_YAML with the value at ``path`` (keys and list positions) replaced or removed."""
    doc = yaml.safe_load(FULL_YAML)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


DELETE = object()
IND = ("components", 0, "indicators", 0)


@pytest.mark.parametrize(
    "path,value,message",
    [
        (("format",), "qadam-qol-standard/2", "format: must be 'qadam-qol-standard/1'"),
        (("code",), "Bad Code", "code: must be a slug"),
        (("title",), {"ru": "только русский"}, "title: needs an English text (en)"),
        (
            ("components", 1, "code"),
            "income",
            "components[1].code: 'income' repeats components[0].code",
        ),
        (
            ("components", 1, "indicators", 0, "code"),
            "1-2-1",
            "components[1].indicators[0].code: '1-2-1' repeats",
        ),
        (
            ("components", 1, "indicators"),
            [],
            "components[1].indicators: needs a list of 1 to 3 indicators, got 0",
        ),
        (
            (*IND, "direction"),
            "up",
            "components[0].indicators[0].direction: must be one of higher-is-better, lower-is",
        ),
        (
            (*IND, "transform"),
            "sqrt",
            "components[0].indicators[0].transform: must be one of none, log",
        ),
        (
            ("aggregation", "across_components"),
            "harmonic",
            "aggregation.across_components: must be one of arithmetic, geometric",
        ),
        (
            (*IND, "goalposts"),
            {"low": 5, "high": 5},
            "components[0].indicators[0].goalposts: low (5) must be below high (5)",
        ),
        (
            (*IND, "goalposts"),
            {"low": 50, "high": 5.5},
            "components[0].indicators[0].goalposts: low (50) must be below high (5.5)",
        ),
        (
            ("components", 0, "indicators", 1, "goalposts", "low"),
            0,
            "components[0].indicators[1].goalposts: the log transform needs low above 0",
        ),
        (
            (*IND, "weight"),
            -1,
            "components[0].indicators[0].weight: must be a finite number >= 0, got -1",
        ),
        (
            (*IND, "threshold"),
            45,
            "components[0].indicators[0].threshold: 45 must lie within the goalposts [0, 40]",
        ),
        (
            (*IND, "floor"),
            5,
            "components[0].indicators[0].floor: 5 is better than the threshold (10)",
        ),
        (
            ("components", 1, "threshold"),
            1.5,
            "components[1].threshold: must be null or a score in [0, 1], got 1.5",
        ),
        (("missing", "min_coverage"), 0, "missing.min_coverage: must be in (0, 1], got 0"),
        (
            ("missing", "carry_forward_years"),
            1.5,
            "missing.carry_forward_years: must be a whole number >= 0, got 1.5",
        ),
        (
            ("verdict", "max_failed_components"),
            -1,
            "verdict.max_failed_components: must be a whole number >= 0",
        ),
        (
            ("verdict", "index_rule"),
            "median",
            "verdict.index_rule: must be one of threshold-region",
        ),
        (
            ("components", 1, "name"),
            {"kk": "Денсаулық"},
            "components[1].name: needs an English text (en)",
        ),
        ((*IND, "treshold"), 10, "components[0].indicators[0]: unknown key 'treshold'"),
        ((*IND, "source"), DELETE, "components[0].indicators[0]: missing key 'source'"),
        (
            (*IND, "source", "dataset"),
            "",
            "components[0].indicators[0].source.dataset: must be a non-empty text",
        ),
        (("components",), [], "components: must be a non-empty list"),
    ],
)
def test_each_error_message_names_its_path_in_the_document(path, value, message):
    with pytest.raises(StandardError) as raised:
        parse_standard(_broken(path, value))
    assert any(error.startswith(message) for error in raised.value.errors), raised.value.errors


def test_all_problems_are_reported_at_once():
    doc = _broken(("code",), "Bad Code")
    doc["missing"]["min_coverage"] = 2
    with pytest.raises(StandardError) as raised:
        parse_standard(doc)
    assert [e.split(":")[0] for e in raised.value.errors] == ["code", "missing.min_coverage"]
    assert isinstance(raised.value, ValueError)


def test_a_document_that_is_not_a_mapping_is_an_error():
    with pytest.raises(StandardError, match=r"^document: must be a mapping, got list"):
        parse_standard([1, 2])


# --- panels --------------------------------------------------------------------------


def test_a_panel_whose_shape_or_codes_do_not_match_raises_a_clear_value_error():
    standard = parse_standard(synthetic_document())
    codes = standard.indicator_codes
    with pytest.raises(ValueError, match=r"shape \(7, 2, 1\); .* say \(7, 3, 1\)"):
        Panel(np.zeros((7, 2, 1)), codes, ["A", "B", "C"], [2020])
    with pytest.raises(ValueError, match="regions must be unique"):
        Panel(np.zeros((7, 2, 1)), codes, ["A", "A"], [2020])
    with pytest.raises(ValueError, match="finite numbers or NaN"):
        Panel(np.full((7, 1, 1), np.inf), codes, ["A"], [2020])
    wrong = Panel(np.zeros((7, 1, 1)), (*codes[:-1], "synthetic-other"), ["A"], [2020])
    with pytest.raises(
        ValueError,
        match=r"missing \['synthetic-crime'\], not in the standard \['synthetic-other'\]",
    ):
        evaluate(standard, wrong)


def test_a_panel_copies_its_values_so_the_callers_array_can_change():
    standard = parse_standard(hdi_document())
    values = np.array([[[81.6]], [[17.5]], [[12.6]], [[64992.0]]])
    panel = Panel(values, standard.indicator_codes, ["SYNTH"], [2015])
    values[:] = 0
    assert round(evaluate(standard, panel).rows()[0]["index"], 3) == 0.944
