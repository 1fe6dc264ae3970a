"""The demo's image-to-video generator: something worth aligning on a CPU-only install.

A randomly initialised tiny CogVideoX-I2V samples coloured noise, so a GAPO run on it cannot show
anything a person would recognise. This module pretrains the same architecture the ``tiny`` studio
preset uses (``CogVideoXTransformer3DModel`` in pixel space, the residual codec of ``pixel_codec.PixelCodec``:
latent = 4 x (frame - first frame), so every sample starts from the initial image and the model only
has to learn how the picture moves) on clips the platform holds — the demo campaign's videos — with
plain v-prediction MSE, and caches the result under ``cache_dir/<key>/``:

    folder = generator_ensure(clips, DemoGeneratorConfig(), cache_dir)     # trains once (minutes on CPU)
    model = generator_transformer(folder)                                   # weights loaded, no LoRA yet

The key hashes the config and the clips' identities, so new data or another size trains a new one and a
restart reuses the old. ORM-free: the run executor hands over (prompt, frames) pairs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from .denoiser import CogVideoXDenoiser
from .models import build_transformer, default_alphas_cumprod, pixel_i2v_overrides
from .pixel_codec import TEXT_DIM, TEXT_TOKENS, PixelCodec
from .pretraining import fit_denoiser
from .targets import NoiseProcess

CONFIG_NAME = "generator.json"
WEIGHTS_NAME = "base.pt"
INFO_NAME = "info.json"


@dataclass(frozen=True)
class DemoGeneratorConfig:
    """What determines the pretrained generator (part of its cache key)."""

    size: int = 64  # frame side in pixels (square; the codec area-resizes the clips)
    frames: int = 8
    patch: int = 8  # 8x8 pixel patches: 64 tokens per frame at 64 px, what 2 cores train in minutes
    heads: int = 4
    head_dim: int = 24
    layers: int = 3
    steps: int = 800
    batch: int = 8
    lr: float = 1e-3
    seed: int = 0

    def __post_init__(self):
        if self.size < 16 or self.size % self.patch or self.frames < 2 or self.steps < 1 or self.batch < 1:
            raise ValueError("size >= 16 and a multiple of patch, frames >= 2, steps >= 1 and batch >= 1 are required")

    def model_overrides(self) -> dict:
        return pixel_i2v_overrides(size=self.size, frames=self.frames, patch=self.patch, heads=self.heads,
                                   head_dim=self.head_dim, layers=self.layers, text_tokens=TEXT_TOKENS,
                                   text_dim=TEXT_DIM)

    @classmethod
    def from_dict(cls, data: dict) -> "DemoGeneratorConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class TrainingClip:
    """One clip to learn from: the prompt it answers (text + initial image) and its frames."""

    key: str  # stable identity of the clip (e.g. the video's sha256); part of the cache key
    prompt: object  # studio.StudioPrompt
    frames: np.ndarray  # uint8 (T, H, W, 3)


def cache_key(config: DemoGeneratorConfig, clips: Sequence[TrainingClip]) -> str:
    """Config + every clip's key *and frames*: a renderer change (new artefacts) must not reuse a generator
    pretrained on the old clips under the same clip names."""
    digest = hashlib.sha256(json.dumps({"config": asdict(config), "clips": sorted(c.key for c in clips)}).encode())
    for clip in sorted(clips, key=lambda c: c.key):
        digest.update(np.ascontiguousarray(clip.frames).tobytes())
    return digest.hexdigest()[:16]


def warmup_cosine(step: int, total: int) -> float:
    """LR factor: linear warm-up over the first 5% of steps (at least one), then cosine to 0; any total >= 1."""
    warmup = max(1, total // 20)
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def noise_process() -> NoiseProcess:
    return NoiseProcess("v", default_alphas_cumprod("cogvideox"))


def pretrain(config: DemoGeneratorConfig, clips: Sequence[TrainingClip], *, log: Callable[[str], None] = print,
             should_stop: Callable[[], bool] | None = None) -> tuple[torch.nn.Module, dict]:
    """Fit the generator on ``clips`` (uniform timesteps, v-prediction MSE); returns (model, info)."""
    if not clips:
        raise ValueError("the demo generator needs at least one clip to learn from")
    codec = PixelCodec(config.size, config.frames, patch=config.patch)
    items = {c.prompt.key: codec.item(c.prompt) for c in clips}
    x0_all = torch.stack([codec.encode_frames(c.frames) for c in clips])  # (N, 3, T, H, W)
    prompt = torch.stack([items[c.prompt.key].prompt_embeds for c in clips])
    image = torch.stack([items[c.prompt.key].image_latents for c in clips])
    model = build_transformer("cogvideox", "tiny", overrides=config.model_overrides(), seed=config.seed)
    denoiser, noise = CogVideoXDenoiser(model), noise_process()
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: warmup_cosine(step, config.steps))
    started = time.perf_counter()
    losses = fit_denoiser(denoiser, noise, x0_all, prompt, image, steps=config.steps, batch=config.batch,
                          optimizer=optimizer, schedule=schedule, seed=config.seed,
                          label="demo generator: pretraining", log=log, should_stop=should_stop)
    info = {"config": asdict(config), "clips": len(clips), "prompts": len(items),
            "parameters": sum(p.numel() for p in model.parameters()),
            "seconds": round(time.perf_counter() - started, 1),
            "loss_first_50": float(np.mean(losses[:50])), "loss_last_50": float(np.mean(losses[-50:]))}
    return model, info


def generator_ensure(clips: Sequence[TrainingClip], config: DemoGeneratorConfig, cache_dir: str | Path, *,
                     log: Callable[[str], None] = print, should_stop: Callable[[], bool] | None = None) -> Path:
    """The cached generator folder for these clips and config, trained now if missing. The folder
    appears whole (written to a temporary sibling, then renamed), so a crash never leaves half a model."""
    folder = Path(cache_dir) / f"demo-{cache_key(config, clips)}"
    if (folder / INFO_NAME).exists():
        log(f"demo generator: reusing {folder}")
        return folder
    log(f"demo generator: pretraining on {len(clips)} clips at {config.size}x{config.size}, {config.frames} frames "
        f"({config.steps} steps; once, then cached in {folder})")
    model, info = pretrain(config, clips, log=log, should_stop=should_stop)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    try:
        torch.save(model.state_dict(), tmp / WEIGHTS_NAME)
        (tmp / CONFIG_NAME).write_text(json.dumps(asdict(config), indent=1))
        (tmp / INFO_NAME).write_text(json.dumps(info, indent=1))
        try:
            os.rename(tmp, folder)
        except OSError:  # another worker finished the same generator first; theirs is as good
            if not (folder / INFO_NAME).exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"demo generator: trained in {info['seconds']} s (loss {info['loss_first_50']:.3f} -> "
        f"{info['loss_last_50']:.3f})")
    return folder


def generator_config(folder: str | Path) -> DemoGeneratorConfig:
    return DemoGeneratorConfig.from_dict(json.loads((Path(folder) / CONFIG_NAME).read_text()))


def generator_transformer(folder: str | Path) -> torch.nn.Module:
    """The pretrained transformer (no adapter), on CPU in float32."""
    config = generator_config(folder)
    model = build_transformer("cogvideox", "tiny", overrides=config.model_overrides(), seed=config.seed)
    model.load_state_dict(torch.load(Path(folder) / WEIGHTS_NAME, map_location="cpu", weights_only=True))
    return model
