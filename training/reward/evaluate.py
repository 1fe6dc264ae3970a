"""Held-out evaluation of per-video scores against pairwise labels (and ground truth when known).

Per dimension:
    accuracy          pairs with a non-tie label: sign(s_b - s_a) == sign(strength); equal scores count 1/2
    accuracy_ties     VideoAlign-style tie-aware accuracy over all labelled pairs: predict "tie" when
                      |s_b - s_a| <= tau, sweep tau over 0 and the quantiles of |s_b - s_a|, report the best
                      (``tie_tau``). The sweep is done on the evaluated pairs themselves, so it is an upper bound.
    spearman          rank correlation of scores with per-video truth/ratings (when the data has them)
    calibration       5 bins of p = sigmoid(logit(s_b) - logit(s_a)) on non-tie pairs: mean p vs the share
                      B won; ``ece`` = count-weighted |gap|
    per_generator     non-tie accuracy over the pairs that involve each generator
Overall: the mean over dimensions of accuracy / accuracy_ties.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import spearmanr

from .data import PairSet, strength_matrix
from .handcrafted import baseline_scores


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def tie_aware_accuracy(diff: np.ndarray, label: np.ndarray) -> tuple[float, float]:
    """(best accuracy, its tau) with prediction 0 when |diff| <= tau else sign(diff); label in {-1, 0, 1}."""
    if len(diff) == 0:
        return math.nan, math.nan
    taus = np.unique(np.concatenate([[0.0], np.quantile(np.abs(diff), np.linspace(0.02, 0.98, 49))]))
    best = (-1.0, 0.0)
    for tau in taus:
        pred = np.where(np.abs(diff) <= tau, 0, np.sign(diff))
        acc = float((pred == label).mean())
        if acc > best[0]:
            best = (acc, float(tau))
    return best


def evaluate_scores(scores: dict[str, dict[str, float]], pairset: PairSet, dimensions) -> dict:
    """Report (module docstring) for per-video scores ``video key -> {dimension: score in [0, 1]}``."""
    pairs = [p for p in pairset.pairs if p.video_a in scores and p.video_b in scores]
    strengths = strength_matrix(pairs, dimensions)  # (P, D)
    report: dict = {"pairs": len(pairs), "dimensions": {}}
    gens_a = np.asarray([pairset.videos[p.video_a].generator for p in pairs])
    gens_b = np.asarray([pairset.videos[p.video_b].generator for p in pairs])
    for j, dim in enumerate(dimensions):
        s_a = np.asarray([scores[p.video_a][dim] for p in pairs])
        s_b = np.asarray([scores[p.video_b][dim] for p in pairs])
        known = ~np.isnan(strengths[:, j])
        diff, label = (s_b - s_a)[known], np.sign(strengths[known, j])
        decided = label != 0
        hit = np.where(np.sign(diff) == label, 1.0, np.where(diff == 0, 0.5, 0.0))
        acc_ties, tau = tie_aware_accuracy(diff, label)
        row = {"pairs": int(known.sum()), "ties": int((~decided).sum()),
               "accuracy": float(hit[decided].mean()) if decided.any() else math.nan,
               "accuracy_ties": acc_ties, "tie_tau": tau}
        truth = [(scores[k][dim], v.truth[dim]) for k, v in pairset.videos.items() if k in scores and dim in v.truth]
        if len(truth) > 2 and len({t[0] for t in truth}) > 1 and len({t[1] for t in truth}) > 1:
            row["spearman"] = float(spearmanr([t[0] for t in truth], [t[1] for t in truth]).statistic)
        p = 1 / (1 + np.exp(-(_logit(s_b) - _logit(s_a))[known][decided]))
        won = (label[decided] > 0).astype(float)
        bins, ece = [], 0.0
        edges = np.linspace(0, 1, 6)
        for lo, hi in zip(edges[:-1], edges[1:]):
            inside = (p >= lo) & ((p < hi) | (hi == 1.0))
            if inside.any():
                bins.append({"range": [float(lo), float(hi)], "mean_p": float(p[inside].mean()),
                             "b_won": float(won[inside].mean()), "count": int(inside.sum())})
                ece += inside.sum() * abs(p[inside].mean() - won[inside].mean())
        row["calibration"] = bins
        row["ece"] = float(ece / max(1, decided.sum()))
        per_gen = {}
        ga, gb = gens_a[known][decided], gens_b[known][decided]
        for g in sorted(set(ga) | set(gb)):
            involved = (ga == g) | (gb == g)
            per_gen[g] = float(hit[decided][involved].mean())
        row["per_generator"] = per_gen
        report["dimensions"][dim] = row
    dims = report["dimensions"].values()
    report["overall"] = {k: float(np.nanmean([r[k] for r in dims])) for k in ("accuracy", "accuracy_ties")}
    return report


def baseline_video_scores(prepared: dict[str, dict]) -> dict[str, dict[str, float]]:
    """The handcrafted baseline's scores for prepared videos (inputs.prepare_video keeps the raw features)."""
    return {k: baseline_scores(v["features"]) for k, v in prepared.items()}


def reward_video_scores(reward, prepared: dict[str, dict], batch_size: int = 16) -> dict[str, dict[str, float]]:
    keys = list(prepared)
    items = [prepared[k] for k in keys]
    rows = reward.combine(reward.logits(items, batch_size), items)
    return dict(zip(keys, rows))


def format_report(report: dict, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{'dimension':<12} {'acc':>6} {'acc_ties':>8} {'spearman':>8} {'ece':>6}  per generator (acc)")
    for dim, r in report["dimensions"].items():
        gens = " ".join(f"{g}={a:.2f}" for g, a in r["per_generator"].items())
        lines.append(f"{dim:<12} {r['accuracy']:>6.3f} {r['accuracy_ties']:>8.3f} {r.get('spearman', math.nan):>8.3f} "
                     f"{r['ece']:>6.3f}  {gens}")
    o = report["overall"]
    lines.append(f"{'mean':<12} {o['accuracy']:>6.3f} {o['accuracy_ties']:>8.3f}")
    return "\n".join(lines)
