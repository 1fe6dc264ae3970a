"""``Denoiser``: one call signature over the per-family input conventions of diffusers video transformers.

Canonical layout used everywhere in ``training.gapo`` (trainer, dataset, targets):

* latents ``x``: ``(B, C, T, H, W)`` (channels first, as VAEs return them);
* ``Condition.prompt_embeds``: ``(B, S, D_text)`` text-encoder states;
* ``Condition.image_latents``: ``(B, C_cond, T, H, W)``, the image condition as the family's pipeline builds it;
* ``Condition.image_embeds``: ``(B, N, D_img)`` CLIP image tokens (Wan 2.1 I2V only) or ``None``.

``denoiser(x_t, timestep, condition)`` returns the prediction in the canonical layout. What each family does:

* CogVideoX I2V takes ``(B, T, C, H, W)`` with the image latents (first frame, zero-padded over time) concatenated
  on channels, 3D RoPE computed from the latent grid, and ``ofs=2`` for CogVideoX 1.5 I2V.
* Wan I2V takes ``(B, C, T, H, W)`` with ``[mask (4 ch), image-condition latents (16 ch)]`` concatenated on channels
  and the CLIP tokens as ``encoder_hidden_states_image``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import torch
from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict


@dataclass
class LatentSpec:
    """Shapes of one sample (no batch dim) a denoiser accepts; used to make synthetic pairs."""

    channels: int
    frames: int
    height: int
    width: int
    text_len: int
    text_dim: int
    image_tokens: int = 0  # 0: the model takes no CLIP image tokens
    image_dim: int = 0


@dataclass
class Condition:
    """What a pair shares: the prompt and the initial image."""

    prompt_embeds: torch.Tensor  # (B, S, D_text)
    image_latents: torch.Tensor  # (B, C_cond, T, H, W)
    image_embeds: torch.Tensor | None = None  # (B, N, D_img)

    def repeat_pairs(self) -> "Condition":
        """``(B, ...) -> (2B, ...)``: row ``i`` conditions the winner of pair i, row ``B + i`` its loser."""
        def twice(t):
            return None if t is None else torch.cat([t, t], dim=0)

        return Condition(twice(self.prompt_embeds), twice(self.image_latents), twice(self.image_embeds))

    def to(self, device, dtype=None) -> "Condition":
        def move(t):
            return None if t is None else t.to(device=device, dtype=dtype)

        return Condition(move(self.prompt_embeds), move(self.image_latents), move(self.image_embeds))


class Denoiser:
    """Adapter around a diffusers transformer carrying a LoRA adapter named ``default``."""

    family = ""

    def __init__(self, model: torch.nn.Module, spec: LatentSpec | None = None) -> None:
        self.model = model
        self.spec = spec or self.default_spec()

    # -- shapes -------------------------------------------------------------------------------------------
    @property
    def latent_channels(self) -> int:
        return self.model.config.out_channels

    @property
    def cond_channels(self) -> int:
        return self.model.config.in_channels - self.model.config.out_channels

    @property
    def dtype(self) -> torch.dtype:
        return self.model.proj_out.weight.dtype

    def default_spec(self) -> LatentSpec:  # pragma: no cover - overridden
        raise NotImplementedError

    def image_condition(self, first_latent: torch.Tensor, frames: int) -> torch.Tensor:
        """``(B, C, 1, H, W)`` first-frame latent -> ``(B, C_cond, T, H, W)`` image condition."""
        raise NotImplementedError

    # -- forward ------------------------------------------------------------------------------------------
    def __call__(self, noisy: torch.Tensor, timestep: torch.Tensor, cond: Condition) -> torch.Tensor:
        raise NotImplementedError

    # -- LoRA -----------------------------------------------------------------------------------------------
    @contextmanager
    def reference(self):
        """The frozen reference: the same network with LoRA disabled. Use under ``torch.no_grad()``.

        peft's disable also sets ``requires_grad=False`` on the adapter; enabling restores it, so run the
        reference pass *before* the policy pass of a step.
        """
        self.model.disable_adapters()
        try:
            yield self
        finally:
            self.model.enable_adapters()

    def lora_parameters(self) -> list[torch.nn.Parameter]:
        return [p for name, p in self.model.named_parameters() if "lora_" in name]

    def base_parameters(self) -> dict[str, torch.nn.Parameter]:
        return {name: p for name, p in self.model.named_parameters() if "lora_" not in name}

    def lora_state_dict(self) -> dict[str, torch.Tensor]:
        # copies, never views: on CPU `.cpu()` would alias the live parameters
        state = get_peft_model_state_dict(self.model)
        return {k: v.detach().to("cpu", copy=True).contiguous() for k, v in state.items()}

    def load_lora_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        result = set_peft_model_state_dict(self.model, state)
        unexpected = list(getattr(result, "unexpected_keys", []) or [])
        if unexpected:
            raise ValueError(f"LoRA checkpoint does not match this model; unexpected keys: {unexpected[:5]}")


class CogVideoXDenoiser(Denoiser):
    family = "cogvideox"

    def default_spec(self) -> LatentSpec:
        cfg = self.model.config
        return LatentSpec(
            channels=cfg.out_channels,
            frames=(cfg.sample_frames - 1) // cfg.temporal_compression_ratio + 1,
            height=cfg.sample_height,
            width=cfg.sample_width,
            text_len=cfg.max_text_seq_length,
            text_dim=cfg.text_embed_dim,
        )

    def image_condition(self, first_latent: torch.Tensor, frames: int) -> torch.Tensor:
        # (B, C, 1, H, W) -> (B, C, T, H, W): the pipeline zero-pads the image latent over time.
        pad = first_latent.new_zeros(first_latent.shape[0], first_latent.shape[1], frames - 1, *first_latent.shape[3:])
        return torch.cat([first_latent, pad], dim=2)

    def _rotary(self, frames: int, height: int, width: int, device) -> tuple[torch.Tensor, torch.Tensor] | None:
        from diffusers.models.embeddings import get_3d_rotary_pos_embed
        from diffusers.pipelines.cogvideo.pipeline_cogvideox_image2video import get_resize_crop_region_for_grid

        cfg = self.model.config
        if not cfg.use_rotary_positional_embeddings:
            return None
        p, p_t = cfg.patch_size, cfg.patch_size_t
        grid_h, grid_w = height // p, width // p
        base_w, base_h = cfg.sample_width // p, cfg.sample_height // p
        if p_t is None:  # CogVideoX 1.0, as CogVideoXImageToVideoPipeline._prepare_rotary_positional_embeddings
            crops = get_resize_crop_region_for_grid((grid_h, grid_w), base_w, base_h)
            return get_3d_rotary_pos_embed(
                embed_dim=cfg.attention_head_dim, crops_coords=crops, grid_size=(grid_h, grid_w),
                temporal_size=frames, device=device,
            )
        return get_3d_rotary_pos_embed(  # CogVideoX 1.5
            embed_dim=cfg.attention_head_dim, crops_coords=None, grid_size=(grid_h, grid_w),
            temporal_size=(frames + p_t - 1) // p_t, grid_type="slice", max_size=(base_h, base_w), device=device,
        )

    def __call__(self, noisy: torch.Tensor, timestep: torch.Tensor, cond: Condition) -> torch.Tensor:
        cfg = self.model.config
        batch, _, frames, height, width = noisy.shape
        if cfg.patch_size_t is not None and frames % cfg.patch_size_t:
            raise ValueError(f"CogVideoX 1.5 needs latent frames divisible by {cfg.patch_size_t}, got {frames}")
        # (B, C, T, H, W) -> (B, T, C, H, W) for the model, image latents the same way
        x = noisy.permute(0, 2, 1, 3, 4)
        image = cond.image_latents.permute(0, 2, 1, 3, 4)
        hidden = torch.cat([x, image], dim=2).to(self.dtype)  # (B, T, 2C, H, W)
        ofs = torch.full((batch,), 2.0, device=noisy.device, dtype=self.dtype) if cfg.ofs_embed_dim else None
        out = self.model(
            hidden_states=hidden,
            encoder_hidden_states=cond.prompt_embeds.to(self.dtype),
            timestep=timestep,
            ofs=ofs,
            image_rotary_emb=self._rotary(frames, height, width, noisy.device),
            return_dict=False,
        )[0]
        return out.permute(0, 2, 1, 3, 4)  # (B, T, C, H, W) -> (B, C, T, H, W)


class WanDenoiser(Denoiser):
    family = "wan"

    def default_spec(self) -> LatentSpec:
        cfg = self.model.config
        # Wan has no fixed sample size; these are the tiny test's shapes (9 frames of 32x32 -> 3x4x4 latents).
        # With added_kv_proj_dim (real Wan 2.1 I2V) the attention takes exactly 512 text tokens and 257 CLIP tokens.
        real_i2v = cfg.added_kv_proj_dim is not None
        return LatentSpec(
            channels=cfg.out_channels,
            frames=3,
            height=4,
            width=4,
            text_len=512 if real_i2v else 16,
            text_dim=cfg.text_dim,
            image_tokens=(257 if real_i2v else 8) if cfg.image_dim else 0,
            image_dim=cfg.image_dim or 0,
        )

    def image_condition(self, first_latent: torch.Tensor, frames: int) -> torch.Tensor:
        # Approximation for synthetic data: the pipeline VAE-encodes [image, zero frames]; cache its output for
        # real runs. Mask: (B, M, T, H, W), 1 on the first latent frame (M = VAE temporal compression = 4).
        batch, channels, _, height, width = first_latent.shape
        mask = first_latent.new_zeros(batch, self.cond_channels - channels, frames, height, width)
        mask[:, :, 0] = 1.0
        pad = first_latent.new_zeros(batch, channels, frames - 1, height, width)
        return torch.cat([mask, torch.cat([first_latent, pad], dim=2)], dim=1)  # (B, M + C, T, H, W)

    def __call__(self, noisy: torch.Tensor, timestep: torch.Tensor, cond: Condition) -> torch.Tensor:
        hidden = torch.cat([noisy, cond.image_latents], dim=1).to(self.dtype)  # (B, C + C_cond, T, H, W)
        image_embeds = None if cond.image_embeds is None else cond.image_embeds.to(self.dtype)
        return self.model(
            hidden_states=hidden,
            timestep=timestep,
            encoder_hidden_states=cond.prompt_embeds.to(self.dtype),
            encoder_hidden_states_image=image_embeds,
            return_dict=False,
        )[0]
