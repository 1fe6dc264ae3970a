"""Marked artefact spans as frame-level supervision: from a span on the rendition's frame grid to the model's frames.

A span (docs/segments.md) is [start_frame, end_frame], 0-based, end inclusive, on the grid of the video's rendition
(frame_count frames). The model samples num_frames frames uniformly over the video it reads
(media_io.uniform_indices), so sampled frame k sits at relative position k / (n - 1) of the clip whatever the
video's own frame count: the mapping is by relative time, and needs only the rendition's frame_count.

    model frame k is inside a span when
      (a) the rendition frame at its position, uniform_indices(frame_count, n)[k], is inside, or
      (b) it is the nearest model frame of some rendition frame inside: round(f (n - 1) / (frame_count - 1)) = k
    (b) keeps a span shorter than the model's frame spacing from vanishing between two samples; (a) covers every
    model frame of a span when the model samples more frames than the rendition has.

Several annotators: a video's marked share per model frame is the mean, over the annotators who marked spans on
that (video, dimension), of their 0/1 masks (an annotator who marked nothing there is not counted: no span can
mean "nothing to mark" or "did not look", and the table cannot tell them apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from media_io import uniform_indices

ERR_SPAN = "span [{start}, {end}] is not on a grid of {frame_count} frames (need 0 <= start <= end < frame_count)"


@dataclass(frozen=True)
class SpanMark:
    """One marked span of one annotator on one video for one dimension (a row of the export's segments table)."""

    start: int
    end: int
    frame_count: int
    annotator: str = ""


def span_mask(spans: Iterable[tuple[int, int]], frame_count: int, n: int) -> np.ndarray:
    """(n,) bool: which of the model's n uniformly sampled frames the spans cover (module docstring)."""
    if not isinstance(frame_count, (int, np.integer)) or frame_count < 1 or n < 1:
        raise ValueError(f"need frame_count >= 1 and n >= 1, got frame_count={frame_count!r}, n={n!r}")
    mask = np.zeros(n, bool)
    at = np.asarray(uniform_indices(int(frame_count), n))  # rendition frame at each model frame's position
    for start, end in spans:
        if not 0 <= start <= end < frame_count:
            raise ValueError(ERR_SPAN.format(start=start, end=end, frame_count=frame_count))
        mask |= (at >= start) & (at <= end)
        f = np.arange(start, end + 1)
        # round half up in integers, as uniform_indices does: nearest model frame of each rendition frame
        nearest = (2 * f * (n - 1) + (frame_count - 1)) // (2 * (frame_count - 1)) if frame_count > 1 else 0 * f
        mask[np.clip(nearest, 0, n - 1)] = True
    return mask


def marked_share(marks: Iterable[SpanMark], n: int) -> np.ndarray:
    """(n,) float32 in [0, 1]: mean over annotators of their masks on the model's n frames (module docstring)."""
    by_annotator: dict[str, list[SpanMark]] = {}
    for m in marks:
        by_annotator.setdefault(m.annotator, []).append(m)
    if not by_annotator:
        return np.zeros(n, np.float32)
    masks = []
    for spans in by_annotator.values():
        mask = np.zeros(n, bool)
        for m in spans:
            mask |= span_mask([(m.start, m.end)], m.frame_count, n)
        masks.append(mask)
    return np.mean(masks, axis=0).astype(np.float32)


def video_marks(segments: dict, dimensions, n: int) -> dict[str, dict[str, np.ndarray]]:
    """PairSet.segments (video key -> dimension -> [SpanMark]) -> video key -> dimension -> marked share (n,),
    for the given dimensions only."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for key, per_dim in segments.items():
        shares = {d: marked_share(per_dim[d], n) for d in dimensions if per_dim.get(d)}
        if shares:
            out[key] = shares
    return out
