"""Preference losses for diffusion models, one module per loss; all are pure tensor functions."""

from .diffusion_dpo import diffusion_dpo_loss
from .gapo import gapo_loss
from .weights import WEIGHT_NAMES, gap_weight, validate_scores

__all__ = ["WEIGHT_NAMES", "diffusion_dpo_loss", "gap_weight", "gapo_loss", "validate_scores"]
