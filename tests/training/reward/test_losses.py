"""The pairwise and regression losses against values worked out by hand."""

import math

import pytest
import torch

from training.reward.losses import (bt_gap_loss, bt_loss, bt_margin_loss, bt_ties_loss, pairwise_loss,
                                    rao_kupper_probs, regression_loss)


def t(*values):
    return torch.tensor(values, dtype=torch.float64)


def test_bradley_terry_is_the_logistic_nll_of_the_winner_and_ignores_ties():
    # d = ln 3, B wins: -log(3/4); d = 0, A wins: -log(1/2); the tie row is dropped
    loss, metrics = bt_loss(t(math.log(3), 0.0, 5.0), t(1, -2, 0))
    assert loss.item() == pytest.approx((math.log(4 / 3) + math.log(2)) / 2)
    assert metrics["pairs"] == 2
    assert metrics["accuracy"].item() == pytest.approx(0.5)  # d=0 is not a correct "A" prediction


def test_bradley_terry_of_only_ties_is_zero_and_keeps_the_graph():
    d = torch.zeros(2, requires_grad=True)
    loss, metrics = bt_loss(d, t(0, 0).float())
    assert loss.item() == 0.0 and metrics["pairs"] == 0
    loss.backward()


def test_rao_kupper_equal_scores_split_probability_in_thirds_with_theta_2():
    p_b, p_tie, p_a = rao_kupper_probs(t(0.0), math.log(2))
    assert (p_b.item(), p_tie.item(), p_a.item()) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    loss, metrics = bt_ties_loss(t(0.0, 0.0, 0.0), t(1, 0, -1), eta=math.log(2))
    assert loss.item() == pytest.approx(math.log(3))
    assert metrics["ties"] == 1


def test_rao_kupper_matches_the_closed_form_for_unequal_worths():
    # pi_b = 2, pi_a = 1, theta = 2: P(b>a) = 2/(2+2) = 1/2, P(a>b) = 1/(1+4) = 1/5,
    # P(tie) = (4-1)*2*1 / ((1+4)(2+2)) = 3/10
    d, eta = t(math.log(2)), math.log(2)
    p_b, p_tie, p_a = rao_kupper_probs(d, eta)
    assert (p_b.item(), p_tie.item(), p_a.item()) == pytest.approx((0.5, 0.3, 0.2))
    for strength, p in ((1, 0.5), (0, 0.3), (-2, 0.2)):
        assert bt_ties_loss(d, t(strength), eta)[0].item() == pytest.approx(-math.log(p))


def test_rao_kupper_rejects_a_non_positive_tie_parameter():
    with pytest.raises(ValueError, match="eta"):
        bt_ties_loss(t(0.0), t(0), eta=0.0)


def test_margin_variant_asks_for_a_larger_difference_on_strong_preferences():
    # d = 1, strength +2, m = 0.5: -log sigmoid(1 - 1) = ln 2; d = 1, strength -1: -log sigmoid(-1 - 0.5)
    loss, _ = bt_margin_loss(t(1.0, 1.0), t(2, -1), margin=0.5)
    assert loss.item() == pytest.approx((math.log(2) + math.log(1 + math.exp(1.5))) / 2)


def test_gap_variant_weights_each_pair_by_half_its_strength():
    # weights 1 and 0.5; losses ln 2 and ln(4/3)
    loss, metrics = bt_gap_loss(t(0.0, math.log(3)), t(2, 1))
    assert loss.item() == pytest.approx((math.log(2) + 0.5 * math.log(4 / 3)) / 1.5)
    assert metrics["mean_gap"].item() == pytest.approx(0.75)


def test_regression_masks_missing_targets():
    score, target = t(0.5, 1.0), t(0.0, float("nan"))
    assert regression_loss(score, target, "mse")[0].item() == pytest.approx(0.25)
    assert regression_loss(score, target, "l1")[0].item() == pytest.approx(0.5)
    with pytest.raises(ValueError, match="mse, l1"):
        regression_loss(score, target, "huber")


def test_pairwise_dispatch_lists_valid_names():
    assert pairwise_loss("bt", t(0.0), t(1))[0].item() == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="bt, bt_ties, bt_margin, bt_gap"):
        pairwise_loss("hinge", t(0.0), t(1))
