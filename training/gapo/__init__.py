"""GAPO (Gap-Aware Preference Optimization) LoRA training for diffusers image-to-video models.

Pure ML: this package never imports Django. Modules, in the order a run uses them:

* ``onpolicy.py``  K candidates per (prompt, initial image) from the current model (``sampling.py``: DDIM for
  epsilon/v, Euler for flow), scored by a reward callable (``rewards.py``; ``AnimeReward.score`` plugs in),
  kept as winner/loser latents with their scores ``s_w > s_l`` (``data.write_pairs``);
* ``human.py``     the same pairs from platform data: consensus direction + per-video Bradley-Terry scores;
* ``trainer.py``   ``GapoTrainer``: shared noise and timestep per pair, the pure losses in ``losses/``;
  ``run.py``: ``run_gapo``, the resumable, cancellable entry point for job runners;
* ``evaluate.py``  base vs trained samples from the same noise on held-out prompts, reward per dimension,
  win rate, browser-playable MP4s;
* ``studio.py``    the job a studio GAPO run executes; ``paper_codec.py`` the VAE + T5 of real checkpoints;
* ``repro*.py``    the CPU reproduction of the paper's claim (Diffusion-DPO vs GAPO on the demo world).

Commands: ``python -m training.gapo train|reproduce`` (exact lines in ``training/gapo/__main__.py``).
"""

__all__ = ["GapoConfig", "diffusion_dpo_loss", "gapo_loss"]


def __getattr__(name: str):
    """Lazy exports: importing a torch-free module of the package (``job_options``, which the web
    process checks run options with) must not import torch."""
    if name == "GapoConfig":
        from .config import GapoConfig

        return GapoConfig
    if name in ("diffusion_dpo_loss", "gapo_loss"):
        from . import losses

        return getattr(losses, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
