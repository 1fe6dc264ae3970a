"""A simulated annotator that answers from the ground truth, for load tests and for checking
that aggregation and reward training recover what the truth says.

Sign convention, shared with the platform's pairwise protocol: strength < 0 means A is better,
> 0 means B is better, 0 means "same"; |strength| == 2 means "much better".

Spans (docs/segments.md): mark_spans turns a per-frame severity curve (demo.render.frame_severities) into
artefact spans [start, end], 0-based, end inclusive, the way a person with a frame stepper would: see its
docstring for the noise model.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .catalog import DIMENSIONS
from .render import ARTEFACT_FRAME_THRESHOLD

ERR_NOISE = "noise must be a finite number >= 0, got {value!r}"
ERR_THRESHOLDS = "need 0 <= tie_threshold < strong_threshold, got tie={tie!r}, strong={strong!r}"
ERR_TRUTH = "truth_{side} lacks dimension(s) {missing}; pass one score in [0, 1] per dimension"
ERR_DIMENSIONS = "unknown dimension(s) {unknown}; valid: {valid}"
ERR_CURVE = "curve must be a non-empty 1-D sequence of finite numbers (one severity per frame), got {value!r}"
ERR_SPAN_SETTING = "{name} must be {rule}, got {value!r}"
MAX_SPANS = 16  # per (video, dimension): the contract's limit (docs/segments.md)
_SPAN_TAG = 0x59A5  # spans draw from their own stream, so marking spans never changes later judgments


class SimulatedAnnotator:
    """Judges pairs and rates videos from ground-truth scores plus gaussian noise.

    judge: d = truth_b - truth_a + N(0, noise); |d| < tie -> 0; |d| < strong -> sign(d);
    otherwise 2 * sign(d). rate: 1 + round(4 * clip(truth + N(0, noise), 0, 1)).
    A ``bad`` annotator ignores the videos and answers uniformly at random (-2..2 or 1..5),
    the spammer the agreement checks must catch.
    """

    def __init__(self, noise: float = 0.05, seed: int = 0, bad: bool = False,
                 tie_threshold: float = 0.05, strong_threshold: float = 0.25):
        if not isinstance(noise, (int, float)) or not np.isfinite(noise) or noise < 0:
            raise ValueError(ERR_NOISE.format(value=noise))
        if not (0 <= tie_threshold < strong_threshold):
            raise ValueError(ERR_THRESHOLDS.format(tie=tie_threshold, strong=strong_threshold))
        self.noise = float(noise)
        self.seed = seed
        self.bad = bool(bad)
        self.tie_threshold = float(tie_threshold)
        self.strong_threshold = float(strong_threshold)
        # own Generator: the answers depend on the seed and call order, never on global state
        self._rng = np.random.default_rng(seed)
        self._span_rng = np.random.default_rng(None if seed is None else [_SPAN_TAG, int(seed)])

    def __repr__(self) -> str:
        return (f"SimulatedAnnotator(noise={self.noise}, seed={self.seed!r}, bad={self.bad}, "
                f"tie_threshold={self.tie_threshold}, strong_threshold={self.strong_threshold})")

    @staticmethod
    def _check(dimensions: Sequence[str], **truths) -> tuple[str, ...]:
        dims = tuple(dimensions)
        unknown = [d for d in dims if d not in DIMENSIONS]
        if unknown:
            raise ValueError(ERR_DIMENSIONS.format(unknown=", ".join(unknown), valid=", ".join(DIMENSIONS)))
        for side, truth in truths.items():
            missing = [d for d in dims if d not in truth]
            if missing:
                raise ValueError(ERR_TRUTH.format(side=side, missing=", ".join(missing)))
        return dims

    def strength(self, d: float) -> int:
        """Map a (noisy) score difference B - A to -2..+2."""
        magnitude = abs(d)
        if magnitude < self.tie_threshold:
            return 0
        sign = 1 if d > 0 else -1
        return sign if magnitude < self.strong_threshold else 2 * sign

    def judge(self, truth_a: dict, truth_b: dict, dimensions: Sequence[str] = DIMENSIONS) -> dict[str, int]:
        dims = self._check(dimensions, a=truth_a, b=truth_b)
        if self.bad:
            return {d: int(v) for d, v in zip(dims, self._rng.integers(-2, 3, len(dims)))}
        noise = self._rng.normal(0.0, self.noise, len(dims))
        return {d: self.strength(float(truth_b[d]) - float(truth_a[d]) + float(e)) for d, e in zip(dims, noise)}

    def rate(self, truth: dict, dimensions: Sequence[str] = DIMENSIONS) -> dict[str, int]:
        dims = self._check(dimensions, truth=truth)
        if self.bad:
            return {d: int(v) for d, v in zip(dims, self._rng.integers(1, 6, len(dims)))}
        noise = self._rng.normal(0.0, self.noise, len(dims))
        return {d: 1 + int(round(4 * min(1.0, max(0.0, float(truth[d]) + float(e))))) for d, e in zip(dims, noise)}

    def mark_spans(self, curve, *, threshold: float = ARTEFACT_FRAME_THRESHOLD, miss_rate: float = 0.15,
                   edge_jitter: int = 2, merge_gap: int = 2, max_spans: int = MAX_SPANS) -> list[tuple[int, int]]:
        """Artefact spans on one video for one dimension: sorted, non-overlapping (start, end), 0-based,
        end inclusive, on the curve's frame grid.

        Noise model, in order: runs of frames with severity >= threshold are found; runs separated by at
        most merge_gap clean frames are merged (nobody marks a flicker burst frame by frame); each span is
        missed whole with probability miss_rate; each edge moves by an integer drawn uniformly from
        [-edge_jitter, edge_jitter] (early or late), clamped to the grid (a span whose edges cross keeps its
        centre frame); spans that now overlap or are within merge_gap are merged again; while there are more
        than max_spans the two closest are merged. A ``bad`` annotator ignores the curve and marks 0-3
        random spans. Draws come from the annotator's span stream: deterministic for a seed and call order,
        and independent of judge()/rate() calls.
        """
        values = _curve(curve)
        threshold = _setting("threshold", threshold, "a finite number", float)
        miss_rate = _setting("miss_rate", miss_rate, "a number in [0, 1]", float, lo=0.0, hi=1.0)
        edge_jitter = _setting("edge_jitter", edge_jitter, "an integer >= 0", int, lo=0)
        merge_gap = _setting("merge_gap", merge_gap, "an integer >= 0", int, lo=0)
        max_spans = _setting("max_spans", max_spans, "an integer >= 1", int, lo=1)
        T, rng = len(values), self._span_rng
        if self.bad:
            starts = np.sort(rng.integers(0, T, int(rng.integers(0, 4))))
            spans = [(int(a), int(min(T - 1, a + rng.integers(0, max(1, T // 4))))) for a in starts]
            return _limit(_merge(spans, merge_gap), max_spans)
        spans = _merge(_runs(values >= threshold), merge_gap)
        kept = [span for span, u in zip(spans, rng.random(len(spans))) if u >= miss_rate]
        moved = []
        for (a, b), (da, db) in zip(kept, rng.integers(-edge_jitter, edge_jitter + 1, (len(kept), 2))):
            start, end = min(T - 1, max(0, a + int(da))), min(T - 1, max(0, b + int(db)))
            if start > end:
                start = end = (a + b) // 2
            moved.append((start, end))
        return _limit(_merge(sorted(moved), merge_gap), max_spans)


def span_severity_level(curve, span: tuple[int, int]) -> int:
    """The contract's optional severity for a span (1 mild, 2 clear, 3 severe) from the curve's peak in it."""
    values = _curve(curve)
    peak = float(values[span[0]:span[1] + 1].max())
    return 1 if peak < 0.5 else 2 if peak < 0.8 else 3


def _curve(curve) -> np.ndarray:
    try:
        values = np.asarray(curve, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(ERR_CURVE.format(value=curve)) from None
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(ERR_CURVE.format(value=curve))
    return values


def _setting(name, value, rule, kind, lo=None, hi=None):
    ok = isinstance(value, (int, np.integer) if kind is int else (int, float, np.integer, np.floating)) \
        and not isinstance(value, bool) and np.isfinite(value) \
        and (lo is None or value >= lo) and (hi is None or value <= hi)
    if not ok:
        raise ValueError(ERR_SPAN_SETTING.format(name=name, rule=rule, value=value))
    return kind(value)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True as (start, end), end inclusive."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))  # rises at run starts, falls one past run ends
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2])]


def _merge(spans: list[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    """Sorted spans with those overlapping or separated by <= gap frames joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a - out[-1][1] - 1 <= gap:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _limit(spans: list[tuple[int, int]], max_spans: int) -> list[tuple[int, int]]:
    spans = list(spans)
    while len(spans) > max_spans:
        k = min(range(len(spans) - 1), key=lambda i: spans[i + 1][0] - spans[i][1])
        spans[k:k + 2] = [(spans[k][0], spans[k + 1][1])]
    return spans
