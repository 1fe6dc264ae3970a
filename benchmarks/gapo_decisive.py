"""GAPO vs Diffusion-DPO, decisive version at the 2-D scale (training/gapo/decisive.py says what and why).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gapo_decisive.py
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gapo_decisive.py --quick      # 1-2 min smoke run

For every label-noise level: each method's learning rate is picked from its grid by the validation reward (a
ridge reward model fitted to the noisy ratings) on the validation seeds; then every method trains with its
own pick on the test seeds (same pairs, data order, noise and timesteps per seed for every method) and is
scored by the true reward of 2,000 fresh samples from one fixed noise. Writes
``benchmarks/results/gapo_decisive.md`` and ``.json`` (all curves).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training.gapo import decisive as d  # noqa: E402
from training.gapo.decisive_report import BASELINE, method_table, pick_lrs, summarize, verdict  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
EXTRAS = (("off_ring", "off-ring", ".3f"), ("mode_entropy", "mode entropy", ".2f"))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sigmas", type=float, nargs="+", default=[0.0, 0.2, 0.4], help="annotator noise sd (reward units)")
    p.add_argument("--lrs", type=float, nargs="+", default=[3e-4, 1e-3, 3e-3], help="learning-rate grid (every method)")
    p.add_argument("--val-seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--test-seeds", type=int, nargs="+", default=list(range(100, 110)))
    p.add_argument("--pairs", type=int, default=1024, help="labelled pairs per seed")
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--batch", type=int, default=64, help="pairs per step")
    p.add_argument("--beta", type=float, default=10.0)
    p.add_argument("--eval-samples", type=int, default=2000)
    p.add_argument("--pretrain-steps", type=int, default=3000)
    p.add_argument("--out", default=str(RESULTS / "gapo_decisive"), help="writes OUT.md and OUT.json")
    p.add_argument("--quick", action="store_true", help="smoke run: 1 noise level, 2+2 seeds, 60 steps")
    args = p.parse_args(argv)
    if args.quick:
        args.sigmas, args.lrs, args.val_seeds, args.test_seeds = [0.4], [1e-3, 3e-3], [0], [100, 101]
        args.pairs, args.steps, args.eval_every, args.pretrain_steps, args.eval_samples = 256, 60, 20, 600, 500
    return args


def run_level(base, sigma, args, log) -> dict:
    val_noise = torch.randn(args.eval_samples, 2, generator=torch.Generator().manual_seed(7))
    test_noise = torch.randn(args.eval_samples, 2, generator=torch.Generator().manual_seed(11))
    train = dict(steps=args.steps, beta=args.beta, batch=args.batch, eval_every=args.eval_every)
    # validation: per method and lr, mean final validation reward over the validation seeds
    grid = {m: {} for m in d.METHODS}
    for seed in args.val_seeds:
        pairs, (x, s) = d.make_pairs(base, args.pairs, sigma, seed)
        reward_model = d.RidgeReward(x, s, seed=seed)
        evaluate = lambda model: d.sample_metrics(model, val_noise, {"validation": reward_model})  # noqa: E731
        for method in d.METHODS:
            for lr in args.lrs:
                curve = d.train_method(base, pairs, method, lr=lr, seed=seed, evaluate=evaluate, **train)
                grid[method].setdefault(lr, []).append(curve[-1]["validation"])
    picks = pick_lrs(grid)
    log(f"sigma {sigma}: lr picks {picks}")
    # test: true reward, test seeds
    curves = {m: [] for m in d.METHODS}
    label_error, kept = [], []
    for seed in args.test_seeds:
        pairs, (x, s) = d.make_pairs(base, args.pairs, sigma, seed)
        label_error.append(float(pairs.wrong.float().mean()))
        gap = pairs.s_w - pairs.s_l
        small = gap < torch.quantile(gap, 0.5)
        kept.append((float(pairs.wrong[small].float().mean()), float(pairs.wrong[~small].float().mean())))
        evaluate = lambda model: d.sample_metrics(model, test_noise, {"true": d.true_reward})  # noqa: E731
        for method in d.METHODS:
            curves[method].append(d.train_method(base, pairs, method, lr=picks[method], seed=seed, evaluate=evaluate,
                                                 **train))
    return {"sigma": sigma, "lr_grid": {m: {str(lr): v for lr, v in g.items()} for m, g in grid.items()},
            "lr": picks, "curves": curves, "label_error": label_error, "wrong_small_large_half": kept}


def write_report(args, levels, summaries, seconds, out: Path, command: str) -> None:
    lines = [
        "# GAPO vs Diffusion-DPO: decisive comparison, 2-D scale",
        "",
        f"Command: `{command}` ({seconds / 60:.1f} min on this machine, {time.strftime('%Y-%m-%d')}).",
        "Setup: `training/gapo/decisive.py` (docstring). Base: MLP denoiser, v-prediction on CogVideoX's schedule,",
        f"pretrained {args.pretrain_steps} steps on an 8-mode ring; {args.pairs} pairs of base samples per seed,",
        "each point rated 0-100 by 3 simulated annotators with Gaussian noise sd sigma on the [0, 1] reward",
        "(strength-dependent errors: the smaller the true gap, the likelier the order is wrong). Full fine-tune from",
        f"the base, frozen base as reference, beta {args.beta}, batch {args.batch} pairs, {args.steps} steps, AdamW.",
        f"LR grid {args.lrs}, picked per method and noise level by a ridge reward model fitted to the noisy ratings,",
        f"on validation seeds {args.val_seeds};",
        f"reported: test seeds {args.test_seeds[0]}..{args.test_seeds[-1]} ({len(args.test_seeds)}), true reward of "
        f"{args.eval_samples} fresh samples from one fixed noise",
        "(independent of the labels and of the tuning reward). Differences are paired by seed (same pairs, order,",
        "noise, timesteps); 95% intervals: percentile bootstrap over seeds. 'Steps to DPO final': first evaluated",
        "step at which the method's seed-mean reaches Diffusion-DPO's final seed-mean. Off-ring: fraction of samples",
        "more than 0.6 from the ring (artifacts); mode entropy: bits over the 8 modes (3 = the base's even mix).",
        "beta 10 came from a pilot on validation seed 0 (beta 100 and 1000 barely moved any method in 400 steps).",
        "",
    ]
    for level, summary in zip(levels, summaries):
        err = np.mean(level["label_error"])
        small = np.mean([k[0] for k in level["wrong_small_large_half"]])
        large = np.mean([k[1] for k in level["wrong_small_large_half"]])
        rows = summary["rows"]
        start = rows[BASELINE]["start"]
        lines += [
            f"## sigma = {level['sigma']}: {100 * err:.1f}% of pairs ordered wrong "
            f"({100 * small:.1f}% in the smaller-gap half, {100 * large:.1f}% in the larger)",
            "",
            f"Base model's true reward: {start:.4f}.",
            "",
            *method_table(rows, seeds=len(args.test_seeds), steps=args.steps, extras=EXTRAS),
        ]
        lines += ["", "Verdict: " + verdict(level["sigma"], rows), ""]
    out.with_suffix(".md").write_text("\n".join(lines))
    out.with_suffix(".json").write_text(json.dumps({"args": vars(args), "levels": levels,
                                                    "summaries": summaries}, indent=1, default=str))


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(1)
    command = "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gapo_decisive.py " + " ".join(sys.argv[1:] if argv is None
                                                                                          else argv)
    start = time.time()
    log = lambda text: print(f"[{time.time() - start:6.0f}s] {text}", flush=True)  # noqa: E731
    base = d.pretrain_base(steps=args.pretrain_steps)
    log("base pretrained")
    levels, summaries = [], []
    for sigma in args.sigmas:
        levels.append(run_level(base, sigma, args, log))
        summaries.append(summarize(levels[-1], extras=tuple(k for k, _, _ in EXTRAS)))
        log(verdict(sigma, summaries[-1]["rows"]))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_report(args, levels, summaries, time.time() - start, out, command.strip())
    log(f"wrote {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
