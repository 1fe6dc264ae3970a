"""Active pair selection policies."""

import numpy as np
import pytest

from annotation.quality import (
    adaptive_overlap_target,
    model_hardness,
    pair_priorities,
    rank_pairs,
    votes_contradict,
)

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


# Adaptive overlap: how many votes a pair gets.


def test_a_pair_below_min_votes_asks_for_min_votes():
    assert adaptive_overlap_target({}, voters=0, min_votes=2, max_votes=3) == 2
    assert adaptive_overlap_target({"motion": [-2]}, voters=1, min_votes=2, max_votes=5) == 2


def test_agreeing_votes_close_the_pair_at_its_current_count():
    votes = {"motion": [-2, -1], "appeal": [0, 1], "character": [0, 0]}  # "same" sides with neither
    assert not votes_contradict(votes)
    assert adaptive_overlap_target(votes, voters=2, min_votes=2, max_votes=3) == 2


def test_a_contradiction_in_any_dimension_opens_the_pair_to_max_votes():
    votes = {"motion": [-2, -1], "appeal": [-1, 1]}
    assert votes_contradict(votes)
    assert adaptive_overlap_target(votes, voters=2, min_votes=2, max_votes=3) == 3
    assert adaptive_overlap_target(votes, voters=2, min_votes=2, max_votes=5) == 5


def test_discarded_votes_are_replaced_but_never_beyond_max_votes():
    # one of two submitted votes came from a paused annotator: one more counted vote is needed
    assert adaptive_overlap_target({"motion": [1]}, voters=1, min_votes=2, max_votes=3, discarded=1) == 3
    assert adaptive_overlap_target({"motion": [1, 1]}, voters=2, min_votes=2, max_votes=3, discarded=1) == 3
    assert adaptive_overlap_target({"motion": [1, -1]}, voters=2, min_votes=2, max_votes=3, discarded=1) == 3


def test_min_votes_above_max_votes_means_fixed_overlap():
    assert adaptive_overlap_target({}, voters=0, min_votes=4, max_votes=3) == 3


@pytest.mark.parametrize("kwargs", [dict(min_votes=1, max_votes=3), dict(min_votes=2, max_votes=0),
                                    dict(min_votes=2, max_votes=3, discarded=-1)])
def test_adaptive_overlap_rejects_meaningless_settings(kwargs):
    with pytest.raises(ValueError):
        adaptive_overlap_target({}, voters=0, **kwargs)


def test_model_hardness_is_ln2_for_a_pair_the_model_scores_alike_and_falls_with_the_gap():
    scores = {"a": {"motion": 0.5, "appeal": 0.5}, "b": {"motion": 0.5, "appeal": 0.5},
              "c": {"motion": 0.6, "appeal": 0.9}, "d": {"motion": 0.4}}
    hardness = model_hardness([(1, "a", "b"), (2, "a", "c"), (3, "a", "d"), (4, "a", "unscored")], scores)
    assert hardness[1] == pytest.approx(np.log(2))
    # (a, c): gaps 0.1 and 0.4 -> p = sigmoid(1), sigmoid(4); binary entropies averaged
    p1, p4 = 1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(-4.0))
    h = lambda p: -(p * np.log(p) + (1 - p) * np.log(1 - p))  # noqa: E731
    assert hardness[2] == pytest.approx((h(p1) + h(p4)) / 2)
    assert hardness[3] == pytest.approx(h(p1))  # only the dimension both videos have
    assert 4 not in hardness  # an unscored video: no opinion, not "hard"
    with pytest.raises(ValueError):
        model_hardness([(1, "a", "b")], scores, scale=0)
