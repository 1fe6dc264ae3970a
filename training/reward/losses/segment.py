"""Segment loss (issue #22): within a video, frames inside marked artefact spans should score lower than frames
outside them.

A logistic ranking (the smooth surrogate of the within-video AUROC that localisation is measured with). For one
video with frame scores s_t (logits of the temporal dimension's score curve) and a marked mask m_t in [0, 1] (the
share of annotators whose spans cover frame t, mapped onto the model's frames: training/reward/segments.py):

    w_io = max(0, m_i - m_o)                                 frame i more marked than frame o
    L_video = sum_{i,o} w_io * softplus(s_i - s_o) / sum_{i,o} w_io
    L = mean over videos with any w_io > 0 of L_video

softplus(s_i - s_o) = -log sigmoid(s_o - s_i): the Bradley-Terry loss of "the unmarked frame o beats the marked
frame i". Equal scores give ln 2 (tested); a video whose frames are all marked, or none, carries no contrast and
is left out, so spans never pull a clean video's level up or down: that is the pairwise loss's job.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def segment_rank_loss(scores: torch.Tensor, marked: torch.Tensor, valid: torch.Tensor | None = None,
                      ) -> tuple[torch.Tensor, dict]:
    """scores, marked: (V, T) frame logits and marked shares in [0, 1]; valid: optional (V, T) bool of the frames
    that count (default all). Returns (loss, {"videos": videos with contrast, "accuracy": share of weighted
    (marked, unmarked) frame pairs ordered right, nan without any})."""
    if scores.shape != marked.shape or scores.dim() != 2:
        raise ValueError(f"scores and marked must both be (videos, frames); got {tuple(scores.shape)} and "
                         f"{tuple(marked.shape)}")
    marked = marked.to(scores.dtype)
    if valid is not None:
        if valid.shape != scores.shape:
            raise ValueError(f"valid must be (videos, frames) {tuple(scores.shape)}, got {tuple(valid.shape)}")
        keep = valid.to(scores.dtype)
    else:
        keep = torch.ones_like(scores)
    # (V, T, 1) - (V, 1, T) -> (V, T, T): entry [v, i, o] compares frame i (more marked) with frame o
    weight = (marked.unsqueeze(2) - marked.unsqueeze(1)).clamp_min(0) * keep.unsqueeze(2) * keep.unsqueeze(1)
    gap = scores.unsqueeze(2) - scores.unsqueeze(1)
    per_video_weight = weight.sum(dim=(1, 2))  # (V,)
    has = per_video_weight > 0
    if not bool(has.any()):
        return scores.sum() * 0.0, {"videos": 0, "accuracy": torch.tensor(float("nan"))}
    per_video = (weight * F.softplus(gap)).sum(dim=(1, 2))[has] / per_video_weight[has]
    loss = per_video.mean()
    with torch.no_grad():
        right = (weight * (gap < 0).to(scores.dtype)).sum() / weight.sum()
    return loss, {"videos": int(has.sum()), "accuracy": right.detach()}
