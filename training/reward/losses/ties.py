"""Bradley-Terry with ties, the Rao-Kupper model (Rao & Kupper 1967, JASA 62:194-204).

With worths pi = exp(r) and a tie parameter theta >= 1 (eta = log theta > 0)::

    P(b > a) = pi_b / (pi_b + theta * pi_a) = sigmoid(d - eta)
    P(a > b) = pi_a / (pi_a + theta * pi_b) = sigmoid(-d - eta)
    P(tie)   = 1 - P(b > a) - P(a > b) = (theta^2 - 1) pi_a pi_b / ((pi_a + theta pi_b)(pi_b + theta pi_a))

with ``d = r_b - r_a``. The loss is the mean negative log-likelihood of the observed outcome
(sign of ``strength``: +1 b, -1 a, 0 tie).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .bradley_terry import _check, pair_accuracy


def rao_kupper_probs(d: torch.Tensor, eta: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(P(b > a), P(tie), P(a > b)) for score differences ``d = r_b - r_a`` and ``eta = log theta > 0``."""
    p_b = torch.sigmoid(d - eta)
    p_a = torch.sigmoid(-d - eta)
    return p_b, 1.0 - p_a - p_b, p_a


def bt_ties_loss(d: torch.Tensor, strength: torch.Tensor, eta: float = 0.5) -> tuple[torch.Tensor, dict]:
    """Rao-Kupper negative log-likelihood; ties count as evidence that the two scores are close."""
    if eta <= 0:
        raise ValueError(f"eta (log theta) must be > 0 for ties to have probability, got {eta}")
    strength = _check(d, strength)
    sign = torch.sign(strength)
    log_b = F.logsigmoid(d - eta)
    log_a = F.logsigmoid(-d - eta)
    # log P(tie) = log(1 - sigmoid(d-eta) - sigmoid(-d-eta)), computed stably as
    # log(expm1(2 eta)) + log_b + log_a: the closed form (theta^2 - 1) pi_a pi_b / (...) above.
    log_tie = torch.log(torch.expm1(torch.tensor(2.0 * eta, dtype=d.dtype, device=d.device))) + log_b + log_a
    nll = -torch.where(sign > 0, log_b, torch.where(sign < 0, log_a, log_tie))
    loss = nll.mean()
    return loss, {"loss": loss.detach(), "accuracy": pair_accuracy(d, strength), "pairs": int(d.numel()),
                  "ties": int((sign == 0).sum())}
