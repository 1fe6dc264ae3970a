"""GAPO vs Diffusion-DPO, decisive version at the video-toy scale (training/gapo/decisive_video.py says what and why).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gapo_decisive_video.py                  # CPU defaults (see below)
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gapo_decisive_video.py --smoke          # one step, tiny, seconds
    .venv/bin/python benchmarks/gapo_decisive_video.py --gpu                              # one GPU, < 10 min (est.)
    .venv/bin/python benchmarks/gapo_decisive_video.py --merge OUT A.json B.json          # pool runs' test seeds

For every label-noise level: each method's learning rate is picked from its grid by the validation reward (a
ridge head on OpenCV clip features fitted to the noisy ratings) on the validation seeds and validation prompts;
then every method trains with its own pick on the test seeds (same pairs, LoRA init, pair order, noise and
timesteps per seed for every method) and is scored by the true reward (fidelity to the clean rendering) of
fresh samples of held-out prompts from one fixed noise, with their motion magnitude. Writes ``OUT.md`` and
``OUT.json`` (all curves). The pretrained generator is cached under ``--cache`` (not committed).

CPU defaults, sized to < 15 CPU-minutes per method on one core (both noise levels together): 16 training
prompts x k=4 candidates (~96 pairs per seed), 8 DDIM steps, LoRA rank 8, 40 steps of 2 pairs, beta 500,
learning rates {1e-3, 3e-3}, 1 validation seed, 3 test seeds, 2 samples x 12 held-out prompts per evaluation,
sigma 0.3 then 0 (the report is rewritten after each level). The full protocol (the recorded results: about
70 min per noise level on one shared core; run one process per level and pool them with ``--merge``):

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gapo_decisive_video.py --sigmas 0.3 --lrs 1e-3 3e-3 1e-2 \
        --val-seeds 0 1 --test-seeds 100 101 102 103 104 105 106 107 108 109 --out var/full/s03
    (the same with --sigmas 0 --out var/full/s00), then --merge OUT var/full/s03.json var/full/s00.json

``--gpu``: k=6, 20 DDIM steps, 100 steps of 8 pairs, 3 learning rates, 1 validation seed, 10 test seeds,
4 samples x 16 held-out prompts. Bring the cached generator along (``var/gapo_decisive_video/demo-*``, 2 MB):
``demo_generator`` pretrains on the CPU, which would take minutes of the GPU budget.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training.gapo import decisive_video as v  # noqa: E402
from training.gapo.decisive import bootstrap_ci  # noqa: E402
from training.gapo.decisive_report import BASELINE, method_table, summarize, verdict  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
EXTRAS = (("motion", "motion", ".4f"),)
# One GPU, < 10 min (an estimate, not run: no GPU here): ~2 s per 100 LoRA steps of 8 pairs (launch-bound tiny
# model, cf. results/gapo_studio_gpu.md: 17.5 ms/step), OpenCV features of the validation samples on the CPU.
# train_prompts stays 16: it is part of the generator's cache key (the same base as the CPU run).
GPU = dict(val_prompts=12, test_prompts=16, k=6, eval_samples=4, sample_steps=20, steps=100, eval_every=20, batch=8,
           device="cuda")
GPU_RUN = dict(lrs=[3e-4, 1e-3, 3e-3], test_seeds=list(range(100, 110)))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sigmas", type=float, nargs="+", default=[0.3, 0.0], help="annotator noise sd (reward units)")
    p.add_argument("--lrs", type=float, nargs="+", default=[1e-3, 3e-3], help="learning-rate grid (every method)")
    p.add_argument("--val-seeds", type=int, nargs="+", default=[0])
    p.add_argument("--test-seeds", type=int, nargs="+", default=list(range(100, 103)))
    p.add_argument("--methods", nargs="+", default=list(v.METHODS), choices=list(v.VIDEO_METHODS),
                   help="default: the five plain methods; dense GAPO (issue #22): add 'GAPO pow2 dense'")
    defaults = v.VideoSettings()
    for f in dataclasses.fields(v.VideoSettings):
        if f.name != "generator":
            p.add_argument("--" + f.name.replace("_", "-"), type=type(getattr(defaults, f.name)), default=None,
                           help=f"{f.metadata['help']} (default {getattr(defaults, f.name)})")
    p.add_argument("--gpu", action="store_true", help="the one-GPU settings (module docstring); flags still override")
    p.add_argument("--smoke", action="store_true", help="tiny generator, one step, one seed: checks the plumbing")
    p.add_argument("--cache", default=str(ROOT / "var" / "gapo_decisive_video"), help="pretrained generator cache")
    p.add_argument("--out", default=str(RESULTS / "gapo_decisive_video"), help="writes OUT.md and OUT.json")
    args = p.parse_args(argv)
    if BASELINE not in args.methods:
        p.error(f"--methods must include {BASELINE!r}, the baseline every difference is taken against")
    if args.smoke and args.out == p.get_default("out"):
        args.out = str(Path(args.cache) / "smoke" / "gapo_decisive_video")  # never over the recorded results
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(v.VideoSettings)
             if f.name != "generator" and getattr(args, f.name) is not None}
    if args.smoke:
        base = v.tiny_settings()
        args.sigmas, args.lrs, args.val_seeds, args.test_seeds = [0.1], [1e-3], [0], [100, 101]
        args.settings = dataclasses.replace(base, steps=1, eval_every=1, **given)
    else:
        if args.gpu:
            for name, value in GPU_RUN.items():
                if getattr(args, name) == p.get_default(name):
                    setattr(args, name, value)
        args.settings = v.VideoSettings(**{**(GPU if args.gpu else {}), **given})
    return args


def write_report(args, world_info: dict, levels, summaries, seconds, out: Path, command: str) -> None:
    s = args.settings
    g = s.generator
    lines = [
        "# GAPO vs Diffusion-DPO: decisive comparison, video-toy scale (synthetic: demo renderer)",
        "",
        f"Command: `{command}` ({seconds / 60:.1f} min on {world_info['device']}, {time.strftime('%Y-%m-%d')}).",
        "Setup: `training/gapo/decisive_video.py` (docstring). Base: the demo generator (CogVideoX-I2V transformer,",
        f"{world_info['parameters']:,} parameters, pixel-space residual codec, {g.size} px, {g.frames} frames), "
        f"pretrained {g.steps} steps on",
        f"{world_info['clips']} demo clips of the 5 simulated generators for {s.train_prompts} training prompts. "
        f"Per seed: {s.k} base samples",
        f"per training prompt ({s.sample_steps} DDIM steps), each video rated 0-100 by {s.raters} simulated "
        "annotators with Gaussian noise sd sigma on",
        "the [0, 1] true reward (strength-dependent errors: the smaller the true gap, the likelier the order is "
        "wrong); every two",
        "candidates of a prompt with unequal ratings form a pair. LoRA (rank "
        f"{s.lora_rank}, alpha {s.lora_rank}, attention projections) fine-tuning with `GapoTrainer`,",
        f"reference = adapters off, beta {s.beta:g}, batch {s.batch} pairs, {s.steps} steps, AdamW, grad clip 1.",
        f"LR grid {args.lrs}, picked per method and noise level by the validation reward (ridge head on OpenCV clip",
        f"features fitted to the noisy ratings) of {s.eval_samples} samples x {s.val_prompts} validation prompts, "
        f"validation seeds {args.val_seeds};",
        f"reported: test seeds {args.test_seeds} ({len(args.test_seeds)}), true reward (fidelity to the clean "
        f"rendering, sigmoid((mu_p - L1) / s), 0.5 = the base) of {s.eval_samples} fresh",
        f"samples x {s.test_prompts} held-out prompts from one fixed noise (independent of the labels and of the "
        "tuning reward).",
        "Differences are paired by seed; 95% intervals: percentile bootstrap over seeds. 'Steps to DPO final': first",
        "evaluated step at which the method's seed-mean reaches Diffusion-DPO's final seed-mean. Motion: mean absolute",
        f"difference of consecutive frames (0-1 units; clean renderings {levels[0]['clean_motion']:.4f}); "
        "a drop toward 0 would be 'learned to stand still'.",
        "",
    ]
    for level, summary in zip(levels, summaries):
        small = np.mean([k[0] for k in level["wrong_small_large_half"]])
        large = np.mean([k[1] for k in level["wrong_small_large_half"]])
        rows = summary["rows"]
        minutes = ", ".join(f"{m} {sec / 60:.1f}" for m, sec in level["seconds"].items())
        lines += [
            f"## sigma = {level['sigma']}: {100 * np.mean(level['label_error']):.1f}% of pairs ordered wrong "
            f"({100 * small:.1f}% in the smaller-gap half, {100 * large:.1f}% in the larger)",
            "",
            f"Base model's true reward {rows[BASELINE]['start']:.4f}, motion {level['base']['motion']:.4f}; "
            f"{len(level['pairs'])} test seeds, {np.mean(level['pairs']):.0f} pairs per seed. Minutes per method "
            f"(training + evaluation): {minutes}.",
            "",
            *method_table(rows, seeds=len(level["curves"][BASELINE]), steps=s.steps, extras=EXTRAS),
            "",
            "Verdict: " + verdict(level["sigma"], rows),
            "",
            *dense_lines(level, s.dense_beta),
        ]
    out.with_suffix(".md").write_text("\n".join(lines))
    record = {"args": {k: val for k, val in vars(args).items() if k != "settings"}, "settings": s.to_dict(),
              "world": world_info, "levels": levels, "summaries": summaries, "command": command,
              "wall_seconds": seconds}
    out.with_suffix(".json").write_text(json.dumps(record, indent=1, default=str))


def dense_lines(level: dict, dense_beta: float) -> list[str]:
    """Dense minus plain, paired by seed (issue #22), and what the simulated spans looked like; nothing when the
    run has no dense method."""
    dense = [m for m in level["curves"] if m in v.DENSE_METHODS and v.DENSE_METHODS[m] in level["curves"]]
    if not dense:
        return []
    lines = [f"Dense (segment-weighted, dense_beta {dense_beta:g}) minus plain, paired by seed:", ""]
    for m in dense:
        final = lambda name: np.array([c[-1]["true"] for c in level["curves"][name]])  # noqa: E731
        diff = final(m) - final(v.DENSE_METHODS[m])
        low, high = bootstrap_ci(diff)
        lines.append(f"- {m} minus {v.DENSE_METHODS[m]}: {diff.mean():+.4f} [95% CI {low:+.4f}, {high:+.4f}], "
                     f"better on {int((diff > 0).sum())}/{len(diff)} seeds")
    stats = {k: np.mean([m[k] for m in level.get("marks", [])]) for k in (level.get("marks") or [{}])[0]}
    if stats:
        lines += ["", f"Simulated spans (frames 1..T-1, mean over test seeds): {100 * stats['worse']:.1f}% of frames "
                  f"clearly worse, {100 * stats['marked']:.1f}% marked by at least one annotator; recall "
                  f"{stats['recall']:.2f}, precision {stats['precision']:.2f}; mean mark on winners' frames "
                  f"{stats['mark_winner']:.3f}, on losers' {stats['mark_loser']:.3f}."]
    return lines + [""]


def merge_runs(paths: list[str], out: Path) -> None:
    """One report from runs that differ only in their test seeds or noise levels (the same settings, LR grid and
    validation seeds, so the same LR picks, which is checked): per noise level the seeds' curves are pooled."""
    records = [json.loads(Path(p).read_text()) for p in paths]
    first = records[0]
    for r in records[1:]:
        for key in ("settings",):
            if r[key] != first[key]:
                raise SystemExit(f"cannot merge: {key} differ between {paths[0]} and the other runs")
        if [r["args"][k] for k in ("lrs", "val_seeds", "methods")] != [first["args"][k] for k in
                                                                       ("lrs", "val_seeds", "methods")]:
            raise SystemExit("cannot merge: the LR grid, validation seeds or methods differ")
    levels, summaries = [], []
    # runs may split the noise levels between them (one process per level): every level any run has, in order
    sigmas = list(dict.fromkeys(lv["sigma"] for r in records for lv in r["levels"]))
    firsts = [next(lv for r in records for lv in r["levels"] if lv["sigma"] == s) for s in sigmas]
    for level in firsts:
        # a run stopped early lacks its last levels: those pool fewer seeds (each level says how many)
        same = [lv for r in records for lv in r["levels"] if lv["sigma"] == level["sigma"]]
        if any(lv["lr"] != level["lr"] for lv in same):
            raise SystemExit(f"cannot merge sigma {level['sigma']}: the runs picked different learning rates")
        merged = {**level, "curves": {m: sum((lv["curves"][m] for lv in same), []) for m in level["curves"]},
                  "seconds": {m: sum(lv["seconds"][m] for lv in same) for m in level["seconds"]}}
        for key in ("label_error", "wrong_small_large_half", "pairs", "marks"):
            merged[key] = sum((lv.get(key, []) for lv in same), [])
        levels.append(merged)
        summaries.append(summarize(merged, extras=tuple(k for k, _, _ in EXTRAS)))
    # the seeds pooled at a level: those of the runs that have it (a run per level pools nothing across levels)
    seeds = max((sum((r["args"]["test_seeds"] for r in records if any(lv["sigma"] == s for lv in r["levels"])), [])
                 for s in sigmas), key=len)
    args = argparse.Namespace(**{**first["args"], "test_seeds": seeds, "sigmas": sigmas,
                                 "settings": v.VideoSettings(**first["settings"])})
    seconds = sum(r.get("wall_seconds", 0.0) for r in records)
    command = " and ".join(f"{r.get('command', '(command in its report)')}" for r in records)
    command += f"`, pooled by `.venv/bin/python benchmarks/gapo_decisive_video.py --merge {out} {' '.join(paths)}"
    write_report(args, first["world"], levels, summaries, seconds, out, command)


def main(argv=None) -> None:
    if argv is None and sys.argv[1:2] == ["--merge"]:  # --merge OUT RUN.json RUN.json ...
        return merge_runs(sys.argv[3:], Path(sys.argv[2]))
    args = parse_args(argv)
    if args.settings.device == "cpu":
        torch.set_num_threads(1)
    command = " ".join(["OMP_NUM_THREADS=1" if args.settings.device == "cpu" else "",
                        ".venv/bin/python benchmarks/gapo_decisive_video.py", *(sys.argv[1:] if argv is None
                                                                                   else argv)]).strip()
    start = time.time()
    log = lambda text: print(f"[{time.time() - start:6.0f}s] {text}", flush=True)  # noqa: E731
    cache = Path(args.cache) / "smoke" if args.smoke else Path(args.cache)
    world = v.build_world(args.settings, cache, log=log)
    info = json.loads((world.folder / "info.json").read_text())
    world_info = {"folder": str(world.folder), "clips": info["clips"], "parameters": info["parameters"],
                  "pretrain_seconds": info["seconds"],
                  "device": torch.cuda.get_device_name() if args.settings.device == "cuda" else "1 CPU thread"}
    log(f"world ready: {world.folder}")
    levels, summaries, candidates = [], [], {}
    for sigma in args.sigmas:
        levels.append(v.run_level(world, sigma, lrs=args.lrs, val_seeds=args.val_seeds, test_seeds=args.test_seeds,
                                  methods=args.methods, log=log, cache=candidates))
        summaries.append(summarize(levels[-1], extras=tuple(k for k, _, _ in EXTRAS)))
        log(verdict(sigma, summaries[-1]["rows"]))
        # after every level, so a run stopped early still leaves the levels it finished
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_report(args, world_info, levels, summaries, time.time() - start, out, command)
        log(f"wrote {out.with_suffix('.md')} ({len(levels)} of {len(args.sigmas)} noise levels)")


if __name__ == "__main__":
    main()
