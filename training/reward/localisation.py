"""Frame-level localisation (issue #22): does a score curve dip where the artefact is?

Truth per model frame, on the num_frames frames the model samples (media_io.uniform_indices over the video):

- demo (SYNTHETIC): the demo's per-frame truth (demo.render.frame_severities, in ground_truth.jsonl) at the
  rendition frame each model frame shows; a frame is an injected artefact frame when its severity is
  >= demo.ARTEFACT_FRAME_THRESHOLD (0.25), the demo's documented rule.
- real clips (REAL FOOTAGE): WINDOWED degradations below, each confined to a known window of the decoded clip's
  frames (about a quarter of the clip, placed by a seeded draw away from both ends); the window, mapped onto the
  model's frames with segments.span_mask, is the truth for the dimensions the degradation lowers.

Score: within-video AUROC of the curve against the truth, P(an unmarked frame scores above a marked one), ties 1/2,
over frames 1..T-1 (frame 0 has no predecessor: its change measures read 0 and the demo makes it clean by
construction), averaged over videos that have both kinds of frame; 0.5 is chance. ``pooled`` pools every frame of
every video instead (it then also rewards ranking whole videos, which the pairwise accuracy already measures).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import Callable

import cv2
import numpy as np

from media_io import uniform_indices

from .degradations import Clip
from .segments import span_mask


def frame_auroc(scores, artefact) -> float:
    """P(score of a clean frame > score of an artefact frame), ties 1/2; nan unless both kinds are present."""
    s, y = np.asarray(scores, np.float64), np.asarray(artefact, bool)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (neg[:, None] > pos[None, :]).mean()
    ties = (neg[:, None] == pos[None, :]).mean()
    return float(greater + 0.5 * ties)


def localisation(curves: list[np.ndarray], truths: list[np.ndarray]) -> dict:
    """{"within": mean within-video AUROC, "videos": how many had both kinds, "pooled": AUROC over all frames};
    frame 0 of every video is left out (module docstring)."""
    per = [frame_auroc(c[1:], t[1:]) for c, t in zip(curves, truths)]
    per = [a for a in per if not np.isnan(a)]
    pooled = (frame_auroc(np.concatenate([c[1:] for c in curves]), np.concatenate([t[1:] for t in truths]))
              if curves else float("nan"))
    return {"within": float(np.mean(per)) if per else float("nan"), "videos": len(per), "pooled": pooled}


def demo_frame_truth(frame_truth: list[float], n: int, threshold: float) -> np.ndarray:
    """(n,) bool: injected artefact frames among the model's n sampled frames of a demo video."""
    curve = np.asarray(frame_truth)
    return curve[uniform_indices(len(curve), n)] >= threshold


@dataclass(frozen=True)
class Windowed:
    name: str
    lowers: tuple[str, ...]  # the temporal dimensions whose frames inside the window are the truth
    apply: Callable[[np.ndarray, int, int], np.ndarray]  # (frames, start, end inclusive) -> frames


def _freeze_run(frames, a, b):
    out = frames.copy()
    out[a + 1 : b + 1] = frames[a]
    return out


def _flicker_burst(frames, a, b, amount=0.3):
    # a random gain per frame, not an alternating one: the model samples every other frame or so, and an
    # alternating pattern would alias to a constant gain on the frames it reads
    out = frames.astype(np.float32)
    rng = np.random.default_rng([a, b, len(frames)])
    for t in range(a, b + 1):
        u = rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.0)
        out[t] = out[t] * (1.0 + amount * u) + 15.0 * u
    return np.clip(out, 0, 255).astype(np.uint8)


def _blur_burst(frames, a, b, sigma=2.5):
    out = frames.copy()
    for t in range(a, b + 1):
        out[t] = cv2.GaussianBlur(frames[t], (0, 0), sigma)
    return out


def _jitter_burst(frames, a, b, amount=0.03):
    out = frames.copy()
    h, w = frames.shape[1:3]
    rng = np.random.default_rng([a, b, h, w])
    for t in range(a, b + 1):
        dx, dy = rng.normal(0, amount * w, 2)
        m = np.float32([[1, 0, dx], [0, 1, dy]])
        out[t] = cv2.warpAffine(frames[t], m, (w, h), borderMode=cv2.BORDER_REFLECT101)
    return out


def _recolour_burst(frames, a, b, degrees=70):
    """The centre 50 % of the frame (where I2V subjects stand) rotates hue for the window: the subject's colours
    change and come back."""
    out = frames.copy()
    h, w = frames.shape[1:3]
    y0, y1, x0, x1 = h // 4, h - h // 4, w // 4, w - w // 4
    for t in range(a, b + 1):
        hsv = cv2.cvtColor(np.ascontiguousarray(frames[t, y0:y1, x0:x1]), cv2.COLOR_RGB2HSV)
        hsv[..., 0] = ((hsv[..., 0].astype(np.int32) + degrees // 2) % 180).astype(np.uint8)
        out[t, y0:y1, x0:x1] = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    return out


WINDOWED = {
    "freeze_run": Windowed("freeze_run", ("smoothness", "motion"), _freeze_run),
    "flicker_burst": Windowed("flicker_burst", ("smoothness",), _flicker_burst),
    "jitter_burst": Windowed("jitter_burst", ("smoothness",), _jitter_burst),
    "blur_burst": Windowed("blur_burst", ("smoothness",), _blur_burst),
    "recolour_burst": Windowed("recolour_burst", ("character",), _recolour_burst),
}


def window(length: int, name: str, key: str, seed: int = 0, share: float = 0.25) -> tuple[int, int]:
    """[start, end] (inclusive) of a window of ``share`` of the clip, away from both ends by a sixth of the clip."""
    size = max(2, round(length * share))
    lo, hi = length // 6, length - length // 6 - size
    rng = np.random.default_rng([seed, zlib.crc32(name.encode()), zlib.crc32(key.encode())])
    start = int(rng.integers(lo, max(lo, hi) + 1))
    return start, min(length - 1, start + size - 1)


def windowed_variants(clips: list[Clip], seed: int = 0) -> list[tuple[Clip, str, tuple[int, int]]]:
    """(degraded clip keyed '<clip>~<name>', degradation name, window on the clip's decoded frames) per clip and
    WINDOWED entry."""
    out = []
    for clip in clips:
        for name, deg in WINDOWED.items():
            a, b = window(len(clip.frames), name, clip.key, seed)
            out.append((replace(clip, key=f"{clip.key}~{name}", frames=deg.apply(clip.frames, a, b)), name, (a, b)))
    return out


def windowed_truth(name: str, span: tuple[int, int], length: int, n: int) -> dict[str, np.ndarray]:
    """Temporal dimension -> (n,) bool truth on the model's frames for one windowed degradation."""
    mask = span_mask([span], length, n)
    return {d: mask for d in WINDOWED[name].lowers}
