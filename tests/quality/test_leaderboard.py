"""Generator leaderboard: order, counts, CIs that bracket and shrink."""

import numpy as np
import pytest

from annotation.quality import (
    Comparison,
    Vote,
    comparisons_to_generators,
    generator_leaderboard,
    leaderboard_from_comparisons,
)
from annotation.quality.bradley_terry import outcome_probabilities

GENERATOR_STRENGTH = {"wan": 1.0, "ltx": 0.3, "cog": -0.2, "svd": -1.0}


def simulate_study(n_pairs, seed=0):
    """Pairs of videos from different generators; 2 votes per pair from a Davidson model."""
    rng = np.random.default_rng(seed)
    generators = list(GENERATOR_STRENGTH)
    video_generator, pair_videos, votes = {}, {}, []
    for pair_id in range(n_pairs):
        ga, gb = rng.choice(len(generators), 2, replace=False)
        va, vb = 2 * pair_id, 2 * pair_id + 1
        video_generator[va], video_generator[vb] = generators[ga], generators[gb]
        pair_videos[pair_id] = (va, vb)
        p = outcome_probabilities(GENERATOR_STRENGTH[generators[ga]] - GENERATOR_STRENGTH[generators[gb]], 0.5)[0]
        for annotator in (1, 2):
            outcome = rng.choice(3, p=p)
            strength = {0: -int(rng.integers(1, 3)), 1: int(rng.integers(1, 3)), 2: 0}[outcome]
            votes.append(Vote(pair_id, annotator, "appeal", strength))
    return votes, pair_videos, video_generator


def test_leaderboard_ranks_generators_by_true_strength_with_bracketing_cis():
    votes, pair_videos, video_generator = simulate_study(600)
    rows = generator_leaderboard(votes, pair_videos, video_generator, "appeal", n_boot=80, seed=1)
    assert [r.generator for r in rows] == list(GENERATOR_STRENGTH)
    for row in rows:
        assert row.ci_low <= row.score <= row.ci_high
        assert row.wins + row.losses + row.ties == row.n
        assert row.win_rate == pytest.approx((row.wins + row.ties / 2) / row.n)
    assert sum(r.n for r in rows) == 2 * len(votes)  # every vote counts for both generators
    assert rows[0].scaled == 1.0 and rows[-1].scaled == 0.0


def test_confidence_intervals_shrink_with_more_data():
    small = generator_leaderboard(*simulate_study(100, seed=2), "appeal", n_boot=80, seed=1)
    large = generator_leaderboard(*simulate_study(1600, seed=2), "appeal", n_boot=80, seed=1)
    width = lambda rows: np.mean([r.ci_high - r.ci_low for r in rows])  # noqa: E731
    assert width(large) < width(small) / 2.5  # ~1/sqrt(16) = 1/4 in theory


def test_leaderboard_is_deterministic_for_a_seed():
    study = simulate_study(200, seed=3)
    first = generator_leaderboard(*study, "appeal", n_boot=30, seed=5)
    assert first == generator_leaderboard(*study, "appeal", n_boot=30, seed=5)


def test_counts_match_a_hand_tally_and_same_generator_pairs_are_dropped():
    video_generator = {1: "wan", 2: "svd", 3: "wan"}
    comparisons = comparisons_to_generators(
        [Comparison(1, 2, "a"), Comparison(2, 1, "tie"), Comparison(2, 3, "b"), Comparison(1, 3, "b")], video_generator
    )
    assert len(comparisons) == 3  # 1-vs-3 is wan vs wan
    rows = {r.generator: r for r in leaderboard_from_comparisons(comparisons, n_boot=20)}
    assert (rows["wan"].wins, rows["wan"].losses, rows["wan"].ties) == (2, 0, 1)
    assert rows["wan"].win_rate == pytest.approx(2.5 / 3)
    assert (rows["svd"].wins, rows["svd"].losses, rows["svd"].ties) == (0, 2, 1)
    assert rows["svd"].win_rate == pytest.approx(0.5 / 3)
    with pytest.raises(ValueError, match="no generator"):
        comparisons_to_generators([Comparison(1, 99, "a")], video_generator)
    assert leaderboard_from_comparisons([]) == []
