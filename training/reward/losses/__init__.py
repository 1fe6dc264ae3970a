"""Pure tensor losses of AnimeReward, one module each. Pairwise losses take ``d = r_b - r_a`` (logits)
and the consensus ``strength`` (-2..+2, + = B better) and return ``(loss, metrics)``."""

from .bradley_terry import bt_loss, pair_accuracy
from .regression import rating_to_unit, regression_loss
from .segment import segment_rank_loss
from .strength import bt_gap_loss, bt_margin_loss
from .ties import bt_ties_loss, rao_kupper_probs

PAIRWISE = ("bt", "bt_ties", "bt_margin", "bt_gap")


def pairwise_loss(name: str, d, strength, *, tie_margin: float = 0.5, strength_margin: float = 0.5):
    """Dispatch by config name (RewardConfig.loss)."""
    if name == "bt":
        return bt_loss(d, strength)
    if name == "bt_ties":
        return bt_ties_loss(d, strength, tie_margin)
    if name == "bt_margin":
        return bt_margin_loss(d, strength, strength_margin)
    if name == "bt_gap":
        return bt_gap_loss(d, strength)
    raise ValueError(f"unknown pairwise loss {name!r}; valid: {', '.join(PAIRWISE)}")


__all__ = ["PAIRWISE", "bt_gap_loss", "bt_loss", "bt_margin_loss", "bt_ties_loss", "pair_accuracy",
           "pairwise_loss", "rao_kupper_probs", "rating_to_unit", "regression_loss", "segment_rank_loss"]
