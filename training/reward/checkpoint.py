"""Checkpoint folder format (one per save, ``<output_dir>/step-<N>/``):

    config.json         RewardConfig.to_dict()
    model.safetensors   full state dict of AnimeRewardModel (heads, backbones incl. LoRA, hc buffers)
    optimizer.pt        optimizer + scheduler state, for resume (absent in export-only saves)
    metrics.json        {"step", "metrics": {...}, "dataset_version": sha, "code_version": git rev}
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from training.step_folders import latest_step_folder, written_whole

from .config import RewardConfig

CONFIG, WEIGHTS, OPTIMIZER, METRICS = "config.json", "model.safetensors", "optimizer.pt", "metrics.json"


def code_version() -> str | None:
    """git rev of the working tree this code runs from (with '-dirty' when modified), None outside git."""
    root = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "training/reward"], cwd=root,
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if rev.returncode != 0:
        return None
    return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def save_checkpoint(folder: str | Path, *, config: RewardConfig, model: torch.nn.Module, step: int,
                    metrics: dict | None = None, dataset_version: str | None = None,
                    optimizer_state: dict | None = None) -> Path:
    folder = Path(folder)
    with written_whole(folder) as scratch:
        config.save(scratch / CONFIG)
        state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(scratch / WEIGHTS))
        if optimizer_state is not None:
            torch.save(optimizer_state, scratch / OPTIMIZER)
        record = {"step": step, "metrics": metrics or {}, "dataset_version": dataset_version,
                  "code_version": code_version()}
        (scratch / METRICS).write_text(json.dumps(record, indent=2, sort_keys=True, default=float))
    return folder


def read_checkpoint(folder: str | Path) -> tuple[RewardConfig, dict, dict]:
    """(config, state dict, metrics record)."""
    folder = Path(folder)
    if not (folder / WEIGHTS).exists():
        raise FileNotFoundError(f"{folder / WEIGHTS} not found; pass a step-N folder written by training.reward train")
    config = RewardConfig.load(folder / CONFIG)
    record = json.loads((folder / METRICS).read_text()) if (folder / METRICS).exists() else {"step": 0}
    return config, load_file(str(folder / WEIGHTS)), record


def latest_checkpoint(output_dir: str | Path) -> Path | None:
    return latest_step_folder(output_dir, containing=WEIGHTS)
