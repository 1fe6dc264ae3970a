"""Bradley-Terry pairwise loss (Bradley & Terry 1952) on score differences.

Batch convention: ``d = r_b - r_a`` (B's logit minus A's logit), ``strength`` in -2..+2 with the export's
sign (+ = B better). Plain BT drops ties::

    P(b > a) = sigmoid(d)        loss = -mean_{strength != 0} log sigmoid(sign(strength) * d)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _check(d: torch.Tensor, strength: torch.Tensor) -> torch.Tensor:
    strength = torch.as_tensor(strength, dtype=d.dtype, device=d.device)
    if strength.shape != d.shape:
        raise ValueError(f"strength must have the shape of d {tuple(d.shape)}, got {tuple(strength.shape)}")
    return strength


def pair_accuracy(d: torch.Tensor, strength: torch.Tensor) -> torch.Tensor:
    """Share of non-tie pairs whose predicted side (sign of d) matches the label; nan without any."""
    decided = strength != 0
    if not decided.any():
        return torch.tensor(float("nan"))
    return ((torch.sign(d[decided]) == torch.sign(strength[decided])).float().mean()).detach()


def bt_loss(d: torch.Tensor, strength: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """Bradley-Terry negative log-likelihood over the non-tie pairs (ties are ignored; 0 if none)."""
    strength = _check(d, strength)
    decided = strength != 0
    if not decided.any():
        return d.sum() * 0.0, {"pairs": 0}
    loss = -F.logsigmoid(torch.sign(strength[decided]) * d[decided]).mean()
    return loss, {"loss": loss.detach(), "accuracy": pair_accuracy(d, strength), "pairs": int(decided.sum())}
