"""Statistics and tables shared by the decisive GAPO vs Diffusion-DPO benchmarks (2-D and video toy).

A *level* (one label-noise setting) holds ``curves[method]``: one list per test seed of evaluation records
``{"step", <reward>, <extras>...}``, the seeds in the same order for every method (differences are paired by
seed). ``summarize`` turns it into one row per method; ``method_table`` and ``verdict`` render them.
"""

from __future__ import annotations

import numpy as np

from .decisive import METHODS, bootstrap_ci

BASELINE = "Diffusion-DPO"
assert BASELINE in METHODS


def summarize(level: dict, reward: str = "true", extras: tuple[str, ...] = ()) -> dict:
    """Per method: LR, final ``reward`` (mean, sd over seeds), difference to Diffusion-DPO with its bootstrap 95%
    interval and wins (paired by seed), the first evaluated step at which the seed-mean curve reaches
    Diffusion-DPO's final seed-mean, the base's reward and the final mean of each ``extras`` metric."""
    curves = level["curves"]
    steps = [r["step"] for r in curves[BASELINE][0]]
    values = {m: np.array([[r[reward] for r in c] for c in cs]) for m, cs in curves.items()}  # (seeds, evals)
    base_final = values[BASELINE][:, -1]
    rows = {}
    for m, v in values.items():
        final = v[:, -1]
        diff = final - base_final
        reach = next((s for s, x in zip(steps, v.mean(0)) if s > 0 and x >= base_final.mean()), None)
        rows[m] = {
            "lr": level["lr"][m], "final": float(final.mean()),
            "final_sd": float(final.std(ddof=1)) if len(final) > 1 else 0.0,
            "diff": float(diff.mean()), "ci": bootstrap_ci(diff) if m != BASELINE else (0.0, 0.0),
            "wins": int((diff > 0).sum()), "reach": reach, "start": float(v[:, 0].mean()),
            **{e: float(np.mean([c[-1][e] for c in curves[m]])) for e in extras},
        }
    return {"steps": steps, "rows": rows}


def verdict(sigma: float, rows: dict) -> str:
    better = [m for m, r in rows.items() if m != BASELINE and r["ci"][0] > 0]
    worse = [m for m, r in rows.items() if m != BASELINE and r["ci"][1] < 0]
    parts = []
    if better:
        parts.append("better than Diffusion-DPO (95% CI above 0): " + ", ".join(better))
    if worse:
        parts.append("worse (CI below 0): " + ", ".join(worse))
    if not parts:
        parts.append("no method differs from Diffusion-DPO (every 95% CI spans 0)")
    return f"sigma {sigma}: " + "; ".join(parts)


def method_table(rows: dict, *, seeds: int, steps: int, reward_label: str = "final true reward",
                 extras: tuple[tuple[str, str, str], ...] = ()) -> list[str]:
    """Markdown table lines; ``extras``: ``(key, header, format)`` columns after the standard ones."""
    head = (f"| method | lr | {reward_label} (mean ± sd) | minus DPO [95% CI] | better than DPO | steps to DPO final "
            + "".join(f"| {h} " for _, h, _ in extras) + "|")
    lines = [head, "|---|---:|---|---|---:|---:|" + "---:|" * len(extras)]
    for m, r in rows.items():
        ci = "—" if m == BASELINE else f"{r['diff']:+.4f} [{r['ci'][0]:+.4f}, {r['ci'][1]:+.4f}]"
        wins = "—" if m == BASELINE else f"{r['wins']}/{seeds}"
        reach = r["reach"] if r["reach"] is not None else f"not in {steps}"
        cells = "".join(f"| {format(r[k], fmt)} " for k, _, fmt in extras)
        lines.append(f"| {m} | {r['lr']:g} | {r['final']:.4f} ± {r['final_sd']:.4f} | {ci} | {wins} | {reach} "
                     f"{cells}|")
    return lines


def pick_lrs(grid: dict) -> dict:
    """``grid[method][lr]`` -> list of validation rewards (one per validation seed): the best mean's lr."""
    return {m: max(by_lr, key=lambda lr: np.mean(by_lr[lr])) for m, by_lr in grid.items()}
