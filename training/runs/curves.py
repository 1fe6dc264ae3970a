"""Score curves of a scoring run (issue #22), ORM-free: what is stored per video and which videos the
run page shows.

A curve is AnimeReward.score_curve's shape, {"positions": [0..1], "curves": {dimension: [0..1]}}; the
positions are relative to the clip, so a page maps them onto its player's timeline by the clip's own
length.
"""
from __future__ import annotations

import math

CURVE_DIGITS = 4  # a plot 200 px tall cannot show more; keeps a row of 3 x 48 points ~ 2 KB
CURVE_EXAMPLES = 4


def curve_stored(curve: dict) -> dict:
    """The curve as a RewardModelScore stores it: values rounded, non-finite points dropped to null."""
    def value(v) -> float | None:
        return round(float(v), CURVE_DIGITS) if isinstance(v, (int, float)) and math.isfinite(v) else None

    return {"positions": [round(float(p), CURVE_DIGITS) for p in curve["positions"]],
            "curves": {d: [value(v) for v in values] for d, values in curve["curves"].items()}}


def curve_dip(curve: dict | None) -> dict | None:
    """The curve's deepest dip below its own level: over every dimension, the point furthest below that
    dimension's mean, as {"dimension", "position", "score", "depth"} (depth = mean - score). A video that
    is poor all through has a shallow dip; one good clip with a bad moment a deep one. None when the curve
    holds no finite value. Ties go to the first dimension, then the earliest position."""
    best = None
    if not curve:
        return None
    positions = curve.get("positions") or []
    for d, values in (curve.get("curves") or {}).items():
        points = [(p, v) for p, v in zip(positions, values or [])
                  if isinstance(v, (int, float)) and math.isfinite(v)]
        if not points:
            continue
        mean = sum(v for _, v in points) / len(points)
        for p, v in points:
            if best is None or mean - v > best["depth"]:
                best = {"dimension": d, "position": p, "score": v, "depth": mean - v}
    return {**best, "depth": round(best["depth"], CURVE_DIGITS)} if best else None


def curve_examples(curves: dict[int, dict | None], k: int = CURVE_EXAMPLES) -> list[int]:
    """The k video ids with the deepest dips (deepest first, then by id): where the model says "this
    moment is worse than the rest of the clip", so a person can check the dip against the clip."""
    dips = [(-dip["depth"], vid) for vid, curve in curves.items() if (dip := curve_dip(curve)) is not None]
    return [vid for _, vid in sorted(dips)[:k]]
