"""training/gapo/losses: hand-computed values for Diffusion-DPO and GAPO (docs/method.md, "GAPO")."""

import math

import pytest
import torch

from training.gapo.losses import diffusion_dpo_loss, gap_weight, gapo_loss

LN2 = math.log(2.0)

# Two pairs, beta = 2 so that beta / 2 = 1 and dpo_i = log(1 + exp(delta_i)).
ERR_W = torch.tensor([0.3, 0.5])
REF_W = torch.tensor([0.5, 0.4])
ERR_L = torch.tensor([0.6, 0.2])
REF_L = torch.tensor([0.4, 0.4])
# delta_1 = (0.3 - 0.5) - (0.6 - 0.4) = -0.4 ; delta_2 = (0.5 - 0.4) - (0.2 - 0.4) = 0.3
DPO_1 = math.log(1 + math.exp(-0.4))  # 0.513015...
DPO_2 = math.log(1 + math.exp(0.3))  # 0.854355...
S_W = torch.tensor([1.0, 0.5])
S_L = torch.tensor([0.0, 0.25])

HAND_GAPS = {
    # pair 1: s_w = 1, s_l = 0 ; pair 2: s_w = 0.5, s_l = 0.25
    "pow2": (2.0 - 1.0, math.sqrt(2.0) - 2.0**0.25),  # (1, 0.225006)
    "pow3": (3.0 - 1.0, math.sqrt(3.0) - 3.0**0.25),  # (2, 0.415977)
    "ratio": (1.0 - 0.5, 1.0 - 1.0 / 2.0**0.25),  # (0.5, 0.159104)
    "linear": (1.0, 0.25),
    "none": (1.0, 1.0),
}


def gapo(weight, beta=2.0, **overrides):
    args = dict(err_w=ERR_W, err_l=ERR_L, ref_err_w=REF_W, ref_err_l=REF_L, s_w=S_W, s_l=S_L)
    args.update(overrides)
    return gapo_loss(beta=beta, weight=weight, **args)


def test_zero_delta_gives_ln2_per_pair_and_gapo_mean_gap_times_ln2():
    err = torch.tensor([0.7, 0.2, 1.3])
    s_w, s_l = torch.tensor([0.9, 0.5, 0.3]), torch.tensor([0.1, 0.5, 0.2])
    loss, metrics = gapo_loss(err, err, err, err, s_w, s_l)
    mean_gap = ((2**0.9 - 2**0.1) + 0.0 + (2**0.3 - 2**0.2)) / 3
    assert metrics["mean_dpo"].item() == pytest.approx(LN2, abs=1e-7)
    assert loss.item() == pytest.approx(mean_gap * LN2, abs=1e-7)
    dpo, _ = diffusion_dpo_loss(err, err, err, err)
    assert dpo.item() == pytest.approx(LN2, abs=1e-7)


def test_diffusion_dpo_matches_hand_computed_two_pairs():
    loss, metrics = diffusion_dpo_loss(ERR_W, ERR_L, REF_W, REF_L, beta=2.0)
    assert loss.item() == pytest.approx((DPO_1 + DPO_2) / 2, abs=1e-6)
    assert metrics["implicit_acc"].item() == 0.5  # only delta_1 < 0
    assert metrics["reward_margin"].item() == pytest.approx(-(-0.4 + 0.3) / 2, abs=1e-6)  # 0.05
    assert metrics["mean_gap"].item() == 1.0


def test_beta_enters_as_half_beta():
    # beta = 5000, delta = -0.0004 -> (beta/2) * delta = -1 -> dpo = log(1 + exp(-1))
    loss, _ = diffusion_dpo_loss(torch.tensor([0.0]), torch.tensor([0.0004]), torch.tensor([0.0]), torch.tensor([0.0]))
    assert loss.item() == pytest.approx(math.log(1 + math.exp(-1.0)), abs=1e-5)


@pytest.mark.parametrize("weight", ["pow2", "pow3", "ratio", "linear", "none"])
def test_each_weight_matches_hand_computed_two_pairs(weight):
    gap_1, gap_2 = HAND_GAPS[weight]
    loss, metrics = gapo(weight)
    assert loss.item() == pytest.approx((gap_1 * DPO_1 + gap_2 * DPO_2) / 2, abs=1e-6)
    assert metrics["mean_gap"].item() == pytest.approx((gap_1 + gap_2) / 2, abs=1e-6)
    assert gap_weight(S_W, S_L, weight).tolist() == pytest.approx([gap_1, gap_2], abs=1e-6)


def test_weight_none_is_exactly_diffusion_dpo():
    err = [torch.rand(5, generator=torch.Generator().manual_seed(i)) for i in range(4)]
    s_w, s_l = torch.tensor([0.9, 0.8, 0.7, 0.6, 0.5]), torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5])
    loss, metrics = gapo_loss(*err, s_w, s_l, beta=50.0, weight="none")
    dpo, dpo_metrics = diffusion_dpo_loss(*err, beta=50.0)
    assert torch.equal(loss, dpo)
    assert all(torch.equal(metrics[k], dpo_metrics[k]) for k in dpo_metrics)


def test_per_pair_weighting_differs_from_batch_mean_times_gap():
    loss, _ = gapo("pow2")
    gap_1, gap_2 = HAND_GAPS["pow2"]
    per_pair = (gap_1 * DPO_1 + gap_2 * DPO_2) / 2  # 0.352625
    reference_code = ((DPO_1 + DPO_2) / 2) * ((gap_1 + gap_2) / 2)  # batch-mean DPO times the gap: 0.418759
    assert loss.item() == pytest.approx(per_pair, abs=1e-6)
    assert abs(per_pair - reference_code) > 0.05


def test_unordered_pair_raises_instead_of_negative_weight():
    with pytest.raises(ValueError, match="winner first"):
        gapo("pow2", s_w=torch.tensor([1.0, 0.2]), s_l=torch.tensor([0.0, 0.6]))


def test_scores_outside_unit_interval_raise():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        gapo("pow2", s_w=torch.tensor([80.0, 50.0]), s_l=torch.tensor([10.0, 20.0]))


def test_unknown_weight_lists_valid_values():
    with pytest.raises(ValueError, match="pow2, pow3, ratio, linear, none"):
        gapo("cubic")


def test_tie_gets_zero_weight_and_no_gradient():
    err_w = torch.tensor([0.3], requires_grad=True)
    loss, _ = gapo_loss(err_w, torch.tensor([0.6]), torch.tensor([0.5]), torch.tensor([0.4]),
                        torch.tensor([0.4]), torch.tensor([0.4]), beta=2.0)
    loss.backward()
    assert loss.item() == 0.0 and err_w.grad.item() == 0.0
