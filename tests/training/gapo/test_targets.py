"""training/gapo/targets: noising, v and flow targets, weighted denoising error on tiny tensors."""

import pytest
import torch

from training.gapo.targets import (
    NoiseProcess,
    ddpm_noisy,
    denoising_error,
    flow_noisy,
    flow_target,
    v_target,
)

X0 = torch.tensor([[1.0, 2.0]])
EPS = torch.tensor([[3.0, -1.0]])
ALPHABAR = torch.tensor([0.64])  # alpha = 0.8, sigma = 0.6


def test_ddpm_noisy_and_v_target_by_hand():
    assert ddpm_noisy(X0, EPS, ALPHABAR)[0].tolist() == pytest.approx([0.8 + 1.8, 1.6 - 0.6])  # [2.6, 1.0]
    assert v_target(X0, EPS, ALPHABAR)[0].tolist() == pytest.approx([2.4 - 0.6, -0.8 - 1.2])  # [1.8, -2.0]


def test_flow_noisy_and_velocity_target_by_hand():
    t = torch.tensor([0.25])
    assert flow_noisy(X0, EPS, t)[0].tolist() == pytest.approx([0.75 + 0.75, 1.5 - 0.25])  # [1.5, 1.25]
    assert flow_target(X0, EPS).tolist() == [[2.0, -3.0]]


def test_denoising_error_is_weighted_mean_over_non_batch_dims():
    pred = torch.zeros(2, 1, 2)
    target = torch.tensor([[[1.8, -2.0]], [[1.0, 1.0]]])
    weighting = torch.tensor([1 / 0.36, 1.0])
    err = denoising_error(pred, target, weighting)
    assert err.tolist() == pytest.approx([(3.24 + 4.0) / 2 / 0.36, 1.0])


def test_v_process_uses_one_over_one_minus_alphabar():
    alphas = torch.tensor([0.99, 0.64, 0.1])
    batch = NoiseProcess("v", alphas).prepare(X0, EPS, torch.tensor([1]))
    assert batch.noisy[0].tolist() == pytest.approx([2.6, 1.0])
    assert batch.target[0].tolist() == pytest.approx([1.8, -2.0])
    assert batch.weighting.tolist() == pytest.approx([1 / 0.36])
    assert batch.timestep.tolist() == [1]
    uniform = NoiseProcess("v", alphas, weighting="uniform").prepare(X0, EPS, torch.tensor([1]))
    assert uniform.weighting.tolist() == [1.0]
    epsilon = NoiseProcess("epsilon", alphas).prepare(X0, EPS, torch.tensor([1]))
    assert torch.equal(epsilon.target, EPS) and epsilon.weighting.tolist() == [1.0]


def test_flow_process_scales_timestep_and_weights_one():
    batch = NoiseProcess("flow").prepare(X0, EPS, torch.tensor([0.25]))
    assert batch.timestep.tolist() == [250.0]
    assert batch.target.tolist() == [[2.0, -3.0]]
    assert batch.weighting.tolist() == [1.0]


def test_flow_shift_pushes_times_toward_noise():
    gen = torch.Generator().manual_seed(0)
    t = NoiseProcess("flow", flow_shift=3.0).sample_t(1000, gen, torch.device("cpu"))
    assert 0 < t.min() and t.max() < 1 and t.mean() > 0.6  # uniform would average 0.5


def test_ddpm_prediction_without_schedule_is_rejected():
    with pytest.raises(ValueError, match="alphas_cumprod"):
        NoiseProcess("v")
