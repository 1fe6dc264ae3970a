"""Held-out evaluation of a GAPO LoRA: base (adapters disabled) vs trained, from the same noise.

    metrics = evaluate_samples(denoiser, noise, items, scorer, decode, "runs/gapo-1/eval", steps=20)
    # {"base": {dim: mean}, "trained": {dim: mean}, "delta": {...}, "win_rate": {dim: ...}, "samples": N, ...}

For every held-out ``PromptItem`` and each of ``samples_per_prompt`` noises, the base and the trained model
denoise the *same* starting noise (``onpolicy.item_noise``), so a difference is the adapter's doing, not the
noise's. Both videos are scored by the reward callable per dimension; ``win_rate[dim]`` is the fraction of
samples where the trained video scores higher (a tie counts half).

Written under ``out_dir``: ``videos/<key>__<sample>__{base,trained}.mp4`` (H.264, yuv420p, even sides,
moov first: plays in a browser ``<video>``; nearest-neighbour upscaled so the short side is >= ``min_side``)
and ``index.json`` (metrics plus one row per sample with both videos' paths and scores).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch

from media_io import write_mp4

from .denoiser import Denoiser
from .onpolicy import Decode, PromptItem, generate
from .rewards import Scorer, score_table
from .targets import NoiseProcess

INDEX_NAME = "index.json"


def score_samples(denoiser: Denoiser, noise: NoiseProcess, items: list[PromptItem], scorer: Scorer,
                  decode: Decode, *, steps: int = 20, samples_per_prompt: int = 1, seed: int = 0,
                  batch_size: int = 8) -> tuple[dict[str, torch.Tensor], np.ndarray]:
    """Sample with the denoiser as it is (wrap in ``denoiser.reference()`` for the base) and score.

    Returns ``({dim: (N * S,) scores}, videos (N, S, T, H, W, 3) uint8)``.
    """
    _, videos = generate(denoiser, noise, items, decode, k=samples_per_prompt, steps=steps, seed=seed,
                         batch_size=batch_size)
    flat = [videos[i, j] for i in range(len(items)) for j in range(samples_per_prompt)]
    table = score_table(scorer, flat, [it.prompt for it in items for _ in range(samples_per_prompt)],
                        [it.initial_image for it in items for _ in range(samples_per_prompt)])
    return table, videos


def win_rates(trained: dict[str, torch.Tensor], base: dict[str, torch.Tensor]) -> dict[str, float]:
    """Per dimension: mean of 1 (trained higher), 0.5 (tie), 0 (base higher) over paired samples."""
    return {d: float(((trained[d] > base[d]).float() + 0.5 * (trained[d] == base[d]).float()).mean())
            for d in trained if d in base}


def paired_interval(trained: torch.Tensor, base: torch.Tensor, groups: int, level: float = 0.95) -> dict:
    """Mean trained - base and its ``level`` t-interval over held-out *prompts*: the samples of one prompt
    (rows ``i * S .. i * S + S - 1``) are averaged first, so the interval counts prompts, not noises.
    Fewer than two prompts have no interval (None)."""
    from scipy import stats

    per_prompt = (trained - base).double().reshape(groups, -1).mean(dim=1).numpy()
    mean = float(per_prompt.mean())
    if groups < 2:
        return {"mean": mean, "low": None, "high": None, "prompts": groups}
    half = float(stats.t.ppf(0.5 + level / 2, groups - 1) * per_prompt.std(ddof=1) / math.sqrt(groups))
    return {"mean": mean, "low": mean - half, "high": mean + half, "prompts": groups, "level": level}


def upscale(video: np.ndarray, min_side: int) -> np.ndarray:
    """``(T, H, W, 3)`` nearest-neighbour upscaled by an integer factor until ``min(H, W) >= min_side``."""
    factor = max(1, math.ceil(min_side / min(video.shape[1:3])))
    return video.repeat(factor, axis=1).repeat(factor, axis=2) if factor > 1 else video


def evaluate_samples(denoiser: Denoiser, noise: NoiseProcess, items: list[PromptItem], scorer: Scorer,
                     decode: Decode, out_dir: str | Path, *, steps: int = 20, samples_per_prompt: int = 1,
                     seed: int = 0, batch_size: int = 8, save_videos: bool = True, fps: float = 8.0,
                     min_side: int = 128) -> dict:
    """Base vs trained on held-out items; returns the metrics dict (also in ``out_dir/index.json``)."""
    if not items:
        raise ValueError("evaluation needs at least one held-out PromptItem")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options = dict(steps=steps, samples_per_prompt=samples_per_prompt, seed=seed, batch_size=batch_size)
    with denoiser.reference():
        base, base_videos = score_samples(denoiser, noise, items, scorer, decode, **options)
    trained, trained_videos = score_samples(denoiser, noise, items, scorer, decode, **options)
    rows = []
    for i, item in enumerate(items):
        for j in range(samples_per_prompt):
            n = i * samples_per_prompt + j
            row = {"key": item.key, "prompt": item.prompt, "sample": j,
                   "base_scores": {d: float(v[n]) for d, v in base.items()},
                   "trained_scores": {d: float(v[n]) for d, v in trained.items()}}
            if save_videos:
                for name, videos in (("base", base_videos), ("trained", trained_videos)):
                    path = Path("videos") / f"{item.key}__{j}__{name}.mp4"
                    write_mp4(upscale(videos[i, j], min_side), out / path, fps)
                    row[f"{name}_video"] = str(path)
            rows.append(row)
    metrics = {
        "prompts": len(items),
        "samples": len(rows),
        "steps": steps,
        "seed": seed,
        "base": {d: float(v.mean()) for d, v in base.items()},
        "trained": {d: float(v.mean()) for d, v in trained.items()},
        "delta": {d: float((trained[d] - base[d]).mean()) for d in trained if d in base},
        "win_rate": win_rates(trained, base),
        # the score change with its 95% interval over held-out prompts (paired: same noise for both)
        "delta_ci": {d: paired_interval(trained[d], base[d], len(items)) for d in trained if d in base},
    }
    (out / INDEX_NAME).write_text(json.dumps({**metrics, "rows": rows}, indent=2))
    return {**metrics, "index": str(out / INDEX_NAME)}
