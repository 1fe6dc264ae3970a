"""Simulated artefact spans for the video-toy decisive benchmark (``decisive_video``): where dense GAPO's frame
weights come from (issue #22, docs/segments.md).

The world knows how far every frame of a sample is from the clean rendering of its prompt (per-frame L1,
the true reward's own measure). A frame is *clearly worse* when its L1 is above what the prompt's samples
typically show at that frame (the mean over the prompt's k candidates, which the annotators also see) by
``margin`` pooled within-prompt standard deviations: a person marks the moments where this clip is further
from the intended animation than the others, the same comparison the true reward makes per video
(``fidelity_reward`` is relative to the base's level for the prompt). Frame 0 is the given initial image and
is never marked.

Why not the sample's own typical level (its median frame): a sample's per-frame L1 varies little (within
~20 % of its median, drifting up toward the end), so such marks say "late frames" for every video; on the
training candidates of seed 0 (a validation seed; no test seed was looked at), marks from "10 % above the
sample's median" came out about equal on winners and losers (mean mark 0.095 vs 0.089) and the count of
flagged frames correlated -0.35 with the true reward, against -0.75 for the prompt-relative rule.

Each simulated annotator turns the clearly-worse runs of frames into spans with noise: a run is missed
with probability ``miss``, and each edge of a marked span moves by up to ``edge`` frames either way (early
or late), clipped to the video; spans that then share a frame are merged (the label page's overlap
policy). At this scale a video has 8 frames (the demo campaign's 48 frames span the same 4 s), so the
default edge noise is 1 frame, the ~1-2 frame edge error of the 48-frame grid rescaled. The demo's
``SimulatedAnnotator.mark_spans`` (issue #22's demo marker, on the renderer's per-frame severities) landed
after this benchmark was started and is not used here: it has the same noise model with 48-frame defaults
(edges +-2 frames, spans 2 frames apart merged, which on 8 frames would join most runs); passing it the
per-frame excess in sds with ``threshold=margin`` would be the way to share it.
Deterministic: the same videos, clean renderings and seed give the same spans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .losses.dense import PIXEL_TEMPORAL_RATIO, frame_marks


def frame_l1(videos: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """``(N, T)`` mean absolute difference per frame of uint8 videos ``(N, T, H, W, 3)`` to their clean
    renderings, in 0-1 pixel units (frame 0 included; ``clean_l1`` is the mean of frames 1..T-1)."""
    diff = np.abs(videos.astype(np.float32) - clean.astype(np.float32)) / 255.0
    return diff.reshape(*videos.shape[:2], -1).mean(2)


def clearly_worse(l1: np.ndarray, per_prompt: int, margin: float) -> np.ndarray:
    """``(N, T)`` bool: frames 1..T-1 whose L1 exceeds the prompt's mean at that frame by ``margin`` pooled
    within-prompt sds. ``l1`` is prompt-major: rows ``p * per_prompt .. p * per_prompt + per_prompt - 1``
    answer prompt p."""
    n, frames = l1.shape
    if per_prompt < 2 or n % per_prompt:
        raise ValueError(f"need >= 2 samples per prompt and whole prompts, got {n} rows of {per_prompt}")
    groups = l1.reshape(n // per_prompt, per_prompt, frames)
    typical = groups.mean(1, keepdims=True)
    scale = float(np.sqrt(groups[:, :, 1:].var(1, ddof=1).mean())) or 1.0
    flagged = (groups > typical + margin * scale).reshape(n, frames)
    flagged[:, 0] = False
    return flagged


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True in a ``(T,)`` bool array as ``(start, end)``, end inclusive."""
    spans, start = [], None
    for t, on in enumerate(flags.tolist() + [False]):
        if on and start is None:
            start = t
        elif not on and start is not None:
            spans.append((start, t - 1))
            start = None
    return spans


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with any two that share a frame merged (docs/segments.md's overlap policy)."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


@dataclass(frozen=True)
class SpanMarker:
    """One simulated annotator's span noise (module docstring)."""

    miss: float = 0.2  # probability of not marking a clearly-worse run at all
    edge: int = 1  # each span edge moves by up to this many frames, early or late
    margin: float = 1.0  # clearly worse: this many within-prompt sds above the prompt's mean at that frame

    def __post_init__(self):
        if not 0.0 <= self.miss < 1.0:
            raise ValueError(f"miss must be in [0, 1), got {self.miss}")
        if self.edge < 0 or self.margin < 0:
            raise ValueError(f"edge and margin must be >= 0, got {self.edge}, {self.margin}")

    def mark(self, flags: np.ndarray, rng: np.random.Generator) -> list[tuple[int, int]]:
        """Spans one annotator marks on one video whose clearly-worse frames are ``flags`` ``(T,)``."""
        last = len(flags) - 1
        spans = []
        for start, end in runs(flags):
            missed = rng.random() < self.miss
            d0, d1 = rng.integers(-self.edge, self.edge + 1, 2) if self.edge else (0, 0)
            if missed:
                continue
            start, end = int(np.clip(start + d0, 1, last)), int(np.clip(end + d1, 1, last))
            spans.append((min(start, end), max(start, end)))
        return merge(spans)


def simulated_marks(videos: np.ndarray, clean: np.ndarray, per_prompt: int, raters: int, seed: int,
                    marker: SpanMarker = SpanMarker()) -> tuple[torch.Tensor, np.ndarray]:
    """Every video (prompt-major, ``per_prompt`` per prompt) marked by ``raters`` annotators: ``(N, T)`` fraction
    marking each latent frame (the pixel codec: latent frame t = video frame t) and the ``(N, T)``
    clearly-worse truth they saw."""
    flags = clearly_worse(frame_l1(videos, clean), per_prompt, marker.margin)
    rng = np.random.default_rng([seed, 0x5BA5])
    frames = videos.shape[1]
    marks = torch.stack([
        frame_marks([marker.mark(row, rng) for _ in range(raters)], video_frames=frames,
                    temporal_ratio=PIXEL_TEMPORAL_RATIO)
        for row in flags])
    return marks, flags
