"""``RewardTrainer``: pairwise (or rating) training of AnimeReward from a PairSet.

Batch convention, A first, B second: a micro-batch holds B pairs; the model scores
``collate(videos_a + videos_b)`` i.e. 2B videos, row ``i`` is pair i's A and row ``B + i`` its B, and every
dimension's ``d = logit[B:] - logit[:B] = r_b - r_a`` goes to the pairwise loss with the consensus strength
(+ = B better). Dimensions a pair has no label on (NaN) are masked out. ``mse`` / ``l1`` instead regress
sigmoid scores of single videos to their ``truth`` ratings.

Static negatives (config.static_negatives, cpu/paper 0.25): that share of every batch's pairs is replaced by
(frozen or near-static copy of a training video as A, the video as B) with strength +2 on motion and +1 on
text_video (other dimensions NaN, masked): slowing a clip toward standing still never makes its motion better,
and a still clip cannot show the action its prompt names (the demo's own text_video truth counts frozen against
it); the demo world has no still video for those heads to learn that from.

Frame heads (config.frame_dimensions, issue #22) with frame_pooling 'separate' (the default): the video logits
leave them out, so each head learns from its own pairwise term, the same pairwise loss on its pooled value
``mean_t s_t`` of B vs A (weight config.frame_pairwise_weight, mean over frame dimensions), plus the segment loss below;
their gradients are clipped apart from the scorers', so the scorers train exactly as without frame heads.

Segment loss (config.segment_loss_weight, issue #22): the videos of a batch that carry marked spans on a frame
dimension of ``segment_dimensions`` (PairSet.segments, mapped onto the model's frames by segments.py) add
``segment_loss_weight x segment_rank_loss(frame logits, marked share)`` per such dimension (mean over them), beside the pairwise loss of the same pairs: the same judged pairs, denser labels.

All videos are prepared once (frames via media_io, handcrafted features) and kept in memory; a step
only runs the networks. Resume: ``output_dir`` holds ``step-N/`` folders; a new trainer on the same folder
loads the latest and continues from step N (data order is a function of the step, so it is reproducible).
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from accelerate import Accelerator, DistributedDataParallelKwargs

from media_io import FrameCache
from training.step_folders import step_folder_name

from .checkpoint import OPTIMIZER, latest_checkpoint, read_checkpoint, save_checkpoint
from .config import RewardConfig
from .data import PairRecord, PairSet, strength_matrix
from .inputs import collate, prepare_video
from .losses import PAIRWISE, pairwise_loss, regression_loss, segment_rank_loss
from .models import AnimeRewardModel, is_head_parameter
from .prior_fit import fit_prior_scales
from .segments import video_marks

# Changing these between save and resume would load weights into a different model.
RESUME_MUST_MATCH = ("preset", "dimensions", "scorers", "frame_size", "character_crop", "hidden_size", "num_layers", "finetune", "net_frames",
                     "lora_rank", "lora_targets", "handcrafted_features", "formula_prior", "scoped_features", "feature_scope",
                     "identity_dimensions", "motion_pattern_dimensions", "coherence_dimensions", "appearance_dimensions",
                     "prompt_motion_text", "frame_dimensions", "frame_pooling")


STATIC_KINDS = ("freeze", "near_static")
STATIC_NEGATIVE_STRENGTHS = {"motion": 2.0, "text_video": 1.0}  # B (the moving original) better than A (still)


def prepare_all(pairset: PairSet, config: RewardConfig, cache: FrameCache | None = None) -> dict[str, dict]:
    return {k: prepare_video(v.path, v.prompt, v.initial_image, config=config, cache=cache)
            for k, v in pairset.videos.items()}


def prepare_static(pairset: PairSet, config: RewardConfig, keys=None) -> dict[str, dict]:
    """``<key>~freeze`` and ``<key>~near_static`` inputs for the videos ``keys`` (default all) of ``pairset``."""
    from media_io import sample_frames

    from .degradations import Clip, degrade

    out = {}
    for k in (keys if keys is not None else pairset.videos):
        v = pairset.videos[k]
        # 4x the sampled frames, so a slowed-down copy still moves between the frames the features read
        frames = sample_frames(v.path, 4 * config.num_frames, size=config.handcrafted_size)
        clip = Clip(k, frames, v.prompt, frames[0])
        for kind in STATIC_KINDS:
            out[f"{k}~{kind}"] = prepare_video(degrade(clip, kind).frames, v.prompt, v.initial_image, config=config)
    return out


class RewardTrainer:
    def __init__(self, config: RewardConfig, train: PairSet, *, prepared: dict[str, dict] | None = None,
                 callback: Callable[[dict], None] | None = None) -> None:
        self.config, self.train_set, self.callback = config, train, callback
        # Under torchrun / accelerate launch every scorer is one DDP module: a scorer's unused towers (e.g. the
        # text tower of an image-only CLIP) get no gradient, which DDP must be told to expect.
        self.accelerator = Accelerator(mixed_precision=config.mixed_precision,
                                       gradient_accumulation_steps=config.grad_accum, cpu=config.device == "cpu",
                                       kwargs_handlers=[DistributedDataParallelKwargs(find_unused_parameters=True)])
        cache = FrameCache(config.cache_dir) if config.cache_dir else None
        self.prepared = prepared if prepared is not None else prepare_all(train, config, cache)
        self.pairs = [p for p in train.pairs if p.video_a in self.prepared and p.video_b in self.prepared]
        self.rated = [k for k, v in train.videos.items() if k in self.prepared and v.truth]
        self.static_keys = sorted({k for p in self.pairs for k in (p.video_a, p.video_b)})
        if config.static_negatives > 0 and config.loss in PAIRWISE and "motion" in config.dimensions:
            missing = [k for k in self.static_keys if f"{k}~{STATIC_KINDS[0]}" not in self.prepared]
            if missing:
                self.prepared = {**self.prepared, **prepare_static(train, config, missing)}
        else:
            self.static_keys = []
        if config.loss in PAIRWISE and not self.pairs:
            raise ValueError("no training pairs with prepared videos; check the split and the media paths")
        if config.loss not in PAIRWISE and not self.rated:
            raise ValueError(f"loss {config.loss!r} regresses ratings but no training video has any")
        # video key -> frame dimension -> marked share on the model's frames, for the segment loss
        self.marks = (video_marks(train.segments, config.segment_dimensions, config.num_frames)
                      if config.segment_loss_weight > 0 and config.loss in PAIRWISE else {})
        self.step = 0
        model = AnimeRewardModel(config)
        ckpt = latest_checkpoint(config.output_dir) if config.output_dir else None
        if ckpt is not None:
            saved, state, record = read_checkpoint(ckpt)
            for name in RESUME_MUST_MATCH:
                if getattr(saved, name) != getattr(config, name):
                    raise ValueError(f"cannot resume from {ckpt}: {name} was {getattr(saved, name)!r}, now "
                                     f"{getattr(config, name)!r}; use a new output_dir or the same {name}")
            model.load_state_dict(state)
            self.step = int(record["step"])
        else:
            feats = torch.from_numpy(np.stack([self.prepared[k]["handcrafted"] for k in train.videos
                                               if k in self.prepared]))
            model.fit_feature_stats(feats)
            if config.frame_dimensions:  # (videos, T, F) -> (videos * T, F)
                model.fit_frame_stats(torch.from_numpy(np.concatenate(
                    [self.prepared[k]["frame_features"] for k in train.videos if k in self.prepared])))
            if config.formula_prior and config.loss in PAIRWISE and self.pairs:
                self._fit_prior_scales(model)
        params = [p for p in model.parameters() if p.requires_grad]
        heads = [p for n, p in model.named_parameters() if p.requires_grad and is_head_parameter(n)]
        rest = [p for n, p in model.named_parameters() if p.requires_grad and not is_head_parameter(n)]
        groups = [{"params": heads, "lr": config.head_lr}] + ([{"params": rest, "lr": config.lr}] if rest else [])
        optimizer = torch.optim.AdamW(groups, weight_decay=config.weight_decay)
        warmup = max(1, config.steps // 20)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (
            1 + math.cos(math.pi * min(1.0, s / config.steps))))
        if ckpt is not None and (ckpt / OPTIMIZER).exists():
            state = torch.load(ckpt / OPTIMIZER, weights_only=True)
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
        self.model, self.optimizer = self.accelerator.prepare(model, optimizer)
        self.scheduler = scheduler
        self.params = params
        frame_heads = list(getattr(model, "frame_heads", {}).values())
        if config.frame_pooling == "separate":  # the heads' gradients never rescale the scorers' (nor each other's)
            scorer_params = [p for part in model.scorers.values() for p in part.parameters() if p.requires_grad]
            self.clip_groups = ([scorer_params] if config.clip_scope == "model" else
                                [[p for p in part.parameters() if p.requires_grad] for part in model.scorers.values()])
            self.clip_groups += [[p for p in head.parameters() if p.requires_grad] for head in frame_heads]
        else:
            self.clip_groups = ([params] if config.clip_scope == "model" else
                                [[p for p in part.parameters() if p.requires_grad]
                                 for part in (*model.scorers.values(), *frame_heads)])
        self.device = self.accelerator.device

    def _batch(self, items: list[dict]) -> dict:
        batch = collate(items)
        return {k: v.to(self.device) if torch.is_tensor(v) else v for k, v in batch.items()}

    def _pair_loss(self, rng: random.Random) -> tuple[torch.Tensor, dict]:
        c = self.config
        n_static = round(c.batch_size * c.static_negatives) if self.static_keys else 0
        pairs = [self.pairs[rng.randrange(len(self.pairs))] for _ in range(c.batch_size - n_static)]
        for _ in range(n_static):  # A = a still copy, B = the video (module docstring)
            key = self.static_keys[rng.randrange(len(self.static_keys))]
            pairs.append(PairRecord(f"{key}~{STATIC_KINDS[rng.randrange(2)]}", key, "train",
                                    dict(STATIC_NEGATIVE_STRENGTHS)))
        items = [self.prepared[p.video_a] for p in pairs] + [self.prepared[p.video_b] for p in pairs]
        strengths = torch.from_numpy(strength_matrix(pairs, c.dimensions)).to(self.device)  # (B, D)
        keys = [p.video_a for p in pairs] + [p.video_b for p in pairs]
        separate = bool(c.frame_dimensions) and c.frame_pooling == "separate"
        if self.marks or separate:
            logits, curves = self.model(self._batch(items), with_curves=True)  # (2B,), frame dims -> (2B, T)
        else:
            logits, curves = self.model(self._batch(items)), {}  # dimension -> (2B,)
        b = len(pairs)
        losses, metrics = [], {}
        for j, dim in enumerate(c.dimensions):
            known = ~torch.isnan(strengths[:, j])
            if not known.any():
                continue
            d = (logits[dim][b:] - logits[dim][:b]).float()[known]  # r_b - r_a, (B_known,)
            loss, m = pairwise_loss(c.loss, d, strengths[known, j], tie_margin=c.tie_margin,
                                    strength_margin=c.strength_margin)
            losses.append(loss)
            metrics[f"{dim}/loss"] = float(loss.detach())
            if "accuracy" in m and not torch.isnan(m["accuracy"]):
                metrics[f"{dim}/accuracy"] = float(m["accuracy"])
        loss = torch.stack(losses).mean()
        if separate:
            loss = loss + c.frame_pairwise_weight * self._frame_pairwise_loss(curves, strengths, metrics)
        if self.marks:
            loss = loss + c.segment_loss_weight * self._segment_loss(keys, curves, metrics)
        return loss, metrics

    def _frame_pairwise_loss(self, curves: dict[str, torch.Tensor], strengths: torch.Tensor,
                             metrics: dict) -> torch.Tensor:
        """frame_pooling 'separate': the pairwise loss of the batch's pairs on each frame head's pooled value
        mean_t s_t (B first, A second, as for the video logits), mean over frame dimensions with a label."""
        c, parts = self.config, []
        b = strengths.shape[0]
        for dim, s in curves.items():
            known = ~torch.isnan(strengths[:, c.dimensions.index(dim)])
            if not known.any():
                continue
            pooled = s.float().mean(1)  # (2B, T) -> (2B,)
            loss, _ = pairwise_loss(c.loss, (pooled[b:] - pooled[:b])[known],
                                    strengths[known, c.dimensions.index(dim)], tie_margin=c.tie_margin,
                                    strength_margin=c.strength_margin)
            parts.append(loss)
            metrics[f"{dim}/frame_pairwise_loss"] = float(loss.detach())
        return torch.stack(parts).mean() if parts else next(iter(curves.values())).sum() * 0.0

    def _segment_loss(self, keys: list[str], curves: dict[str, torch.Tensor], metrics: dict) -> torch.Tensor:
        """Mean over frame dimensions of segment_rank_loss on the batch's videos with marked spans (0 without)."""
        parts = []
        for dim, s in curves.items():  # frame dimensions outside segment_dimensions have no marks here
            rows = [i for i, k in enumerate(keys) if dim in self.marks.get(k, {})]
            if not rows:
                continue
            marked = torch.from_numpy(np.stack([self.marks[keys[i]][dim] for i in rows])).to(s.device)  # (V, T)
            # frame 0 has no predecessor (frame_features.py): left out here as in the localisation AUROC
            valid = torch.ones_like(marked, dtype=torch.bool)
            valid[:, 0] = False
            loss, m = segment_rank_loss(s[rows].float(), marked, valid)
            if m["videos"]:
                parts.append(loss)
                metrics[f"{dim}/segment_loss"] = float(loss.detach())
                metrics[f"{dim}/segment_accuracy"] = float(m["accuracy"])
        return torch.stack(parts).mean() if parts else next(iter(curves.values())).sum() * 0.0

    @torch.no_grad()
    def _fit_prior_scales(self, model: AnimeRewardModel) -> None:
        """Start each head's prior scale at the formula's best temperature on the training pairs (prior_fit.py)."""
        c = self.config
        prior_a = torch.from_numpy(np.stack([self.prepared[p.video_a]["prior"] for p in self.pairs]))
        prior_b = torch.from_numpy(np.stack([self.prepared[p.video_b]["prior"] for p in self.pairs]))
        scales = fit_prior_scales(prior_a, prior_b, torch.from_numpy(strength_matrix(self.pairs, c.dimensions)),
                                  c.dimensions, loss=c.loss, tie_margin=c.tie_margin,
                                  strength_margin=c.strength_margin)
        for dim, scale in scales.items():
            model.scorers[dim].prior_scale.fill_(scale)

    def head_weight_norms(self) -> dict[str, torch.Tensor]:
        """Squared head weights summed over dimensions: 'net' on the networks' features (the first feature_size()
        inputs of each linear head), 'head' on the rest (handcrafted inputs, the prompt-motion projection)."""
        model = self.accelerator.unwrap_model(self.model)
        net, rest = [], []
        for head in getattr(model, "frame_heads", {}).values():  # per-frame measurements: priced like handcrafted
            rest.append((head.head.weight.float() ** 2).sum())
        for scorer in model.scorers.values():
            for name, p in scorer.named_parameters():
                if not (p.requires_grad and name.endswith(".weight") and is_head_parameter(name)):
                    continue
                sq = p.float() ** 2
                split = scorer.feature_size() if name == "head.weight" else 0
                net.append(sq[:, :split].sum())
                rest.append(sq[:, split:].sum())
        zero = torch.zeros((), device=self.device)
        return {"net": torch.stack(net).sum() if net else zero, "head": torch.stack(rest).sum() if rest else zero}

    def _head_penalty(self) -> torch.Tensor:
        """head_l2 x the squared handcrafted-input head weights + net_head_l2 x the squared weights on the networks'
        features, averaged over dimensions: with the formula prior, the price of moving away from the fixed formula.
        The networks' share is priced apart because a head reads ~100 of their features: at the same price per
        weight, many small weights add up to a large correction (README 'Formula prior')."""
        c, norms = self.config, self.head_weight_norms()
        return (c.head_l2 * norms["head"] + c.net_head_l2 * norms["net"]) / len(c.dimensions)

    def _rating_loss(self, rng: random.Random) -> tuple[torch.Tensor, dict]:
        c = self.config
        keys = [self.rated[rng.randrange(len(self.rated))] for _ in range(c.batch_size)]
        truth = self.train_set.videos
        targets = torch.tensor([[truth[k].truth.get(d, math.nan) for d in c.dimensions] for k in keys],
                               device=self.device)  # (B, D)
        logits = self.model(self._batch([self.prepared[k] for k in keys]))
        losses, metrics = [], {}
        for j, dim in enumerate(c.dimensions):
            loss, m = regression_loss(torch.sigmoid(logits[dim].float()), targets[:, j], c.loss)
            if m["videos"]:
                losses.append(loss)
                metrics[f"{dim}/loss"] = float(loss.detach())
        return torch.stack(losses).mean(), metrics

    def train(self) -> dict:
        c = self.config
        self.model.train()
        last: dict = {}
        while self.step < c.steps:
            started = time.perf_counter()
            for micro in range(c.grad_accum):
                # each process draws its own pairs (rank 0 keeps the single-process order); 7919 and 997 are
                # primes, so no (step, micro, rank) triple repeats another's seed below 997 processes
                rng = random.Random(c.seed * 1_000_003 + self.step * 997 + micro
                                    + self.accelerator.process_index * 7_919)
                with self.accelerator.accumulate(self.model), self.accelerator.autocast():
                    loss, metrics = (self._pair_loss if c.loss in PAIRWISE else self._rating_loss)(rng)
                    if c.head_l2 or c.net_head_l2:  # pairwise and rating losses alike
                        loss = loss + self._head_penalty()
                    self.accelerator.backward(loss)
                    if self.accelerator.sync_gradients and c.max_grad_norm > 0:
                        for group in self.clip_groups:
                            self.accelerator.clip_grad_norm_(group, c.max_grad_norm)
                    self.optimizer.step()
                    self.optimizer.zero_grad()
                    if self.accelerator.sync_gradients:
                        self.unwrapped().project_monotone()
            self.scheduler.step()
            self.step += 1
            last = {"step": self.step, "loss": float(loss.detach()), "lr": self.scheduler.get_last_lr()[0],
                    "seconds": time.perf_counter() - started, **metrics}
            if self.callback and self.accelerator.is_main_process:
                self.callback(last)
            if c.output_dir and (self.step == c.steps or (c.checkpoint_every and self.step % c.checkpoint_every == 0)):
                self.accelerator.wait_for_everyone()
                if self.accelerator.is_main_process:  # one writer; every process holds the same weights
                    self.save(Path(c.output_dir) / step_folder_name(self.step), last)
        return last

    def unwrapped(self) -> AnimeRewardModel:
        return self.accelerator.unwrap_model(self.model)

    def save(self, folder: Path, metrics: dict | None = None) -> Path:
        return save_checkpoint(folder, config=self.config, model=self.unwrapped(), step=self.step, metrics=metrics,
                               dataset_version=self.train_set.version,
                               optimizer_state={"optimizer": self.optimizer.state_dict(),
                                                "scheduler": self.scheduler.state_dict()})
