"""Per-dimension score calibration, fitted on held-out pairs after training and stored next to the weights.

A scorer's logit ``l`` has no fixed scale: Bradley-Terry fixes only differences, and their size depends on how
long the run trained. The calibrated score of a video on a dimension is

    s = sigmoid((l - c) / T)

with ``T`` (temperature) fitted so that ``sigmoid((l_b - l_a) / T)`` is a calibrated probability that B is
preferred over A on held-out non-tie pairs (minimum negative log-likelihood), and ``c`` the median logit of the
held-out videos. So on the calibrated scale: **logit(s_b) - logit(s_a) is the log-odds that people prefer B**,
and **0.5 is the median held-out video**. A gap of 0.1 around the middle means about 60:40 odds. GAPO's gap weight
``2**s_w - 2**s_l`` reads these scores (``AnimeReward.score`` applies the calibration).

The fitted T is monotone, so accuracy does not change; the expected calibration error (ECE, 5 bins, as
``evaluate.evaluate_scores``) is reported before and after. "After" is cross-fitted: the held-out prompts are cut
in two halves, each half's ECE is measured with the temperature fitted on the other half, so the reported
after-ECE is never measured on the pairs it was fitted on. The stored calibration is then fitted on all of them.

``calibration.json`` in a step-N folder: ``{"dimensions": {dim: {"temperature": T, "offset": c}}, "report": ...}``.
A checkpoint without it scores with T = 1, c = 0 (the identity: old checkpoints keep their scores).
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar

CALIBRATION = "calibration.json"


@dataclass
class Calibration:
    temperature: dict[str, float] = field(default_factory=dict)
    offset: dict[str, float] = field(default_factory=dict)
    report: dict = field(default_factory=dict)

    def apply(self, dimension: str, logits):
        """Calibrated logits ``(l - c) / T`` (numpy or torch); identity for dimensions never fitted."""
        return (logits - self.offset.get(dimension, 0.0)) / self.temperature.get(dimension, 1.0)

    def is_identity(self) -> bool:
        return not self.temperature and not self.offset

    def save(self, folder) -> None:
        dims = {d: {"temperature": self.temperature[d], "offset": self.offset.get(d, 0.0)} for d in self.temperature}
        (Path(folder) / CALIBRATION).write_text(json.dumps({"dimensions": dims, "report": self.report}, indent=2,
                                                           sort_keys=True, default=float))

    @classmethod
    def load(cls, folder) -> "Calibration":
        path = Path(folder) / CALIBRATION
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        dims = data.get("dimensions", {})
        return cls({d: float(v["temperature"]) for d, v in dims.items()},
                   {d: float(v.get("offset", 0.0)) for d, v in dims.items()}, data.get("report", {}))


def pair_nll(diff: np.ndarray, won: np.ndarray, temperature: float) -> float:
    """Mean -log P(observed winner) with P(B wins) = sigmoid(diff / T); diff = l_b - l_a, won = 1 when B won."""
    z = diff / temperature
    return float(np.mean(np.logaddexp(0.0, -z) * won + np.logaddexp(0.0, z) * (1 - won)))


# Calibration may soften scores freely but sharpen them at most 2x: on a held-out split of tens of pairs
# that the model happens to order perfectly, the likelihood keeps rising as T -> 0, and T = 1e-3 turned
# every score into exactly 0 or 1 — ties that leave GAPO no pair to learn from and a gap weight of 0 or 1.
MIN_TEMPERATURE = 0.5


def fit_temperature(diff: np.ndarray, won: np.ndarray) -> float:
    """argmin_T pair_nll over T in [MIN_TEMPERATURE, 1e3] (log scale); 1.0 when there is nothing to fit on."""
    if len(diff) == 0 or not np.any(diff):
        return 1.0
    res = minimize_scalar(lambda u: pair_nll(diff, won, math.exp(u)), bounds=(math.log(MIN_TEMPERATURE), 7.0),
                          method="bounded")
    return float(math.exp(res.x))


def ece(p: np.ndarray, won: np.ndarray, bins: int = 5) -> float:
    """Count-weighted |mean p - share B won| over equal-width bins of p (evaluate.evaluate_scores' rule)."""
    if len(p) == 0:
        return math.nan
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (p >= lo) & ((p < hi) | (hi == 1.0))
        if inside.any():
            total += inside.sum() * abs(p[inside].mean() - won[inside].mean())
    return float(total / len(p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def fit_calibration(logits: dict[str, dict[str, float]], pairset, dimensions) -> Calibration:
    """Fit T and c per dimension from per-video logits (``video key -> {dimension: logit}``) on ``pairset``'s
    non-tie pairs; ``report`` holds ECE before / after (cross-fitted) and T per dimension."""
    from .data import strength_matrix

    pairs = [p for p in pairset.pairs if p.video_a in logits and p.video_b in logits]
    strengths = strength_matrix(pairs, dimensions)  # (P, D)
    fold = np.asarray([zlib.crc32(pairset.videos[p.video_a].prompt_key.encode()) % 2 for p in pairs])
    calibration = Calibration()
    for j, dim in enumerate(dimensions):
        la = np.asarray([logits[p.video_a][dim] for p in pairs], np.float64)
        lb = np.asarray([logits[p.video_b][dim] for p in pairs], np.float64)
        decided = ~np.isnan(strengths[:, j]) & (np.nan_to_num(strengths[:, j]) != 0)
        diff, won, f = (lb - la)[decided], (strengths[decided, j] > 0).astype(np.float64), fold[decided]
        temperature = fit_temperature(diff, won)
        after = np.full(len(diff), np.nan)
        for k in (0, 1):
            train, test = f != k, f == k
            t_k = fit_temperature(diff[train], won[train]) if train.any() else 1.0
            after[test] = _sigmoid(diff[test] / t_k)
        videos = sorted({p.video_a for p in pairs} | {p.video_b for p in pairs})
        calibration.temperature[dim] = temperature
        calibration.offset[dim] = float(np.median([logits[v][dim] for v in videos])) if videos else 0.0
        calibration.report[dim] = {
            "pairs": int(decided.sum()), "temperature": temperature,
            "ece_before": ece(_sigmoid(diff), won), "ece_after_crossfit": ece(after, won),
            "nll_before": pair_nll(diff, won, 1.0) if len(diff) else math.nan,
            "nll_after": pair_nll(diff, won, temperature) if len(diff) else math.nan,
        }
    return calibration


def calibrate(reward, pairset, *, prepared: dict | None = None, folder=None) -> Calibration:
    """Fit ``reward``'s calibration on ``pairset`` (the held-out split), set it on ``reward`` and, with
    ``folder`` (the step-N folder of its weights), write calibration.json there. Logits come uncalibrated from
    the model, so calibrating twice fits the same thing."""
    from .train import prepare_all

    prepared = prepared if prepared is not None else prepare_all(pairset, reward.config, reward.cache)
    keys = list(prepared)
    out = reward.logits([prepared[k] for k in keys])
    logits = {k: {d: float(out[d][i]) for d in out} for i, k in enumerate(keys)}
    reward.calibration = fit_calibration(logits, pairset, reward.config.dimensions)
    if folder is not None:
        reward.calibration.save(folder)
    return reward.calibration
