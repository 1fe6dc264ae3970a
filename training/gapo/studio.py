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


from .config import GapoConfig
from .data import INDEX, write_pairs
from .evaluate import evaluate_samples
from .human import human_pair_tensors
from .job_options import PAIR_SOURCES, JobOptions  # noqa: F401  (PAIR_SOURCES: importers of studio)
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
    """Pairs people judged (``human.human_pairs(...).records``: winner/loser video ids, s_w > s_l, and
    ``prompt`` = the key of ``prompts``), the prompts by key, and a loader of a video's frames
    (uint8 ``(T, H, W, 3)``)."""

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


def write_human_pairs(root: Path, codec, human: HumanPairSource) -> dict:
    """Encode the judged videos once and cache them as a pair folder (reused when it exists)."""
    if (root / INDEX).exists():
        records = [json.loads(line) for line in (root / INDEX).read_text().splitlines() if line.strip()]
        return {"pairs": len(records), "source": "human", "reused": True,
                "mean_gap": float(np.mean([r["s_w"] - r["s_l"] for r in records])) if records else 0.0}
    if not human.records:
        raise ValueError("no human pair survived the filters (ties, missing scores, min gap); label more or "
                         "lower human_min_gap")
    items = {key: codec.item(prompt) for key, prompt in human.prompts.items()}

    def encode(record: dict) -> dict:
        item = items[str(record["prompt"])]
        tensors = {"x_w": codec.encode_frames(human.frames(record["winner"])),
                   "x_l": codec.encode_frames(human.frames(record["loser"])),
                   "prompt_embeds": item.prompt_embeds, "image_latents": item.image_latents}
        if item.image_embeds is not None:
            tensors["image_embeds"] = item.image_embeds
        return tensors

    write_pairs(root, human_pair_tensors(human.records, encode))
    return {"pairs": len(human.records), "source": "human", "reused": False,
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
    if config.frame_weighting != "none":
        # neither pair source writes span marks yet (on-policy samples have no annotators; human pairs do not
        # read the segments table): refuse before sampling rather than fail at the trainer after it
        raise ValueError("the studio's GAPO job has no span marks for dense GAPO yet; use frame_weighting 'none'")
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
