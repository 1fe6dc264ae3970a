"""Fit the formula prior's temperature before training (config.formula_prior): pure torch, no Django.

A head's logit is ``prior_scale * formula log-odds + correction``. The log-odds of a fixed formula have no natural
scale (a saturating map puts two clearly different videos 4 logits apart, a gentle one 0.3), so the scale that
matches the labels differs per dimension by an order of magnitude: 0.1-0.8 for image_video, 7-9 for appeal on the
demo. Started at 1 and moved by the optimizer at the heads' learning rate, the scale cannot get there in a few
hundred steps, and the corrections, starting at 0 and moving at the same rate, soak up what the scale should have
carried (on leave-one-generator-out the appeal head put more weight on flicker than on the formula). So the trainer
starts each scale at the value that fits the training pairs best with no correction: the formula itself at its
best temperature. Training then learns the corrections relative to that, and the scale keeps training with them.
"""

from __future__ import annotations

import math

import torch

from dimensions import KEYS as DIMENSIONS

from .losses import pairwise_loss

STEPS_PER_E = 8  # grid points per e-fold of the scale
SCALE_GRID = tuple(math.exp(x / STEPS_PER_E) for x in range(-3 * STEPS_PER_E, 4 * STEPS_PER_E + 1))  # 0.05 .. 55


@torch.no_grad()
def fit_prior_scale(prior_diff: torch.Tensor, strength: torch.Tensor, *, loss: str, tie_margin: float,
                    strength_margin: float) -> float:
    """The scale in SCALE_GRID (plus its neighbours' parabola vertex) minimising the pairwise loss of
    ``scale * prior_diff`` against ``strength`` (pairs with a label only); 1.0 when there are none."""
    known = ~torch.isnan(strength)
    d, s = prior_diff[known].double(), strength[known].double()
    if len(d) == 0 or not bool((d != 0).any()):
        return 1.0
    losses = [float(pairwise_loss(loss, k * d, s, tie_margin=tie_margin, strength_margin=strength_margin)[0])
              for k in SCALE_GRID]
    i = min(range(len(losses)), key=losses.__getitem__)
    if 0 < i < len(losses) - 1:  # refine on log scale: vertex of the parabola through the three best points
        y0, y1, y2 = losses[i - 1], losses[i], losses[i + 1]
        denom = y0 - 2 * y1 + y2
        if denom > 0:
            return math.exp(math.log(SCALE_GRID[i]) + 0.5 * (y0 - y2) / denom / STEPS_PER_E)
    return SCALE_GRID[i]


def fit_prior_scales(prior_a: torch.Tensor, prior_b: torch.Tensor, strengths: torch.Tensor, dimensions, *,
                     loss: str, tie_margin: float, strength_margin: float) -> dict[str, float]:
    """fit_prior_scale per dimension: ``prior_a``/``prior_b`` are the pairs' formula log-odds (P, len(DIMENSIONS)),
    in DIMENSIONS order as inputs.py stores them; ``strengths`` is (P, len(dimensions)) in ``dimensions`` order."""
    return {dim: fit_prior_scale(prior_b[:, DIMENSIONS.index(dim)] - prior_a[:, DIMENSIONS.index(dim)],
                                 strengths[:, j], loss=loss, tie_margin=tie_margin, strength_margin=strength_margin)
            for j, dim in enumerate(dimensions)}
