"""Diffusion-DPO vs GAPO at CPU scale (training/gapo/repro.py), recorded in benchmarks/results/gapo_repro.md.

    .venv/bin/python benchmarks/gapo_repro.py --seeds 0 1 2 --out /tmp/gapo-repro
    .venv/bin/python benchmarks/gapo_repro.py --toy --seeds 0 1 --out /tmp/gapo-repro-toy --no-write

Runs ``training.gapo.repro.reproduce`` (the same as ``python -m training.gapo reproduce``), then appends the
machine header, the exact command, the wall time, the report table and the plot's path to the results file.
The plot is copied to ``benchmarks/results/gapo_repro_<pairs>_<select>.png``. ``--cache`` keeps the pretrained
base between runs (default ``OUT/cache``); the recorded wall time says whether the base was built or reused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import machine_block, results_append  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "gapo_repro.md"
PREAMBLE = """# GAPO reproduction: Diffusion-DPO vs GAPO on the demo world (CPU)

Protocol and design: `training/gapo/repro.py` and `training/gapo/repro_world.py`. Each section is one run of
`benchmarks/gapo_repro.py`; numbers are rewards in [0, 1] from the reward head of fresh samples on held-out
prompts (initial images never used in training). Newest last.
"""


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", default="/tmp/gapo-repro")
    parser.add_argument("--cache", help="pretrained-base cache (default OUT/cache)")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--eval-every", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--select", choices=("all", "best_worst"), help="pair selection per prompt (default all)")
    parser.add_argument("--pairs", choices=("onpolicy", "demo"), help="pair source (default onpolicy)")
    parser.add_argument("--toy", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only; do not touch benchmarks/results")
    args = parser.parse_args(argv)

    import torch

    from training.gapo.repro import config_from_args, reproduce
    from training.gapo.repro_report import PLOT_NAME, report_markdown

    header = machine_block(versions={"torch": torch.__version__}, postgres=False)
    repro = config_from_args(args.seeds, args.steps, args.toy, eval_every=args.eval_every, threads=args.threads,
                             select=args.select, pairs=args.pairs)
    started = time.perf_counter()
    results = reproduce(repro, args.out, cache_dir=args.cache)
    wall = time.perf_counter() - started
    load = os.getloadavg()
    world = results["world"]
    c = results["config"]
    plot = RESULTS.with_name(f"gapo_repro_{c['pairs']}_{c['select']}{'_toy' if args.toy else ''}.png")
    command = "python benchmarks/gapo_repro.py " + " ".join(sys.argv[1:] if argv is None else argv)
    section = "\n".join([
        f"## {'toy ' if args.toy else ''}run, seeds {list(args.seeds)}, pairs: {c['pairs']}, {c['select']}",
        "",
        header,
        f"- load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"- command: `{command}`",
        f"- wall time: {wall:.0f} s (base {'reused from cache' if world.get('cached') else 'pretrained in this run'}"
        f"{'' if world.get('cached') else ', ' + str(world['pretrain_seconds']) + ' s of it'}); torch threads "
        f"{c['threads']}",
        f"- base: {world['parameters']:,} parameters, {world['clips']} demo clips, "
        f"{c['world']['pretrain_steps']} pretraining steps; LoRA r={c['lora_rank']}, lr {c['lr']}, beta {c['beta']}, "
        f"{c['batch_size']} pairs/step, {c['steps']} steps; pairs: k={c['k']} candidates, select {c['select']}, "
        f"min gap {c['min_gap']}; eval: {c['world']['eval_prompts']} held-out prompts x {c['eval_samples']} samples, "
        f"{c['sample_steps']} DDIM steps",
        "- reward head vs demo ground truth, Pearson r on held-out clips: " + ", ".join(
            f"{d} {r:.2f}" for d, r in world["reward_pearson_held_out"].items()),
        "",
        report_markdown(results),
        f"![reward curve]({plot.name})",
    ])
    print(section)
    if not args.no_write:
        results_append(RESULTS, section, preamble=PREAMBLE)
        shutil.copyfile(Path(args.out) / PLOT_NAME, plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
