"""Denoiser builders: tiny random-init CogVideoX / Wan image-to-video transformers, real checkpoints, LoRA.

Presets
-------
``tiny``  random init, shapes from diffusers' own pipeline tests (``get_dummy_components`` in
          tests/pipelines/cogvideo/test_cogvideox_image2video.py and tests/pipelines/wan/test_wan_image_to_video.py).
          Runs on CPU in well under a second per step; for tests and the CLI smoke run.
``paper`` ``from_pretrained(model_path, subfolder="transformer")`` from a local folder or a hub id, e.g. a
          local copy of ``THUDM/CogVideoX-5b-I2V`` or ``Wan-AI/Wan2.1-I2V-14B-480P-Diffusers``. Nothing is
          downloaded here (HF_HUB_OFFLINE=1); the error names the path when loading fails.

Memory, rough estimates (not measured here): CogVideoX-5B-I2V holds ~5.6B parameters, ~11 GB in bf16; a
49-frame 480x720 clip is 13x60x90 latents = 17,550 tokens per video, and GAPO runs 2 videos per pair plus a
no-grad reference pass, so use bf16, ``gradient_checkpointing=True`` and one pair per GPU on an 80 GB card.
Wan2.1-I2V-14B is ~28 GB of bf16 weights alone; expect to need gradient checkpointing and sharding (FSDP)
or an H200-class card. Wan 2.2 I2V A14B has two experts (``transformer`` for high noise, ``transformer_2``
for low noise): train one at a time by setting ``subfolder``.

LoRA
----
``add_lora`` freezes the base network and adds a peft ``LoraConfig`` on the attention projections through
diffusers' ``add_adapter``. peft initialises ``lora_B = 0``, so a fresh adapter leaves the output unchanged:
the reference model is the same network with its adapters disabled (``Denoiser.reference()``).
"""

from __future__ import annotations

import torch
from diffusers import CogVideoXDDIMScheduler, CogVideoXTransformer3DModel, WanTransformer3DModel
from peft import LoraConfig

from .config import GapoConfig
from .denoiser import CogVideoXDenoiser, Condition, Denoiser, LatentSpec, WanDenoiser

__all__ = [
    "Condition",
    "Denoiser",
    "LatentSpec",
    "TINY_CONFIGS",
    "add_lora",
    "build_denoiser",
    "build_transformer",
    "default_alphas_cumprod",
]

MODEL_CLASSES = {"cogvideox": CogVideoXTransformer3DModel, "wan": WanTransformer3DModel}
DENOISER_CLASSES = {"cogvideox": CogVideoXDenoiser, "wan": WanDenoiser}

TINY_CONFIGS = {
    # CogVideoX I2V: in_channels = 2 * out_channels (noisy latents + image latents on channels).
    # Learned positional embeddings fix the latent size to sample_height x sample_width (2x2), 3 latent
    # frames ((9 - 1) / 4 + 1) and max_text_seq_length text tokens.
    "cogvideox": dict(
        num_attention_heads=2,
        attention_head_dim=16,
        in_channels=8,
        out_channels=4,
        time_embed_dim=2,
        text_embed_dim=32,
        num_layers=1,
        sample_width=2,
        sample_height=2,
        sample_frames=9,
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=16,
        use_rotary_positional_embeddings=True,
        use_learned_positional_embeddings=True,
    ),
    # Wan 2.1 I2V: in_channels 36 = 16 noisy + 4 first-frame mask + 16 image-condition latents;
    # image_dim is the width of the CLIP image tokens, projected and put before the text tokens.
    "wan": dict(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=36,
        out_channels=16,
        text_dim=32,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
        image_dim=4,
    ),
}

ERR_LOAD = (
    "could not load the {family} denoiser from {path!r} (subfolder {subfolder!r}): {error}. Pass a local folder "
    "that holds {subfolder}/config.json and its weights, or a hub id with network access (HF_HUB_OFFLINE=1 "
    "blocks downloads)."
)


def build_transformer(
    family: str,
    preset: str = "tiny",
    *,
    model_path: str | None = None,
    subfolder: str = "transformer",
    overrides: dict | None = None,
    seed: int = 0,
) -> torch.nn.Module:
    """A random-init tiny transformer (``overrides`` replace config keys) or a pretrained one."""
    if family not in MODEL_CLASSES:
        raise ValueError(f"unknown family {family!r}; valid values: {', '.join(MODEL_CLASSES)}")
    cls = MODEL_CLASSES[family]
    if preset == "paper":
        if not model_path:
            raise ValueError("preset 'paper' needs model_path: a local checkpoint folder or a hub id")
        try:
            return cls.from_pretrained(model_path, subfolder=subfolder)
        except (OSError, ValueError, EnvironmentError) as error:
            raise FileNotFoundError(
                ERR_LOAD.format(family=family, path=model_path, subfolder=subfolder, error=error)
            ) from error
    if preset != "tiny":
        raise ValueError(f"unknown preset {preset!r}; valid values: tiny, paper")
    torch.manual_seed(seed)
    return cls(**{**TINY_CONFIGS[family], **(overrides or {})})


def default_alphas_cumprod(family: str, model_path: str | None = None) -> torch.Tensor:
    """``(1000,)`` alphabar_t for epsilon/v training: the checkpoint's ``scheduler/`` when there is one,
    else CogVideoX's DDIM scheduler defaults (scaled-linear betas 0.00085..0.012, SNR shift 3)."""
    if model_path:
        try:
            return CogVideoXDDIMScheduler.from_pretrained(model_path, subfolder="scheduler").alphas_cumprod
        except (OSError, ValueError, EnvironmentError):
            pass  # flow checkpoints (Wan) carry no DDPM schedule; fall back to the defaults
    return CogVideoXDDIMScheduler(prediction_type="v_prediction").alphas_cumprod


def add_lora(model: torch.nn.Module, *, rank: int, alpha: int, targets: tuple[str, ...], seed: int = 0) -> None:
    """Freeze ``model`` and add a fresh LoRA adapter named ``default`` (only its weights train)."""
    model.requires_grad_(False)
    torch.manual_seed(seed)  # lora_A is random (kaiming), lora_B is zeros
    model.add_adapter(
        LoraConfig(r=rank, lora_alpha=alpha, init_lora_weights=True, target_modules=list(targets), lora_dropout=0.0)
    )


def pixel_i2v_overrides(*, size: int, frames: int, patch: int, heads: int, head_dim: int, layers: int,
                        text_tokens: int, text_dim: int) -> dict:
    """CogVideoX-I2V config keys for a pixel-space model (the residual codecs of the reproduction and the
    studio's tiny preset): RGB latents + RGB image condition, no temporal compression, sin-cos positions."""
    return dict(num_attention_heads=heads, attention_head_dim=head_dim, in_channels=6, out_channels=3,
                time_embed_dim=32, text_embed_dim=text_dim, num_layers=layers, sample_width=size, sample_height=size,
                sample_frames=frames, patch_size=patch, temporal_compression_ratio=1, max_text_seq_length=text_tokens,
                use_rotary_positional_embeddings=False, use_learned_positional_embeddings=False)


def build_denoiser(config: GapoConfig, *, overrides: dict | None = None, spec: LatentSpec | None = None) -> Denoiser:
    """Transformer + fresh LoRA wrapped in the family's ``Denoiser`` adapter, on CPU in float32.

    The trainer moves it to its device and, under bf16/fp16, casts the frozen base weights.
    """
    model = build_transformer(
        config.family, config.preset, model_path=config.model_path, subfolder=config.subfolder,
        overrides=overrides, seed=config.seed,
    )
    add_lora(model, rank=config.lora_rank, alpha=config.lora_alpha, targets=config.lora_targets, seed=config.seed)
    if config.gradient_checkpointing:
        model.enable_gradient_checkpointing()
    return DENOISER_CLASSES[config.family](model, spec=spec)
