"""From a video (path or uint8 frames), prompt and initial image to the tensors the scorers read.

Frames always come from ``media_io``: ``sample_frames`` / ``FrameCache.get_or_sample`` for files,
``sample_frames_from_array`` for in-memory frames, so training and scoring see the same frames.
One prepared video is a dict of numpy arrays (``PreparedVideo``); ``collate`` stacks them into a batch:

    frames       (B, T, 3, S, S)  float, CLIP-normalised, T = net_frames picked uniformly from the
                                   num_frames sampled ones (the handcrafted features use all num_frames)
    motion       (B, Tm, 3, S, S) Tm = motion_frames
    initial      (B, 3, S, S)
    char_frames  (B, T, 3, S, S)  centre crop (character_crop) of each frame (no detector: the demo and most I2V
    char_ref     (B, 3, S, S)      clips keep the character near the centre), reference = character_ref or initial
    handcrafted  (B, F)            handcrafted.feature_vector in config.handcrafted_names() order
    prior        (B, D)            handcrafted.prior_logits: the fixed formulas' log-odds per dimension
                                   (dimensions.KEYS order), read by heads when config.formula_prior
    frame_features (B, T, Ff)      frame_features.frame_features on all num_frames sampled frames; only when
                                   config.frame_dimensions (the per-frame heads' input)
    prompt_words (B, 64)           training.text_words.bag_of_words of the prompt (text-video prompt x motion)
    texts        list[str]
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import torch

from media_io import FrameCache, sample_frames, sample_frames_from_array, uniform_indices
from training.text_words import bag_of_words

from .backbones import PIXEL_MEAN, PIXEL_STD
from .config import DIMENSIONS, PROMPT_WORD_DIM, RewardConfig
from .frame_features import frame_features
from .handcrafted import centre_crop, feature_vector, flow_view, prior_logits, video_features


def read_image(image) -> np.ndarray:
    """RGB uint8 (H, W, 3) from a path or an array."""
    if isinstance(image, (str, os.PathLike)):
        bgr = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if bgr is None:
            raise FileNotFoundError(f"cannot read image {str(image)!r}; pass an existing PNG/JPEG path or an RGB array")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[-1] < 3:
        raise ValueError(f"image must be (H, W, 3) RGB uint8, got shape {arr.shape}")
    return np.ascontiguousarray(arr[..., :3]).astype(np.uint8)


def _frames(video, n: int, size: int, cache: FrameCache | None) -> np.ndarray:
    if isinstance(video, (str, os.PathLike)):
        if cache is not None:
            return cache.get_or_sample(Path(video), num_frames=n, size=size)
        return sample_frames(video, n, size=size)
    return sample_frames_from_array(np.asarray(video), n, size=size)


def _to_net(imgs: np.ndarray, side: int) -> np.ndarray:
    """(N, H, W, 3) uint8 -> (N, 3, side, side) float32, CLIP-normalised."""
    out = np.stack([cv2.resize(np.ascontiguousarray(i), (side, side), interpolation=cv2.INTER_AREA) for i in imgs])
    out = (out.astype(np.float32) / 255.0 - np.asarray(PIXEL_MEAN, np.float32)) / np.asarray(PIXEL_STD, np.float32)
    return out.transpose(0, 3, 1, 2)  # (N, H, W, 3) -> (N, 3, H, W)


def prepare_video(video, prompt: str, initial_image=None, character_ref=None, *, config: RewardConfig,
                  cache: FrameCache | None = None) -> dict:
    """One video's inputs (numpy, no batch dim) and its raw handcrafted feature dict under 'features'."""
    frames = _frames(video, config.num_frames, config.handcrafted_size, cache)  # (T, H, W, 3) uint8
    motion = _frames(video, config.motion_frames, config.handcrafted_size, cache)
    initial = read_image(initial_image) if initial_image is not None else frames[0]
    ref = read_image(character_ref) if character_ref is not None else initial
    view = flow_view(frames, initial)  # the flows once, for the video and (frame heads) the per-frame measurements
    feats = video_features(frames, initial, identity=config.uses_identity(), motion=config.uses_motion_pattern(),
                           coherence=config.uses_coherence(), appearance=config.uses_appearance(), view=view)
    side = config.frame_size
    extra = {"frame_features": frame_features(frames, initial, view=view)} if config.frame_dimensions else {}
    net = frames[uniform_indices(len(frames), config.net_frames)]  # (T, H, W, 3) -> (T_net, H, W, 3)
    return {
        "frames": _to_net(net, side),
        "motion": _to_net(motion, side),
        "initial": _to_net(initial[None], side)[0],
        "char_frames": _to_net(np.stack([centre_crop(f, config.character_crop) for f in net]), side),
        "char_ref": _to_net(centre_crop(ref, config.character_crop)[None], side)[0],
        "handcrafted": feature_vector(feats, config.handcrafted_names()),
        "prior": prior_logits(feats, DIMENSIONS),
        "prompt_words": bag_of_words(prompt, PROMPT_WORD_DIM),
        "text": prompt,
        "features": feats,
        **extra,
    }


TENSOR_KEYS = ("frames", "motion", "initial", "char_frames", "char_ref", "handcrafted", "prior", "prompt_words")


def collate(items: list[dict]) -> dict:
    keys = TENSOR_KEYS + (("frame_features",) if all("frame_features" in it for it in items) else ())
    batch = {k: torch.from_numpy(np.stack([it[k] for it in items])) for k in keys}
    batch["texts"] = [it["text"] for it in items]
    return batch
