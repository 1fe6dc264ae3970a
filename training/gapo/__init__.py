"""GAPO (Gap-Aware Preference Optimization) LoRA training for diffusers image-to-video models.

Pure ML: this package never imports Django. Entry points: ``python -m training.gapo train`` (see
``training/gapo/__main__.py`` for exact commands), ``GapoTrainer`` and the pure losses in ``losses/``.
"""

from .config import GapoConfig
from .losses import diffusion_dpo_loss, gapo_loss

__all__ = ["GapoConfig", "diffusion_dpo_loss", "gapo_loss"]
