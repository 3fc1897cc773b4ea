"""Overlap detection on tiny synthetic recommendations (made up for these tests)."""

from __future__ import annotations

from qadam.lib.ml.overlap import (
    OPERATING_THRESHOLD,
    explain_pair,
    group,
    pair_scores,
    score_pairs,
)

# Synthetic texts: phrased like UPR recommendations, not taken from any report.
SYNTHETIC = [
    "Ratify the Optional Protocol to the Convention against Torture",  # 0
    "Consider ratifying OP-CAT",  # 1
    "Abolish the death penalty",  # 2
    "Take measures to abolish the death penalty for all crimes",  # 3
    "Ratify the Convention on the Rights of Persons with Disabilities",  # 4
    "Ratify the Optional Protocol to CRPD",  # 5
    "Improve school meals in rural districts",  # 6
    "Ensure freedom of peaceful assembly and repeal the permit requirement for demonstrations",
    "Ensure the right to peaceful assembly by removing the permit requirement",  # 8
]


def groups_of(texts: list[str]) -> list[set[str]]:
    return [set(g.ids) for g in group(texts)]


def test_the_same_demand_from_two_states_groups_together() -> None:
    found = groups_of(SYNTHETIC)
    assert {"0", "1"} in found
    assert {"2", "3"} in found
    assert {"7", "8"} in found


def test_different_demands_on_the_same_theme_stay_apart() -> None:
    found = groups_of(SYNTHETIC)
    # A treaty and its optional protocol are two ratifications, two actions.
    assert not any({"4", "5"} <= g for g in found)
    assert not any("6" in g for g in found)


def test_chaining_does_not_merge_unrelated_texts() -> None:
    # Synthetic chain: each neighbour shares half its words with the next, the ends nothing.
    chain = [
        "Protect journalists covering elections",
        "Protect journalists and bloggers",
        "Train bloggers and teachers",
        "Train teachers in rural schools",
    ]
    scores = score_pairs(chain, [(0, 1), (1, 2), (2, 3), (0, 3)])
    assert scores[3] < OPERATING_THRESHOLD
    # At 0.1 every link of the chain counts, so all four are one connected component;
    # complete linkage still keeps the ends apart.
    found = group(chain, threshold=0.1)
    assert [set(g.ids) for g in found] == [{"0", "1"}, {"2", "3"}]
    assert all(g.min_similarity >= 0.1 for g in found)


def test_explain_pair_names_the_shared_instrument_and_words() -> None:
    shared = explain_pair(
        "Sign and ratify the Optional Protocol to the Convention against Torture promptly",
        "Consider acceding to OP-CAT promptly",
    )
    assert shared[0] == "OP-CAT"
    assert "promptly" in shared
    assert "consider" not in shared  # boilerplate never explains a match


def test_empty_input_and_a_single_text_make_no_groups() -> None:
    assert group([]) == []
    assert group(["Abolish the death penalty"]) == []
    assert pair_scores(["Abolish the death penalty"]).nnz == 0
    single = group(["Abolish the death penalty"], min_size=1)
    assert [g.ids for g in single] == [("0",)]


def test_output_order_is_deterministic_and_follows_input_order() -> None:
    ids = [f"rec-{i}" for i in range(len(SYNTHETIC))]
    first = group(SYNTHETIC, ids)
    assert first == group(SYNTHETIC, ids)
    starts = [ids.index(g.ids[0]) for g in first]
    assert starts == sorted(starts)
    for g in first:
        assert list(g.ids) == sorted(g.ids, key=ids.index)
        assert g.representative in g.ids
        assert 0 < g.min_similarity <= g.mean_similarity <= 1


def test_pair_scores_holds_only_the_upper_triangle() -> None:
    matrix = pair_scores(SYNTHETIC, min_score=0.0).tocoo()
    assert all(r < c for r, c in zip(matrix.row, matrix.col, strict=True))
    assert matrix.shape == (len(SYNTHETIC), len(SYNTHETIC))
