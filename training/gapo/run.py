"""``run_gapo``: one GAPO training run over a cached pair folder, resumable; the entry point for job runners.

    from training.gapo.config import GapoConfig
    from training.gapo.run import run_gapo

    result = run_gapo(GapoConfig(family="cogvideox", steps=200, checkpoint_every=50),
                      pairs_dir="runs/7/pairs", out_dir="runs/7",
                      on_step=lambda record: heartbeat(record), should_stop=lambda: cancel_requested())
    # {"status": "completed" | "stopped", "step": 200, "checkpoint": "runs/7/checkpoints/step-000200", ...}

Calling it again with the same ``out_dir`` continues from the latest ``out_dir/checkpoints/step-N`` (LoRA,
optimizer, step count) up to ``config.steps``; a run already at ``config.steps`` returns at once. A stop
request saves a checkpoint first, so stop + call again = resume. ``metrics.jsonl`` in ``out_dir`` gets one
record per optimizer step (appended across resumes) and ``config.json`` the run's config.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Callable

from .config import GapoConfig
from .data import PreferencePairDataset
from .denoiser import Denoiser
from .models import build_denoiser
from .targets import NoiseProcess
from .trainer import GapoTrainer, latest_checkpoint

METRICS_NAME = "metrics.jsonl"


def run_gapo(
    config: GapoConfig,
    *,
    pairs_dir: str | Path,
    out_dir: str | Path,
    on_step: Callable[[dict], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    denoiser: Denoiser | None = None,
    noise: NoiseProcess | None = None,
    resume: bool = True,
) -> dict:
    """Train (or continue) a LoRA on ``pairs_dir``; returns the run summary (JSON-serialisable).

    ``denoiser`` defaults to ``build_denoiser(config)``; pass one to train a model built elsewhere (its LoRA
    must match ``config``'s rank, alpha and targets for a resume to load). ``checkpoint_dir`` defaults to
    ``out_dir/checkpoints``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if config.checkpoint_dir is None:
        config = dataclasses.replace(config, checkpoint_dir=str(out / "checkpoints"))
    config.save(out / "config.json")
    denoiser = denoiser if denoiser is not None else build_denoiser(config)
    pairs = PreferencePairDataset(pairs_dir)
    with (out / METRICS_NAME).open("a") as log:
        def step_done(record: dict) -> None:
            log.write(json.dumps(record) + "\n")
            log.flush()
            if on_step is not None:
                on_step(record)

        trainer = GapoTrainer(config, denoiser, pairs, callback=step_done, should_stop=should_stop, noise=noise)
        checkpoint = latest_checkpoint(config.checkpoint_dir) if resume else None
        if checkpoint is not None:
            trainer.load_checkpoint(checkpoint)
        resumed_at = trainer.step
        records = trainer.train() if trainer.step < config.steps else []
    final = latest_checkpoint(config.checkpoint_dir)
    return {
        "status": "stopped" if trainer.stopped else "completed",
        "step": trainer.step,
        "steps": config.steps,
        "resumed_from": str(checkpoint) if checkpoint is not None else None,
        "resumed_at_step": resumed_at,
        "steps_this_call": len(records),
        "checkpoint": str(final) if final is not None else None,
        "last_metrics": records[-1] if records else None,
        "pairs": len(pairs),
        "metrics_file": str(out / METRICS_NAME),
    }
