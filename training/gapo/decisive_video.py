"""The decisive GAPO vs Diffusion-DPO comparison at video-toy scale (the 2-D version: ``decisive.py``).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gapo_decisive_video.py          # CPU, reduced
    .venv/bin/python benchmarks/gapo_decisive_video.py --device cuda --gpu        # one GPU, full settings

Same design as the 2-D benchmark, with a video generator in place of the 2-D points:

* **Generator**: the studio's demo generator (``demo_generator``: CogVideoX-I2V architecture, pixel-space
  residual codec, 64 px, 8 frames), pretrained on demo clips of every simulated I2V generator (aurora, bolt,
  cel, dusk, ember: clean-ish, flickering, frozen, identity-changing, mushy) for the *training* prompts
  (demo seed 0), so its samples mix good and bad habits. Cached under ``var/`` by config and clip keys.
* **True reward** ``fidelity_reward``: how close a sample stays to the *clean* rendering of its prompt: the demo
  renderer drawing the same prompt from the same initial image with every artefact set to zero (no blur, grain,
  flicker, jitter, melting, colour drift, identity change or wrong action, full motion). ``L1`` = the mean
  absolute pixel difference (0-1 units) over frames 1..T-1 (frame 0 is the given image). This is a fixed,
  measurable property a person sees at once: a mushy, noisy, flickering, melting, recoloured or frozen clip is
  far from the intended animation, a clean one near it. Nothing in training sees it directly. It is put on the
  scale a side-by-side judge uses, *relative to what the base draws for that prompt*:
  ``sigmoid((mu_p - L1) / s)``, ``mu_p`` the base's mean L1 on prompt p and ``s`` the base's pooled
  within-prompt sd, both measured once on calibration samples (their own noise seed). Why: the prompt (its
  scene and action) sets most of L1 (sd 0.015 across prompts, 0.0012 within one, measured on 16 x 4 base
  samples), but a pair is two videos of one prompt; on a raw exp(-L1/tau) scale the pair gaps were ~0.005 and
  any annotator noise at the 0-100 rating resolution ordered ~40% of pairs wrong. 0.5 = the base's typical
  sample for the prompt; the clean rendering scores ~1.
* **Labels**: per seed, ``k`` base samples per training prompt, each video rated 0-100 by 3 simulated
  annotators, ``100 * clip(r_true + N(0, sigma), 0, 1)`` (``decisive.rate``): Thurstone noise, so the pairs with
  small true gaps are the ones they order wrong. Every pair of a prompt's candidates with unequal mean
  ratings is a pair (winner first), as in Diffusion-DPO's Pick-a-Pic data.
* **Methods** ``decisive.METHODS`` (Diffusion-DPO, DPO min-gap filter, DPO linear gap weight, GAPO pow2, pow3):
  LoRA fine-tuning with the project's ``GapoTrainer`` (reference = adapters disabled) and ``gapo_loss``;
  the filter drops the half of the pairs with the smallest observed gap before training.
* **Dense GAPO** (issue #22, ``DENSE_METHODS``): the same pairs, each video also marked with artefact spans by
  the same simulated annotators (``decisive_video_marks``: frames clearly further from the clean rendering than
  the prompt's samples typically are at that frame, with misses and early/late edges); the trainer weights each video's
  denoising error per latent frame by those marks (``losses.dense``, ``dense_beta``).
* **Tuning**: each method's learning rate from its grid on *validation* seeds and *validation* prompts (demo
  seed 2), scored by a *validation reward*: a ridge head on the project's OpenCV clip features
  (``FeatureRidgeReward``) fitted to the annotators' noisy ratings, the only reward a practitioner has.
  **Test**: other seeds, fresh samples of *held-out* prompts (demo seed 1, initial images never trained on)
  from one fixed noise, scored by the true reward. Also reported: motion magnitude (mean absolute difference of
  consecutive frames), so a policy that learned to stand still (or to shake) shows.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .config import GapoConfig
from .decisive import METHODS, gap_filter, rate
from .decisive_video_marks import simulated_marks
from .decisive_video_world import (TEST_SET, TRAIN_SET, VAL_SET, PromptSet, clean_l1, motion_magnitude, prompt_set,
                                   training_clips)
from .demo_generator import DemoGeneratorConfig, generator_ensure, generator_transformer, noise_process
from .denoiser import CogVideoXDenoiser
from .models import add_lora
from .onpolicy import PromptItem, stack_condition
from .rewards import FeatureRidgeReward
from .sampling import sample
from .pixel_codec import PixelCodec
from .trainer import GapoTrainer

CALIBRATION_NOISE, CALIBRATION_SAMPLES = 5, 4  # base samples per prompt that fix fidelity_reward's scale
LORA_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")
# dense (segment-weighted) variants: name -> the plain method whose gap weight and filter they keep
DENSE_METHODS = {"GAPO pow2 dense": "GAPO pow2", "Diffusion-DPO dense": "Diffusion-DPO"}
VIDEO_METHODS = (*METHODS, *DENSE_METHODS)


def _help(text: str, default):
    return field(default=default, metadata={"help": text})


@dataclass
class VideoSettings:
    """Everything one comparison run uses besides the noise level, LR grid and seeds."""

    train_prompts: int = _help("training prompts (demo seed 0): the generator's clips and the pairs", 16)
    val_prompts: int = _help("validation prompts (demo seed 2): LR tuning samples", 8)
    test_prompts: int = _help("held-out prompts (demo seed 1): final evaluation samples", 12)
    videos_per_generator: int = _help("demo clips per (training prompt, simulated generator) for pretraining", 2)
    k: int = _help("base samples per training prompt; every pair of them is a preference pair", 4)
    eval_samples: int = _help("samples per validation / held-out prompt per evaluation", 2)
    sample_steps: int = _help("DDIM steps for pair candidates and evaluation samples", 8)
    raters: int = _help("simulated annotators per video", 3)
    steps: int = _help("optimizer steps per run", 40)
    eval_every: int = _help("evaluate every N steps (and at step 0)", 20)
    batch: int = _help("pairs per optimizer step", 2)
    beta: float = _help("DPO beta (every method)", 500.0)
    dense_beta: float = _help("dense methods: a frame every annotator marked weighs 1 + dense_beta (normalised)",
                              2.0)
    lora_rank: int = _help("LoRA rank (alpha = rank)", 8)
    device: str = _help("cpu | cuda", "cpu")
    generator: DemoGeneratorConfig = _help("the pretrained base (demo_generator)", DemoGeneratorConfig())

    def __post_init__(self):
        if isinstance(self.generator, dict):
            self.generator = DemoGeneratorConfig(**self.generator)
        for name in ("train_prompts", "val_prompts", "test_prompts", "videos_per_generator", "eval_samples",
                     "sample_steps", "raters", "steps", "eval_every", "batch", "lora_rank"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.dense_beta < 0:
            raise ValueError(f"dense_beta must be >= 0, got {self.dense_beta}")
        if self.k < 2:
            raise ValueError(f"k must be >= 2 to form pairs, got {self.k}")
        if self.device not in ("cpu", "cuda"):
            raise ValueError(f"device={self.device!r} is not valid; valid values: cpu, cuda")

    def to_dict(self) -> dict:
        return asdict(self)


def tiny_settings() -> VideoSettings:
    """Seconds-sized settings for tests: the whole pipeline, nothing meaningful measured."""
    generator = DemoGeneratorConfig(size=32, frames=3, patch=8, heads=2, head_dim=8, layers=1, steps=2, batch=2)
    return VideoSettings(train_prompts=2, val_prompts=1, test_prompts=2, videos_per_generator=1, k=3,
                         eval_samples=1, sample_steps=2, steps=2, eval_every=1, batch=2, lora_rank=2,
                         generator=generator)


# -- the base and its samples ----------------------------------------------------------------------------------
@dataclass
class VideoWorld:
    settings: VideoSettings
    folder: Path  # the cached generator
    codec: PixelCodec
    train: PromptSet
    val: PromptSet
    test: PromptSet

    def denoiser(self, seed: int) -> CogVideoXDenoiser:
        """The pretrained base with a fresh LoRA (identity at init), on the settings' device."""
        model = generator_transformer(self.folder)
        add_lora(model, rank=self.settings.lora_rank, alpha=self.settings.lora_rank, targets=LORA_TARGETS, seed=seed)
        return CogVideoXDenoiser(model.to(self.settings.device))


def build_world(settings: VideoSettings, cache_dir: str | Path, log: Callable[[str], None] = print) -> VideoWorld:
    g = settings.generator
    folder = generator_ensure(training_clips(g, settings.train_prompts, settings.videos_per_generator), g,
                              cache_dir, log=log)
    world = VideoWorld(settings, folder, PixelCodec(g.size, g.frames, patch=g.patch),
                       prompt_set(g, TRAIN_SET, settings.train_prompts), prompt_set(g, VAL_SET, settings.val_prompts),
                       prompt_set(g, TEST_SET, settings.test_prompts))
    base = world.denoiser(seed=0)
    for prompts in (world.train, world.val, world.test):
        calibrate(world, base, prompts)
    return world


def calibrate(world: "VideoWorld", base: CogVideoXDenoiser, prompts: PromptSet) -> None:
    """Fix the true reward's per-prompt centre and its scale from ``CALIBRATION_SAMPLES`` base samples per prompt
    (their own noise seed, never reused for pairs or evaluation)."""
    n = CALIBRATION_SAMPLES
    items, rows = prompts.repeat(n)
    _, videos = generate(world, base, items, CALIBRATION_NOISE)
    l1 = clean_l1(videos, rows.clean).reshape(-1, n)  # (P, n)
    prompts.base_l1 = l1.mean(1)
    prompts.l1_scale = float(np.sqrt(l1.var(1, ddof=1).mean())) if n > 1 else 1.0


@torch.no_grad()
def generate(world: VideoWorld, denoiser: CogVideoXDenoiser, items: list[PromptItem], noise_seed: int,
             chunk: int = 32) -> tuple[torch.Tensor, np.ndarray]:
    """One sample per item from noise seeded by ``noise_seed``: latents ``(N, 3, T, H, W)`` on CPU and uint8
    videos ``(N, T, H, W, 3)``."""
    g = world.settings.generator
    init = torch.randn(len(items), 3, g.frames, g.size, g.size, generator=torch.Generator().manual_seed(noise_seed))
    was_training = denoiser.model.training
    denoiser.model.eval()
    latents, videos = [], []
    for start in range(0, len(items), chunk):
        cond = stack_condition(items[start:start + chunk])
        x = sample(denoiser, noise_process(), cond, init[start:start + chunk], steps=world.settings.sample_steps)
        latents.append(x.cpu())
        videos.append(world.codec.decode(x, cond))
    denoiser.model.train(was_training)
    return torch.cat(latents), np.concatenate(videos)


# -- labelled pairs and the validation reward ------------------------------------------------------------------
@dataclass
class VideoPairs:
    """Labelled pairs of base samples, winner first, as ``GapoTrainer`` items, plus what the report needs."""

    records: list[dict]  # x_w, x_l (3, T, H, W), prompt_embeds, image_latents, s_w, s_l[, marks_w, marks_l (T,)]
    s_w: torch.Tensor  # (P,) observed scores (mean rating / 100), s_w > s_l
    s_l: torch.Tensor
    wrong: torch.Tensor  # (P,) bool: the true reward prefers the loser
    rated: tuple  # (videos (N, T, H, W, 3) uint8, scores (N,), initial images): what a reward model fits


@dataclass
class Candidates:
    """``k`` base samples per training prompt (prompt-major: row ``p * k + j``), drawn once per seed."""

    latents: torch.Tensor  # (P * k, 3, T, H, W)
    videos: np.ndarray  # (P * k, T, H, W, 3)
    truth: np.ndarray  # (P * k,) true reward
    marks: torch.Tensor | None = None  # (P * k, T) fraction of annotators marking each frame (dense methods)
    worse: np.ndarray | None = None  # (P * k, T) bool: the clearly-worse frames the annotators saw


def candidates(world: VideoWorld, base: CogVideoXDenoiser, seed: int) -> Candidates:
    items, rows = world.train.repeat(world.settings.k)
    latents, videos = generate(world, base, items, noise_seed=1_000 + seed)
    marks, worse = simulated_marks(videos, rows.clean, world.settings.k, world.settings.raters, seed=3_000 + seed)
    return Candidates(latents, videos, rows.reward(videos), marks, worse)


def label_pairs(world: VideoWorld, cands: Candidates, sigma: float, seed: int) -> VideoPairs:
    """Rate every candidate (``decisive.rate``) and pair every two candidates of a prompt with unequal ratings."""
    k = world.settings.k
    s = rate(torch.from_numpy(cands.truth), sigma, world.settings.raters,
             torch.Generator().manual_seed(2_000 + seed)).numpy()
    records, s_w, s_l, wrong = [], [], [], []
    for p, item in enumerate(world.train.items):
        for a in range(p * k, p * k + k):
            for b in range(a + 1, p * k + k):
                if s[a] == s[b]:
                    continue  # a tie carries no preference
                w, l_ = (a, b) if s[a] > s[b] else (b, a)
                records.append({"x_w": cands.latents[w], "x_l": cands.latents[l_], "prompt_embeds": item.prompt_embeds,
                                "image_latents": item.image_latents, "s_w": float(s[w]), "s_l": float(s[l_])})
                if cands.marks is not None:
                    records[-1].update(marks_w=cands.marks[w], marks_l=cands.marks[l_])
                s_w.append(s[w])
                s_l.append(s[l_])
                wrong.append(cands.truth[w] < cands.truth[l_])
    if not records:
        raise ValueError("every candidate got the same rating; no preference pair (raise k or the prompts)")
    images = [item.initial_image for item in world.train.items for _ in range(k)]
    return VideoPairs(records, torch.tensor(np.array(s_w), dtype=torch.float32),
                      torch.tensor(np.array(s_l), dtype=torch.float32), torch.tensor(np.array(wrong)),
                      (cands.videos, s, images))


def validation_reward(pairs: VideoPairs, ridge: float = 10.0) -> Callable[[np.ndarray, list], np.ndarray]:
    """A reward model of the noisy ratings: ``FeatureRidgeReward`` (the project's OpenCV clip features, ridge)
    fitted to the rated candidates' mean ratings; ``reward(videos, initial_images) -> (N,)``."""
    videos, scores, images = pairs.rated
    head = FeatureRidgeReward.fit(FeatureRidgeReward.features(list(videos), images), np.asarray(scores)[:, None],
                                  ridge=ridge, dimensions=("rating",))
    return lambda v, imgs: head.predict(FeatureRidgeReward.features(list(v), imgs))[:, 0]


# -- evaluation and one training run ---------------------------------------------------------------------------
VAL_NOISE, TEST_NOISE = 7, 11


def evaluator(world: VideoWorld, which: str, reward: str, fn=None) -> Callable[[CogVideoXDenoiser], dict]:
    """``evaluate(denoiser) -> {reward: mean, "motion": mean}`` on fresh samples of the validation or held-out
    prompts (``eval_samples`` each) from one fixed noise. ``reward``: "true" (``fidelity_reward``) or a name for
    ``fn(videos, initial_images)``."""
    items, rows = (world.val if which == "val" else world.test).repeat(world.settings.eval_samples)
    images = [item.initial_image for item in items]

    def evaluate(denoiser) -> dict:
        _, videos = generate(world, denoiser, items, VAL_NOISE if which == "val" else TEST_NOISE)
        score = rows.reward(videos) if reward == "true" else fn(videos, images)
        return {reward: float(np.mean(score)), "motion": float(motion_magnitude(videos).mean()),
                "l1": float(clean_l1(videos, rows.clean).mean())}

    return evaluate


def train_method(world: VideoWorld, pairs: VideoPairs, method: str, *, lr: float, seed: int, evaluate,
                 base_metrics: dict, eval_every: int | None = None) -> list[dict]:
    """LoRA fine-tuning of the base on ``pairs`` with ``GapoTrainer`` (``METHODS[method]``'s gap weight and filter;
    a ``DENSE_METHODS`` name: its plain method's, with the error weighted by the pairs' frame marks);
    ``evaluate(denoiser)`` every ``eval_every`` steps (default: the settings') and at the last. Step 0 is the base
    (``base_metrics``: a fresh LoRA is the identity). Same seed -> same LoRA init, pair order, noise and
    timesteps for every method."""
    s = world.settings
    every = eval_every or s.eval_every
    plain = DENSE_METHODS.get(method, method)
    keep = gap_filter(pairs.s_w, pairs.s_l, plain)
    records = [r for r, kept in zip(pairs.records, keep.tolist()) if kept]
    dense = {"frame_weighting": "segments", "dense_beta": s.dense_beta} if method in DENSE_METHODS else {}
    config = GapoConfig(family="cogvideox", preset="tiny", prediction="v", beta=s.beta, weight=METHODS[plain][0],
                        **dense,
                        lr=lr, lora_rank=s.lora_rank, lora_alpha=s.lora_rank, lora_targets=LORA_TARGETS,
                        batch_size=s.batch, steps=s.steps, seed=seed, device=s.device)
    denoiser = world.denoiser(seed)
    curve = [{"step": 0, **base_metrics}]

    def callback(record: dict) -> None:
        if record["step"] % every == 0 or record["step"] == s.steps:
            curve.append({"step": record["step"], **evaluate(denoiser), "implicit_acc": record["implicit_acc"]})

    GapoTrainer(config, denoiser, records, callback=callback, noise=noise_process()).train()
    return curve


# -- one noise level: LR per method on validation, then the test seeds -----------------------------------------
def run_level(world: VideoWorld, sigma: float, *, lrs, val_seeds, test_seeds, methods=tuple(METHODS),
              log: Callable[[str], None] = print, cache: dict | None = None) -> dict:
    """Validation (every method x lr x validation seed, scored by the validation reward on validation prompts),
    then every method at its picked lr on every test seed (true reward on held-out prompts). ``cache`` keeps the
    base's candidates per seed across noise levels (the same videos, relabelled)."""
    from .decisive_report import pick_lrs

    cache = {} if cache is None else cache
    base = world.denoiser(seed=0)

    def pairs_for(seed: int) -> VideoPairs:
        if seed not in cache:
            cache[seed] = candidates(world, base, seed)
        return label_pairs(world, cache[seed], sigma, seed)

    grid = {m: {} for m in methods}
    seconds = dict.fromkeys(methods, 0.0)  # training + evaluation time per method (pairs and base excluded)

    def timed(method: str, pairs: VideoPairs, **kwargs) -> list[dict]:
        started = time.perf_counter()
        curve = train_method(world, pairs, method, **kwargs)
        seconds[method] += time.perf_counter() - started
        return curve

    for seed in val_seeds:
        pairs = pairs_for(seed)
        evaluate = evaluator(world, "val", "validation", validation_reward(pairs))
        start = evaluate(base)
        for method in methods:
            for lr in lrs:
                # the pick reads the final validation reward only: no evaluation before the last step
                curve = timed(method, pairs, lr=lr, seed=seed, evaluate=evaluate, base_metrics=start,
                              eval_every=world.settings.steps)
                grid[method].setdefault(lr, []).append(curve[-1]["validation"])
                log(f"sigma {sigma} val seed {seed} {method} lr {lr:g}: validation reward "
                    f"{start['validation']:.4f} -> {curve[-1]['validation']:.4f}")
    picks = pick_lrs(grid)
    log(f"sigma {sigma}: lr picks {picks}")
    evaluate = evaluator(world, "test", "true")
    start = evaluate(base)
    curves = {m: [] for m in methods}
    label_error, wrong_halves, pair_counts, mark_stats = [], [], [], []
    for seed in test_seeds:
        pairs = pairs_for(seed)
        gap = pairs.s_w - pairs.s_l
        small = gap < torch.quantile(gap, 0.5)
        label_error.append(float(pairs.wrong.float().mean()))
        wrong_halves.append((float(pairs.wrong[small].float().mean()) if small.any() else 0.0,
                             float(pairs.wrong[~small].float().mean())))
        pair_counts.append(len(pairs.records))
        mark_stats.append(marks_summary(cache[seed], pairs))
        for method in methods:
            curve = timed(method, pairs, lr=picks[method], seed=seed, evaluate=evaluate, base_metrics=start)
            curves[method].append(curve)
            log(f"sigma {sigma} test seed {seed} {method}: true reward {start['true']:.4f} -> "
                f"{curves[method][-1][-1]['true']:.4f}, motion {curves[method][-1][-1]['motion']:.4f}")
    return {"sigma": sigma, "lr_grid": {m: {str(lr): v for lr, v in g.items()} for m, g in grid.items()},
            "lr": picks, "curves": curves, "label_error": label_error, "wrong_small_large_half": wrong_halves,
            "pairs": pair_counts, "marks": mark_stats, "base": start, "seconds": seconds,
            "clean_motion": float(motion_magnitude(world.test.clean).mean())}


def marks_summary(cands: Candidates, pairs: VideoPairs) -> dict:
    """How the simulated spans look on one seed's candidates: the share of frames 1..T-1 marked by at least one
    annotator and clearly worse, the share of clearly-worse frames someone marked (recall), of marked frames
    that are clearly worse (precision), and the mean mark on winners' and losers' frames."""
    marks, worse = cands.marks[:, 1:].numpy(), cands.worse[:, 1:]
    marked = marks > 0
    m_w = torch.stack([r["marks_w"][1:] for r in pairs.records]).mean()
    m_l = torch.stack([r["marks_l"][1:] for r in pairs.records]).mean()
    return {"marked": float(marked.mean()), "worse": float(worse.mean()),
            "recall": float(marked[worse].mean()) if worse.any() else 0.0,
            "precision": float(worse[marked].mean()) if marked.any() else 0.0,
            "mark_winner": float(m_w), "mark_loser": float(m_l)}
