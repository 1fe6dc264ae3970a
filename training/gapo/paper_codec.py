"""The ``paper`` preset's codec for the studio GAPO job: the checkpoint's own VAE and T5 text encoder.

``model_path`` is a diffusers pipeline folder (or hub id, resolved offline) with ``vae/``,
``text_encoder/``, ``tokenizer/`` and ``scheduler/`` next to ``transformer/``:

* CogVideoX I2V (``THUDM/CogVideoX-5b-I2V``): ``AutoencoderKLCogVideoX`` (latents x ``scaling_factor``,
  4x temporal / 8x spatial compression), T5 (226 tokens). The image condition is the first frame's latent
  zero-padded over latent time (``Denoiser.image_condition``), as ``CogVideoXImageToVideoPipeline`` does.
* Wan I2V (``Wan-AI/Wan2.1-I2V-14B-480P-Diffusers``): ``AutoencoderKLWan`` (latents normalised by the
  VAE's ``latents_mean``/``latents_std``), UMT5 (512 tokens) and the CLIP image encoder (``image_encoder/``,
  ``image_processor/``) for Wan 2.1's image tokens.

Memory: the VAE decode of a 49-frame 480x720 clip takes ~10 GB in bf16 without tiling; enable
``vae.enable_tiling()`` (done here) on 24 GB cards.
"""

from __future__ import annotations

import numpy as np
import torch

from .config import GapoConfig
from .models import default_alphas_cumprod
from .onpolicy import PromptItem
from .targets import NoiseProcess

ERR_PART = ("could not load {part} of {family} from {path!r} ({error}); the paper preset needs a local diffusers "
            "pipeline folder with vae/, text_encoder/, tokenizer/ and scheduler/ (HF_HUB_OFFLINE=1: no downloads)")


class PaperCodec:
    def __init__(self, config: GapoConfig, *, height: int = 480, width: int = 720, frames: int = 49,
                 device: str | None = None):
        from diffusers import AutoencoderKLCogVideoX, AutoencoderKLWan
        from transformers import AutoTokenizer, T5EncoderModel, UMT5EncoderModel

        if not config.model_path:
            raise ValueError("preset 'paper' needs model_path (a local diffusers pipeline folder)")
        self.config, self.height, self.width, self.frames = config, height, width, frames
        wanted = device or (config.device if config.device != "auto" else None)
        self.device = torch.device(wanted or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.dtype = torch.bfloat16 if config.mixed_precision == "bf16" else torch.float32
        wan = config.family == "wan"
        parts = {"vae": (AutoencoderKLWan if wan else AutoencoderKLCogVideoX, "vae"),
                 "text_encoder": (UMT5EncoderModel if wan else T5EncoderModel, "text_encoder"),
                 "tokenizer": (AutoTokenizer, "tokenizer")}
        loaded = {}
        for name, (cls, subfolder) in parts.items():
            # torch_dtype at load time (not .to(dtype) after): diffusers keeps the VAE's float32-only
            # modules in float32 that way.
            kwargs = {} if name == "tokenizer" else {"torch_dtype": self.dtype}
            try:
                loaded[name] = cls.from_pretrained(config.model_path, subfolder=subfolder, **kwargs)
            except (OSError, ValueError) as error:
                raise FileNotFoundError(ERR_PART.format(part=subfolder, family=config.family, path=config.model_path,
                                                        error=error)) from error
        self.vae = loaded["vae"].to(self.device).eval()
        if hasattr(self.vae, "enable_tiling"):
            self.vae.enable_tiling()
        self.text_encoder = loaded["text_encoder"].to(self.device).eval()
        self.tokenizer = loaded["tokenizer"]
        self.max_tokens = 512 if wan else 226
        self.image_encoder = self.image_processor = None
        if wan:
            from transformers import CLIPImageProcessor, CLIPVisionModel

            try:
                self.image_encoder = CLIPVisionModel.from_pretrained(config.model_path, subfolder="image_encoder").to(
                    self.device, self.dtype).eval()
                self.image_processor = CLIPImageProcessor.from_pretrained(config.model_path, subfolder="image_processor")
            except (OSError, ValueError) as error:
                raise FileNotFoundError(ERR_PART.format(part="image_encoder", family="wan", path=config.model_path,
                                                        error=error)) from error
        self.denoiser = None  # set by the caller (image_condition lives on the Denoiser)

    def noise_process(self) -> NoiseProcess:
        if self.config.family == "wan":
            return NoiseProcess("flow", None, flow_shift=self.config.flow_shift)
        return NoiseProcess(self.config.prediction or "v", default_alphas_cumprod("cogvideox", self.config.model_path))

    # -- latents <-> pixels ----------------------------------------------------------------------
    def _normalise(self, latents: torch.Tensor, inverse: bool = False) -> torch.Tensor:
        cfg = self.vae.config
        if self.config.family == "wan":
            mean = torch.tensor(cfg.latents_mean, device=latents.device).view(1, -1, 1, 1, 1)
            std = torch.tensor(cfg.latents_std, device=latents.device).view(1, -1, 1, 1, 1)
            return latents * std + mean if inverse else (latents - mean) / std
        return latents / cfg.scaling_factor if inverse else latents * cfg.scaling_factor

    @torch.no_grad()
    def encode_video(self, pixels: torch.Tensor) -> torch.Tensor:
        """``(B, 3, T, H, W)`` in [-1, 1] -> normalised latents."""
        dist = self.vae.encode(pixels.to(self.device, self.dtype)).latent_dist
        return self._normalise(dist.mode().float())

    @torch.no_grad()
    def decode(self, latents: torch.Tensor, cond=None) -> np.ndarray:
        video = self.vae.decode(self._normalise(latents.float(), inverse=True).to(self.device, self.dtype)).sample
        return ((video.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 4, 1).cpu().numpy()

    def encode_frames(self, frames: np.ndarray) -> torch.Tensor:
        """A video (uint8 ``(T', H', W', 3)``) -> latents ``(C, T, h, w)`` at the codec's size and length."""
        from media_io import sample_frames_from_array

        small = sample_frames_from_array(frames, self.frames, size=(self.width, self.height))
        pixels = torch.from_numpy(small).float().div(127.5).sub(1.0).permute(3, 0, 1, 2)[None]
        return self.encode_video(pixels)[0].cpu()

    # -- prompts ---------------------------------------------------------------------------------
    @torch.no_grad()
    def _text(self, text: str) -> torch.Tensor:
        # The transformer's text length wins (CogVideoX's learned positions fix it).
        length = getattr(getattr(getattr(self.denoiser, "model", None), "config", None), "max_text_seq_length", None)
        tokens = self.tokenizer(text, padding="max_length", max_length=length or self.max_tokens, truncation=True,
                                return_tensors="pt")
        return self.text_encoder(tokens.input_ids.to(self.device))[0][0].float().cpu()

    @property
    def temporal_ratio(self) -> int:
        """Video frames per latent frame after the first (dense GAPO's span mapping, losses/dense.py)."""
        return int(self.vae.config.get("temporal_compression_ratio", 4))

    def item(self, prompt) -> PromptItem:
        import cv2

        image = cv2.resize(np.ascontiguousarray(prompt.initial_image[..., :3]), (self.width, self.height),
                           interpolation=cv2.INTER_AREA)
        pixels = torch.from_numpy(image).float().div(127.5).sub(1.0).permute(2, 0, 1)[None, :, None]  # (1,3,1,H,W)
        latent_frames = (self.frames - 1) // self.vae.config.get("temporal_compression_ratio", 4) + 1
        first = self.encode_video(pixels)
        image_latents = self.denoiser.image_condition(first, latent_frames)[0].cpu()
        embeds = None
        if self.image_encoder is not None:
            clip_in = self.image_processor(images=image, return_tensors="pt").pixel_values.to(self.device, self.dtype)
            with torch.no_grad():
                embeds = self.image_encoder(clip_in, output_hidden_states=True).hidden_states[-2][0].float().cpu()
        return PromptItem(prompt.key, prompt.text, self._text(prompt.text), image_latents, image, embeds)
