"""Active pair selection policies."""

import numpy as np
import pytest

from annotation.quality import pair_priorities, rank_pairs

CANDIDATES = [(1, "x", "y"), (2, "x", "z"), (3, "y", "z"), (4, "z", "w")]
SCORES = {"x": 2.0, "y": 0.0, "z": 0.3, "w": -2.5}  # |d|: 2.0, 1.7, 0.3, 2.8


def test_uncertainty_puts_the_closest_pair_first():
    assert rank_pairs(CANDIDATES, "uncertainty", scores=SCORES) == [3, 2, 1, 4]
    # With ties in the model the ranking by closeness is the same; equal items score ln 3 at nu = 1.
    assert rank_pairs(CANDIDATES, "uncertainty", scores=SCORES, tie_param=1.0) == [3, 2, 1, 4]
    equal = pair_priorities([(9, "x", "x2")], "uncertainty", scores={"x": 1.0, "x2": 1.0}, tie_param=1.0)
    assert equal[9] == pytest.approx(np.log(3))


def test_uncertain_scores_move_a_pair_ahead_of_an_equally_close_certain_one():
    candidates = [(1, "known_a", "known_b"), (2, "new_a", "new_b")]
    scores = {"known_a": 1.0, "known_b": 0.0, "new_a": 1.0, "new_b": 0.0}
    uncertainties = {"known_a": 0.05, "known_b": 0.05, "new_a": 1.5, "new_b": 1.5}
    assert rank_pairs(candidates, "uncertainty", scores=scores, uncertainties=uncertainties) == [2, 1]
    # Unscored items sit at the prior (score 0, prior_sd) instead of failing cold start.
    # Here both gaps are 2.0, but "unseen" carries prior_sd = 1 while y is known to +-0.1.
    cold = [(6, "x", "y"), (5, "x", "unseen")]
    assert rank_pairs(cold, "uncertainty", scores=SCORES, uncertainties={"x": 0.1, "y": 0.1}) == [5, 6]


def test_breadth_first_puts_the_least_voted_pair_first():
    votes = {1: 3, 2: 0, 3: 1}  # pair 4 never voted
    order = rank_pairs(CANDIDATES, "breadth_first", votes_so_far=votes)
    assert order[:2] == [2, 4] and order[2:] == [3, 1]
    assert rank_pairs([10, 11, 12], "breadth_first", votes_so_far={10: 2, 11: 1, 12: 2}) == [11, 10, 12]


def test_random_policy_is_reproducible_for_a_seed():
    ids = list(range(50))
    assert rank_pairs(ids, "random", rng=7) == rank_pairs(ids, "random", rng=np.random.default_rng(7))
    assert rank_pairs(ids, "random", rng=7) != rank_pairs(ids, "random", rng=8)
    assert sorted(rank_pairs(ids, "random", rng=7)) == ids
    with pytest.raises(ValueError, match="needs rng"):
        rank_pairs(ids, "random")


def test_equal_priorities_are_broken_by_seeded_shuffle_or_input_order():
    ids = list(range(20))
    assert rank_pairs(ids, "breadth_first") == ids
    assert rank_pairs(ids, "breadth_first", rng=3) == rank_pairs(ids, "breadth_first", rng=3) != ids
    # uncertainty ties fall back to fewer votes first
    tied = [(1, "a", "b"), (2, "c", "d")]
    assert rank_pairs(tied, "uncertainty", scores={}, votes_so_far={1: 2, 2: 0}) == [2, 1]


def test_bad_requests_explain_the_fix():
    with pytest.raises(ValueError, match="policy must be one of"):
        rank_pairs(CANDIDATES, "greedy")
    with pytest.raises(ValueError, match="needs scores"):
        rank_pairs(CANDIDATES, "uncertainty")
    with pytest.raises(ValueError, match="not bare ids"):
        rank_pairs([1, 2], "uncertainty", scores=SCORES)
    with pytest.raises(ValueError, match="unique"):
        rank_pairs([1, 1], "breadth_first")
