"""Active pair selection: how many judgments until Bradley-Terry recovers the true ranking?

    .venv/bin/python benchmarks/bench_selection.py --prompts 40 --seeds 5 --refit-every 20

Pure simulation (no database, no server; Django is only set up to import the platform's own
scoring code). Per seed:
  * world: --prompts demo prompts x the 5 simulated generators, ground truth per video from
    `annotation.demo` (per-video severities, so two videos of one generator differ a little),
    every pair of videos within a prompt (10 per prompt);
  * annotators: a pool of --annotators `SimulatedAnnotator`s, noise drawn uniformly from
    [--noise-min, --noise-max]; a judgment comes from a random annotator who has not judged
    that pair yet (as leasing guarantees);
  * policies: `random`, `breadth_first`, `uncertainty`. Every --refit-every judgments the
    platform's fit (`services.quality.campaign_fits`: Bradley-Terry with Davidson ties,
    strength-weighted) is recomputed, the accuracy is recorded and the next batch is chosen
    (uncertainty: `services.quality.uncertainty_priorities`, the function the refresh task uses);
  * two labelling modes:
      - `single`: each judgment goes to the policy's next pair (at most --cap votes per pair),
      - `platform`: each chosen pair is judged --overlap times before the next pair starts,
        which is what leasing does (ORDER BY taken DESC, priority DESC): the policy only picks
        which pair to start.
Accuracy: Kendall's tau between the fitted per-video scores and the ground truth, within each
prompt (scores only compare videos of one prompt), over video pairs whose true scores differ by
more than --margin, averaged over prompts and the six dimensions; an unjudged pair counts as
tied (tau contribution 0). Reported: judgments needed to first reach each --targets value,
median over seeds, and the random/uncertainty ratio (> 1 means uncertainty needs fewer).

Results are appended to benchmarks/results/quality.md (--no-write to only print).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path

# Small L-BFGS problems run ~5x slower when BLAS spreads them over threads on a busy 2-core box.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.machine import machine_block as shared_machine_block, results_append  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "quality.md"
POLICIES = ("random", "breadth_first", "uncertainty")


def machine_block() -> str:
    command = f"- command: `{' '.join([Path(sys.executable).name] + sys.argv)}`"
    return shared_machine_block(postgres=False, free=False) + "\n" + command


def write_results(text: str) -> None:
    results_append(RESULTS, text, preamble="# Label-quality benchmarks\n\nAppended by `benchmarks/bench_selection.py` "
                   "and `benchmarks/bench_quality_endpoints.py`; see their docstrings.")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


@dataclass
class World:
    truth: list[dict]  # video index -> ground truth per dimension
    prompt_videos: list[list[int]]
    pairs: list[tuple[int, int, int]]  # (pair id, video a, video b)


def build_world(n_prompts: int, seed: int) -> World:
    from annotation.demo import GENERATORS, demo_prompts, ground_truth, video_severities

    truth, prompt_videos = [], []
    for prompt in demo_prompts(n_prompts, seed=seed):
        ids = []
        for generator in GENERATORS:
            ids.append(len(truth))
            truth.append(ground_truth(video_severities(prompt, generator, seed)))
        prompt_videos.append(ids)
    pairs = [(i, a, b) for i, (a, b) in enumerate(ab for ids in prompt_videos for ab in combinations(ids, 2))]
    return World(truth, prompt_videos, pairs)


def ranking_tau(world: World, fits: dict, margin: float) -> float:
    """Mean within-prompt Kendall tau over separated video pairs (module doc)."""
    taus = []
    for key, fit in fits.items():
        scores = fit.result.scores
        for ids in world.prompt_videos:
            total = concordant = 0
            for a, b in combinations(ids, 2):
                true_d = world.truth[a][key] - world.truth[b][key]
                if abs(true_d) <= margin:
                    continue
                fit_d = scores.get(a, 0.0) - scores.get(b, 0.0)
                total += 1
                concordant += 0 if abs(fit_d) < 1e-9 else (1 if (fit_d > 0) == (true_d > 0) else -1)
            if total:
                taus.append(concordant / total)
    return float(np.mean(taus))


def run(world: World, policy: str, mode: str, args, seed: int) -> list[tuple[int, float]]:
    """One labelling run; returns the (judgments so far, tau) curve at every refit."""
    from annotation.demo import DIMENSIONS, SimulatedAnnotator
    from annotation.quality import Vote
    from annotation.services.quality import campaign_fits, uncertainty_priorities

    rng = np.random.default_rng([seed, POLICIES.index(policy), 7])
    noises = rng.uniform(args.noise_min, args.noise_max, args.annotators)
    annotators = [SimulatedAnnotator(noise=float(n), seed=seed * 1000 + i) for i, n in enumerate(noises)]
    pair_videos = {pid: (a, b) for pid, a, b in world.pairs}
    cap = args.overlap if mode == "platform" else args.cap
    votes = {key: [] for key in DIMENSIONS}
    judged_by: dict[int, set] = {pid: set() for pid, _, _ in world.pairs}
    budget = len(world.pairs) * cap
    goal = max(args.targets)
    fits = campaign_fits(campaign=None, votes=votes, pair_videos=pair_videos)
    curve, done = [(0, ranking_tau(world, fits, args.margin))], 0
    while done < budget:
        open_pairs = [p for p in world.pairs if len(judged_by[p[0]]) < cap]
        in_progress = [p[0] for p in open_pairs if judged_by[p[0]]] if mode == "platform" else []
        fresh = [p for p in open_pairs if not judged_by[p[0]]] if mode == "platform" else open_pairs
        if policy == "uncertainty":
            priority = uncertainty_priorities(fresh, fits)
        elif policy == "breadth_first":
            priority = {p[0]: -len(judged_by[p[0]]) for p in fresh}
        else:
            priority = dict.fromkeys((p[0] for p in fresh), 0.0)
        shuffle = dict(zip((p[0] for p in fresh), rng.permutation(len(fresh))))
        if policy == "random":
            ranked = sorted(priority, key=shuffle.get)
        else:  # ties (e.g. before any fit) go to the pair with fewer votes, as rank_pairs does
            ranked = sorted(priority, key=lambda pid: (-priority[pid], len(judged_by[pid]), shuffle[pid]))
        if mode == "platform":  # finish started pairs first, then start pairs in policy order
            queue = [pid for pid in in_progress + ranked for _ in range(cap - len(judged_by[pid]))]
        else:  # one judgment each for the policy's top pairs
            queue = ranked
        for pid in queue[: args.refit_every]:
            a, b = pair_videos[pid]
            free = [i for i in range(len(annotators)) if i not in judged_by[pid]]
            who = int(rng.choice(free))
            judged_by[pid].add(who)
            for key, strength in annotators[who].judge(world.truth[a], world.truth[b], DIMENSIONS).items():
                votes[key].append(Vote(pid, who, key, strength))
            done += 1
        fits = campaign_fits(campaign=None, votes=votes, pair_videos=pair_videos)
        curve.append((done, ranking_tau(world, fits, args.margin)))
        if curve[-1][1] >= goal and not args.full_curve:
            break  # every target reached: the rest of the budget cannot change the answer
    return curve


def first_reaching(curve, target: float) -> int | None:
    return next((n for n, tau in curve if tau >= target), None)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--prompts", type=int, default=40)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--annotators", type=int, default=12)
    p.add_argument("--noise-min", type=float, default=0.05)
    p.add_argument("--noise-max", type=float, default=0.3)
    p.add_argument("--refit-every", type=int, default=20, help="judgments between Bradley-Terry refits")
    p.add_argument("--cap", type=int, default=5, help="max votes per pair in 'single' mode")
    p.add_argument("--overlap", type=int, default=3, help="votes per pair in 'platform' mode")
    p.add_argument("--margin", type=float, default=0.05, help="ignore video pairs whose truth differs by less")
    p.add_argument("--targets", type=float, nargs="+", default=[0.7, 0.8, 0.9])
    p.add_argument("--modes", nargs="+", default=["single", "platform"], choices=["single", "platform"])
    p.add_argument("--policies", nargs="+", default=list(POLICIES), choices=POLICIES)
    p.add_argument("--full-curve", action="store_true", help="keep labelling after the last target is reached")
    p.add_argument("--no-write", action="store_true")
    return p.parse_args(argv)


def _median(values: list) -> float:
    """Median with "never reached" (None) ranked above every number, so it can only push the median up."""
    return statistics.median_high([float("inf") if v is None else v for v in values])


def _fmt(values: list) -> str:
    median = _median(values)
    never = sum(v is None for v in values)
    text = "never" if median == float("inf") else f"{median:.0f}"
    return f"{text} ({never} never)" if never else text


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    started = time.perf_counter()
    header = machine_block()
    results: dict[tuple[str, str], list[list]] = {}
    for seed in range(args.seeds):
        world = build_world(args.prompts, seed)
        for mode in args.modes:
            for policy in args.policies:
                t0 = time.perf_counter()
                curve = run(world, policy, mode, args, seed)
                needed = [first_reaching(curve, t) for t in args.targets]
                results.setdefault((mode, policy), []).append(needed)
                print(f"seed {seed} {mode:8s} {policy:13s} needed {needed} last tau {curve[-1][1]:.3f} "
                      f"({time.perf_counter() - t0:.1f} s)", flush=True)
    lines = [f"## Active selection: judgments to reach a ranking accuracy ({args.prompts} prompts x 5 generators, "
             f"{len(build_world(args.prompts, 0).pairs)} pairs, {args.seeds} seeds)", "", header,
             f"- annotators: {args.annotators}, noise U({args.noise_min}, {args.noise_max}); refit every "
             f"{args.refit_every} judgments; margin {args.margin}; wall time {time.perf_counter() - started:.0f} s", "",
             "Median (upper median for an even count) judgments until the within-prompt Kendall tau (module doc) "
             "first reaches the target; `n never` = seeds that did not reach it within the budget (single: "
             f"{args.cap} votes per pair, platform: {args.overlap}), counted as infinitely many.", ""]
    targets = " | ".join(f"tau >= {t}" for t in args.targets)
    lines += [f"| mode | policy | {targets} |", "|---|---|" + "---|" * len(args.targets)]
    for (mode, policy), rows in results.items():
        cells = " | ".join(_fmt([r[i] for r in rows]) for i in range(len(args.targets)))
        lines.append(f"| {mode} | {policy} | {cells} |")
    lines += ["", "Ratio random / uncertainty of the medians (> 1: uncertainty needs fewer judgments):", ""]
    for mode in args.modes:
        if (mode, "random") in results and (mode, "uncertainty") in results:
            ratios = []
            for i, target in enumerate(args.targets):
                r = _median([row[i] for row in results[(mode, "random")]])
                u = _median([row[i] for row in results[(mode, "uncertainty")]])
                finite = r != float("inf") and u != float("inf")
                ratios.append(f"tau >= {target}: {r / u:.2f}" if finite else f"tau >= {target}: n/a (never reached)")
            lines.append(f"- {mode}: " + "; ".join(ratios))
    text = "\n".join(lines)
    print("\n" + text)
    if not args.no_write:
        write_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
