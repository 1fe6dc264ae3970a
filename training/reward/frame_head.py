"""The per-frame head of a temporal dimension (config.frame_dimensions; issue #22): a score curve over time.

For each sampled frame t, ``s_t = w . z_t + b`` on the standardised per-frame measurements z_t of that dimension
(frame_features.FRAME_SCOPES; ``fr_mean`` / ``fr_std`` on AnimeRewardModel, fitted on the training videos' frames).
How the curve meets the video score (config.frame_pooling):
    separate (default)  it does not: the video logit is the scorer's alone, and the head is trained by its own
                        pairwise term on its pooled value mean_t s_t (train.py) plus the segment loss
                        (losses/segment.py) on its shape. A model's video scores, hence its pairwise accuracy, are
                        then those of the same model without frame heads (tested).
    added               the first design (configs saved before frame_pooling): the dimension's video logit gains
                        ``mean_t s_t``, so the pairwise loss trains the head through its pooled value. Measured:
                        once the segment loss shapes the head this costs demo pairwise accuracy on character
                        (benchmarks/results/reward_segments.md).
The weights start near 0 (std 0.01, bias 0), so with 'added' a fresh frame head scores videos as without one.
The score curve AnimeReward reports is ``video logit + (s_t - mean_t s_t)``: it averages to the video's logit,
and its shape over time is the frame head's.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .frame_features import frame_columns, frame_signs


class FrameHead(nn.Module):
    def __init__(self, dimension: str, monotone: bool):
        super().__init__()
        self.register_buffer("columns", torch.tensor(frame_columns(dimension), dtype=torch.long), persistent=False)
        signs = frame_signs(dimension) if monotone else (0.0,) * len(frame_columns(dimension))
        self.register_buffer("signs", torch.tensor(signs, dtype=torch.float32), persistent=False)
        self.head = nn.Linear(len(self.columns), 1)
        nn.init.normal_(self.head.weight, std=0.01)
        nn.init.zeros_(self.head.bias)

    def forward(self, frames_std: torch.Tensor) -> torch.Tensor:
        """(B, T, F) standardised per-frame features -> (B, T) frame logits s_t."""
        x = frames_std.index_select(-1, self.columns)  # (B, T, F) -> (B, T, F_dim)
        return self.head(x.to(self.head.weight.dtype)).squeeze(-1)  # (B, T, 1) -> (B, T)

    @torch.no_grad()
    def project_monotone(self) -> None:
        w = self.head.weight[0]
        w.copy_(torch.where(self.signs * w < 0, torch.zeros_like(w), w))
