"""Strength-aware Bradley-Terry variants: the preference strength (-2..+2, or a consensus mean) as a
margin or as a weight. Ties are dropped, as in plain BT.

    bt_margin:  loss_i = -log sigmoid(y_i d_i - m |s_i|)        (margin grows with the strength; cf. the
                                                                 Llama 2 reward-model margin loss)
    bt_gap:     loss   = sum_i g_i * (-log sigmoid(y_i d_i)) / sum_i g_i,  g_i = |s_i| / 2 in (0, 1]
                                                                (the export's `gap`; GAPO's weighting idea)

``y_i = sign(s_i)``, ``d_i = r_b - r_a``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .bradley_terry import _check, pair_accuracy


def bt_margin_loss(d: torch.Tensor, strength: torch.Tensor, margin: float = 0.5) -> tuple[torch.Tensor, dict]:
    strength = _check(d, strength)
    decided = strength != 0
    if not decided.any():
        return d.sum() * 0.0, {"pairs": 0}
    s = strength[decided]
    loss = -F.logsigmoid(torch.sign(s) * d[decided] - margin * s.abs()).mean()
    return loss, {"loss": loss.detach(), "accuracy": pair_accuracy(d, strength), "pairs": int(decided.sum())}


def bt_gap_loss(d: torch.Tensor, strength: torch.Tensor) -> tuple[torch.Tensor, dict]:
    strength = _check(d, strength)
    decided = strength != 0
    if not decided.any():
        return d.sum() * 0.0, {"pairs": 0}
    s = strength[decided]
    gap = s.abs() / 2.0
    loss = (gap * -F.logsigmoid(torch.sign(s) * d[decided])).sum() / gap.sum()
    return loss, {"loss": loss.detach(), "accuracy": pair_accuracy(d, strength), "pairs": int(decided.sum()),
                  "mean_gap": gap.mean().detach()}
