"""Numbers, markdown and the plot of the GAPO reproduction (``repro.py``); pure functions over run records.

A run record is ``{"method", "seed", "curve": [{"step", dim: mean reward, ..., "overall"}], "train": [...]}``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REPORT_NAME = "report.md"
PLOT_NAME = "reward_curve.png"
RESULTS_NAME = "results.json"


def curves(runs: list[dict], base_eval: dict, method: str, key: str = "overall") -> tuple[list[int], np.ndarray]:
    """Steps (0 first) and a ``(seeds, steps)`` array of ``key`` for one method."""
    mine = sorted((r for r in runs if r["method"] == method), key=lambda r: r["seed"])
    steps = [0] + [p["step"] for p in mine[0]["curve"]]
    values = np.array([[base_eval[key]] + [p[key] for p in r["curve"]] for r in mine])
    return steps, values


def steps_to_reach(steps: list[int], mean_curve: np.ndarray, target: float) -> int | None:
    """First evaluated step whose mean reward is >= target, or None."""
    for step, value in zip(steps, mean_curve):
        if value >= target:
            return int(step)
    return None


def summarize(runs: list[dict], base_eval: dict, methods: list[str], *, config: dict, world_info: dict,
              pairs: dict) -> dict:
    """Everything the report states, as JSON-serialisable numbers."""
    dims = [k for k in base_eval]
    per_method = {}
    for method in methods:
        steps, values = curves(runs, base_eval, method)
        mine = sorted((r for r in runs if r["method"] == method), key=lambda r: r["seed"])
        last = [r["train"][-max(1, len(r["train"]) // 10):] for r in mine]  # last 10 % of steps
        per_method[method] = {
            "steps": steps,
            "mean": values.mean(0).tolist(),
            "std": values.std(0).tolist(),
            "min": values.min(0).tolist(),
            "max": values.max(0).tolist(),
            "per_seed_final": {str(r["seed"]): r["curve"][-1]["overall"] for r in mine},
            "final_dims": {d: float(np.mean([r["curve"][-1][d] for r in mine])) for d in dims},
            "final_dims_std": {d: float(np.std([r["curve"][-1][d] for r in mine])) for d in dims},
            "auc": float(np.trapezoid(values.mean(0), steps) / max(steps[-1], 1)),
            "peak": float(values.mean(0).max()),
            "peak_step": int(steps[int(values.mean(0).argmax())]),
            "implicit_acc_end": float(np.mean([np.mean([m["implicit_acc"] for m in tail]) for tail in last])),
            "seconds": float(np.mean([r["seconds"] for r in mine])),
        }
    a, b = methods[0], methods[1]  # baseline, challenger
    steps = per_method[b]["steps"]
    final_a, final_b = per_method[a]["mean"][-1], per_method[b]["mean"][-1]
    seeds = sorted(per_method[a]["per_seed_final"])
    paired = [per_method[b]["per_seed_final"][s] - per_method[a]["per_seed_final"][s] for s in seeds]
    return {
        "config": config,
        "world": world_info,
        "pairs": {str(k): v for k, v in pairs.items()},
        "base": base_eval,
        "methods": per_method,
        "comparison": {
            "baseline": a,
            "challenger": b,
            "final_gain_of_challenger": final_b - final_a,
            "paired_final_diff": paired,
            "seeds_challenger_higher": int(sum(d > 0 for d in paired)),
            "challenger_steps_to_baseline_final": steps_to_reach(steps, np.array(per_method[b]["mean"]), final_a),
            "baseline_steps_to_challenger_final": steps_to_reach(steps, np.array(per_method[a]["mean"]), final_b),
            "equal_step_gain": [mb - ma for ma, mb in zip(per_method[a]["mean"], per_method[b]["mean"])],
        },
    }


def _fmt(mean: float, std: float) -> str:
    return f"{mean:.4f} ± {std:.4f}"


def report_markdown(results: dict) -> str:
    methods = list(results["methods"])
    a, b = methods[0], methods[1]
    ma, mb = results["methods"][a], results["methods"][b]
    cmp = results["comparison"]
    seeds = results["config"]["seeds"]
    lines = [f"Reward (overall, fresh held-out samples) vs optimizer step, mean ± sd over seeds {list(seeds)}:", "",
             f"| step | {a} | {b} | {b} − {a} |", "|---:|---:|---:|---:|"]
    for i, step in enumerate(ma["steps"]):
        lines.append(f"| {step} | {_fmt(ma['mean'][i], ma['std'][i])} | {_fmt(mb['mean'][i], mb['std'][i])} | "
                     f"{cmp['equal_step_gain'][i]:+.4f} |")
    dims = list(results["base"])
    lines += ["", f"Final reward per dimension (step {ma['steps'][-1]}, mean over seeds):", "",
              "| dimension | base | " + " | ".join(methods) + " |", "|---|---:|" + "---:|" * len(methods)]
    for d in dims:
        lines.append(f"| {d} | {results['base'][d]:.4f} | " +
                     " | ".join(_fmt(results['methods'][m]['final_dims'][d], results['methods'][m]['final_dims_std'][d])
                                for m in methods) + " |")
    reach = cmp["challenger_steps_to_baseline_final"]
    back = cmp["baseline_steps_to_challenger_final"]
    final = ma["steps"][-1]
    lines += [
        "",
        f"- final overall gain of {b} over {a}: {cmp['final_gain_of_challenger']:+.4f} "
        f"(per seed {', '.join(f'{d:+.4f}' for d in cmp['paired_final_diff'])}; "
        f"{b} higher in {cmp['seeds_challenger_higher']} of {len(cmp['paired_final_diff'])} seeds)",
        f"- steps {b} needs to reach {a}'s final mean reward ({ma['mean'][-1]:.4f} at step {final}): "
        + (f"{reach}" if reach is not None else f"not reached within {final}"),
        f"- steps {a} needs to reach {b}'s final mean reward ({mb['mean'][-1]:.4f}): "
        + (f"{back}" if back is not None else f"not reached within {final}"),
        f"- mean reward over the run (area under the curve / steps): {a} {ma['auc']:.4f}, {b} {mb['auc']:.4f}",
        f"- best mean reward on the curve: {a} {ma['peak']:.4f} at step {ma['peak_step']}, "
        f"{b} {mb['peak']:.4f} at step {mb['peak_step']}",
        f"- implicit accuracy over the last 10 % of steps: {a} {ma['implicit_acc_end']:.2f}, "
        f"{b} {mb['implicit_acc_end']:.2f}",
        f"- seconds per run (training + evaluations): {a} {ma['seconds']:.0f}, {b} {mb['seconds']:.0f}",
        "- pairs per seed: " + "; ".join(
            f"seed {s}: {p['pairs']} pairs, mean gap {p['mean_gap']:.4f}, mean pow2 weight {p['mean_pow2_weight']:.4f}"
            for s, p in results["pairs"].items()),
    ]
    return "\n".join(lines) + "\n"


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    for method, colour in zip(results["methods"], ("tab:blue", "tab:red")):
        m = results["methods"][method]
        ax.plot(m["steps"], m["mean"], color=colour, marker="o", markersize=3, label=f"{method} (mean)")
        ax.fill_between(m["steps"], m["min"], m["max"], color=colour, alpha=0.15, label=f"{method} (min-max)")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("overall reward of fresh held-out samples")
    ax.set_title(f"Diffusion-DPO vs GAPO, {len(results['config']['seeds'])} seeds")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_outputs(results: dict, out: Path) -> None:
    (out / RESULTS_NAME).write_text(json.dumps(results, indent=2))
    (out / REPORT_NAME).write_text(report_markdown(results))
    plot(results, out / PLOT_NAME)
