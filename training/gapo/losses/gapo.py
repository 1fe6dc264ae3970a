"""GAPO, Gap-Aware Preference Optimization (arXiv 2504.10044; restated in docs/method.md).

    delta_i = (err_w - ref_err_w) - (err_l - ref_err_l)
    dpo_i   = -log sigmoid(-(beta / 2) * delta_i)          # Diffusion-DPO, per pair
    gap_i   = weight(s_w, s_l)                             # pow2 (paper): 2**s_w - 2**s_l
    L_GAPO  = mean_i(gap_i * dpo_i)

The weight multiplies each pair's own DPO term. The reference code multiplies the *batch-mean* DPO loss
by the gap, which equals this only with one pair per batch; with several pairs it lets a large-gap pair
scale the gradient of every other pair. ``weight="none"`` is exactly Diffusion-DPO.

Batch convention: index ``i`` is one pair; ``err_w[i]`` and ``err_l[i]`` come from the same condition,
timestep and noise, and ``s_w[i] >= s_l[i]`` (winner first). Unordered pairs raise ``ValueError``.
"""

from __future__ import annotations

import torch

from .diffusion_dpo import pair_terms, preference_metrics
from .weights import gap_weight


def gapo_loss(
    err_w: torch.Tensor,
    err_l: torch.Tensor,
    ref_err_w: torch.Tensor,
    ref_err_l: torch.Tensor,
    s_w: torch.Tensor,
    s_l: torch.Tensor,
    beta: float = 5000.0,
    weight: str = "pow2",
) -> tuple[torch.Tensor, dict]:
    """GAPO loss ``mean_i(gap_i * dpo_i)`` for ``(B,)`` errors and ``(B,)`` scores in [0, 1].

    ``weight`` is one of ``pow2`` (paper), ``pow3``, ``ratio``, ``none``; see ``losses.weights``.
    Returns ``(loss, metrics)`` with detached 0-dim tensors ``loss``, ``implicit_acc``, ``mean_gap``,
    ``reward_margin`` and ``mean_dpo``.
    """
    delta, dpo = pair_terms(err_w, err_l, ref_err_w, ref_err_l, beta)
    s_w = torch.as_tensor(s_w, dtype=torch.float32, device=dpo.device).reshape(-1)
    s_l = torch.as_tensor(s_l, dtype=torch.float32, device=dpo.device).reshape(-1)
    if s_w.shape != dpo.shape:
        raise ValueError(f"scores must have shape {tuple(dpo.shape)} (one per pair), got {tuple(s_w.shape)}")
    gap = gap_weight(s_w.float(), s_l.float(), weight)
    loss = (gap * dpo).mean()
    metrics = preference_metrics(delta, dpo, gap, beta)
    metrics["loss"] = loss.detach()
    return loss, metrics
