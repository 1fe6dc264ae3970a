"""``RewardConfig``: every knob of an AnimeReward run, validated on construction and saved in every checkpoint.

Presets (see docs in ``training/reward/__init__.py``):

- ``tiny``: random-init 2-layer CLIP / X-CLIP configs at 32 px, LoRA on the backbones; for tests only.
- ``cpu``: the same architectures, small enough to train from scratch on 2 CPU cores in minutes, with the
  handcrafted OpenCV features (``handcrafted.py``) fed into every head next to the learned features.
- ``paper``: real pretrained backbones from ``backbone_paths`` (local folder or hub id) with LoRA.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dimensions import KEYS as DIMENSIONS
from training.config_io import load_config, save_config

from .handcrafted import APPEARANCE_NAMES, COHERENCE_NAMES, DIMENSION_SCOPES, FEATURE_NAMES, FEATURE_SCOPE, FEATURE_SIGNS
from .frame_features import FRAME_DIMENSIONS
from .identity import IDENTITY_FEATURE_NAMES
from .motion_pattern import MOTION_PATTERN_NAMES

# The handcrafted inputs beyond FEATURE_NAMES, each computed only when one of its field's dimensions is scored and
# read only by those dimensions' heads. Order = column order of the handcrafted vector (handcrafted_names()):
# append new groups at the end, so earlier checkpoints keep their layout.
FEATURE_GROUPS = {
    "identity_dimensions": IDENTITY_FEATURE_NAMES,
    "motion_pattern_dimensions": MOTION_PATTERN_NAMES,
    "coherence_dimensions": COHERENCE_NAMES,
    "appearance_dimensions": APPEARANCE_NAMES,
}

PRESETS = ("tiny", "cpu", "paper")
LOSSES = ("bt", "bt_ties", "bt_margin", "bt_gap", "mse", "l1")
RATING_LOSSES = ("mse", "l1")  # the rest are pairwise (losses.PAIRWISE)
MIXED_PRECISIONS = ("no", "bf16")
DEVICES = ("auto", "cpu", "cuda")
FINETUNES = ("head", "lora", "full")
CLIP_SCOPES = ("model", "scorer")
FRAME_POOLINGS = ("separate", "added")
PROMPT_TEXTS = ("words", "backbone")
PROMPT_WORD_DIM = 64
# Which scorer architecture each dimension uses (models.py); the paper's choices, scaled down.
SCORER_KINDS = ("video_regression", "video_text_motion", "video_text", "video_image", "character", "video_vlm")
DEFAULT_SCORERS = {
    "smoothness": "video_regression",
    "appeal": "video_regression",
    "motion": "video_text_motion",
    "text_video": "video_text",
    "image_video": "video_image",
    "character": "character",
}
# The paper preset scores smoothness and appeal with a video-language model + regression head, as the reference
# does (Mantis-Idefics2-8B there; Qwen2-VL here, which takes video natively); tiny/cpu keep the CLIP video
# encoder + temporal pooling, which trains from scratch on 2 cores.
PAPER_SCORERS = {**DEFAULT_SCORERS, "smoothness": "video_vlm", "appeal": "video_vlm"}
# Hub ids the paper preset uses when backbone_paths does not name one.
PAPER_BACKBONES = {
    "video_vlm": "Qwen/Qwen2-VL-2B-Instruct",
    "video_regression": "openai/clip-vit-base-patch32",
    "video_text_motion": "microsoft/xclip-base-patch32",
    "video_text": "openai/clip-vit-base-patch32",
    "video_image": "openai/clip-vit-base-patch32",
    "character": "openai/clip-vit-base-patch32",
}
# Upper bounds: far above any preset, low enough that one config cannot ask a worker for absurd memory.
SIZE_LIMITS = {"num_frames": 256, "net_frames": 256, "motion_frames": 256, "frame_size": 1024, "handcrafted_size": 1024,
               "hidden_size": 4096, "num_layers": 48, "batch_size": 1024, "grad_accum": 1024, "lora_rank": 512}
# score curves (issue #22), decoupled heads with segment supervision: benchmarks/results/reward_segments.md
FRAME_PRESET_DEFAULTS = {
    "tiny": {"frame_dimensions": (), "segment_loss_weight": 0.0, "segment_dimensions": ()},
    "cpu": {"frame_dimensions": ("smoothness", "motion", "character"), "segment_loss_weight": 1.0,
            "segment_dimensions": ("smoothness", "character")},
    "paper": {"frame_dimensions": (), "segment_loss_weight": 0.0, "segment_dimensions": ()},
}
NET_L2 = 10.0  # README 'Formula prior': picked on leave-one-generator-out (1 and 10 tried)
HEAD_L2 = 0.03  # README 'Formula prior': 0.1 until session 9; at 0.1 the appeal head could not afford blur_gain
PRESET_DEFAULTS = {
    "tiny": {"frame_size": 32, "hidden_size": 32, "num_layers": 2, "finetune": "lora", "net_frames": 8,
             "prompt_motion_text": "words", "static_negatives": 0.0, "handcrafted_features": True, "formula_prior": False,
             "scoped_features": False, "monotone_features": False, "head_l2": 0.0, "net_head_l2": 0.0,
             "lr": 1e-3},
    "cpu": {"frame_size": 32, "hidden_size": 32, "num_layers": 1, "finetune": "full", "net_frames": 8,
            "prompt_motion_text": "words", "static_negatives": 0.25, "handcrafted_features": True, "formula_prior": True,
            "scoped_features": True, "monotone_features": True, "head_l2": HEAD_L2, "net_head_l2": NET_L2,
            "lr": 1e-4},
    "paper": {"frame_size": 224, "hidden_size": 0, "num_layers": 0, "finetune": "lora", "net_frames": 24,
              "prompt_motion_text": "backbone", "static_negatives": 0.25, "handcrafted_features": False, "formula_prior": False,
              "scoped_features": False, "monotone_features": False, "head_l2": 0.0, "net_head_l2": 0.0,
              "lr": 1e-3},
}


def _help(text: str, default):
    return field(default=default, metadata={"help": text})


@dataclass
class RewardConfig:
    preset: str = _help(f"model scale: {' | '.join(PRESETS)}", "tiny")
    dimensions: tuple[str, ...] = _help(f"dimensions to score, a subset of {', '.join(DIMENSIONS)}", DIMENSIONS)
    scorers: dict = _help(
        f"dimension -> scorer kind ({' | '.join(SCORER_KINDS)}); missing dimensions use DEFAULT_SCORERS "
        "(paper: PAPER_SCORERS)", None
    )
    backbone_paths: dict = _help("scorer kind -> local folder or hub id (preset 'paper'); default PAPER_BACKBONES", None)
    num_frames: int = _help("uniformly sampled frames per video (the paper uses 24)", 24)
    net_frames: int | None = _help(
        "of the num_frames, how many (uniformly picked) the per-frame backbones see; the handcrafted features "
        "always use all num_frames; None = the preset's (tiny/cpu: 8, paper: 24)", None)
    motion_frames: int = _help("frames for the motion (video-text) scorer (the paper uses 8)", 8)
    frame_size: int | None = _help("square frame side fed to the backbones; None = the preset's", None)
    hidden_size: int | None = _help("hidden size of random-init backbones (tiny/cpu); None = the preset's", None)
    num_layers: int | None = _help("transformer layers of random-init backbones (tiny/cpu); None = the preset's", None)
    character_crop: tuple[float, float] = _help(
        "centre crop (width, height fractions) the character scorer compares: a detector-free stand-in for "
        "the subject's box; subjects of I2V shots stand central and upright", (0.6, 0.6))
    handcrafted_features: bool | None = _help(
        "feed the OpenCV features (handcrafted.py) into every head; None = the preset's (tiny/cpu: on, paper: off, "
        "so the pretrained networks have to carry the dimensions; report it both ways)", None)
    formula_prior: bool | None = _help(
        "every head adds the fixed formula's log-odds for its dimension (handcrafted.baseline_scores, the zero-training "
        "baseline) times a learned scale that starts at 1, so training starts from the formulas and learns "
        "corrections to them; None = the preset's (cpu: on; tiny, paper: off). Why: README 'Formula prior'", None)
    scoped_features: bool | None = _help(
        "each head reads only the OpenCV measurements of what its dimension is about (handcrafted.DIMENSION_FEATURES) "
        "plus its identity / motion-pattern / coherence extras, instead of all of FEATURE_NAMES; None = the preset's "
        "(cpu: on; tiny, paper: off)", None)
    monotone_features: bool | None = _help(
        "keep each head's weight on a defect measurement on the side handcrafted.FEATURE_SIGNS names (more flicker can "
        "only lower smoothness, more colour drift only image_video, ...) and the formula prior's scale >= 0: "
        "projected after every optimizer step; None = the preset's (cpu: on; tiny, paper: off)", None)
    head_l2: float | None = _help(
        "L2 penalty on the heads' weights (not biases, not the prior scale), added to the loss per dimension: with "
        "formula_prior it pulls each head back toward the fixed formula, so a correction must earn its place on many "
        f"pairs; None = the preset's (cpu {HEAD_L2:g}, tiny/paper 0)", None)
    feature_scope: int = _help(
        f"which table of handcrafted.DIMENSION_SCOPES a scoped head reads ({', '.join(map(str, DIMENSION_SCOPES))}; "
        "a checkpoint keeps the table it was trained with)", FEATURE_SCOPE)
    net_head_l2: float | None = _help(
        "L2 penalty on the heads' weights that read the networks' features (the rest of each head is head_l2's); "
        f"None = the preset's (cpu {NET_L2:g}, tiny/paper 0)", None)
    identity_dimensions: tuple[str, ...] = _help(
        "dimensions whose heads also read the character identity signals (identity.py: subject segmented in the "
        "initial image, its palette looked for in colour-aligned late frames); () = not computed at all (the "
        "baseline's character score then falls back to the centre-crop palette). Only character by default: an "
        "image_video head that also reads them weighs identity against colour fidelity by which generators it saw "
        "and extrapolates that trade-off wrongly to a new one (training/reward/README.md 'Formula prior')",
        ("character",))
    motion_pattern_dimensions: tuple[str, ...] = _help(
        "dimensions whose heads also read the subject's optical-flow descriptor (motion_pattern.py); a text_video "
        "head matches it against the prompt embedding through a learned bilinear term; () = not computed",
        ("text_video", "motion"))
    coherence_dimensions: tuple[str, ...] = _help(
        "dimensions whose heads also read the scale-free flow incoherence (handcrafted.flow_incoherence: flow change "
        "between frame pairs over flow speed); () = not computed", ("smoothness",))
    appearance_dimensions: tuple[str, ...] = _help(
        "dimensions whose heads also read how much blurrier the video is than its initial image (handcrafted "
        "blur_gain, a Crete-Roffet blur on edges); () = not computed", ("appeal",))
    prompt_motion_text: str | None = _help(
        f"what the text-video head's prompt x motion term reads of the prompt: {' | '.join(PROMPT_TEXTS)} (hashed "
        "word vectors, or the backbone's text embedding); None = the preset's (tiny/cpu: words, paper: backbone)",
        None)
    handcrafted_size: int = _help("short side of the frames the handcrafted features are computed on", 72)
    finetune: str | None = _help(f"{' | '.join(FINETUNES)}; None = the preset's (tiny/paper: lora, cpu: full)", None)
    lora_rank: int = _help("LoRA rank r", 8)
    lora_alpha: int = _help("LoRA alpha (scale = alpha / r)", 8)
    lora_targets: tuple[str, ...] = _help("backbone projections that get LoRA", ("q_proj", "v_proj"))
    loss: str = _help(f"training loss: {' | '.join(LOSSES)} (mse/l1 regress per-video scores)", "bt_ties")
    tie_margin: float = _help("Rao-Kupper log(theta) > 0 for bt_ties: P(b>a)=sigmoid(d - tie_margin)", 0.5)
    strength_margin: float = _help("bt_margin: required logit margin per unit of |mean_strength|", 0.5)
    static_negatives: float | None = _help(
        "share of each training batch's pairs that pair a training video with its own frozen or slowed-down copy "
        "(degradations.freeze / near_static), labelled 'the original is much better' on motion only: the demo "
        "has no still video, so without them the motion head never sees one; None = the preset's (tiny 0, "
        "cpu/paper 0.25)", None)
    lr: float | None = _help(
        "AdamW learning rate of trainable backbone weights (LoRA or full); None = the preset's (tiny/paper 1e-3, cpu "
        "1e-4: networks trained from scratch on one small synthetic set learn its generators rather than the "
        "dimension; picked on leave-one-generator-out, training/reward/README.md 'Formula prior')", None)
    head_lr: float = _help("AdamW learning rate of the linear heads", 1e-2)
    weight_decay: float = _help("AdamW weight decay", 0.0)
    max_grad_norm: float = _help("gradient clipping norm; 0 disables", 1.0)
    clip_scope: str = _help(f"{' | '.join(CLIP_SCOPES)}: clip the whole model's gradient norm, or each "
                            "dimension's scorer separately (one loud scorer then cannot shrink the others' steps)",
                            "model")
    steps: int = _help("optimizer steps in total (a resumed run continues up to this)", 100)
    batch_size: int = _help("pairs per micro-batch (the model scores 2 * batch_size videos)", 16)
    grad_accum: int = _help("micro-batches per optimizer step", 1)
    mixed_precision: str = _help(f"{' | '.join(MIXED_PRECISIONS)}", "no")
    overall_weights: dict = _help("dimension -> weight of 'overall' (normalised to sum 1); None = equal", None)
    motion_gate: tuple[float, float] | None = _help(
        "(floor, full) subject motion in px per sampled-frame step at 72 px height (the handcrafted 'motion' flow "
        "measure): the motion score and 'overall' are multiplied by a presence gate that is 0 at or below floor "
        "(a frozen clip measures 0.001-0.004: optical-flow noise), 1 at or above full, linear between; None = "
        "no gate. Why: README 'Standing still does not pay'", (0.01, 0.05))
    frame_dimensions: tuple[str, ...] | None = _help(
        f"temporal dimensions ({', '.join(FRAME_DIMENSIONS)}) that get a per-frame head (frame_head.py): a score "
        "curve over the sampled frames from per-frame measurements (frame_features.py); () = none (every checkpoint "
        "before issue #22); None = the preset's (cpu: smoothness, motion, character; tiny/paper: none)", None)
    frame_pooling: str = _help(
        f"{' | '.join(FRAME_POOLINGS)}: how a frame head meets its dimension's video logit. separate: it does not "
        "(the head learns from its own pairwise term on mean_t s_t plus the segment loss), so the video scores are "
        "those of the same model without frame heads; added: mean_t s_t is added to the video logit (the first "
        "design; configs saved before this field load as added)", "separate")
    frame_pairwise_weight: float = _help(
        "frame_pooling separate: weight of the frame heads' own pairwise term (the pairwise loss on mean_t s_t of B "
        "vs A, mean over frame dimensions) beside the segment loss; 0.25: benchmarks/results/reward_segments.md", 0.25)
    segment_loss_weight: float | None = _help(
        "weight of the segment loss (losses/segment.py: frames inside marked artefact spans score lower than frames "
        "outside) added to the pairwise loss; needs frame_dimensions and pairs with marked spans; 0 = off; None = "
        "the preset's (cpu: 1 with a pairwise loss and frame heads, else 0)", None)
    segment_dimensions: tuple[str, ...] | None = _help(
        "which of frame_dimensions the segment loss trains; None = the preset's when frame_dimensions is too (cpu: "
        "smoothness, character: the demo's motion spans mislead, reward_segments.md), else all of them (the "
        "others' frame heads learn only through their pairwise term)", None)
    device: str = _help(f"{' | '.join(DEVICES)}; auto picks cuda when available", "auto")
    seed: int = _help("seed for init and data order", 0)
    output_dir: str | None = _help("where step-N/ checkpoints go; None disables checkpoints", None)
    checkpoint_every: int = _help("save every N steps (and at the end); 0 = only at the end", 0)
    cache_dir: str | None = _help("FrameCache root for sampled frames; None = no disk cache", None)

    def __post_init__(self) -> None:
        for name, valid in {"preset": PRESETS, "loss": LOSSES, "mixed_precision": MIXED_PRECISIONS,
                            "device": DEVICES, "clip_scope": CLIP_SCOPES, "frame_pooling": FRAME_POOLINGS}.items():
            if getattr(self, name) not in valid:
                raise ValueError(f"{name}={getattr(self, name)!r} is not valid; valid values: {', '.join(valid)}")
        self.dimensions = tuple(self.dimensions)
        for name in FEATURE_GROUPS:
            setattr(self, name, tuple(getattr(self, name)))
            bad = [d for d in getattr(self, name) if d not in DIMENSIONS]
            if bad:
                raise ValueError(f"{name} has unknown dimensions {bad}; valid: {', '.join(DIMENSIONS)}")
        self._frame_preset_defaults()
        self.frame_dimensions = tuple(self.frame_dimensions)
        bad = [d for d in self.frame_dimensions if d not in FRAME_DIMENSIONS or d not in self.dimensions]
        if bad or len(set(self.frame_dimensions)) != len(self.frame_dimensions):
            raise ValueError(f"frame_dimensions={list(self.frame_dimensions)!r}: unique temporal dimensions "
                             f"({', '.join(FRAME_DIMENSIONS)}) that are also scored (dimensions)")
        if (not isinstance(self.segment_loss_weight, (int, float)) or isinstance(self.segment_loss_weight, bool)
                or not 0 <= self.segment_loss_weight < 1e3):
            raise ValueError(f"segment_loss_weight must be a number in [0, 1000), got {self.segment_loss_weight!r}")
        self.segment_loss_weight = float(self.segment_loss_weight)
        if (not isinstance(self.frame_pairwise_weight, (int, float)) or isinstance(self.frame_pairwise_weight, bool)
                or not 0 <= self.frame_pairwise_weight < 1e3):
            raise ValueError(f"frame_pairwise_weight must be a number in [0, 1000), got {self.frame_pairwise_weight!r}")
        self.frame_pairwise_weight = float(self.frame_pairwise_weight)
        if self.segment_dimensions is None:
            self.segment_dimensions = self.frame_dimensions
        self.segment_dimensions = tuple(self.segment_dimensions)
        bad = [d for d in self.segment_dimensions if d not in self.frame_dimensions]
        if bad:
            raise ValueError(f"segment_dimensions has {bad}, which have no per-frame head; valid: a subset of "
                             f"frame_dimensions {list(self.frame_dimensions)}")
        if self.segment_loss_weight > 0 and not self.frame_dimensions:
            raise ValueError("segment_loss_weight > 0 needs a per-frame head: set frame_dimensions, e.g. "
                             f"{list(FRAME_DIMENSIONS)}")
        if self.segment_loss_weight > 0 and self.loss in RATING_LOSSES:
            raise ValueError(f"segment_loss_weight > 0 trains beside a pairwise loss; loss={self.loss!r} regresses "
                             "ratings")
        self.character_crop = tuple(float(v) for v in self.character_crop)
        if len(self.character_crop) != 2 or not all(0.05 <= v <= 1.0 for v in self.character_crop):
            raise ValueError(f"character_crop={list(self.character_crop)!r}: two fractions in [0.05, 1] (width, height)")
        bad = [d for d in self.dimensions if d not in DIMENSIONS]
        if bad or not self.dimensions or len(set(self.dimensions)) != len(self.dimensions):
            raise ValueError(f"dimensions={list(self.dimensions)!r}: need unique values from {', '.join(DIMENSIONS)}")
        scorers = dict(self.scorers or {})
        for dim, kind in scorers.items():
            if dim not in DIMENSIONS or kind not in SCORER_KINDS:
                raise ValueError(f"scorers[{dim!r}]={kind!r}: dimensions are {', '.join(DIMENSIONS)}; "
                                 f"kinds are {', '.join(SCORER_KINDS)}")
        defaults = PAPER_SCORERS if self.preset == "paper" else DEFAULT_SCORERS
        self.scorers = {d: scorers.get(d, defaults[d]) for d in self.dimensions}
        self.backbone_paths = {**PAPER_BACKBONES, **(self.backbone_paths or {})}
        unknown = sorted(set(self.backbone_paths) - set(SCORER_KINDS))
        if unknown:
            raise ValueError(f"backbone_paths has unknown kinds {unknown}; valid: {', '.join(SCORER_KINDS)}")
        for name, value in PRESET_DEFAULTS[self.preset].items():
            if getattr(self, name) is None:
                setattr(self, name, value)
        if (not isinstance(self.feature_scope, int) or isinstance(self.feature_scope, bool)
                or self.feature_scope not in DIMENSION_SCOPES):
            raise ValueError(f"feature_scope={self.feature_scope!r}: one of {', '.join(map(str, DIMENSION_SCOPES))}")
        for name in ("head_l2", "net_head_l2"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1e3:
                raise ValueError(f"{name} must be a number in [0, 1000), got {value!r}")
            setattr(self, name, float(value))
        for name in ("handcrafted_features", "formula_prior", "scoped_features", "monotone_features"):  # preset-filled
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name}={getattr(self, name)!r}: true, false or null (the preset's)")
        for name, valid in {"prompt_motion_text": PROMPT_TEXTS, "finetune": FINETUNES}.items():  # preset-filled
            if getattr(self, name) not in valid:
                raise ValueError(f"{name}={getattr(self, name)!r} is not valid; valid values: {', '.join(valid)}")
        weights = dict(self.overall_weights or {d: 1.0 for d in self.dimensions})
        if set(weights) - set(self.dimensions) or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError(f"overall_weights={weights!r}: need non-negative weights for {list(self.dimensions)}, "
                             "not all zero")
        total = sum(weights.values())
        # already-normalised weights (a reloaded config) stay bit-identical, so reloaded scores match exactly
        scale = 1.0 if abs(total - 1.0) < 1e-9 else total
        self.overall_weights = {d: float(weights.get(d, 0.0)) / scale for d in self.dimensions}
        if self.motion_gate is not None:
            self.motion_gate = tuple(float(v) for v in self.motion_gate)
            if len(self.motion_gate) != 2 or not 0 <= self.motion_gate[0] < self.motion_gate[1]:
                raise ValueError(f"motion_gate={self.motion_gate!r}: (floor, full) px with 0 <= floor < full, "
                                 "or None to disable the gate")
        self.lora_targets = tuple(self.lora_targets)
        for name in ("num_frames", "motion_frames", "frame_size", "lora_rank", "lora_alpha", "steps", "batch_size",
                     "grad_accum", "handcrafted_size", "net_frames"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("hidden_size", "num_layers"):  # 0 for the paper preset (pretrained backbones)
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        for name, limit in SIZE_LIMITS.items():
            if getattr(self, name) > limit:
                raise ValueError(f"{name} must be <= {limit}, got {getattr(self, name)}")
        if self.net_frames > self.num_frames:
            raise ValueError(f"net_frames ({self.net_frames}) must be <= num_frames ({self.num_frames})")
        if not 0.0 <= self.static_negatives < 1.0:
            raise ValueError(f"static_negatives must be in [0, 1), got {self.static_negatives}")
        for name in ("lr", "head_lr", "tie_margin"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        for name in ("weight_decay", "max_grad_norm", "checkpoint_every", "strength_margin"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")

    def handcrafted_names(self) -> tuple[str, ...]:
        """The handcrafted feature vector's layout (heads' extra inputs, hc_mean/hc_std buffers)."""
        return FEATURE_NAMES + sum((names for field, names in FEATURE_GROUPS.items() if self._group_used(field)), ())

    def _group_used(self, field: str) -> bool:
        """Whether any scored dimension reads the FEATURE_GROUPS entry ``field`` (else it is not even computed)."""
        return any(d in self.dimensions for d in getattr(self, field))

    def uses_coherence(self) -> bool:
        """Whether any scored dimension reads the flow incoherence (else it is not even computed)."""
        return self._group_used("coherence_dimensions")

    def uses_appearance(self) -> bool:
        """Whether any scored dimension reads the blur measure (else it is not even computed)."""
        return self._group_used("appearance_dimensions")

    def uses_identity(self) -> bool:
        """Whether any scored dimension reads the identity signals (else they are not even computed)."""
        return self._group_used("identity_dimensions")

    def uses_motion_pattern(self) -> bool:
        """Whether any scored dimension reads the motion pattern (else it is not even computed)."""
        return self._group_used("motion_pattern_dimensions")

    def head_feature_names(self, dimension: str) -> tuple[str, ...]:
        """The handcrafted inputs of one dimension's head (a subset of handcrafted_names())."""
        base = DIMENSION_SCOPES[self.feature_scope][dimension] if self.scoped_features else FEATURE_NAMES
        return base + sum((names for field, names in FEATURE_GROUPS.items() if dimension in getattr(self, field)), ())

    def head_feature_signs(self, dimension: str) -> tuple[float, ...]:
        """Per head_feature_names() entry: the sign its weight must keep (handcrafted.FEATURE_SIGNS) when
        monotone_features is on, 0 for a free feature (every entry when it is off)."""
        signs = FEATURE_SIGNS.get(dimension, {}) if self.monotone_features else {}
        return tuple(float(signs.get(n, 0)) for n in self.head_feature_names(dimension))

    def _frame_preset_defaults(self) -> None:
        """Fill frame_dimensions / segment_loss_weight / segment_dimensions left None from FRAME_PRESET_DEFAULTS
        (only the preset's frame dimensions that are scored; no segment loss beside a rating loss)."""
        preset = FRAME_PRESET_DEFAULTS[self.preset]
        if self.frame_dimensions is None:
            self.frame_dimensions = tuple(d for d in preset["frame_dimensions"] if d in self.dimensions)
            if self.segment_dimensions is None:
                self.segment_dimensions = tuple(d for d in preset["segment_dimensions"] if d in self.frame_dimensions)
        if self.segment_loss_weight is None:
            pairwise = self.loss not in RATING_LOSSES and bool(self.frame_dimensions)
            self.segment_loss_weight = preset["segment_loss_weight"] if pairwise else 0.0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["dimensions"] = list(self.dimensions)
        data["lora_targets"] = list(self.lora_targets)
        data["frame_dimensions"] = list(self.frame_dimensions)
        data["segment_dimensions"] = list(self.segment_dimensions)
        for field in FEATURE_GROUPS:
            data[field] = list(getattr(self, field))
        data["motion_gate"] = list(self.motion_gate) if self.motion_gate is not None else None
        return data

    def save(self, path: str | Path) -> None:
        save_config(self, path)

    @classmethod
    def load(cls, path: str | Path) -> "RewardConfig":
        # checkpoints saved before these fields existed were trained without those inputs; before net_head_l2,
        # head_l2 priced every head weight; before frame_pooling, a frame head's mean was added to the video logit;
        # before issue #22 no model had frame heads
        saved = json.loads(Path(path).read_text())
        return load_config(cls, path, defaults={"net_head_l2": saved.get("head_l2", 0.0),
                                                **dict.fromkeys(FEATURE_GROUPS, ()), "static_negatives": 0.0,
                                                "formula_prior": False, "scoped_features": False,
                                                "frame_pooling": "added", "frame_pairwise_weight": 1.0,
                                                "frame_dimensions": (), "segment_loss_weight": 0.0,
                                                "monotone_features": False, "head_l2": 0.0, "feature_scope": 1})
