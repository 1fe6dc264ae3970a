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


def sat_video_loss_per_sample(v_hat, x0, eps, alphas_cumprod, idx):
    """The reference's per-sample v-prediction error, written from its equations in float64 (not from
    training.gapo.targets): Index-anisora ``anisora_rl/sat``, ``VideoDiffusionLoss.__call__`` + ``get_loss``
    ("l2") with the SAT ``DiscreteDenoiser`` and ``VideoScaling``."""
    alphas_cumprod_sqrt = alphas_cumprod.double()[idx].sqrt()  # what its sigma sampler returns
    shape = (-1,) + (1,) * (x0.ndim - 1)  # append_dims
    a = alphas_cumprod_sqrt.reshape(shape)
    noised_input = x0.double() * a + eps.double() * (1 - a**2) ** 0.5
    c_skip, c_out = a, -((1 - a**2) ** 0.5)  # VideoScaling; c_in = 1
    model_output = c_skip * noised_input + c_out * v_hat.double()  # denoiser(): the predicted x0
    w = 1 / (1 - a**2)  # "w = append_dims(1/(1-alphas_cumprod_sqrt**2), input.ndim) # v-pred"
    return torch.mean((w * (model_output - x0.double()) ** 2).reshape(x0.shape[0], -1), 1)


def test_v_error_equals_the_reference_weighted_x0_error():
    from diffusers import CogVideoXDDIMScheduler

    alphas = CogVideoXDDIMScheduler(prediction_type="v_prediction").alphas_cumprod  # CogVideoX's own schedule
    gen = torch.Generator().manual_seed(0)
    idx = torch.tensor([0, 1, 10, 100, 500, 999])  # t=0 is where the old 1/(1-alphabar) weighting was 1000x off
    x0, eps = torch.randn(6, 4, 3, 2, 2, generator=gen), torch.randn(6, 4, 3, 2, 2, generator=gen)
    batch = NoiseProcess("v", alphas).prepare(x0, eps, idx)
    v_hat = batch.target + 0.3 * torch.randn(batch.target.shape, generator=gen)  # an imperfect model
    ours = denoising_error(v_hat, batch.target, batch.weighting)
    reference = sat_video_loss_per_sample(v_hat, x0, eps, alphas, idx)
    assert ours.double().tolist() == pytest.approx(reference.tolist(), rel=1e-4)
    assert batch.weighting.tolist() == [1.0] * 6 and batch.timestep.tolist() == idx.tolist()
    # the deviation stays selectable by name only, and it is not the reference
    old = NoiseProcess("v", alphas, weighting="inv_one_minus_alphabar").prepare(x0, eps, idx)
    old_err = denoising_error(v_hat, old.target, old.weighting).double()
    assert old_err[0] / reference[0] > 100


def test_flow_targets_follow_diffusers_flow_match_scheduler():
    """Wan's convention as diffusers' FlowMatchEulerDiscreteScheduler implements it: noising by
    ``scale_noise`` and one Euler ``step`` with the exact velocity target lands on the next noising level."""
    from diffusers import FlowMatchEulerDiscreteScheduler

    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=1.0)
    scheduler.set_timesteps(4)
    gen = torch.Generator().manual_seed(1)
    x0, eps = torch.randn(1, 4, 2, 2, generator=gen), torch.randn(1, 4, 2, 2, generator=gen)
    timestep = scheduler.timesteps[1:2]
    sigma, sigma_next = float(scheduler.sigmas[1]), float(scheduler.sigmas[2])
    batch = NoiseProcess("flow").prepare(x0, eps, torch.tensor([sigma]))
    assert torch.allclose(batch.noisy, scheduler.scale_noise(x0, timestep, eps), atol=1e-6)
    assert batch.timestep.tolist() == pytest.approx(timestep.tolist())
    stepped = scheduler.step(batch.target, timestep[0], batch.noisy).prev_sample
    assert torch.allclose(stepped, flow_noisy(x0, eps, torch.tensor([sigma_next])), atol=1e-5)
    assert batch.weighting.tolist() == [1.0]


def test_epsilon_process_targets_the_noise_unweighted():
    alphas = torch.tensor([0.99, 0.64, 0.1])
    batch = NoiseProcess("epsilon", alphas).prepare(X0, EPS, torch.tensor([1]))
    assert batch.noisy[0].tolist() == pytest.approx([2.6, 1.0])
    assert torch.equal(batch.target, EPS) and batch.weighting.tolist() == [1.0]


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
