"""Gap weights for GAPO: how much one preference pair counts, from its two scores.

Scores are in [0, 1] (reward-model or human scores divided by 100) and pairs are ordered so that
``s_w >= s_l`` (winner first). Every weight is 0 for a tie and grows with the gap:

=========  ==========================  ==============  ==========================================
name       formula                     range           source
=========  ==========================  ==============  ==========================================
``pow2``   ``2**s_w - 2**s_l``         [0, 1]          the paper's gap weight (docs/method.md, GAPO)
``pow3``   ``3**s_w - 3**s_l``         [0, 2]          alternative named in the reference code;
                                                       we read it as the base-3 analogue of
                                                       ``pow2`` (docs/method.md)
``ratio``  ``1 - 2**(s_l - s_w)``      [0, 0.5]        alternative from the reference code
``linear`` ``s_w - s_l``                 [0, 1]          DPO weighted linearly by the gap: the simplest
                                                       gap-aware control (the decisive benchmarks)
``none``   ``1``                       {1}             plain Diffusion-DPO (the baseline)
=========  ==========================  ==============  ==========================================
"""

from __future__ import annotations

from typing import Callable

import torch

WEIGHT_FNS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "pow2": lambda s_w, s_l: torch.pow(2.0, s_w) - torch.pow(2.0, s_l),
    "pow3": lambda s_w, s_l: torch.pow(3.0, s_w) - torch.pow(3.0, s_l),
    "ratio": lambda s_w, s_l: 1.0 - torch.pow(2.0, s_l - s_w),
    "linear": lambda s_w, s_l: s_w - s_l,
    "none": lambda s_w, s_l: torch.ones_like(s_w),
}
WEIGHT_NAMES = tuple(WEIGHT_FNS)

ERR_UNKNOWN_WEIGHT = "unknown gap weight {name!r}; valid values: {valid}"
ERR_SCORE_RANGE = (
    "preference scores must lie in [0, 1] (divide 0-100 scores by 100); got s_w in [{w_min:.4g}, {w_max:.4g}], "
    "s_l in [{l_min:.4g}, {l_max:.4g}]"
)
ERR_UNORDERED = (
    "{count} pair(s) have s_w < s_l, which would give a negative GAPO weight; pairs must be ordered winner first "
    "(swap x_w/x_l and s_w/s_l upstream). First offending pair: index {index}, s_w={s_w:.4g}, s_l={s_l:.4g}"
)


def validate_scores(s_w: torch.Tensor, s_l: torch.Tensor) -> None:
    """Raise ``ValueError`` unless every score is in [0, 1] and every pair has ``s_w >= s_l``."""
    if s_w.shape != s_l.shape:
        raise ValueError(f"s_w and s_l must have the same shape, got {tuple(s_w.shape)} and {tuple(s_l.shape)}")
    if s_w.numel() == 0:
        raise ValueError("empty batch: at least one preference pair is needed")
    if bool(((s_w < 0) | (s_w > 1) | (s_l < 0) | (s_l > 1)).any()):
        raise ValueError(
            ERR_SCORE_RANGE.format(
                w_min=float(s_w.min()), w_max=float(s_w.max()), l_min=float(s_l.min()), l_max=float(s_l.max())
            )
        )
    bad = s_w < s_l
    if bool(bad.any()):
        index = int(bad.nonzero()[0, 0])
        raise ValueError(
            ERR_UNORDERED.format(
                count=int(bad.sum()), index=index, s_w=float(s_w[index]), s_l=float(s_l[index])
            )
        )


def gap_weight(s_w: torch.Tensor, s_l: torch.Tensor, weight: str = "pow2") -> torch.Tensor:
    """Per-pair gap weight ``(B,)`` for scores ``s_w, s_l`` of shape ``(B,)``; validates the scores first."""
    if weight not in WEIGHT_FNS:
        raise ValueError(ERR_UNKNOWN_WEIGHT.format(name=weight, valid=", ".join(WEIGHT_NAMES)))
    validate_scores(s_w, s_l)
    return WEIGHT_FNS[weight](s_w, s_l)
