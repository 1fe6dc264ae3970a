"""Agreement statistics against hand-computed and published values."""

import numpy as np
import pytest

from annotation.quality import (
    AnnotatorAgreement,
    RatingVote,
    Vote,
    alpha_interval,
    cohen_kappa,
    cohen_kappa_direction,
    krippendorff_alpha_ordinal,
    mean_cohen_kappa_direction,
    per_annotator_agreement,
)

DIM = "motion"
NAN = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 observers x 12 units,
# values 1..5, published: ordinal .815, interval .849.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def votes_from_rows(rows, shift=0, dimension=DIM):
    return [
        Vote(pair_id=unit, annotator_id=annotator, dimension=dimension, strength=value + shift)
        for annotator, row in enumerate(rows)
        for unit, value in enumerate(row)
        if value is not None
    ]


def test_ordinal_alpha_matches_hand_computation():
    # Units {-1,-1}, {0,0}, {0,1}: n_-1=2, n_0=3, n_1=1, n=6. Ordinal
    # delta^2(c,k) = (sum_{g=c..k} n_g - (n_c+n_k)/2)^2: d(-1,0)=2.5^2, d(-1,1)=4.5^2, d(0,1)=2^2.
    # D_o numerator: o(0,1)=o(1,0)=1 -> 2*4 = 8. D_e: 2*(2*3*6.25 + 2*1*20.25 + 3*1*4) = 180.
    # alpha = 1 - (n-1) * 8 / 180 = 1 - 40/180 = 7/9.
    votes = votes_from_rows([[-1, 0, 0], [-1, 0, 1]])
    assert krippendorff_alpha_ordinal(votes, DIM) == pytest.approx(7 / 9)


def test_ordinal_alpha_reproduces_krippendorffs_published_example():
    # Strengths live on -2..+2: shift the 1..5 example by -3 (ordinal alpha is shift-invariant).
    votes = votes_from_rows(KRIPPENDORFF_2011, shift=-3)
    assert krippendorff_alpha_ordinal(votes, DIM) == pytest.approx(0.815, abs=5e-4)


def test_interval_alpha_of_ratings_reproduces_published_example():
    ratings = [
        RatingVote(video, annotator, DIM, value)
        for annotator, row in enumerate(KRIPPENDORFF_2011)
        for video, value in enumerate(row)
        if value is not None
    ]
    assert alpha_interval(ratings, DIM) == pytest.approx(0.849, abs=5e-4)
    assert alpha_interval(ratings, DIM, level="ordinal") == pytest.approx(0.815, abs=5e-4)


def test_perfect_agreement_gives_alpha_one():
    votes = votes_from_rows([[-2, -1, 0, 1, 2], [-2, -1, 0, 1, 2], [-2, None, 0, 1, None]])
    assert krippendorff_alpha_ordinal(votes, DIM) == pytest.approx(1.0)


def test_alpha_is_none_without_pairable_values_or_variation():
    single_annotator = votes_from_rows([[-2, 1, 0]])
    no_overlap = votes_from_rows([[-2, None], [None, 1]])
    one_value = votes_from_rows([[0, 0], [0, 0]])
    assert krippendorff_alpha_ordinal(single_annotator, DIM) is None
    assert krippendorff_alpha_ordinal(no_overlap, DIM) is None
    assert krippendorff_alpha_ordinal(one_value, DIM) is None
    assert krippendorff_alpha_ordinal(votes_from_rows([[-1, 0], [-1, 0]]), "other_dimension") is None


def test_alpha_uses_only_the_requested_dimension_and_latest_vote():
    votes = votes_from_rows([[-1, 0, 0], [-1, 0, 1]])
    noise = votes_from_rows([[2, -2, 2], [-2, 2, -2]], dimension="appeal")
    resubmitted = [Vote(2, 1, DIM, -2), Vote(2, 1, DIM, 1)]  # last one (1) wins, as the matrix had
    assert krippendorff_alpha_ordinal(votes + noise + resubmitted, DIM) == pytest.approx(7 / 9)


def test_per_annotator_agreement_uses_leave_one_out_consensus():
    votes = [
        Vote(1, 1, DIM, -2), Vote(1, 2, DIM, -1), Vote(1, 3, DIM, 1),
        Vote(2, 1, DIM, 0), Vote(2, 2, DIM, 0),
        Vote(3, 3, DIM, 2),  # nobody else voted: ignored
        Vote(4, 4, DIM, 1),  # annotator 4 never overlaps
    ]
    result = per_annotator_agreement(votes, DIM)
    # annotator 1: pair 1 others mean 0 vs -2 (disagree, |err| 2); pair 2 others 0 vs 0 (agree, 0)
    assert result[1] == AnnotatorAgreement(n=2, direction_agreement=0.5, mean_abs_error=1.0)
    # annotator 2: pair 1 others -0.5 vs -1 (agree, 0.5); pair 2 agree, 0
    assert result[2] == AnnotatorAgreement(n=2, direction_agreement=1.0, mean_abs_error=0.25)
    # annotator 3: pair 1 others -1.5 vs +1 (disagree, 2.5)
    assert result[3] == AnnotatorAgreement(n=1, direction_agreement=0.0, mean_abs_error=2.5)
    assert result[4] == AnnotatorAgreement(n=0, direction_agreement=None, mean_abs_error=None)


def test_cohen_kappa_on_a_2x2_table_matches_hand_value():
    # yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o = .7, p_e = .5*.6 + .5*.4 = .5 -> kappa .4
    r1 = ["yes"] * 25 + ["no"] * 25
    r2 = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(r1, r2, categories=("yes", "no")) == pytest.approx(0.4)


def test_cohen_kappa_direction_on_a_3x3_table_matches_hand_value():
    # rows annotator 1, columns annotator 2 (a, tie, b): [[3,1,0],[0,2,1],[0,0,3]], n = 10.
    # p_o = 8/10; marginals (.4,.3,.3) and (.3,.3,.4): p_e = .12+.09+.12 = .33;
    # kappa = (.8 - .33) / (1 - .33) = 47/67.
    cells = [(-1, -2)] * 3 + [(-2, 0)] + [(0, 0)] * 2 + [(0, 1)] + [(2, 1)] * 3
    votes = []
    for pair, (s1, s2) in enumerate(cells):
        votes += [Vote(pair, 1, DIM, s1), Vote(pair, 2, DIM, s2)]
    votes += [Vote(100, 3, DIM, 1)]  # annotator 3 shares nothing: no kappa for (1,3) or (2,3)
    assert cohen_kappa_direction(votes, DIM) == {(1, 2): pytest.approx(47 / 67)}
    assert mean_cohen_kappa_direction(votes, DIM) == pytest.approx(47 / 67)


def test_cohen_kappa_is_none_when_chance_explains_everything():
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None
    assert mean_cohen_kappa_direction([Vote(1, 1, DIM, 1), Vote(1, 2, DIM, 2)], DIM) is None
    assert np.isclose(cohen_kappa(["a", "b", "tie"], ["a", "b", "tie"]), 1.0)
