"""AnimeReward: one scorer per dimension behind one ``score()``.

Each scorer maps a collated batch (inputs.py) to a logit ``(B,)``; the score is ``sigmoid(logit)`` in [0, 1].

    video_regression  (smoothness, appeal)  CLIP vision per frame -> [mean_t, mean_t |diff_t|, std_t] -> linear.
                      The tiny/cpu choice: trains from scratch on 2 cores (the paper preset uses video_vlm).
    video_vlm         (paper: smoothness, appeal) Qwen2-VL reads the frames as a video plus a question about the
                      dimension; a linear regression head on the last position (the reference's VLM + head).
    video_text_motion (motion)              X-CLIP video-text: logit("large movement") - logit("stationary")
                      plus the video embedding -> linear (ActionCLIP-style prompts + learned head).
    video_text        (text_video)          CLIP: frame features averaged, joined with the prompt feature
                      [v * t, cos(v, t)] -> linear + sigmoid (the paper's BLIP recipe on CLIP); with the motion
                      pattern also [motion_head(p) * m]: what the prompt expects of each flow statistic times
                      what the subject does (motion_pattern.py); p = hashed prompt words (tiny/cpu: a fresh
                      text tower cannot learn verbs from a few hundred pairs) or the text embedding t (paper).
    video_image       (image_video)         CLIP: averaged frame features vs initial-image feature
                      [v * i, |v - i|, cos] -> linear + sigmoid.
    character                               CLIP embeddings of centre crops of every frame vs the reference
                      crop (character_ref or initial image): cosine per frame -> [mean, min, late mean, std]
                      -> linear, plus (identity_dimensions) the identity signals of identity.py: the subject
                      segmented in the initial image and its palette looked for in colour-aligned late frames.
                      A simpler stand-in for detect + track + embed (no detector weights offline).

With ``handcrafted_features`` every head also reads the standardised OpenCV features (``hc_mean``/``hc_std``
buffers, fitted on the training videos and saved with the weights); the heads of ``identity_dimensions`` (default
character; checkpoints before session 8 also image_video) also read the identity signals of identity.py (segment
the subject, look for its palette later on), which carry the character dimension where the CLIP crops of a small
subject cannot.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .backbones import build_backbone, pooled
from .config import DIMENSIONS, PROMPT_WORD_DIM, RewardConfig
from .frame_features import FRAME_FEATURE_NAMES
from .frame_head import FrameHead
from .motion_pattern import MOTION_PATTERN_NAMES

MOTION_PROMPTS = ("a video with large movement", "a stationary video")


def _cos(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return F.cosine_similarity(a, b, dim=-1, eps=1e-6)


def _columns(config: RewardConfig, names: tuple[str, ...]) -> torch.Tensor:
    """Positions of ``names`` in the model's handcrafted vector (config.handcrafted_names())."""
    layout = config.handcrafted_names()
    return torch.tensor([layout.index(n) for n in names], dtype=torch.long)


class Scorer(nn.Module):
    kind = ""

    def __init__(self, config: RewardConfig, dimension: str):
        super().__init__()
        self.backbone, self.tokenizer = build_backbone(self.kind, config)
        self.use_hc = config.handcrafted_features
        # which columns of the model's handcrafted vector this head reads (identity signals only where useful)
        self.register_buffer("hc_columns", _columns(config, config.head_feature_names(dimension)), persistent=False)
        n_hc = len(self.hc_columns) if self.use_hc else 0
        self.head = nn.Linear(self.feature_size() + n_hc, 1)
        nn.init.normal_(self.head.weight, std=0.01)
        nn.init.zeros_(self.head.bias)
        # formula prior: logit = prior_scale * formula log-odds + head(features); the head starts near 0, so the
        # untrained model ranks like the fixed formula and training learns the correction
        self.prior_index = DIMENSIONS.index(dimension) if config.formula_prior else None
        if self.prior_index is not None:
            self.prior_scale = nn.Parameter(torch.ones(()))
        # +1 / -1 / 0 per handcrafted head input (config.monotone_features, handcrafted.FEATURE_SIGNS)
        self.monotone = config.monotone_features
        self.register_buffer("hc_signs", torch.tensor(config.head_feature_signs(dimension) if self.use_hc else (),
                                                      dtype=torch.float32), persistent=False)

    @torch.no_grad()
    def project_monotone(self) -> None:
        """Zero any handcrafted head weight on the wrong side of its sign, and a negative prior scale."""
        if self.hc_signs.numel() and bool(self.hc_signs.any()):
            w = self.head.weight[0, self.head.in_features - len(self.hc_signs):]
            w.copy_(torch.where(self.hc_signs * w < 0, torch.zeros_like(w), w))
        if self.prior_index is not None and self.monotone:
            self.prior_scale.clamp_(min=0.0)

    def feature_size(self) -> int:
        raise NotImplementedError

    def _out(self, feats: torch.Tensor, batch: dict) -> torch.Tensor:
        if self.use_hc:
            hc = batch["handcrafted_std"].index_select(-1, self.hc_columns)
            feats = torch.cat([feats, hc.to(feats.dtype)], dim=-1)
        out = self.head(feats.to(self.head.weight.dtype)).squeeze(-1)
        if self.prior_index is not None:
            out = out + self.prior_scale * batch["prior"][:, self.prior_index].to(out.dtype)
        return out

    def _image_embeds(self, pixels: torch.Tensor) -> torch.Tensor:
        return pooled(self.backbone.get_image_features(pixel_values=pixels))

    def _text(self, texts: list[str], device) -> dict:
        return {k: v.to(device) for k, v in self.tokenizer(texts).items()}


class VideoRegressionScorer(Scorer):
    kind = "video_regression"

    def feature_size(self) -> int:
        return 3 * self.backbone.config.hidden_size

    def forward(self, batch: dict) -> torch.Tensor:
        frames = batch["frames"]
        b, t = frames.shape[:2]
        x = self.backbone(pixel_values=frames.flatten(0, 1)).pooler_output  # (B*T, 3, S, S) -> (B*T, H)
        x = x.view(b, t, -1)  # (B*T, H) -> (B, T, H)
        feats = torch.cat([x.mean(1), (x[:, 1:] - x[:, :-1]).abs().mean(1), x.std(1)], dim=-1)
        return self._out(feats, batch)


class MotionScorer(Scorer):
    kind = "video_text_motion"

    def __init__(self, config: RewardConfig, dimension: str):
        super().__init__(config, dimension)
        frames = self.backbone.config.vision_config.num_frames
        if frames != config.motion_frames:
            raise ValueError(f"the X-CLIP backbone was built for {frames} frames but motion_frames="
                             f"{config.motion_frames}; set motion_frames={frames}")

    def feature_size(self) -> int:
        return 1 + self.backbone.config.projection_dim

    def forward(self, batch: dict) -> torch.Tensor:
        text = self._text(list(MOTION_PROMPTS), batch["motion"].device)
        out = self.backbone(pixel_values=batch["motion"], **text)  # logits_per_video (B, 2)
        diff = (out.logits_per_video[:, 0] - out.logits_per_video[:, 1]).unsqueeze(-1)
        return self._out(torch.cat([diff, out.video_embeds], dim=-1), batch)


class VideoTextScorer(Scorer):
    kind = "video_text"

    def __init__(self, config: RewardConfig, dimension: str):
        # the prompt-motion bilinear term: only where the motion pattern is a head input of this dimension
        self.n_motion = (len(MOTION_PATTERN_NAMES)
                         if config.handcrafted_features and dimension in config.motion_pattern_dimensions else 0)
        super().__init__(config, dimension)
        if self.n_motion:
            self.register_buffer("motion_columns", _columns(config, MOTION_PATTERN_NAMES), persistent=False)
            self.words = config.prompt_motion_text == "words"
            text_dim = PROMPT_WORD_DIM if self.words else self.backbone.config.projection_dim
            self.motion_head = nn.Linear(text_dim, self.n_motion)
            nn.init.normal_(self.motion_head.weight, std=0.01)
            nn.init.zeros_(self.motion_head.bias)

    def feature_size(self) -> int:
        return self.backbone.config.projection_dim + 1 + self.n_motion

    def forward(self, batch: dict) -> torch.Tensor:
        frames = batch["frames"]
        b, t = frames.shape[:2]
        v = self._image_embeds(frames.flatten(0, 1)).view(b, t, -1).mean(1)  # (B*T, P) -> (B, P)
        tx = pooled(self.backbone.get_text_features(**self._text(batch["texts"], frames.device)))  # (B, P)
        v, tx = F.normalize(v, dim=-1), F.normalize(tx, dim=-1)
        feats = [v * tx, (v * tx).sum(-1, keepdim=True)]
        if self.n_motion:
            # what the prompt expects of each motion statistic, times what the video shows: (B, M)
            motion = batch["handcrafted_std"].index_select(-1, self.motion_columns).to(tx.dtype)
            prompt = batch["prompt_words"] if self.words else tx
            feats.append(self.motion_head(prompt.to(self.motion_head.weight.dtype)).to(tx.dtype) * motion)
        return self._out(torch.cat(feats, dim=-1), batch)


class VideoImageScorer(Scorer):
    kind = "video_image"

    def feature_size(self) -> int:
        return 2 * self.backbone.config.projection_dim + 1

    def forward(self, batch: dict) -> torch.Tensor:
        frames = batch["frames"]
        b, t = frames.shape[:2]
        v = F.normalize(self._image_embeds(frames.flatten(0, 1)).view(b, t, -1).mean(1), dim=-1)  # (B, P)
        i = F.normalize(self._image_embeds(batch["initial"]), dim=-1)  # (B, P)
        return self._out(torch.cat([v * i, (v - i).abs(), (v * i).sum(-1, keepdim=True)], dim=-1), batch)


class CharacterScorer(Scorer):
    kind = "character"

    def feature_size(self) -> int:
        return 4

    def forward(self, batch: dict) -> torch.Tensor:
        crops = batch["char_frames"]
        b, t = crops.shape[:2]
        e = self._image_embeds(crops.flatten(0, 1)).view(b, t, -1)  # (B*T, P) -> (B, T, P)
        r = self._image_embeds(batch["char_ref"]).unsqueeze(1)  # (B, P) -> (B, 1, P)
        sim = _cos(e, r)  # (B, T)
        feats = torch.stack([sim.mean(1), sim.min(1).values, sim[:, t // 2 :].mean(1), sim.std(1)], dim=-1)
        return self._out(feats, batch)


# What the video-language scorer is asked before its regression head reads the answer position.
VLM_QUESTIONS = {
    "smoothness": "Is the motion in this video smooth and stable, without flicker, jitter or warping?",
    "appeal": "Is this video visually appealing: sharp, clean and well drawn?",
}
VLM_QUESTION_DEFAULT = "How good is this video?"


def qwen2vl_video_patches(frames: torch.Tensor, patch: int, merge: int, temporal: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T, C, S, S) normalised frames -> (pixel_values_videos (B*t*h*w, C*temporal*patch*patch), grid (B, 3)),
    the layout of transformers' Qwen2VLVideoProcessor (the last frame repeats when T is not a multiple of
    ``temporal``)."""
    b, t, c, h, w = frames.shape
    if h % (patch * merge) or w % (patch * merge):
        raise ValueError(f"frames of {h}x{w} px: the video-language scorer needs sides divisible by "
                         f"patch x merge = {patch * merge}; set frame_size to a multiple of it")
    if pad := -t % temporal:
        frames = torch.cat([frames, frames[:, -1:].expand(-1, pad, -1, -1, -1)], dim=1)
        t += pad
    gt, gh, gw = t // temporal, h // patch, w // patch
    x = frames.reshape(b, gt, temporal, c, gh // merge, merge, patch, gw // merge, merge, patch)
    x = x.permute(0, 1, 4, 7, 5, 8, 3, 2, 6, 9)  # -> (B, t, h/m, w/m, m, m, C, temporal, p, p)
    grid = torch.tensor([[gt, gh, gw]] * b, dtype=torch.long, device=frames.device)
    return x.reshape(b * gt * gh * gw, c * temporal * patch * patch), grid


class VideoVLMScorer(Scorer):
    """Qwen2-VL reads the frames as a video followed by a question about the dimension; a linear regression head
    reads the last position's hidden state (the reference's VLM + regression head recipe)."""

    kind = "video_vlm"

    def __init__(self, config: RewardConfig, dimension: str):
        super().__init__(config, dimension)
        self.question = VLM_QUESTIONS.get(dimension, VLM_QUESTION_DEFAULT)
        asked = self.tokenizer([self.question])  # the same ids for every batch: tokenised once
        self.register_buffer("question_ids", asked["input_ids"][0][asked["attention_mask"][0].bool()],
                             persistent=False)
        vision = self.backbone.config.vision_config
        self.patch, self.merge, self.temporal = vision.patch_size, vision.spatial_merge_size, vision.temporal_patch_size
        if config.frame_size % (self.patch * self.merge):
            raise ValueError(f"frame_size={config.frame_size}: the {dimension} video-language scorer needs a multiple "
                             f"of {self.patch * self.merge} (patch {self.patch} x merge {self.merge})")

    def feature_size(self) -> int:
        return self.backbone.config.text_config.hidden_size

    def forward(self, batch: dict) -> torch.Tensor:
        frames = batch["frames"]
        b = frames.shape[0]
        dtype = next(self.backbone.visual.parameters()).dtype
        pixels, grid = qwen2vl_video_patches(frames.to(dtype), self.patch, self.merge, self.temporal)
        cfg = self.backbone.config
        video_tokens = int(grid[0].prod()) // (self.merge * self.merge)
        ids = torch.cat([torch.tensor([cfg.vision_start_token_id] + [cfg.video_token_id] * video_tokens
                                      + [cfg.vision_end_token_id], device=frames.device), self.question_ids])
        ids = ids.unsqueeze(0).expand(b, -1)  # every video has the same length: no padding
        out = self.backbone(input_ids=ids, attention_mask=torch.ones_like(ids), pixel_values_videos=pixels,
                            video_grid_thw=grid, mm_token_type_ids=(ids == cfg.video_token_id).int() * 2)
        return self._out(out.last_hidden_state[:, -1], batch)


SCORERS = {cls.kind: cls for cls in (VideoRegressionScorer, MotionScorer, VideoTextScorer, VideoImageScorer,
                                     CharacterScorer, VideoVLMScorer)}


def is_head_parameter(name: str) -> bool:
    """Head weights (the linear heads, the text-video prompt-motion projection, the formula prior's scale): trained in
    every finetune mode, at head_lr."""
    return (".head." in name or ".motion_head." in name or name.startswith(("head.", "motion_head."))
            or name.endswith("prior_scale"))


def apply_finetune(scorer: Scorer, config: RewardConfig) -> None:
    """head: only the head trains; lora: peft LoRA adapters on the backbone + head; full: everything."""
    if config.finetune == "lora":
        from peft import LoraConfig, inject_adapter_in_model

        lora = LoraConfig(r=config.lora_rank, lora_alpha=config.lora_alpha, target_modules=list(config.lora_targets))
        inject_adapter_in_model(lora, scorer.backbone)
    for name, p in scorer.backbone.named_parameters():
        p.requires_grad = config.finetune == "full" or (config.finetune == "lora" and "lora_" in name)
    for name, p in scorer.named_parameters():
        if is_head_parameter(name):
            p.requires_grad = True


class AnimeRewardModel(nn.Module):
    """The six scorers plus the handcrafted-feature standardisation buffers."""

    def __init__(self, config: RewardConfig):
        super().__init__()
        self.config = config
        torch.manual_seed(config.seed)
        self.scorers = nn.ModuleDict()
        for dim in config.dimensions:
            scorer = SCORERS[config.scorers[dim]](config, dim)
            apply_finetune(scorer, config)
            self.scorers[dim] = scorer
        n_hc = len(config.handcrafted_names())
        self.register_buffer("hc_mean", torch.zeros(n_hc))
        self.register_buffer("hc_std", torch.ones(n_hc))
        # per-frame heads (issue #22) only when configured, so checkpoints without them keep their exact state dict
        if config.frame_dimensions:
            # separate pooling: the heads draw their init from their own generator, so adding them leaves the global
            # random state, hence everything trained after this, as it is without them
            with torch.random.fork_rng(devices=[], enabled=config.frame_pooling == "separate"):
                if config.frame_pooling == "separate":
                    torch.manual_seed(config.seed + 1)
                self.frame_heads = nn.ModuleDict({d: FrameHead(d, config.monotone_features)
                                                  for d in config.frame_dimensions})
            self.register_buffer("fr_mean", torch.zeros(len(FRAME_FEATURE_NAMES)))
            self.register_buffer("fr_std", torch.ones(len(FRAME_FEATURE_NAMES)))

    def project_monotone(self) -> None:
        """After an optimizer step: keep every head inside config.monotone_features' constraints (no-op when off)."""
        if self.config.monotone_features:
            for scorer in self.scorers.values():
                scorer.project_monotone()
            for head in getattr(self, "frame_heads", {}).values():
                head.project_monotone()

    def fit_feature_stats(self, features: torch.Tensor) -> None:
        """Set the standardisation of handcrafted features from (N, F) training videos."""
        self.hc_mean.copy_(features.mean(0))
        self.hc_std.copy_(features.std(0).clamp_min(1e-4) if len(features) > 1 else torch.ones_like(self.hc_std))

    def fit_frame_stats(self, frames: torch.Tensor) -> None:
        """Set the standardisation of per-frame features from (N, F) training frames (all videos' frames stacked)."""
        self.fr_mean.copy_(frames.mean(0))
        self.fr_std.copy_(frames.std(0).clamp_min(1e-4) if len(frames) > 1 else torch.ones_like(self.fr_std))

    def frame_logits(self, batch: dict) -> dict[str, torch.Tensor]:
        """frame dimension -> per-frame logits s_t (B, T) of its frame head (frame_head.py); {} without heads."""
        if not self.config.frame_dimensions:
            return {}
        z = (batch["frame_features"] - self.fr_mean) / self.fr_std  # (B, T, F)
        return {d: head(z) for d, head in self.frame_heads.items()}

    def forward(self, batch: dict, with_curves: bool = False):
        """dimension -> logit (B,); with_curves: (those logits, frame dimension -> frame logits s_t (B, T)).
        With config.frame_pooling 'added' (the first design) a frame dimension's video logit includes mean_t s_t;
        with 'separate' it does not (frame_head.py)."""
        batch = dict(batch)
        batch["handcrafted_std"] = (batch["handcrafted"] - self.hc_mean) / self.hc_std
        logits = {dim: scorer(batch) for dim, scorer in self.scorers.items()}
        if not (with_curves or self.config.frame_pooling == "added"):
            return logits
        curves = self.frame_logits(batch)
        if self.config.frame_pooling == "added":
            for d, s in curves.items():
                logits[d] = logits[d] + s.mean(1).to(logits[d].dtype)
        return (logits, curves) if with_curves else logits
