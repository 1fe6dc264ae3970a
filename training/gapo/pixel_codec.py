"""The tiny preset's codec and text encoder (CPU, tests): pixel space instead of a VAE, hashed words
instead of T5. Used by the studio's GAPO job (studio.py), the demo generator (demo_generator.py) and
the video-toy benchmark worlds; the residual codec itself is the reproduction's (``repro_world``)."""

from __future__ import annotations

import zlib

import cv2
import numpy as np
import torch

from media_io import sample_frames_from_array
from training.text_words import prompt_words

from .denoiser import Condition
from .losses.dense import PIXEL_TEMPORAL_RATIO
from .models import pixel_i2v_overrides
from .onpolicy import PromptItem
from .repro_world import decode as decode_residuals
from .repro_world import to_latent, to_pixels

TEXT_TOKENS, TEXT_DIM = 8, 16


def hashed_text_embedding(text: str, tokens: int = TEXT_TOKENS, dim: int = TEXT_DIM) -> torch.Tensor:
    """``(tokens, dim)``: the first ``tokens`` words, each a fixed random vector (zero-padded)."""
    words = prompt_words(text)[:tokens]
    rows = [torch.randn(dim, generator=torch.Generator().manual_seed(zlib.crc32(w.encode()))) for w in words]
    rows += [torch.zeros(dim)] * (tokens - len(rows))
    return torch.stack(rows)


class PixelCodec:
    """The tiny preset's codec: latent = 4 x (frame - first frame), 3 x T x H x W, frames resized to ``size``."""

    temporal_ratio = PIXEL_TEMPORAL_RATIO  # one latent frame per encoded frame (dense GAPO's span mapping)

    def __init__(self, size: int, frames: int, patch: int = 4):
        self.size, self.frames, self.patch = size, frames, patch

    def model_overrides(self) -> dict:
        return pixel_i2v_overrides(size=self.size, frames=self.frames, patch=self.patch, heads=2, head_dim=32,
                                   layers=2, text_tokens=TEXT_TOKENS, text_dim=TEXT_DIM)

    def item(self, prompt) -> PromptItem:
        """``prompt``: a studio.StudioPrompt (key, text, initial_image)."""
        image = cv2.resize(np.ascontiguousarray(prompt.initial_image[..., :3]), (self.size, self.size),
                           interpolation=cv2.INTER_AREA)
        first = to_pixels(image[None])  # (3, 1, H, W)
        pad = first.new_zeros(3, self.frames - 1, self.size, self.size)
        return PromptItem(prompt.key, prompt.text, hashed_text_embedding(prompt.text), torch.cat([first, pad], 1),
                          image)

    def encode_frames(self, frames: np.ndarray) -> torch.Tensor:
        """A video (uint8 ``(T', H', W', 3)``) -> ``(3, T, H, W)`` latents: ``frames`` frames picked by the
        project's frame sampler, resized, as the change from the first frame."""
        return to_latent(sample_frames_from_array(frames, self.frames, size=(self.size, self.size)))

    def decode(self, latents: torch.Tensor, cond: Condition) -> np.ndarray:
        return decode_residuals(latents, cond)
