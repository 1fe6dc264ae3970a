"""Pair consensus: mean, direction with explicit ties, gap and Bayesian confidence."""

import numpy as np
import pytest

from annotation.quality import PairConsensus, Vote, direction_confidence, pair_consensus, summarize_strengths


def votes(pair_id, strengths, dimension="motion"):
    return [Vote(pair_id, annotator, dimension, s) for annotator, s in enumerate(strengths, start=1)]


def test_votes_minus2_minus1_zero_give_a_with_gap_half():
    (c,) = pair_consensus(votes(7, [-2, -1, 0]))
    # Beta(1 + 2, 1 + 0): P(p > 1/2) = 1 - 0.5**3
    assert c == PairConsensus(7, "motion", 3, -1.0, "a", 0.5, 0.875, n_a=2, n_b=0, n_tie=1)


def test_unanimous_much_better_b_has_full_gap():
    (c,) = pair_consensus(votes(1, [2, 2]))
    assert (c.direction, c.gap, c.mean_strength) == ("b", 1.0, 2.0)
    assert c.confidence == pytest.approx(0.875)  # Beta(3, 1) for B


def test_equal_a_and_b_votes_are_a_tie_even_when_strengths_differ():
    (c,) = pair_consensus(votes(1, [-2, 1]))  # mean -0.5 sits on the band edge, counts are equal
    assert c.direction == "tie" and (c.n_a, c.n_b) == (1, 1)
    assert c.gap == pytest.approx(0.25)


def test_mean_inside_tie_band_is_a_tie_and_narrower_band_resolves_it():
    strengths = [-1, 1, 1]  # mean 1/3
    assert summarize_strengths(1, "motion", strengths).direction == "tie"
    assert summarize_strengths(1, "motion", strengths, tie_band=0.25).direction == "b"
    assert summarize_strengths(1, "motion", [0, 0]).direction == "tie"
    with pytest.raises(ValueError, match="tie_band must be >= 0"):
        pair_consensus(votes(1, [0]), tie_band=-1)


def test_tie_confidence_is_one_third_for_a_symmetric_split():
    # Posterior Dirichlet(2, 2, 2): each category is the plurality with probability 1/3.
    assert summarize_strengths(1, "m", [-1, 0, 1]).confidence == pytest.approx(1 / 3)


def test_same_votes_make_a_confident_tie_and_split_votes_a_doubtful_one():
    split = summarize_strengths(1, "m", [-2, 2]).confidence
    one_same = summarize_strengths(1, "m", [0]).confidence
    three_same = summarize_strengths(1, "m", [0, 0, 0]).confidence
    assert split < 1 / 3 < one_same < three_same < 1


def test_tie_confidence_agrees_with_monte_carlo_dirichlet():
    rng = np.random.default_rng(0)
    theta = rng.dirichlet([1 + 2, 1 + 1, 1 + 4], size=200_000)  # (a, same, b)
    expected = np.mean((theta[:, 1] > theta[:, 0]) & (theta[:, 1] > theta[:, 2]))
    assert direction_confidence("tie", n_a=2, n_b=4, n_tie=1) == pytest.approx(expected, abs=5e-3)


def test_consensus_is_sorted_by_pair_then_dimension_and_keeps_latest_vote():
    mixed = votes(3, [1], "smoothness") + votes(1, [2], "motion") + votes(3, [-1], "appeal")
    mixed += [Vote(1, 1, "motion", -2)]  # resubmission replaces the +2
    result = pair_consensus(mixed)
    assert [(c.pair_id, c.dimension) for c in result] == [(1, "motion"), (3, "appeal"), (3, "smoothness")]
    assert result[0].mean_strength == -2 and result[0].votes == 1
    assert pair_consensus(list(reversed(mixed[:-1])) + [mixed[-1]]) == result
