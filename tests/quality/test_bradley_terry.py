"""Bradley-Terry with ties: recovery, reference agreement, optimality and edge cases."""

import choix
import numpy as np
import pytest

from annotation.quality import (
    Comparison,
    Vote,
    bootstrap_ci,
    fit_bradley_terry,
    neg_log_posterior,
    outcome_probabilities,
    scale_scores,
    votes_to_comparisons,
)

TRUE = {"v0": 1.2, "v1": 0.6, "v2": 0.0, "v3": -0.5, "v4": -1.3}


def simulate(n, *, nu=0.6, ties="davidson", seed=0, strengths=TRUE):
    rng = np.random.default_rng(seed)
    items = list(strengths)
    out = []
    for _ in range(n):
        a, b = rng.choice(len(items), 2, replace=False)
        p = outcome_probabilities(strengths[items[a]] - strengths[items[b]], nu, ties)[0]
        out.append(Comparison(items[a], items[b], ("a", "b", "tie")[rng.choice(3, p=p)]))
    return out


def test_outcome_probabilities_match_hand_values():
    # Davidson nu=1, pi=(4,1): Z = 4 + 1 + sqrt(4) = 7 -> (4/7, 1/7, 2/7)
    assert outcome_probabilities(np.log(4), 1.0, "davidson")[0] == pytest.approx([4 / 7, 1 / 7, 2 / 7])
    # Rao-Kupper kappa=2, equal items: P(a) = 1/(1+2), P(tie) = (4-1)/(3*3)
    assert outcome_probabilities(0.0, 2.0, "rao_kupper")[0] == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    # Without ties both reduce to the logistic Bradley-Terry model
    for ties, no_tie in (("davidson", 0.0), ("rao_kupper", 1.0)):
        assert outcome_probabilities(1.0, no_tie, ties)[0] == pytest.approx([1 / (1 + np.e**-1), 1 / (1 + np.e), 0])


@pytest.mark.parametrize("ties", ["davidson", "rao_kupper"])
def test_fit_recovers_order_of_known_strengths(ties):
    tie_param = 0.6 if ties == "davidson" else 1.6
    result = fit_bradley_terry(simulate(3000, nu=tie_param, ties=ties), list(TRUE), ties=ties)
    assert result.converged
    assert sorted(result.scores, key=result.scores.get, reverse=True) == list(TRUE)
    assert result.tie_param == pytest.approx(tie_param, rel=0.2)
    assert np.corrcoef(list(result.scores.values()), list(TRUE.values()))[0, 1] > 0.99


def test_fit_without_ties_matches_choix_reference():
    comparisons = simulate(1500, nu=0.0, seed=3)
    items = list(TRUE)
    data = [(items.index(c.item_a), items.index(c.item_b)) if c.outcome == "a"
            else (items.index(c.item_b), items.index(c.item_a)) for c in comparisons]
    reference = choix.opt_pairwise(len(items), data, alpha=0.01)
    result = fit_bradley_terry(comparisons, items, l2=0.01)
    assert result.tie_param == 0.0
    assert [result.scores[i] for i in items] == pytest.approx(reference, abs=1e-4)


def test_fit_is_a_stationary_point_and_beats_the_true_parameters_neighbourhood():
    comparisons = simulate(800, seed=5)
    fit = fit_bradley_terry(comparisons, list(TRUE))
    best = neg_log_posterior(comparisons, fit.scores, fit.tie_param)
    h = 1e-5
    for item in TRUE:  # central finite differences of the objective vanish at the optimum
        up = neg_log_posterior(comparisons, {**fit.scores, item: fit.scores[item] + h}, fit.tie_param)
        down = neg_log_posterior(comparisons, {**fit.scores, item: fit.scores[item] - h}, fit.tie_param)
        assert abs(up - down) / (2 * h) < 1e-2
    rng = np.random.default_rng(1)
    for _ in range(20):
        nearby = {k: v + rng.normal(0, 0.05) for k, v in TRUE.items()}
        assert best <= neg_log_posterior(comparisons, nearby, 0.6 * np.exp(rng.normal(0, 0.1)))


def test_ties_only_give_equal_scores_and_finite_tie_parameter():
    comparisons = [Comparison(a, b, "tie") for a, b in [("x", "y"), ("y", "z"), ("x", "z")] * 5]
    result = fit_bradley_terry(comparisons, ["x", "y", "z"])
    assert result.converged and np.isfinite(result.tie_param) and result.tie_param > 10
    assert list(result.scores.values()) == pytest.approx([0, 0, 0], abs=1e-6)
    assert result.scaled == {"x": 0.5, "y": 0.5, "z": 0.5}


def test_disconnected_and_separated_graphs_stay_finite():
    comparisons = [("a", "b", "a")] * 30 + [("c", "d", "b")] * 3 + [("c", "d", "tie")]
    result = fit_bradley_terry(comparisons, ["a", "b", "c", "d", "lonely"], ties="rao_kupper")
    assert result.converged and all(np.isfinite(list(result.scores.values())))
    assert result.scores["a"] > result.scores["b"] and result.scores["d"] > result.scores["c"]
    assert result.scores["lonely"] == pytest.approx(0.0, abs=1e-6)  # never compared: prior mean
    assert result.scores["a"] + result.scores["b"] == pytest.approx(0.0, abs=1e-5)  # component centred by L2


def test_weight_two_equals_two_copies():
    single = fit_bradley_terry([("a", "b", "a", 2.0), ("b", "a", "tie"), ("b", "c", "a")], "abc")
    double = fit_bradley_terry([("a", "b", "a"), ("a", "b", "a"), ("b", "a", "tie"), ("b", "c", "a")], "abc")
    assert single.scores == pytest.approx(double.scores, abs=1e-5)
    assert single.tie_param == pytest.approx(double.tie_param, rel=1e-4)


def test_scaled_scores_are_min_max_and_monotone():
    result = fit_bradley_terry(simulate(500, seed=2), list(TRUE))
    assert min(result.scaled.values()) == 0.0 and max(result.scaled.values()) == 1.0
    order = sorted(TRUE, key=result.scores.get)
    assert order == sorted(TRUE, key=result.scaled.get)
    assert scale_scores({"only": 3.0}) == {"only": 0.5}
    logistic = scale_scores({"a": 1.0, "b": -1.0}, "logistic")  # sigmoid(s - mean s)
    assert logistic == pytest.approx({"a": 1 / (1 + np.e**-1), "b": 1 / (1 + np.e)})


def test_invalid_inputs_explain_the_fix():
    with pytest.raises(ValueError, match="missing from items"):
        fit_bradley_terry([("a", "z", "a")], ["a", "b"])
    with pytest.raises(ValueError, match="outcome must be one of"):
        fit_bradley_terry([("a", "b", "A")], ["a", "b"])
    with pytest.raises(ValueError, match="l2 must be > 0"):
        fit_bradley_terry([("a", "b", "a")], ["a", "b"], l2=0)
    with pytest.raises(ValueError, match="ties must be"):
        fit_bradley_terry([("a", "b", "a")], ["a", "b"], ties="glenn")
    empty = fit_bradley_terry([], ["a", "b"])
    assert empty.scores == {"a": 0.0, "b": 0.0} and empty.converged


def test_votes_become_strength_weighted_comparisons():
    pair_videos = {1: (10, 11), 2: (12, 10)}
    votes = [Vote(1, 1, "motion", -2), Vote(1, 2, "motion", 1), Vote(2, 1, "motion", 0), Vote(2, 1, "appeal", 2)]
    assert votes_to_comparisons(votes, pair_videos, "motion") == [
        Comparison(10, 11, "a", 2.0), Comparison(10, 11, "b", 1.0), Comparison(12, 10, "tie", 1.0)
    ]
    unweighted = votes_to_comparisons(votes, pair_videos, "motion", strength_weight=False)
    assert [c.weight for c in unweighted] == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="no \\(video_a, video_b\\) entry"):
        votes_to_comparisons([Vote(9, 1, "motion", 1)], pair_videos, "motion")


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    comparisons = simulate(400, seed=4)
    first = bootstrap_ci(comparisons, list(TRUE), n_boot=60, seed=11)
    again = bootstrap_ci(comparisons, list(TRUE), n_boot=60, seed=11)
    other = bootstrap_ci(comparisons, list(TRUE), n_boot=60, seed=12)
    assert first.low == again.low and first.high == again.high
    assert first.low != other.low
    fit = fit_bradley_terry(comparisons, list(TRUE))
    for item in TRUE:
        assert first.low[item] <= fit.scores[item] <= first.high[item]
