"""Regression of per-video scores to ratings, as the reference code trains (MSE on 0-100 labels for
smoothness/appeal, L1 on [0, 1] labels for the consistency dimensions). Targets here are in [0, 1]
(1-5 ratings map by (r - 1) / 4); NaN targets are masked out.

    mse: mean_i (s_i - t_i)^2        l1: mean_i |s_i - t_i|
"""

from __future__ import annotations

import torch


def regression_loss(score: torch.Tensor, target: torch.Tensor, kind: str = "mse") -> tuple[torch.Tensor, dict]:
    target = torch.as_tensor(target, dtype=score.dtype, device=score.device)
    if target.shape != score.shape:
        raise ValueError(f"target must have the shape of score {tuple(score.shape)}, got {tuple(target.shape)}")
    if kind not in ("mse", "l1"):
        raise ValueError(f"kind={kind!r} is not valid; valid values: mse, l1")
    known = ~torch.isnan(target)
    if not known.any():
        return score.sum() * 0.0, {"videos": 0}
    diff = score[known] - target[known]
    loss = (diff**2).mean() if kind == "mse" else diff.abs().mean()
    return loss, {"loss": loss.detach(), "mae": diff.abs().mean().detach(), "videos": int(known.sum())}


def rating_to_unit(rating: torch.Tensor) -> torch.Tensor:
    """1-5 ratings to [0, 1]."""
    return (torch.as_tensor(rating, dtype=torch.float32) - 1.0) / 4.0
