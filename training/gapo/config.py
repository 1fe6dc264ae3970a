"""``GapoConfig``: every knob of a GAPO LoRA run, validated on construction and saved in every checkpoint."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from training.config_io import load_config, save_config

from .losses.weights import WEIGHT_NAMES
from .targets import PREDICTIONS, WEIGHTINGS

FAMILIES = ("cogvideox", "wan")
PRESETS = ("tiny", "paper")
MIXED_PRECISIONS = ("no", "bf16", "fp16")
DEVICES = ("auto", "cpu", "cuda")
# Upper bounds: far above the paper's runs, low enough that one config cannot ask a worker for absurd memory.
SIZE_LIMITS = {"batch_size": 256, "grad_accum": 1024, "lora_rank": 512}
# CogVideoX I2V is a v-prediction DDPM model, Wan 2.x I2V a flow-matching one.
DEFAULT_PREDICTION = {"cogvideox": "v", "wan": "flow"}
# none: plain GAPO (one mean error per video); segments: dense GAPO, errors weighted per latent frame by the
# annotators' artefact spans (losses/dense.py; the pairs then carry marks_w / marks_l)
FRAME_WEIGHTINGS = ("none", "segments")


def _help(text: str, default):
    return field(default=default, metadata={"help": text})


@dataclass
class GapoConfig:
    family: str = _help(f"denoiser family: {' | '.join(FAMILIES)}", "cogvideox")
    preset: str = _help(
        "tiny: random-init test-sized model; paper: load `model_path` (local folder or hub id)", "tiny"
    )
    model_path: str | None = _help("checkpoint folder or hub id for preset 'paper' (holds transformer/)", None)
    subfolder: str = _help(
        "subfolder of model_path holding the denoiser (Wan 2.2 A14B: transformer or transformer_2)", "transformer"
    )
    prediction: str | None = _help(
        f"regression target: {' | '.join(PREDICTIONS)}; None picks the family's own (cogvideox: v, wan: flow)", None
    )
    error_weighting: str = _help(
        f"lambda_t in the denoising error: {' | '.join(WEIGHTINGS)}; auto = the reference's objective, 1 for every "
        "prediction (its x0-error weight 1/(1-alphabar_t) is an unweighted v-error; targets.py)", "auto"
    )
    flow_shift: float = _help("timestep shift for flow sampling (1 = uniform t)", 1.0)
    beta: float = _help("DPO strength; the loss uses beta/2 * delta (docs/method.md)", 5000.0)
    weight: str = _help(f"gap weight: {' | '.join(WEIGHT_NAMES)} (pow2 = paper, none = Diffusion-DPO)", "pow2")
    frame_weighting: str = _help(
        f"{' | '.join(FRAME_WEIGHTINGS)}: segments = dense GAPO, each video's error weighted per latent frame by "
        "the fraction of annotators marking it (losses/dense.py); none = plain GAPO", "none"
    )
    dense_beta: float = _help("dense GAPO: a fully marked frame weighs 1 + dense_beta before normalising", 1.0)
    lr: float = _help("AdamW learning rate for the LoRA parameters", 1e-4)
    weight_decay: float = _help("AdamW weight decay", 0.0)
    max_grad_norm: float = _help("gradient clipping norm; 0 disables clipping", 1.0)
    lora_rank: int = _help("LoRA rank r", 16)
    lora_alpha: int = _help("LoRA alpha (scale = alpha / r)", 16)
    lora_targets: tuple[str, ...] = _help("attention projections that get LoRA", ("to_q", "to_k", "to_v", "to_out.0"))
    batch_size: int = _help("preference pairs per micro-batch (the model sees 2 * batch_size videos)", 1)
    steps: int = _help("optimizer steps to train in total (a resumed run continues up to this)", 100)
    grad_accum: int = _help("micro-batches per optimizer step", 1)
    mixed_precision: str = _help(
        f"{' | '.join(MIXED_PRECISIONS)}; bf16/fp16 also store the frozen base weights in that dtype", "no"
    )
    gradient_checkpointing: bool = _help("recompute activations in backward (needed for the paper models)", False)
    seed: int = _help("seed for LoRA init, data order, noise and timesteps", 0)
    checkpoint_dir: str | None = _help("where step-N/ checkpoint folders go; None disables checkpoints", None)
    checkpoint_every: int = _help("save every N optimizer steps (and at the end); 0 = only at the end", 0)
    device: str = _help(f"{' | '.join(DEVICES)}; auto picks cuda when available", "auto")

    def __post_init__(self) -> None:
        choices = {
            "family": FAMILIES,
            "preset": PRESETS,
            "error_weighting": WEIGHTINGS,
            "weight": WEIGHT_NAMES,
            "frame_weighting": FRAME_WEIGHTINGS,
            "mixed_precision": MIXED_PRECISIONS,
            "device": DEVICES,
        }
        for name, valid in choices.items():
            if getattr(self, name) not in valid:
                raise ValueError(f"{name}={getattr(self, name)!r} is not valid; valid values: {', '.join(valid)}")
        if self.prediction is None:
            self.prediction = DEFAULT_PREDICTION[self.family]
        if self.prediction not in PREDICTIONS:
            raise ValueError(f"prediction={self.prediction!r} is not valid; valid values: {', '.join(PREDICTIONS)}")
        if self.preset == "paper" and not self.model_path:
            raise ValueError("preset 'paper' needs model_path: a local checkpoint folder or a hub id")
        if self.prediction == "flow" and self.error_weighting == "inv_one_minus_alphabar":
            raise ValueError("error_weighting 'inv_one_minus_alphabar' needs prediction epsilon or v")
        self.lora_targets = tuple(self.lora_targets)
        for name in ("lora_rank", "lora_alpha", "batch_size", "steps", "grad_accum"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name, limit in SIZE_LIMITS.items():
            if getattr(self, name) > limit:
                raise ValueError(f"{name} must be <= {limit}, got {getattr(self, name)}")
        for name in ("lr", "beta", "flow_shift"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        for name in ("weight_decay", "max_grad_norm", "checkpoint_every", "dense_beta"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")

    def to_dict(self) -> dict:
        data = asdict(self)
        data["lora_targets"] = list(self.lora_targets)
        return data

    def save(self, path: str | Path) -> None:
        save_config(self, path)

    @classmethod
    def load(cls, path: str | Path) -> "GapoConfig":
        return load_config(cls, path)
