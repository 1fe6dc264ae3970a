"""Known degradations of a real clip, each naming the dimension(s) a person would mark down for it.

Pure numpy / OpenCV, deterministic (every random choice comes from ``seed`` and the clip's key), never imports
Django. A clip is ``Clip(key, frames (T, H, W, 3) uint8, prompt, initial_image (H, W, 3) uint8)``; a degradation
returns a new ``Clip`` and leaves the input untouched. Sizes (shift, blur, region) are fractions of the frame
height, so the same degradation means the same thing at any decode size.

These are the project's *test* artefacts on real footage. They are deliberately not the demo renderer's
(``demo/render.py``: frame-wide gain, global shift, full-frame sinusoid, affine colour drift): the
temporal artefacts here are local (one region) or structural (held, repeated or shuffled frames), so the
handcrafted features, whose scales were fitted on the demo renderer, do not read them by construction.

    name            group        lowers                    what it does
    freeze          temporal     motion, text_video        every frame is the first frame (an I2V model that did not move)
    near_static     temporal     motion, text_video        the first 1/8 of the clip slowed down to fill it (barely moves)
    stutter         temporal     smoothness                each frame held for 3 (12 fps-style judder at the same length)
    duplicate       temporal     smoothness                random runs of 2-4 repeated frames (irregular hitches)
    shuffle         temporal     smoothness                frames in random order within windows of 6
    local_flicker   temporal     smoothness                one region's brightness alternates +-30 % frame to frame
    region_jitter   temporal     smoothness                one region shakes by up to 4 % of the height, other pixels still
    local_warp      temporal     smoothness                one region melts: a time-varying sinusoidal remap inside it
    identity_drift  temporal     character                 the central region's hue rotates progressively (up to 90 deg)
    colour_drift    temporal     image_video               the whole frame's colours drift (gain + offset growing over time)
    blur            spatial      appeal                    Gaussian blur, sigma 1.5 % of the height
    compression     spatial      appeal                    JPEG quality 8 per frame (blocks, ringing)
    noise           spatial      appeal                    Gaussian noise, sigma 18 grey levels
    prompt_swap     consistency  text_video                the prompt of another clip with another action
    image_swap      consistency  image_video, character    the initial image of another clip
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import Callable

import cv2
import numpy as np


@dataclass(frozen=True)
class Clip:
    key: str
    frames: np.ndarray  # (T, H, W, 3) uint8
    prompt: str
    initial_image: np.ndarray  # (H, W, 3) uint8
    action: str = ""


@dataclass(frozen=True)
class Degradation:
    name: str
    group: str  # temporal | spatial | consistency
    lowers: tuple[str, ...]  # the dimensions a person would mark down
    apply: Callable[[Clip, list[Clip], np.random.Generator], Clip]


def _rng(seed: int, name: str, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode()), zlib.crc32(key.encode())])


def _region(shape: tuple[int, ...], rng: np.random.Generator, frac: float = 0.4) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1) of a box of ``frac`` x ``frac`` of the frame, its centre in the middle half (where I2V
    subjects stand)."""
    h, w = shape[:2]
    bh, bw = max(4, int(h * frac)), max(4, int(w * frac))
    cy = int(rng.uniform(0.35, 0.65) * h)
    cx = int(rng.uniform(0.35, 0.65) * w)
    y0, x0 = min(max(0, cy - bh // 2), h - bh), min(max(0, cx - bw // 2), w - bw)
    return y0, y0 + bh, x0, x0 + bw


def _frames(clip: Clip, frames: np.ndarray) -> Clip:
    return replace(clip, frames=np.ascontiguousarray(frames, dtype=np.uint8))


def freeze(clip: Clip, others, rng) -> Clip:
    return _frames(clip, np.repeat(clip.frames[:1], len(clip.frames), axis=0))


def near_static(clip: Clip, others, rng, share: float = 0.125) -> Clip:
    t = len(clip.frames)
    idx = np.round(np.linspace(0, max(1, int(t * share)) - 1, t)).astype(int)
    return _frames(clip, clip.frames[idx])


def stutter(clip: Clip, others, rng, hold: int = 3) -> Clip:
    idx = (np.arange(len(clip.frames)) // hold) * hold
    return _frames(clip, clip.frames[idx])


def duplicate(clip: Clip, others, rng) -> Clip:
    t = len(clip.frames)
    idx, i = [], 0
    while len(idx) < t:
        run = int(rng.integers(2, 5)) if rng.random() < 0.5 else 1
        idx.extend([min(i, t - 1)] * run)
        i += run  # skipped frames keep the clip's length and pace: a hitch, then a jump
    return _frames(clip, clip.frames[np.asarray(idx[:t])])


def shuffle(clip: Clip, others, rng, window: int = 6) -> Clip:
    idx = np.arange(len(clip.frames))
    for start in range(0, len(idx), window):
        rng.shuffle(idx[start : start + window])
    return _frames(clip, clip.frames[idx])


def local_flicker(clip: Clip, others, rng, amount: float = 0.3) -> Clip:
    y0, y1, x0, x1 = _region(clip.frames.shape[1:], rng)
    out = clip.frames.astype(np.float32)
    for t in range(len(out)):
        gain = 1.0 + amount * (1 if t % 2 else -1) * rng.uniform(0.6, 1.0)
        out[t, y0:y1, x0:x1] *= gain
    return _frames(clip, np.clip(out, 0, 255))


def region_jitter(clip: Clip, others, rng, amount: float = 0.04) -> Clip:
    y0, y1, x0, x1 = _region(clip.frames.shape[1:], rng)
    h = clip.frames.shape[1]
    out = clip.frames.copy()
    for t in range(len(out)):
        dy, dx = (rng.uniform(-1, 1, 2) * amount * h).round().astype(int)
        out[t, y0:y1, x0:x1] = np.roll(clip.frames[t], (dy, dx), axis=(0, 1))[y0:y1, x0:x1]
    return _frames(clip, out)


def local_warp(clip: Clip, others, rng, amount: float = 0.05) -> Clip:
    y0, y1, x0, x1 = _region(clip.frames.shape[1:], rng, frac=0.45)
    h = clip.frames.shape[1]
    bh, bw = y1 - y0, x1 - x0
    ys, xs = np.mgrid[0:bh, 0:bw].astype(np.float32)
    # fade the displacement to 0 at the box edge so the melt has no seam
    fade = (np.sin(np.pi * ys / max(1, bh - 1)) * np.sin(np.pi * xs / max(1, bw - 1))).astype(np.float32)
    phase0 = rng.uniform(0, 2 * np.pi)
    out = clip.frames.copy()
    for t in range(len(out)):
        phase = phase0 + 0.9 * t
        mx = xs + amount * h * fade * np.sin(2 * np.pi * ys / max(8, bh / 2) + phase)
        my = ys + amount * h * fade * np.cos(2 * np.pi * xs / max(8, bw / 2) + 1.3 * phase)
        box = np.ascontiguousarray(clip.frames[t, y0:y1, x0:x1])
        out[t, y0:y1, x0:x1] = cv2.remap(box, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return _frames(clip, out)


def identity_drift(clip: Clip, others, rng, degrees: float = 90.0) -> Clip:
    y0, y1, x0, x1 = _region(clip.frames.shape[1:], rng, frac=0.5)
    out = clip.frames.copy()
    t_max = max(1, len(out) - 1)
    sign = 1 if rng.random() < 0.5 else -1
    for t in range(len(out)):
        hsv = cv2.cvtColor(np.ascontiguousarray(out[t, y0:y1, x0:x1]), cv2.COLOR_RGB2HSV).astype(np.int32)
        hsv[..., 0] = (hsv[..., 0] + sign * int(round(degrees / 2 * t / t_max))) % 180  # OpenCV hue is degrees / 2
        out[t, y0:y1, x0:x1] = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)
    return _frames(clip, out)


def colour_drift(clip: Clip, others, rng, gain: float = 0.35, offset: float = 40.0) -> Clip:
    direction = rng.uniform(-1, 1, 3)
    direction /= np.abs(direction).max()
    t_max = max(1, len(clip.frames) - 1)
    out = clip.frames.astype(np.float32)
    for t in range(len(out)):
        k = t / t_max
        out[t] = out[t] * (1 + gain * k * direction) + offset * k * direction
    return _frames(clip, np.clip(out, 0, 255))


def blur(clip: Clip, others, rng, sigma: float = 0.015) -> Clip:
    s = sigma * clip.frames.shape[1]
    return _frames(clip, np.stack([cv2.GaussianBlur(f, (0, 0), s) for f in clip.frames]))


def compression(clip: Clip, others, rng, quality: int = 8) -> Clip:
    def jpeg(f: np.ndarray) -> np.ndarray:
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(f, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
        return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)

    return _frames(clip, np.stack([jpeg(f) for f in clip.frames]))


def noise(clip: Clip, others, rng, sigma: float = 18.0) -> Clip:
    return _frames(clip, np.clip(clip.frames + rng.normal(0, sigma, clip.frames.shape), 0, 255))


def _other(clip: Clip, others: list[Clip], rng) -> Clip:
    """Another clip, with another action where there is one (a swap must change what the prompt asks for)."""
    pool = [c for c in others if c.key != clip.key and c.action != clip.action] or [
        c for c in others if c.key != clip.key]
    if not pool:
        raise ValueError("a consistency swap needs at least two clips")
    return pool[int(rng.integers(len(pool)))]


def prompt_swap(clip: Clip, others, rng) -> Clip:
    return replace(clip, prompt=_other(clip, others, rng).prompt)


def image_swap(clip: Clip, others, rng) -> Clip:
    other = _other(clip, others, rng).initial_image
    h, w = clip.initial_image.shape[:2]
    return replace(clip, initial_image=cv2.resize(other, (w, h), interpolation=cv2.INTER_AREA))


DEGRADATIONS: dict[str, Degradation] = {d.name: d for d in (
    Degradation("freeze", "temporal", ("motion", "text_video"), freeze),
    Degradation("near_static", "temporal", ("motion", "text_video"), near_static),
    Degradation("stutter", "temporal", ("smoothness",), stutter),
    Degradation("duplicate", "temporal", ("smoothness",), duplicate),
    Degradation("shuffle", "temporal", ("smoothness",), shuffle),
    Degradation("local_flicker", "temporal", ("smoothness",), local_flicker),
    Degradation("region_jitter", "temporal", ("smoothness",), region_jitter),
    Degradation("local_warp", "temporal", ("smoothness",), local_warp),
    Degradation("identity_drift", "temporal", ("character",), identity_drift),
    Degradation("colour_drift", "temporal", ("image_video",), colour_drift),
    Degradation("blur", "spatial", ("appeal",), blur),
    Degradation("compression", "spatial", ("appeal",), compression),
    Degradation("noise", "spatial", ("appeal",), noise),
    Degradation("prompt_swap", "consistency", ("text_video",), prompt_swap),
    Degradation("image_swap", "consistency", ("image_video", "character"), image_swap),
)}


def degrade(clip: Clip, name: str, *, others: list[Clip] = (), seed: int = 0) -> Clip:
    """``clip`` with degradation ``name`` applied (deterministic in seed, name and clip key)."""
    if name not in DEGRADATIONS:
        raise ValueError(f"unknown degradation {name!r}; valid: {', '.join(DEGRADATIONS)}")
    out = DEGRADATIONS[name].apply(clip, list(others), _rng(seed, name, clip.key))
    return replace(out, key=f"{clip.key}~{name}")
