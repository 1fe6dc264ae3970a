"""training/gapo/sampling: DDIM (epsilon/v) and Euler (flow) recover x0 from an oracle, and run on tiny presets."""

import pytest
import torch

from training.gapo.config import GapoConfig
from training.gapo.data import synthetic_pairs
from training.gapo.denoiser import Condition
from training.gapo.models import build_denoiser, default_alphas_cumprod
from training.gapo.sampling import ddim_timesteps, flow_times, sample
from training.gapo.targets import NoiseProcess


class Oracle:
    """Predicts the exact target for one known clean sample x0: what a perfect denoiser would return."""

    def __init__(self, x0, noise):
        self.x0, self.noise = x0, noise

    def __call__(self, x_t, timestep, cond):
        if self.noise.prediction == "flow":
            t = (timestep.float() / self.noise.num_train_timesteps).reshape(-1, 1, 1, 1, 1)
            eps = (x_t - (1 - t) * self.x0) / t
            return eps - self.x0
        ab = self.noise.alphas_cumprod[timestep].float().reshape(-1, 1, 1, 1, 1)
        eps = (x_t - ab.sqrt() * self.x0) / (1 - ab).sqrt()
        return eps if self.noise.prediction == "epsilon" else ab.sqrt() * eps - (1 - ab).sqrt() * self.x0


class OracleDenoiser:
    def __init__(self, oracle):
        self.model = torch.nn.Linear(1, 1)  # sample() reads the device from the parameters
        self.oracle = oracle

    def __call__(self, x_t, timestep, cond):
        return self.oracle(x_t, timestep, cond)


@pytest.mark.parametrize("prediction", ["epsilon", "v", "flow"])
def test_sampler_returns_x0_when_the_model_is_an_oracle(prediction):
    alphas = None if prediction == "flow" else default_alphas_cumprod("cogvideox")
    noise = NoiseProcess(prediction, alphas, flow_shift=3.0 if prediction == "flow" else 1.0)
    x0 = torch.randn(2, 4, 3, 2, 2, generator=torch.Generator().manual_seed(0))
    start = torch.randn(x0.shape, generator=torch.Generator().manual_seed(1))
    cond = Condition(torch.zeros(2, 1, 1), torch.zeros(2, 1, 3, 2, 2))
    out = sample(OracleDenoiser(Oracle(x0, noise)), noise, cond, start, steps=5)
    assert torch.allclose(out, x0, atol=1e-4)


def test_timestep_grids_run_noisiest_first_and_end_clean():
    assert ddim_timesteps(1000, 4) == [999, 666, 333, 0]
    assert len(ddim_timesteps(10, 50)) == 10  # never repeats a timestep
    times = flow_times(4, shift=3.0)
    assert times[0] == pytest.approx(1.0) and times[-1] == 0.0 and times == sorted(times, reverse=True)
    assert times[2] == pytest.approx(3 * 0.5 / (1 + 2 * 0.5))


@pytest.mark.parametrize("family", ["cogvideox", "wan"])
def test_tiny_presets_sample_finite_latents_of_the_spec_shape(family):
    config = GapoConfig(family=family, lora_rank=2, lora_alpha=2, device="cpu")
    denoiser = build_denoiser(config)
    pair = synthetic_pairs(denoiser, 1, seed=0)[0]
    cond = Condition(pair["prompt_embeds"][None], pair["image_latents"][None],
                     pair["image_embeds"][None] if "image_embeds" in pair else None)
    alphas = None if config.prediction == "flow" else default_alphas_cumprod(family)
    start = torch.randn(1, *pair["x_w"].shape, generator=torch.Generator().manual_seed(0))
    out = sample(denoiser, NoiseProcess(config.prediction, alphas), cond, start, steps=3)
    assert out.shape == start.shape and torch.isfinite(out).all()
