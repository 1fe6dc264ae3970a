"""One GAPO job as the studio runs it (ORM-free; the Celery executor feeds it plain data):

    on-policy pairs (generate K candidates per prompt, score with AnimeReward, best vs worst; cached)
      -> GAPO LoRA training (run_gapo: resumable, cancellable)
      -> held-out evaluation, base vs trained from the same noise, sample videos as browser MP4s.

What turns prompts and initial images into model inputs and latents back into videos depends on
the preset:

* ``tiny`` (CPU, tests): the CogVideoX-I2V transformer at test size in pixel space — the residual
  codec of the reproduction (``repro_world``: latent = 4 x (frame - first frame), 3 x T x H x W),
  a hashed-token text encoder (each word a fixed random vector), frames resized to ``size``
  (``pixel_codec.py``).
* ``paper`` (GPU): the checkpoint's own VAE (``AutoencoderKLCogVideoX``/``AutoencoderKLWan``) and T5
  text encoder from ``model_path`` (``vae/``, ``text_encoder/``, ``tokenizer/``); see ``paper_codec.py``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from media_io import uniform_indices

from .config import GapoConfig
from .data import INDEX, write_pairs
from .evaluate import evaluate_samples
from .human import human_pair_tensors
from .job_options import PAIR_SOURCES, JobOptions  # noqa: F401  (PAIR_SOURCES: importers of studio)
from .losses.dense import latent_frame_of, latent_frames_for
from .lora_io import ADAPTER, load_lora
from .denoiser import CogVideoXDenoiser
from .models import add_lora, build_denoiser, default_alphas_cumprod
from .onpolicy import write_onpolicy_pairs
from .pixel_codec import PixelCodec
from .run import run_gapo
from .targets import NoiseProcess

@dataclass
class StudioPrompt:
    """A prompt of the platform: its text and initial image (uint8 RGB, any size)."""

    key: str
    text: str
    initial_image: np.ndarray


@dataclass
class HumanPairSource:
    """Pairs people judged (``human.human_pairs(...).records``: winner/loser video ids, s_w > s_l,
    ``prompt`` = the key of ``prompts`` and ``marks_w``/``marks_l`` on the rendition frame grid), the prompts
    by key, and a loader of a video's frames (uint8 ``(T, H, W, 3)``, spread uniformly over the whole clip
    from its first to its last frame, as ``media_io.sample_frames`` reads them: ``latent_marks`` maps marks
    by relative time on that assumption)."""

    records: list[dict]
    prompts: dict[str, StudioPrompt]
    frames: Callable[[object], np.ndarray]


def build_parts(config: GapoConfig, options: JobOptions, generator_dir: str | Path | None = None):
    """(denoiser, noise process, codec) for the config's preset. ``generator_dir``: a pretrained demo
    generator (``demo_generator.generator_ensure``) as the tiny preset's base instead of random weights;
    its size and frames replace ``options.size``/``options.frames``."""
    if config.preset == "tiny":
        if config.family != "cogvideox":
            raise ValueError("the tiny studio preset runs CogVideoX-I2V in pixel space; use family 'cogvideox' "
                             "(Wan I2V needs preset 'paper' with its VAE and CLIP image encoder)")
        if generator_dir is not None:
            from .demo_generator import generator_config, generator_transformer

            base = generator_config(generator_dir)
            codec = PixelCodec(base.size, base.frames, patch=base.patch)
            model = generator_transformer(generator_dir)
            add_lora(model, rank=config.lora_rank, alpha=config.lora_alpha, targets=config.lora_targets,
                     seed=config.seed)
            if config.prediction not in (None, "", "v"):
                raise ValueError("the demo generator was pretrained with v-prediction; leave prediction unset or 'v'")
            return CogVideoXDenoiser(model), NoiseProcess("v", default_alphas_cumprod("cogvideox")), codec
        codec = PixelCodec(options.size, options.frames)
        denoiser = build_denoiser(config, overrides=codec.model_overrides())
        noise = NoiseProcess(config.prediction or "v", default_alphas_cumprod("cogvideox"))
        return denoiser, noise, codec
    from .paper_codec import PaperCodec

    codec = PaperCodec(config, height=options.height, width=options.width, frames=options.paper_frames)
    denoiser = build_denoiser(config)
    codec.denoiser = denoiser
    return denoiser, codec.noise_process(), codec


def latent_marks(marks: list[float], *, loaded_frames: int, codec_frames: int, temporal_ratio: int) -> torch.Tensor:
    """``(T_latent,)`` marks of one video on the codec's latent frames, from ``marks`` on its rendition frames
    (``human.video_marks``: fraction of annotators per frame; ``[]``: none).

    The codec does not see the rendition's frames: the loader reads ``loaded_frames`` frames spread over the
    clip and the codec picks ``codec_frames`` of them (``media_io.uniform_indices`` both times), so frames are
    matched by relative time. Encoded frame ``c`` takes the marks of the rendition frame at its time and of
    every rendition frame whose nearest encoded frame it is (the rule of ``training.reward.segments``: a span
    shorter than the spacing of the encoded frames still lands on one), as their maximum; a latent frame takes
    the maximum over the encoded frames it covers (``losses.dense``: CogVideoX's frame 0 alone, then
    ``temporal_ratio`` per latent frame). The maximum of fractions is the share of annotators marking at
    least one of those frames when they agree, a lower bound when they marked different frames of one window."""
    latent = latent_frames_for(codec_frames, temporal_ratio)
    out = torch.zeros(latent, dtype=torch.float32)
    if not marks or not any(marks):
        return out
    values = np.asarray(marks, dtype=np.float64)
    if ((values < 0) | (values > 1)).any():
        raise ValueError("marks are fractions of annotators and must lie in [0, 1]")
    frames = len(values)
    picked = np.asarray(uniform_indices(loaded_frames, codec_frames), dtype=np.float64)
    times = picked / (loaded_frames - 1) if loaded_frames > 1 else np.zeros(codec_frames)  # relative time in [0, 1]
    grid = np.arange(frames) / (frames - 1) if frames > 1 else np.zeros(1)
    per_encoded = values[np.clip(np.floor(times * (frames - 1) + 0.5).astype(int), 0, frames - 1)]
    nearest = np.abs(grid[:, None] - times[None, :]).argmin(axis=1)  # rendition frame -> nearest encoded frame
    np.maximum.at(per_encoded, nearest, values)
    for c, value in enumerate(per_encoded):
        k = latent_frame_of(c, temporal_ratio)
        out[k] = max(float(out[k]), float(value))
    return out


def write_human_pairs(root: Path, codec, human: HumanPairSource) -> dict:
    """Encode the judged videos once and cache them as a pair folder (reused when it exists), with each
    video's span marks on the codec's latent frames (``marks_w``/``marks_l``, all zeros without spans: dense
    GAPO then weighs that pair as plain GAPO does)."""
    if (root / INDEX).exists():
        records = [json.loads(line) for line in (root / INDEX).read_text().splitlines() if line.strip()]
        marked = sum(1 for r in records if r["meta"].get("marked_frames_w") or r["meta"].get("marked_frames_l"))
        return {"pairs": len(records), "source": "human", "reused": True, "marked_pairs": marked,
                "mean_gap": float(np.mean([r["s_w"] - r["s_l"] for r in records])) if records else 0.0}
    if not human.records:
        raise ValueError("no human pair survived the filters (ties, missing scores, min gap); label more or "
                         "lower human_min_gap")
    items = {key: codec.item(prompt) for key, prompt in human.prompts.items()}

    def encode(record: dict) -> dict:
        item = items[str(record["prompt"])]
        tensors = {"prompt_embeds": item.prompt_embeds, "image_latents": item.image_latents}
        for side, video in (("w", record["winner"]), ("l", record["loser"])):
            frames = human.frames(video)
            tensors[f"x_{side}"] = codec.encode_frames(frames)
            tensors[f"marks_{side}"] = latent_marks(record.get(f"marks_{side}") or [], loaded_frames=len(frames),
                                                    codec_frames=codec.frames, temporal_ratio=codec.temporal_ratio)
        if item.image_embeds is not None:
            tensors["image_embeds"] = item.image_embeds
        return tensors

    write_pairs(root, human_pair_tensors(human.records, encode))
    marked = sum(1 for r in human.records if any(r.get("marks_w") or []) or any(r.get("marks_l") or []))
    return {"pairs": len(human.records), "source": "human", "reused": False, "marked_pairs": marked,
            "mean_gap": float(np.mean([r["s_w"] - r["s_l"] for r in human.records]))}


def run_studio_job(config: GapoConfig, *, train_prompts: list[StudioPrompt], eval_prompts: list[StudioPrompt],
                   scorer, out_dir: str | Path, options: JobOptions | None = None, human: HumanPairSource | None = None,
                   on_step: Callable[[dict], None] | None = None, should_stop: Callable[[], bool] | None = None,
                   log: Callable[[str], None] = print, generator_dir: str | Path | None = None) -> dict:
    """Pairs -> training -> evaluation under ``out_dir`` (``pairs/``, ``checkpoints/``, ``eval/``).
    Calling it again after a stop or a crash reuses the pairs and resumes training from the latest
    checkpoint. Returns {"status", "pairs": {...}, "train": {...}, "eval": {...}}."""
    options = options or JobOptions()
    if not eval_prompts or (human is None and not train_prompts):
        raise ValueError("GAPO needs training prompts (or human pairs) and held-out prompts (at least one each)")
    if config.frame_weighting != "none" and human is None:
        # on-policy candidates have no annotators, so no span marks: refuse before sampling rather than fail at
        # the trainer after it (human pairs carry their annotators' marks, write_human_pairs)
        raise ValueError(f"frame_weighting '{config.frame_weighting}' (dense GAPO) needs human pairs, whose "
                         "annotators marked artefact spans; on-policy pairs have none: use pair_source 'human' "
                         "or frame_weighting 'none'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = dataclasses.replace(config, checkpoint_dir=str(out / "checkpoints"))
    denoiser, noise, codec = build_parts(config, options, generator_dir)
    if human is not None:
        log(f"human pairs: {len(human.records)} judged pairs, encoded once and cached")
        pair_stats = write_human_pairs(out / "pairs", codec, human)
    else:
        items = [codec.item(p) for p in train_prompts]
        log(f"on-policy pairs: {options.k} candidates x {len(items)} prompts, {options.sample_steps} sampling steps")
        pair_stats = write_onpolicy_pairs(out / "pairs", denoiser, noise, items, scorer, codec.decode, k=options.k,
                                          steps=options.sample_steps, min_gap=options.min_gap,
                                          dimension=options.dimension, seed=config.seed)
    log(f"{pair_stats['pairs']} pairs (mean gap {pair_stats['mean_gap']:.3f}"
        f"{', reused from an earlier attempt' if pair_stats['reused'] else ''})")
    if config.frame_weighting == "segments":
        log(f"dense GAPO (dense_beta {config.dense_beta}): {pair_stats.get('marked_pairs', 0)} of "
            f"{pair_stats['pairs']} pairs carry annotators' span marks; the others weigh every frame alike")
    train = run_gapo(config, pairs_dir=out / "pairs", out_dir=out, on_step=on_step, should_stop=should_stop,
                     denoiser=denoiser, noise=noise)
    if train["status"] != "completed":
        return {"status": train["status"], "pairs": pair_stats, "train": train}
    # Sample from the saved checkpoint, loaded by the code diffusers' pipe.load_lora_weights runs, not from the
    # live adapter: the reviewed videos then come from the file a user downloads, at its stored alpha.
    denoiser.model.delete_adapters(ADAPTER)
    load_lora(denoiser.model, train["checkpoint"], config.family)
    log(f"evaluating base vs trained ({train['checkpoint']}) on held-out prompts")
    evaluation = evaluate_samples(denoiser, noise, [codec.item(p) for p in eval_prompts], scorer, codec.decode,
                                  out / "eval", steps=options.sample_steps,
                                  samples_per_prompt=options.eval_samples_per_prompt, seed=config.seed)
    (out / "result.json").write_text(json.dumps({"pairs": pair_stats, "eval": evaluation}, indent=1, default=str))
    return {"status": "completed", "pairs": pair_stats, "train": train, "eval": evaluation}
