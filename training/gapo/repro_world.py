"""The reproduction's small world: demo clips in pixel space, a CPU-sized CogVideoX-I2V base, a reward head.

* **Data**: ``demo`` clips rendered at 32x32 and ``frames`` frames (no MP4 round trip), area-resized
  to ``size x size`` (16: with patch 4 that is 128 tokens per clip, what 2 shared cores can train in minutes),
  from every generator (aurora, bolt, cel, dusk, ember) so the data mixes good and bad videos.
  Training prompts come from demo seed 0, held-out prompts from demo seed 1: their initial images never
  appear in training (the paper's split by initial image).
* **Codec**: a fixed linear map in pixel space: ``latent = 4 * (x - x_0)`` with ``x = rgb / 127.5 - 1``, the
  change from the first frame, shape ``(3, T, H, W)``; decoding adds the first frame back (it is in the
  condition). The image condition is the first frame zero-padded over time, as CogVideoX-I2V builds it. A
  plain-pixel codec gave patchy, noise-like samples from an 800-step base; residuals keep the picture.
* **Text encoder**: a fixed lookup; each prompt becomes 4 tokens (action, hair colour, outfit, background),
  each token a seeded random vector. Enough for the model to tell prompts apart; no language model.
* **Base generator**: ``CogVideoXTransformer3DModel`` (the same class and ``Denoiser`` wrapper the GAPO
  trainer uses for CogVideoX-I2V) shrunk to ~170k parameters, patch 4, sin-cos positions, v-prediction on
  CogVideoX's own DDPM schedule. Pretrained on all clips with plain v-prediction MSE, then cached on disk
  under a hash of everything that determines it, so seeds and reruns share it.
* **Reward**: ``FeatureRidgeReward`` fitted on the training clips' OpenCV features against the demo ground
  truth (``rewards.py`` says why not the hand-tuned baseline maps); ``overall`` is the mean of six dimensions.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from demo import GENERATORS, demo_prompts, look_for, render_clip, render_initial_image

from .denoiser import CogVideoXDenoiser, Condition
from .models import add_lora, build_transformer, default_alphas_cumprod, pixel_i2v_overrides
from .onpolicy import PromptItem
from .rewards import DIMENSIONS, FeatureRidgeReward
from .pretraining import fit_denoiser
from .targets import NoiseProcess

RENDER_SIZE = 32  # the demo renderer's minimum; clips are area-resized to WorldConfig.size
TEXT_TOKENS = 4
TEXT_DIM = 16
# Residuals from the first frame have std ~0.22 on demo clips; x4 brings the latents near unit variance,
# the scale a VAE's scaling_factor sets for the noise schedule.
LATENT_SCALE = 4.0


@dataclass(frozen=True)
class WorldConfig:
    """Everything that determines the pretrained base and the reward head (their cache key)."""

    size: int = 16
    frames: int = 8
    fps: float = 8.0
    train_prompts: int = 32
    eval_prompts: int = 16
    videos_per_generator: int = 2
    heads: int = 2
    head_dim: int = 32
    layers: int = 2
    patch: int = 4
    pretrain_steps: int = 1500
    pretrain_batch: int = 16
    pretrain_lr: float = 2e-3
    ridge: float = 1.0
    seed: int = 0

    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]

    def model_overrides(self) -> dict:
        return pixel_i2v_overrides(size=self.size, frames=self.frames, patch=self.patch, heads=self.heads,
                                   head_dim=self.head_dim, layers=self.layers, text_tokens=TEXT_TOKENS,
                                   text_dim=TEXT_DIM)


def to_pixels(frames: np.ndarray) -> torch.Tensor:
    """uint8 ``(T, H, W, 3)`` -> float32 ``(3, T, H, W)`` in [-1, 1]."""
    return torch.from_numpy(frames).float().div(127.5).sub(1.0).permute(3, 0, 1, 2).contiguous()


def to_latent(frames: np.ndarray) -> torch.Tensor:
    """uint8 ``(T, H, W, 3)`` -> ``(3, T, H, W)``: the change from the first frame, times ``LATENT_SCALE``."""
    pixels = to_pixels(frames)
    return (pixels - pixels[:, :1]) * LATENT_SCALE


def decode(latents: torch.Tensor, cond: Condition) -> np.ndarray:
    """``(B, 3, T, H, W)`` latents + the condition's first frame -> uint8 ``(B, T, H, W, 3)``."""
    first = cond.image_latents[:, :, :1].to(latents.device)  # (B, 3, 1, H, W), pixels in [-1, 1]
    pixels = (first + latents.float() / LATENT_SCALE).clamp(-1, 1)
    return ((pixels + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 4, 1).cpu().numpy()


def text_embedding(scene_seed: int, action: str) -> torch.Tensor:
    """``(TEXT_TOKENS, TEXT_DIM)``: one fixed vector per prompt word that matters."""
    look = look_for(scene_seed)
    tokens = (action, look.hair_name, look.outfit_name, look.background)
    return torch.stack([torch.randn(TEXT_DIM, generator=torch.Generator().manual_seed(zlib.crc32(t.encode())))
                        for t in tokens])


def prompt_items(world: WorldConfig, *, held_out: bool) -> list[PromptItem]:
    """Training (demo seed 0) or held-out (demo seed 1) prompts as ``PromptItem``s."""
    prompts = demo_prompts(world.eval_prompts if held_out else world.train_prompts, 1 if held_out else 0)
    items = []
    for p in prompts:
        image = shrink(render_initial_image(p, RENDER_SIZE, RENDER_SIZE), world.size)
        first = to_pixels(image[None])  # (3, 1, H, W)
        pad = first.new_zeros(3, world.frames - 1, world.size, world.size)
        items.append(PromptItem(p.key, p.text, text_embedding(p.scene_seed, p.action),
                                torch.cat([first, pad], dim=1), image))  # image latents (3, T, H, W)
    return items


def shrink(frames: np.ndarray, size: int) -> np.ndarray:
    """uint8 ``(..., H, W, 3)`` area-resized to ``size x size`` (the demo renderer draws at least 32 px)."""
    if frames.shape[-2] == size and frames.shape[-3] == size:
        return frames
    flat = frames.reshape(-1, *frames.shape[-3:])
    small = np.stack([cv2.resize(f, (size, size), interpolation=cv2.INTER_AREA) for f in flat])
    return small.reshape(*frames.shape[:-3], size, size, 3)


def demo_clips(world: WorldConfig, *, held_out: bool) -> list[dict]:
    """Every generator's clips for the training or held-out prompts: frames, truth, item index."""
    prompts = demo_prompts(world.eval_prompts if held_out else world.train_prompts, 1 if held_out else 0)
    clips = []
    for index, p in enumerate(prompts):
        for gen in GENERATORS:
            for video_seed in range(world.videos_per_generator):
                frames, truth = render_clip(p, gen, video_seed, width=RENDER_SIZE, height=RENDER_SIZE,
                                            num_frames=world.frames, fps=world.fps)
                clips.append({"item": index, "frames": shrink(frames, world.size), "truth": truth,
                              "generator": gen.name})
    return clips


def noise_process() -> NoiseProcess:
    return NoiseProcess("v", default_alphas_cumprod("cogvideox"))


def pretrain(world: WorldConfig, items: list[PromptItem], clips: list[dict], log=print) -> torch.nn.Module:
    """Fit the base on the clips with v-prediction MSE (uniform over timesteps, no LoRA)."""
    model = build_transformer("cogvideox", "tiny", overrides=world.model_overrides(), seed=world.seed)
    denoiser = CogVideoXDenoiser(model)
    noise = noise_process()
    x0_all = torch.stack([to_latent(c["frames"]) for c in clips])  # (N, 3, T, H, W)
    prompt = torch.stack([items[c["item"]].prompt_embeds for c in clips])
    image = torch.stack([items[c["item"]].image_latents for c in clips])
    optimizer = torch.optim.AdamW(model.parameters(), lr=world.pretrain_lr, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=world.pretrain_lr,
                                                   total_steps=world.pretrain_steps, pct_start=0.05)
    fit_denoiser(denoiser, noise, x0_all, prompt, image, steps=world.pretrain_steps, batch=world.pretrain_batch,
                 optimizer=optimizer, schedule=schedule, seed=world.seed, label="pretrain", log=log)
    return model.eval()


def fit_reward(world: WorldConfig, clips: list[dict], items: list[PromptItem]) -> FeatureRidgeReward:
    feats = FeatureRidgeReward.features([c["frames"] for c in clips], [items[c["item"]].initial_image for c in clips])
    truth = np.array([[c["truth"][d] for d in DIMENSIONS] for c in clips])
    return FeatureRidgeReward.fit(feats, truth, ridge=world.ridge)


def reward_agreement(reward: FeatureRidgeReward, clips: list[dict], items: list[PromptItem]) -> dict[str, float]:
    """Pearson r between the reward and the ground truth per dimension (and overall = mean truth) on clips."""
    table = reward([c["frames"] for c in clips], [""] * len(clips), [items[c["item"]].initial_image for c in clips])
    truth = {d: np.array([c["truth"][d] for c in clips]) for d in DIMENSIONS}
    truth["overall"] = np.mean([truth[d] for d in DIMENSIONS], axis=0)
    return {d: float(np.corrcoef(table[d].numpy(), truth[d])[0, 1]) for d in truth}


@dataclass
class World:
    config: WorldConfig
    train_items: list[PromptItem]
    eval_items: list[PromptItem]
    base_state: dict
    reward: FeatureRidgeReward
    info: dict

    def denoiser(self, *, lora_rank: int, lora_alpha: int, targets: tuple[str, ...], seed: int) -> CogVideoXDenoiser:
        """The pretrained base with a fresh LoRA (identity at init)."""
        model = build_transformer("cogvideox", "tiny", overrides=self.config.model_overrides(), seed=self.config.seed)
        model.load_state_dict(self.base_state)
        add_lora(model, rank=lora_rank, alpha=lora_alpha, targets=targets, seed=seed)
        return CogVideoXDenoiser(model)


def build_world(world: WorldConfig, cache_dir: str | Path, log=print) -> World:
    """Pretrained base + reward head, from ``cache_dir/<key>/`` when there, else built and cached."""
    folder = Path(cache_dir) / world.key()
    train_items, eval_items = prompt_items(world, held_out=False), prompt_items(world, held_out=True)
    if (folder / "info.json").exists():
        info = json.loads((folder / "info.json").read_text())
        state = torch.load(folder / "base.pt", map_location="cpu", weights_only=True)
        reward = FeatureRidgeReward.from_state(json.loads((folder / "reward.json").read_text()))
        log(f"reusing pretrained base {folder}")
        return World(world, train_items, eval_items, state, reward, {**info, "cached": True})
    started = time.perf_counter()
    clips = demo_clips(world, held_out=False)
    model = pretrain(world, train_items, clips, log)
    pretrain_s = time.perf_counter() - started
    reward = fit_reward(world, clips, train_items)
    held_out = demo_clips(world, held_out=True)
    info = {"world": asdict(world), "clips": len(clips), "pretrain_seconds": round(pretrain_s, 1),
            "parameters": sum(p.numel() for p in model.parameters()),
            "reward_pearson_train": reward_agreement(reward, clips, train_items),
            "reward_pearson_held_out": reward_agreement(reward, held_out, eval_items)}
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), folder / "base.pt")
    (folder / "reward.json").write_text(json.dumps(reward.state()))
    (folder / "info.json").write_text(json.dumps(info, indent=2))
    return World(world, train_items, eval_items, model.state_dict(), reward, {**info, "cached": False})
