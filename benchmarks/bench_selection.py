"""Active pair selection: how many judgments until Bradley-Terry recovers the true ranking?

    .venv/bin/python benchmarks/bench_selection.py --prompts 40 --seeds 5            # db mode
    .venv/bin/python benchmarks/bench_selection.py --modes single platform --prompts 40 --seeds 5

World, per seed: --prompts demo prompts x the 5 simulated generators, ground truth per video
from `demo` (per-video severities, so two videos of one generator differ a little),
every pair of videos within a prompt (10 per prompt); a pool of --annotators
`SimulatedAnnotator`s, noise drawn uniformly from [--noise-min, --noise-max].

Modes:
  * `db` (default; benchmarks/selection_platform.py): the platform itself. A campaign per setup
    in a scratch PostgreSQL database (--db-name, recreated): pairs are claimed by
    `assignment_lease_next` (in-progress pairs first, then `Pair.priority`, then `random_key`),
    answered by a random annotator and stored by `judgment_submit`; every --refit-every
    judgments the refresh service `campaign_quality_refresh` runs (Bradley-Terry fits, VideoScore
    rows, adaptive overlaps, priorities) and the accuracy is read from the stored VideoScore
    rows. Setups: each --policies entry with fixed overlap (--overlap votes per pair) and with
    adaptive overlap (--min-votes votes, up to --overlap where the votes contradict each other),
    see --adaptive; with --model-noise, uncertainty also with a promoted reward model whose
    per-video scores are the truth plus noise. The invariant checker must be clean after each run.
  * `single` / `platform`: the earlier pure simulation (no database): Django only imports the
    scoring code. `single`: each judgment goes to the policy's next pair (at most --cap votes per
    pair); `platform`: each started pair is judged --overlap times before the next one starts.
Accuracy: Kendall's tau between the fitted per-video scores and the ground truth, within each
prompt (scores only compare videos of one prompt), over video pairs whose true scores differ by
more than --margin, averaged over prompts and the six dimensions; an unjudged pair counts as
tied (tau contribution 0). Reported: judgments needed to first reach each --targets value,
median over seeds, and the ratio random (fixed overlap) / setup (> 1 means the setup needs fewer).

Results are appended to benchmarks/results/quality.md (--no-write to only print).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

# Small L-BFGS problems run ~5x slower when BLAS spreads them over threads on a busy 2-core box.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.quality_results import machine_block, recreate_database, write_results  # noqa: E402

POLICIES = ("random", "breadth_first", "uncertainty")
MODES = ("db", "single", "platform")


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
    from demo import GENERATORS, demo_prompts, ground_truth, video_severities

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
    scores = {key: fit.result.scores for key, fit in fits.items()}
    return scores_tau(dict(enumerate(world.truth)), world.prompt_videos, scores, margin)


def scores_tau(truth: dict, prompt_videos: list[list], scores: dict[str, dict], margin: float) -> float:
    """Kendall tau of `scores` (dimension key -> item -> latent score; a missing item sits at 0)
    against `truth` (item -> dimension key -> true score), within each prompt, averaged."""
    taus = []
    for key, key_scores in scores.items():
        for ids in prompt_videos:
            total = concordant = 0
            for a, b in combinations(ids, 2):
                true_d = truth[a][key] - truth[b][key]
                if abs(true_d) <= margin:
                    continue
                fit_d = key_scores.get(a, 0.0) - key_scores.get(b, 0.0)
                total += 1
                concordant += 0 if abs(fit_d) < 1e-9 else (1 if (fit_d > 0) == (true_d > 0) else -1)
            if total:
                taus.append(concordant / total)
    return float(np.mean(taus)) if taus else 0.0


def run(world: World, policy: str, mode: str, args, seed: int) -> list[tuple[int, float]]:
    """One labelling run; returns the (judgments so far, tau) curve at every refit."""
    from annotation.quality import Vote
    from annotation.services.quality import campaign_fits, uncertainty_priorities
    from demo import DIMENSIONS, SimulatedAnnotator

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
    p.add_argument("--overlap", type=int, default=3, help="votes per pair in 'platform' mode; the campaign's overlap "
                   "(the most votes a pair gets) in 'db' mode")
    p.add_argument("--min-votes", type=int, default=2, help="adaptive_min_votes of the adaptive 'db' campaigns")
    p.add_argument("--margin", type=float, default=0.05, help="ignore video pairs whose truth differs by less")
    p.add_argument("--targets", type=float, nargs="+", default=[0.7, 0.8, 0.9])
    p.add_argument("--modes", nargs="+", default=["db"], choices=MODES)
    p.add_argument("--policies", nargs="+", default=list(POLICIES), choices=POLICIES)
    p.add_argument("--adaptive", nargs="+", default=["off", "on"], choices=["off", "on"],
                   help="'db' mode: run each policy with fixed overlap (off) and/or adaptive overlap (on)")
    p.add_argument("--model-noise", type=float, nargs="*", default=[],
                   help="'db' mode: also run uncertainty (+ adaptive when on) with a promoted reward model whose "
                        "per-video scores are the truth + N(0, noise), one setup per value")
    p.add_argument("--db-name", default="studio_selection_bench", help="scratch database ('db' mode), recreated")
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


def setup_db_mode(db_name: str) -> None:
    """Recreate and migrate the scratch database, then point Django at it."""
    url = recreate_database(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"), db_name)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT,
                   check=True)
    os.environ["DATABASE_URL"] = url


def run_all(args) -> tuple[dict, dict]:
    """Every (mode, setup) for every seed: judgments needed per target, and db-mode run statistics."""
    from benchmarks.selection_platform import Config, build_db_world, run_db

    results: dict[tuple[str, str], list[list]] = {}
    stats: dict[str, list[dict]] = {}
    for seed in range(args.seeds):
        world = build_world(args.prompts, seed)
        for mode in args.modes:
            if mode == "db":
                db_world = build_db_world(args.prompts, seed, args.annotators)
                configs = [Config(p, a == "on") for a in args.adaptive for p in args.policies]
                configs += [Config("uncertainty", a == "on", noise) for a in args.adaptive for noise in args.model_noise]
            else:
                configs = [Config(p, False) for p in args.policies]
            for config in configs:
                t0 = time.perf_counter()
                if mode == "db":
                    curve, run_stats = run_db(db_world, config, args, seed, scores_tau)
                    stats.setdefault(config.name, []).append(run_stats)
                else:
                    curve = run(world, config.policy, mode, args, seed)
                needed = [first_reaching(curve, t) for t in args.targets]
                results.setdefault((mode, config.name), []).append(needed)
                print(f"seed {seed} {mode:8s} {config.name:24s} needed {needed} last tau {curve[-1][1]:.3f} "
                      f"({time.perf_counter() - t0:.1f} s)", flush=True)
    return results, stats


def report(args, results: dict, stats: dict, header: str, wall: float) -> str:
    lines = [f"## Active selection: judgments to reach a ranking accuracy ({args.prompts} prompts x 5 generators, "
             f"{len(build_world(args.prompts, 0).pairs)} pairs, {args.seeds} seeds)", "", header,
             f"- annotators: {args.annotators}, noise U({args.noise_min}, {args.noise_max}); refit every "
             f"{args.refit_every} judgments; margin {args.margin}; overlap {args.overlap}; adaptive min votes "
             f"{args.min_votes}; wall time {wall:.0f} s", "",
             "Median (upper median for an even count) judgments until the within-prompt Kendall tau (module doc) "
             "first reaches the target; `n never` = seeds that did not reach it within the budget, counted as "
             "infinitely many. `db` runs go through leasing, submission and the quality refresh in PostgreSQL; "
             "the invariant checker was clean after every run.", ""]
    targets = " | ".join(f"tau >= {t}" for t in args.targets)
    lines += [f"| mode | setup | {targets} | votes per started pair |", "|---|---|" + "---|" * (len(args.targets) + 1)]
    for (mode, name), rows in results.items():
        cells = " | ".join(_fmt([r[i] for r in rows]) for i in range(len(args.targets)))
        per_pair = f"{statistics.median(s['votes_per_started_pair'] for s in stats[name]):.2f}" \
            if mode == "db" and name in stats else "-"
        lines.append(f"| {mode} | {name} | {cells} | {per_pair} |")
    lines += ["", "Ratio of the medians, random (fixed overlap) / setup (> 1: the setup needs fewer judgments):", ""]
    for (mode, name), rows in results.items():
        if name == "random" or (mode, "random") not in results:
            continue
        ratios = []
        for i, target in enumerate(args.targets):
            r = _median([row[i] for row in results[(mode, "random")]])
            u = _median([row[i] for row in rows])
            finite = r != float("inf") and u != float("inf")
            ratios.append(f"tau >= {target}: {r / u:.2f}" if finite else f"tau >= {target}: n/a (never reached)")
        lines.append(f"- {mode}, {name}: " + "; ".join(ratios))
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    header = machine_block(postgres="db" in args.modes)
    if "db" in args.modes:
        setup_db_mode(args.db_name)
    setup_django()
    started = time.perf_counter()
    results, stats = run_all(args)
    text = report(args, results, stats, header, time.perf_counter() - started)
    print("\n" + text)
    if not args.no_write:
        write_results(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
