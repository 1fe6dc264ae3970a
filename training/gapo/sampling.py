"""Sampling from a ``Denoiser``: deterministic DDIM for epsilon/v models, Euler for flow models.

Both are driven by the same ``NoiseProcess`` the trainer uses, so a sampler and the loss can never disagree
on the schedule:

* epsilon / v (CogVideoX): ``steps`` timesteps spaced evenly from ``T - 1`` down to 0 ("trailing" spacing, so
  the first step starts from the noisiest timestep), DDIM with eta = 0::

      x0_hat  = alpha_t * x_t - sigma_t * v                (v)      or (x_t - sigma_t * eps) / alpha_t   (eps)
      eps_hat = sigma_t * x_t + alpha_t * v                (v)
      x_prev  = alpha_prev * x0_hat + sigma_prev * eps_hat, and the last step returns x0_hat

* flow (Wan): ``t`` from 1 to 0 in ``steps`` Euler steps of the velocity ``eps - x0``, with the same timestep
  shift as training (``NoiseProcess.flow_shift``).

``initial_noise`` is what makes comparisons fair: the evaluation draws it once and hands the same tensor to the
base and to the trained model.
"""

from __future__ import annotations

import torch

from .denoiser import Condition, Denoiser
from .targets import NoiseProcess


def ddim_timesteps(num_train_timesteps: int, steps: int) -> list[int]:
    """``steps`` integer timesteps, noisiest first: ``T-1, ..., 0`` evenly spaced."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    grid = torch.linspace(num_train_timesteps - 1, 0, steps).round().long().tolist()
    return list(dict.fromkeys(grid))  # drop repeats when steps > num_train_timesteps


def flow_times(steps: int, shift: float = 1.0) -> list[float]:
    """``steps + 1`` flow times from 1 to 0 with Wan's shift ``shift * t / (1 + (shift - 1) * t)``."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    t = torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64)
    return (shift * t / (1 + (shift - 1) * t)).tolist()


@torch.no_grad()
def sample(
    denoiser: Denoiser,
    noise: NoiseProcess,
    cond: Condition,
    initial_noise: torch.Tensor,
    *,
    steps: int = 20,
) -> torch.Tensor:
    """Denoise ``initial_noise`` ``(B, C, T, H, W)`` under ``cond`` (batch B) and return ``x0`` in float32.

    Uses whatever adapter state the denoiser is in: wrap the call in ``denoiser.reference()`` for the base.
    """
    device = next(denoiser.model.parameters()).device
    x = initial_noise.to(device=device, dtype=torch.float32)
    cond = cond.to(device)
    batch = x.shape[0]
    if noise.prediction == "flow":
        times = flow_times(steps, noise.flow_shift)
        for t, t_next in zip(times[:-1], times[1:]):
            timestep = torch.full((batch,), t * noise.num_train_timesteps, device=device)
            velocity = denoiser(x, timestep, cond).float()
            x = x + (t_next - t) * velocity
        return x
    alphabar = noise.alphas_cumprod.to(device)
    grid = ddim_timesteps(noise.num_train_timesteps, steps)
    for i, t in enumerate(grid):
        a_t = alphabar[t].float()
        alpha, sigma = a_t.sqrt(), (1 - a_t).sqrt()
        pred = denoiser(x, torch.full((batch,), t, device=device, dtype=torch.long), cond).float()
        if noise.prediction == "v":
            x0 = alpha * x - sigma * pred
            eps = sigma * x + alpha * pred
        else:  # epsilon
            x0 = (x - sigma * pred) / alpha
            eps = pred
        if i == len(grid) - 1:
            return x0
        a_prev = alphabar[grid[i + 1]].float()
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
    return x  # pragma: no cover - the loop always returns
