"""Fitting a base denoiser from clips with the plain diffusion objective (no preference, no LoRA):
uniform timesteps, the noise process's target, MSE. Shared by the reproduction's base
(``repro_world``) and the studio's demo generator (``demo_generator``), which differ only in data,
size and learning-rate schedule."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import torch

from .denoiser import Condition, Denoiser
from .targets import NoiseProcess, denoising_error


def fit_denoiser(denoiser: Denoiser, noise: NoiseProcess, x0_all: torch.Tensor, prompt: torch.Tensor,
                 image: torch.Tensor, *, steps: int, batch: int, optimizer: torch.optim.Optimizer,
                 schedule: torch.optim.lr_scheduler.LRScheduler, seed: int, label: str,
                 log: Callable[[str], None] = print, should_stop: Callable[[], bool] | None = None) -> list[float]:
    """``steps`` optimizer steps on random batches of the clips (``x0_all[i]`` conditioned on ``prompt[i]``,
    ``image[i]``); logs eight times; returns the per-step losses. ``should_stop`` is asked before every step
    (``InterruptedError`` when it says yes)."""
    gen = torch.Generator().manual_seed(seed)
    denoiser.model.train()
    started, losses = time.perf_counter(), []
    every = max(1, steps // 8)
    for step in range(steps):
        if should_stop is not None and should_stop():
            raise InterruptedError(f"{label} stopped")
        idx = torch.randint(0, len(x0_all), (batch,), generator=gen)
        x0 = x0_all[idx]
        eps = torch.randn(x0.shape, generator=gen)
        t = noise.sample_t(len(idx), gen, torch.device("cpu"))
        noised = noise.prepare(x0, eps, t)
        pred = denoiser(noised.noisy, noised.timestep, Condition(prompt[idx], image[idx]))
        loss = denoising_error(pred, noised.target).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(denoiser.model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if (step + 1) % every == 0:
            log(f"{label} step {step + 1}/{steps}, loss {np.mean(losses[-every:]):.4f} "
                f"({time.perf_counter() - started:.0f} s)")
    denoiser.model.eval()
    return losses
