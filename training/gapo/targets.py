"""Noising and regression targets for the three prediction types, and the per-sample denoising error.

Latents are any shape ``(B, ...)``; ``t`` indexes the batch. With ``alphabar_t = alphas_cumprod[t]``,
``alpha_t = sqrt(alphabar_t)``, ``sigma_t = sqrt(1 - alphabar_t)``:

==============  ===================================  ==================================  =====================
prediction      noisy input ``x_t``                  target                              default ``lambda_t``
==============  ===================================  ==================================  =====================
``epsilon``     ``alpha_t * x0 + sigma_t * eps``     ``eps``                             1
``v``           ``alpha_t * x0 + sigma_t * eps``     ``alpha_t * eps - sigma_t * x0``    1
``flow``        ``(1 - t) * x0 + t * eps``, t∈[0,1]  ``eps - x0`` (velocity)             1
==============  ===================================  ==================================  =====================

Why ``lambda_t = 1`` for v-prediction (the GAPO reference, bilibili/Index-anisora
``anisora_rl/sat/sgm/modules/diffusionmodules/loss.py``, ``VideoDiffusionLoss``). The SAT denoiser does not
return the network's v; with ``VideoScaling`` (``c_skip = alpha_t``, ``c_out = -sigma_t``, ``c_in = 1``) it
returns the predicted clean latent::

    x0_hat = c_skip * x_t + c_out * v_hat = alpha_t * x_t - sigma_t * v_hat

and the loss is ``mean(w_t * (x0_hat - x0)^2)`` with ``w_t = 1 / (1 - alphabar_t) = 1 / sigma_t^2``.
The true v satisfies the same identity, ``x0 = alpha_t * x_t - sigma_t * v`` (substitute
``x_t = alpha_t x0 + sigma_t eps`` and ``v = alpha_t eps - sigma_t x0``: ``alpha_t^2 x0 + sigma_t^2 x0 = x0``), so::

    x0_hat - x0 = -sigma_t * (v_hat - v)
    w_t * (x0_hat - x0)^2 = (sigma_t^2 / sigma_t^2) * (v_hat - v)^2 = (v_hat - v)^2

i.e. the reference's weighted x0-error *is* the unweighted v-error. Until 2026-12 "auto" multiplied the
v-error by ``1 / (1 - alphabar_t)`` again (weight applied twice: on CogVideoX's schedule 393x heavier at
t=0, 3.8x at t=100, half the total weight on t<50). ``inv_one_minus_alphabar`` still selects that
weighting on purpose; it is not the reference's objective.

Flow matching (Wan; the reference trains no flow model, so the convention is diffusers'
``FlowMatchEulerDiscreteScheduler`` and Wan's own training code): ``x_t = (1 - sigma) x0 + sigma eps``, the
network predicts the velocity ``eps - x0`` and the Euler step is ``x + (sigma_next - sigma) * v_hat``, unweighted
MSE. CogVideoX is a v-prediction DDPM model (timesteps are integers in [0, 1000)); Wan is a flow model whose
transformer takes ``timestep = sigma * num_train_timesteps``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

PREDICTIONS = ("epsilon", "v", "flow")
WEIGHTINGS = ("auto", "uniform", "inv_one_minus_alphabar")


def _bcast(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    # (B,) -> (B, 1, ..., 1) so it broadcasts over the non-batch dims of `like`.
    return values.reshape(-1, *([1] * (like.ndim - 1))).to(like.dtype)


def ddpm_noisy(x0: torch.Tensor, eps: torch.Tensor, alphabar_t: torch.Tensor) -> torch.Tensor:
    """``sqrt(alphabar_t) * x0 + sqrt(1 - alphabar_t) * eps`` (epsilon and v share it)."""
    return _bcast(alphabar_t.sqrt(), x0) * x0 + _bcast((1 - alphabar_t).sqrt(), x0) * eps


def v_target(x0: torch.Tensor, eps: torch.Tensor, alphabar_t: torch.Tensor) -> torch.Tensor:
    """v-prediction target ``alpha_t * eps - sigma_t * x0`` (Salimans & Ho 2022)."""
    return _bcast(alphabar_t.sqrt(), x0) * eps - _bcast((1 - alphabar_t).sqrt(), x0) * x0


def flow_noisy(x0: torch.Tensor, eps: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Rectified-flow interpolation ``(1 - t) * x0 + t * eps`` with ``t`` in [0, 1] of shape ``(B,)``."""
    return (1 - _bcast(t, x0)) * x0 + _bcast(t, x0) * eps


def flow_target(x0: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """Flow-matching velocity ``d x_t / d t = eps - x0``."""
    return eps - x0


def denoising_error(
    pred: torch.Tensor, target: torch.Tensor, weighting: torch.Tensor | None = None
) -> torch.Tensor:
    """``(B,)`` error ``lambda_t * mean over non-batch dims of (target - pred)^2``, computed in float32.

    ``weighting`` is ``lambda_t`` of shape ``(B,)`` or ``None`` for 1.
    """
    if pred.shape != target.shape:
        raise ValueError(f"prediction {tuple(pred.shape)} and target {tuple(target.shape)} differ in shape")
    # (B, ...) -> (B, N) -> (B,)
    err = (target.float() - pred.float()).pow(2).reshape(pred.shape[0], -1).mean(dim=1)
    if weighting is not None:
        err = weighting.float().reshape(-1) * err
    return err


@dataclass
class NoisedBatch:
    """What the denoiser sees and what it must predict; every tensor has the batch first."""

    noisy: torch.Tensor  # (N, ...) x_t
    timestep: torch.Tensor  # (N,) what the transformer takes: int DDPM step, or t * num_train_timesteps
    target: torch.Tensor  # (N, ...)
    weighting: torch.Tensor  # (N,) lambda_t


class NoiseProcess:
    """Samples timesteps and builds ``(x_t, model timestep, target, lambda_t)`` for one prediction type.

    ``alphas_cumprod`` (``(num_train_timesteps,)``) is required for ``epsilon``/``v``; take it from the
    model's own scheduler (``training.gapo.models.default_alphas_cumprod``). ``flow_shift`` applies Wan's
    timestep shift ``t' = shift * t / (1 + (shift - 1) * t)`` to uniformly sampled flow times.
    """

    def __init__(
        self,
        prediction: str,
        alphas_cumprod: torch.Tensor | None = None,
        num_train_timesteps: int = 1000,
        weighting: str = "auto",
        flow_shift: float = 1.0,
    ) -> None:
        if prediction not in PREDICTIONS:
            raise ValueError(f"unknown prediction {prediction!r}; valid values: {', '.join(PREDICTIONS)}")
        if weighting not in WEIGHTINGS:
            raise ValueError(f"unknown weighting {weighting!r}; valid values: {', '.join(WEIGHTINGS)}")
        if prediction != "flow" and alphas_cumprod is None:
            raise ValueError(f"prediction {prediction!r} needs alphas_cumprod from a DDPM-style scheduler")
        if prediction == "flow" and weighting == "inv_one_minus_alphabar":
            raise ValueError("weighting 'inv_one_minus_alphabar' needs a DDPM schedule; use 'auto' or 'uniform'")
        self.prediction = prediction
        self.alphas_cumprod = None if alphas_cumprod is None else alphas_cumprod.double()
        self.num_train_timesteps = len(alphas_cumprod) if alphas_cumprod is not None else num_train_timesteps
        self.weighting = weighting
        self.flow_shift = flow_shift

    def sample_t(self, batch: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
        """``(batch,)`` DDPM step indices (int64) or flow times in (0, 1) (float32)."""
        if self.prediction == "flow":
            t = torch.rand(batch, generator=generator, device=device)
            return self.flow_shift * t / (1 + (self.flow_shift - 1) * t)
        return torch.randint(0, self.num_train_timesteps, (batch,), generator=generator, device=device)

    def prepare(self, x0: torch.Tensor, eps: torch.Tensor, t: torch.Tensor) -> NoisedBatch:
        if self.prediction == "flow":
            noisy = flow_noisy(x0, eps, t)
            target = flow_target(x0, eps)
            weighting = torch.ones(x0.shape[0], device=x0.device)
            return NoisedBatch(noisy, t.float() * self.num_train_timesteps, target, weighting)
        alphabar = self.alphas_cumprod.to(x0.device)[t].float()  # (N,)
        noisy = ddpm_noisy(x0, eps, alphabar)
        target = eps if self.prediction == "epsilon" else v_target(x0, eps, alphabar)
        # "auto" is the reference's objective, 1 for every prediction type (module docstring).
        use_inv = self.weighting == "inv_one_minus_alphabar"
        weighting = 1.0 / (1.0 - alphabar) if use_inv else torch.ones_like(alphabar)
        return NoisedBatch(noisy, t, target, weighting)
