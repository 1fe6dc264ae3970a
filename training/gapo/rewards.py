"""Reward callables for on-policy pairs and evaluation, and one normaliser over their return shapes.

A *scorer* is any callable ``scorer(videos, prompts, initial_images)`` where ``videos`` are uint8 arrays
``(T, H, W, 3)``, ``prompts`` strings and ``initial_images`` uint8 arrays ``(H, W, 3)``. It may return either

* ``AnimeReward.score``'s shape: a list with one ``{dimension: float, ..., "overall": float}`` per video, or
* a table ``{dimension: (N,) tensor, ..., "overall": (N,) tensor}``.

``score_table`` turns both into the table, so ``training.reward.AnimeReward(...).score`` plugs in directly.

Two scorers that need no trained checkpoint live here:

* ``HandcraftedReward``: the zero-training OpenCV baseline (``training.reward.handcrafted``) with explicit
  per-dimension weights for ``overall``;
* ``FeatureRidgeReward``: a small reward head, ridge regression from the same OpenCV features to known
  per-dimension quality (the demo world's ground truth), fitted in closed form in seconds. The baseline's
  monotone maps were tuned by eye on 256x144 clips; at the reproduction's 16-32 px they misrank the demo
  generators, and a head fitted at that resolution does not.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import torch

from dimensions import KEYS as DIMENSIONS
from training.reward.handcrafted import baseline_scores, feature_vector, video_features

Scorer = Callable[[Sequence[np.ndarray], Sequence[str], Sequence[np.ndarray]], object]

ERR_SCORER_SHAPE = (
    "the scorer returned {got}; expected a list of per-video dicts (AnimeReward.score) or a dict of (N,) tensors, "
    "with an 'overall' entry"
)


def score_table(scorer: Scorer, videos, prompts, initial_images) -> dict[str, torch.Tensor]:
    """Call ``scorer`` and return ``{dimension: (N,) float32 tensor}`` including ``overall``."""
    raw = scorer(list(videos), list(prompts), list(initial_images))
    if isinstance(raw, Mapping):
        table = {k: torch.as_tensor(v, dtype=torch.float32).reshape(-1) for k, v in raw.items()}
    elif isinstance(raw, Sequence) and all(isinstance(r, Mapping) for r in raw):
        keys = list(raw[0]) if raw else ["overall"]
        table = {k: torch.tensor([float(r[k]) for r in raw], dtype=torch.float32) for k in keys}
    else:
        raise TypeError(ERR_SCORER_SHAPE.format(got=type(raw).__name__))
    if "overall" not in table:
        raise ValueError(ERR_SCORER_SHAPE.format(got=f"keys {sorted(table)}"))
    lengths = {k: len(v) for k, v in table.items()}
    if set(lengths.values()) != {len(videos)}:
        raise ValueError(f"the scorer returned {lengths} scores for {len(videos)} videos")
    return table


def _weights(weights: Mapping[str, float] | None, dimensions: Sequence[str]) -> dict[str, float]:
    weights = dict(weights) if weights is not None else {d: 1.0 / len(dimensions) for d in dimensions}
    unknown = sorted(set(weights) - set(dimensions))
    if unknown:
        raise ValueError(f"overall weights name unknown dimensions {unknown}; valid: {', '.join(dimensions)}")
    total = sum(weights.values())
    if total <= 0 or any(w < 0 for w in weights.values()):
        raise ValueError(f"overall weights must be >= 0 with a positive sum, got {weights}")
    return {d: weights.get(d, 0.0) / total for d in dimensions}


class HandcraftedReward:
    """The OpenCV baseline as a scorer; ``overall`` is the weighted mean (weights normalised to sum 1)."""

    def __init__(self, weights: Mapping[str, float] | None = None) -> None:
        self.weights = _weights(weights, DIMENSIONS)

    def __call__(self, videos, prompts, initial_images) -> dict[str, torch.Tensor]:
        rows = [baseline_scores(video_features(v, i, identity=True)) for v, i in zip(videos, initial_images)]
        table = {d: torch.tensor([r[d] for r in rows], dtype=torch.float32) for d in DIMENSIONS}
        table["overall"] = sum(self.weights[d] * table[d] for d in DIMENSIONS)
        return table


class FeatureRidgeReward:
    """Ridge regression head on standardised OpenCV features, one output per dimension, clipped to [0, 1]."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, mean: np.ndarray, std: np.ndarray,
                 dimensions: Sequence[str] = DIMENSIONS, weights: Mapping[str, float] | None = None) -> None:
        self.coef, self.intercept = np.asarray(coef, np.float64), np.asarray(intercept, np.float64)  # (F, D), (D,)
        self.mean, self.std = np.asarray(mean, np.float64), np.asarray(std, np.float64)  # (F,)
        self.dimensions = tuple(dimensions)
        self.weights = _weights(weights, self.dimensions)

    @staticmethod
    def features(videos, initial_images) -> np.ndarray:
        """``(N, F)`` feature matrix (``training.reward.handcrafted.feature_vector`` order)."""
        rows = [feature_vector(video_features(v, i)) for v, i in zip(videos, initial_images)]
        return np.stack(rows).astype(np.float64)

    @classmethod
    def fit(cls, features: np.ndarray, targets: np.ndarray, *, ridge: float = 1.0,
            dimensions: Sequence[str] = DIMENSIONS, weights: Mapping[str, float] | None = None) -> "FeatureRidgeReward":
        """Closed-form ridge ``(X'X + ridge*I)^-1 X'y`` on standardised features; targets ``(N, D)`` in [0, 1]."""
        x, y = np.asarray(features, np.float64), np.asarray(targets, np.float64)
        mean, std = x.mean(0), x.std(0) + 1e-8
        z = (x - mean) / std
        y_mean = y.mean(0)
        coef = np.linalg.solve(z.T @ z + ridge * np.eye(z.shape[1]), z.T @ (y - y_mean))  # (F, D)
        return cls(coef, y_mean, mean, std, dimensions, weights)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """``(N, D)`` scores in [0, 1]."""
        z = (np.asarray(features, np.float64) - self.mean) / self.std
        return np.clip(z @ self.coef + self.intercept, 0.0, 1.0)

    def __call__(self, videos, prompts, initial_images) -> dict[str, torch.Tensor]:
        scores = torch.as_tensor(self.predict(self.features(videos, initial_images)), dtype=torch.float32)
        table = {d: scores[:, k] for k, d in enumerate(self.dimensions)}
        table["overall"] = sum(self.weights[d] * table[d] for d in self.dimensions)
        return table

    def state(self) -> dict:
        return {"coef": self.coef.tolist(), "intercept": self.intercept.tolist(), "mean": self.mean.tolist(),
                "std": self.std.tolist(), "dimensions": list(self.dimensions), "weights": self.weights}

    @classmethod
    def from_state(cls, state: dict) -> "FeatureRidgeReward":
        return cls(state["coef"], state["intercept"], state["mean"], state["std"], state["dimensions"],
                   state["weights"])
