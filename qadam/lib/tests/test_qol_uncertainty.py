"""Monte Carlo rank intervals and Sobol indices of the QoL engine, and the Sobol
estimators themselves against the Ishigami function's analytic indices."""

import numpy as np
import pytest

from qadam.lib.qol import DEFAULT_SEED, Panel, evaluate, parse_standard, uncertainty
from qadam.lib.qol.sobol import saltelli_design, sobol_indices
from qadam.lib.tests.test_qol import random_panel, synthetic_document


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_the_sobol_estimators_recover_the_ishigami_indices_to_two_decimals():
    # Analytic values for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2010).
    first = [0.3139, 0.4424, 0.0]
    total = [0.5576, 0.4424, 0.2437]
    a, b, mixed = saltelli_design([1, 1, 1], 2**14, seed=20251)

    def run(u):
        return ishigami((2 * u - 1) * np.pi)

    s1, st = sobol_indices(run(a), run(b), [run(ab) for ab in mixed])
    np.testing.assert_allclose(s1, first, atol=0.005)
    np.testing.assert_allclose(st, total, atol=0.005)


def test_a_group_of_factors_counts_as_one():
    # y = x0 + x1 + x2: the group {x0, x1} explains two thirds of the variance.
    a, b, mixed = saltelli_design([2, 1], 2**12, seed=1)
    s1, st = sobol_indices(a.sum(1), b.sum(1), [ab.sum(1) for ab in mixed])
    np.testing.assert_allclose(s1, [2 / 3, 1 / 3], atol=0.01)
    np.testing.assert_allclose(st, [2 / 3, 1 / 3], atol=0.01)


def test_sobol_samples_must_be_a_power_of_two():
    with pytest.raises(ValueError, match="power of 2"):
        saltelli_design([1], 1000, seed=1)


@pytest.fixture(scope="module")
def synthetic():
    standard = parse_standard(synthetic_document())
    panel = random_panel(standard, np.random.default_rng(11), regions=20, missing=0.05)
    return standard, panel


def test_uncertainty_defaults_to_1000_draws_and_seed_20251(synthetic):
    standard, panel = synthetic
    result = uncertainty(standard, panel, 2021, sobol_samples=256)
    assert result.ranks.shape == (1000, len(result.regions))
    assert (result.draws, result.seed, DEFAULT_SEED) == (1000, 20251, 20251)


def test_rank_intervals_hold_the_median_and_wide_means_at_least_wide_ranks(synthetic):
    standard, panel = synthetic
    result = uncertainty(standard, panel, 2021, sobol_samples=256, wide_ranks=3)
    rows = result.rows()
    assert [row["nominal_rank"] for row in rows] == sorted(row["nominal_rank"] for row in rows)
    for row in rows:
        assert 1 <= row["rank_p5"] <= row["median_rank"] <= row["rank_p95"] <= len(rows)
        assert row["interval"] == row["rank_p95"] - row["rank_p5"]
        assert row["wide"] == (row["interval"] >= 3)
    assert any(row["wide"] for row in rows) and not all(row["wide"] for row in rows)
    nominal = evaluate(standard, panel).index[:, -1]
    best = panel.regions[int(np.nanargmax(nominal))]
    assert rows[0]["region"] == best and rows[0]["nominal_rank"] == 1


def test_without_any_variation_every_draw_is_the_nominal_ranking(synthetic):
    standard, panel = synthetic
    result = uncertainty(
        standard,
        panel,
        2021,
        draws=50,
        weight_range=(1, 1),
        goalpost_shift=0,
        vary_aggregation=False,
        sobol_samples=64,
    )
    assert (result.ranks == result.nominal_rank).all()
    assert not result.wide.any()
    assert result.sobol == {
        group: {"S1": None, "ST": None} for group in ("weights", "goalposts", "aggregation")
    }


def test_sobol_indices_are_shares_of_the_rank_shift_variance(synthetic):
    standard, panel = synthetic
    result = uncertainty(standard, panel, 2021, sobol_samples=1024)
    for group in ("weights", "goalposts", "aggregation"):
        s1, st = result.sobol[group]["S1"], result.sobol[group]["ST"]
        assert -0.1 <= s1 <= st + 0.1 and 0 <= st <= 1.2
    assert set(result.sobol_by_region) == set(result.regions)
    fixed = uncertainty(standard, panel, 2021, vary_aggregation=False, sobol_samples=256)
    assert fixed.sobol["aggregation"] == {"S1": 0.0, "ST": 0.0}


def test_regions_without_an_index_are_left_out_of_the_ranking_and_listed(synthetic):
    standard, panel = synthetic
    values = panel.values.copy()
    values[-1, :3, :] = np.nan  # safety (one indicator) never seen in three regions
    gappy = Panel(values, panel.indicators, panel.regions, panel.years)
    result = uncertainty(standard, gappy, 2021, draws=200, sobol_samples=64)
    assert result.excluded == panel.regions[:3]
    assert result.regions == panel.regions[3:]
    ranks = [row["nominal_rank"] for row in result.rows()]
    assert len(ranks) == 17 and sum(ranks) == 17 * 18 / 2  # ties share, ranks still add up


def test_ties_share_the_average_rank():
    standard = parse_standard(synthetic_document())
    row = np.array([2000, 10, 65, 30, 0.8, 4, 5.0])
    values = np.stack([row, row, row * 0.9 + 0.01]).T[:, :, None]
    panel = Panel(values, standard.indicator_codes, ["SYNTH-A", "SYNTH-B", "SYNTH-C"], [2020])
    result = uncertainty(standard, panel, 2020, draws=100, sobol_samples=64)
    ranks = dict(zip(result.regions, result.nominal_rank, strict=True))
    assert ranks["SYNTH-A"] == ranks["SYNTH-B"]
    assert ranks["SYNTH-C"] in (1.0, 3.0) and ranks["SYNTH-A"] in (1.5, 2.5)
    assert (result.ranks[:, 0] == result.ranks[:, 1]).all()


def test_bad_settings_or_an_unknown_year_raise_value_errors(synthetic):
    standard, panel = synthetic
    with pytest.raises(ValueError, match="year 1999 is not in the panel"):
        uncertainty(standard, panel, 1999)
    with pytest.raises(ValueError, match="goalpost_shift"):
        uncertainty(standard, panel, 2021, goalpost_shift=0.5)
    with pytest.raises(ValueError, match="weight_range"):
        uncertainty(standard, panel, 2021, weight_range=(1.25, 0.75))
