"""A simulated annotator that answers from the ground truth, for load tests and for checking
that aggregation and reward training recover what the truth says.

Sign convention, shared with the platform's pairwise protocol: strength < 0 means A is better,
> 0 means B is better, 0 means "same"; |strength| == 2 means "much better".
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .catalog import DIMENSIONS

ERR_NOISE = "noise must be a finite number >= 0, got {value!r}"
ERR_THRESHOLDS = "need 0 <= tie_threshold < strong_threshold, got tie={tie!r}, strong={strong!r}"
ERR_TRUTH = "truth_{side} lacks dimension(s) {missing}; pass one score in [0, 1] per dimension"
ERR_DIMENSIONS = "unknown dimension(s) {unknown}; valid: {valid}"


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
