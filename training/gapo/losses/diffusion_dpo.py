"""Diffusion-DPO loss (Wallace et al. 2023, arXiv 2311.12908, eq. 14) as a pure tensor function.

Inputs are per-sample denoising errors ``e = mean(lambda_t * ||target - prediction||^2)`` of shape ``(B,)``,
one entry per preference pair: the winner's and the loser's error under the trained policy and under the
frozen reference, all taken at the same timestep and noise within a pair (see ``training.gapo.targets``).

    delta_i = (err_w - ref_err_w) - (err_l - ref_err_l)
    dpo_i   = -log sigmoid(-(beta / 2) * delta_i)
    loss    = mean_i(dpo_i)

``beta / 2`` follows docs/method.md and the Diffusion-DPO reference code (``-0.5 * beta * (model_diff - ref_diff)``).
A negative ``delta_i`` means the policy moved toward the winner relative to the reference: that is what
``implicit_acc`` counts.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def pair_terms(
    err_w: torch.Tensor, err_l: torch.Tensor, ref_err_w: torch.Tensor, ref_err_l: torch.Tensor, beta: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(delta, dpo)``, both ``(B,)`` float32: the error gap and the per-pair Diffusion-DPO loss."""
    shapes = {tuple(t.shape) for t in (err_w, err_l, ref_err_w, ref_err_l)}
    if len(shapes) != 1 or len(next(iter(shapes))) != 1:
        raise ValueError(f"the four errors must all have shape (B,), got {sorted(shapes)}")
    if beta <= 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    # float32 keeps beta * delta exact enough under bf16 autocast (beta is in the thousands).
    delta = (err_w.float() - ref_err_w.float()) - (err_l.float() - ref_err_l.float())
    dpo = -F.logsigmoid(-(beta / 2.0) * delta)
    return delta, dpo


def preference_metrics(delta: torch.Tensor, dpo: torch.Tensor, gap: torch.Tensor, beta: float) -> dict:
    """Detached scalar metrics logged next to the loss (docs/method.md: implicit accuracy and mean gap)."""
    with torch.no_grad():
        return {
            "implicit_acc": (delta < 0).float().mean(),
            "mean_gap": gap.float().mean(),
            "reward_margin": (-(beta / 2.0) * delta).mean(),
            "mean_dpo": dpo.mean(),
        }


def diffusion_dpo_loss(
    err_w: torch.Tensor,
    err_l: torch.Tensor,
    ref_err_w: torch.Tensor,
    ref_err_l: torch.Tensor,
    beta: float = 5000.0,
) -> tuple[torch.Tensor, dict]:
    """Diffusion-DPO: ``mean_i(-log sigmoid(-(beta/2) * delta_i))``.

    Returns ``(loss, metrics)``; metrics hold detached 0-dim tensors ``loss``, ``implicit_acc``,
    ``mean_gap`` (always 1: every pair weighs the same), ``reward_margin`` and ``mean_dpo``.
    """
    delta, dpo = pair_terms(err_w, err_l, ref_err_w, ref_err_l, beta)
    loss = dpo.mean()
    metrics = preference_metrics(delta, dpo, torch.ones_like(dpo), beta)
    metrics["loss"] = loss.detach()
    return loss, metrics
