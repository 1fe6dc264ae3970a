"""Intraclass correlation against Shrout & Fleiss (1979) and hand-computed values."""

import numpy as np
import pytest

from annotation.quality import RatingVote, icc_1_1, icc_2_1, icc_ratings

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges; published ICC(1,1) = .17, ICC(2,1) = .29.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])


def test_icc_matches_shrout_fleiss_published_table():
    assert round(icc_2_1(SHROUT_FLEISS).icc, 2) == 0.29
    assert round(icc_1_1(list(SHROUT_FLEISS)).icc, 2) == 0.17


def test_unbalanced_one_way_icc_matches_hand_value():
    # groups [1,2], [4,5,3]: grand 3; SSB = 2*1.5^2 + 3*1^2 = 7.5 (df 1); SSW = .5 + 2 = 2.5 (df 3);
    # k0 = (5 - 13/5) / 1 = 2.4; ICC = (7.5 - 5/6) / (7.5 + 1.4 * 5/6) = 10/13.
    assert icc_1_1([np.array([1, 2]), np.array([4, 5, 3])]).icc == pytest.approx(10 / 13)


def test_icc_ratings_uses_icc2_1_for_a_fully_crossed_design():
    ratings = [RatingVote(video, judge, "appeal", int(min(5, max(1, score // 2))))
               for video, row in enumerate(SHROUT_FLEISS) for judge, score in enumerate(row)]
    result = icc_ratings(ratings, "appeal")
    expected = icc_2_1(np.clip(SHROUT_FLEISS // 2, 1, 5)).icc
    assert result.model == "icc2_1" and result.icc == pytest.approx(expected)


def test_icc_ratings_handles_missing_ratings_with_one_way_model():
    # Each video seen by a different pair of annotators; perfect within-video agreement -> 1.
    ratings = [RatingVote(1, 1, "appeal", 5), RatingVote(1, 2, "appeal", 5),
               RatingVote(2, 3, "appeal", 1), RatingVote(2, 4, "appeal", 1), RatingVote(2, 5, "appeal", 1),
               RatingVote(3, 1, "appeal", 3), RatingVote(3, 5, "appeal", 3),
               RatingVote(4, 2, "appeal", 4)]  # single rating: carries no agreement information
    result = icc_ratings(ratings, "appeal")
    assert result.model == "icc1_1" and result.icc == pytest.approx(1.0)
    assert result.n_videos == 3 and result.n_ratings == 7


def test_icc_is_none_without_two_rated_videos_or_variance():
    assert icc_ratings([RatingVote(1, 1, "appeal", 3), RatingVote(1, 2, "appeal", 4)], "appeal") is None
    flat = [RatingVote(v, a, "appeal", 3) for v in range(3) for a in range(2)]
    assert icc_ratings(flat, "appeal") is None
    with pytest.raises(ValueError, match="model must be one of"):
        icc_ratings(flat, "appeal", model="icc3_1")


def test_rating_outside_one_to_five_is_rejected():
    with pytest.raises(ValueError, match="1..5"):
        RatingVote(1, 1, "appeal", 6)
