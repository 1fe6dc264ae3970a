"""Issue #22: AnimeReward with segment supervision vs without, on the same judged pairs.

    .venv/bin/python benchmarks/bench_reward_segments.py --demo /tmp/d22/demo40 --seeds 0,1,2,3,4 \
        --out /tmp/d22/segments.md --json /tmp/d22/segments.json

Rows (every trained row is the cpu preset with per-frame heads on smoothness, motion and character,
``frame_dimensions``, trained on the same demo pairs with the same seed; only ``segment_loss_weight`` differs):
    formula       no learning: the fixed formulas (handcrafted.baseline_scores) for the pairwise columns and the fixed
                  formula curve (frame_features.formula_curves) for localisation
    no_segments   segment_loss_weight 0: the frame heads learn only through the pairwise loss on their mean
    segments      segment_loss_weight --weight (default 1): plus the segment loss on the simulated annotator's spans
                  (demo_pairset(spans=True): SimulatedAnnotator.mark_spans on the demo's per-frame truth, with misses
                  and early/late edges)
    segments_no_motion  the same, the segment loss on smoothness and character only (segment_dimensions): the demo's
                  motion artefact frames are whole frozen clips (no contrast inside a clip) or jitter frames
    (those three: frame_pooling 'added', the first design, the heads' mean joins the video logit)
    separate      frame_pooling 'separate': the video logits leave the heads out (so the pairwise columns are the
                  model's without frame heads); the heads learn from their own pairwise term, no segment loss
    separate_segments_no_motion  the same plus the segment loss (--weight) on smoothness and character
    separate_segments_no_motion_fpw025  the same with the heads' own pairwise term at 0.25 (frame_pairwise_weight)

Measured:
    pairwise accuracy per dimension, demo held-out prompts (SYNTHETIC; calibrated on that split as in
    bench_reward_real.py) and the real-clip suite (REAL FOOTAGE, training/reward/real_clips.py)
    localisation AUROC per temporal dimension (training/reward/localisation.py): demo held-out videos against the
    injected artefact frames (SYNTHETIC), and the real clips with degradations confined to a known window
    (REAL FOOTAGE: freeze run, flicker burst, jitter burst, blur burst, recolour burst)
With >= 5 seeds: 95 % t-intervals over training seeds, and of the per-seed difference segments - no_segments.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from benchmarks.bench_reward_real import _acc, _logit_table, _scores  # noqa: E402
from demo import ARTEFACT_FRAME_THRESHOLD, read_demo_dataset  # noqa: E402
from training.reward.calibration import fit_calibration  # noqa: E402
from training.reward.config import DIMENSIONS, RewardConfig  # noqa: E402
from training.reward.data import demo_pairset  # noqa: E402
from training.reward.evaluate import baseline_video_scores, evaluate_scores  # noqa: E402
from training.reward.frame_features import FRAME_DIMENSIONS, formula_curves  # noqa: E402
from training.reward.inputs import prepare_video  # noqa: E402
from training.reward.localisation import (demo_frame_truth, localisation, windowed_truth,  # noqa: E402
                                          windowed_variants)
from training.reward.real_clips import (DEFAULT_CLIPS, baseline_scores_fn, evaluate_real_clips,  # noqa: E402
                                        load_clips, reward_scores)
from training.reward.scoring import AnimeReward  # noqa: E402
from training.reward.train import RewardTrainer, prepare_all, prepare_static  # noqa: E402

# trained rows: RewardConfig overrides on top of the cpu preset + frame heads (segments rows: the --weight too)
# (the first three: frame_pooling 'added', the first design; separate*: the frame heads leave the video logit alone)
NO_MOTION = {"segment_dimensions": ("smoothness", "character")}
ROWS = {"no_segments": {"frame_pooling": "added"}, "segments": {"frame_pooling": "added"},
        "segments_no_motion": {"frame_pooling": "added", **NO_MOTION},
        "separate": {"frame_pooling": "separate", "frame_pairwise_weight": 1.0},
        "separate_segments_no_motion": {"frame_pooling": "separate", "frame_pairwise_weight": 1.0, **NO_MOTION},
        "separate_segments_no_motion_fpw025": {"frame_pooling": "separate", "frame_pairwise_weight": 0.25, **NO_MOTION}}
DIFFERENCES = (("segments", "no_segments"), ("segments_no_motion", "no_segments"), ("separate", "no_segments"),
               ("separate_segments_no_motion", "separate"), ("separate_segments_no_motion", "segments_no_motion"),
               ("separate_segments_no_motion_fpw025", "segments_no_motion"))
SEGMENT_ROWS = ("segments", "segments_no_motion", "separate_segments_no_motion",
                "separate_segments_no_motion_fpw025")  # trained with --weight


def _model_curves(reward: AnimeReward, items: list[dict]) -> list[dict[str, np.ndarray]]:
    return [{d: np.asarray(v) for d, v in row["curves"].items()} for row in reward.curves(items, 16)]


def _formula(items: list[dict]) -> list[dict[str, np.ndarray]]:
    return [formula_curves(it["frame_features"]) for it in items]


def _localise(curves: list[dict[str, np.ndarray]], truths: list[dict[str, np.ndarray]]) -> dict:
    out = {}
    for d in FRAME_DIMENSIONS:
        idx = [i for i, t in enumerate(truths) if d in t]
        out[d] = localisation([curves[i][d] for i in idx], [truths[i][d] for i in idx])
    return out


def run(args) -> dict:
    torch.set_num_threads(args.threads)
    pairs = demo_pairset(args.demo, noise=args.noise, test_fraction=0.25, seed=0, spans=True)
    train, test = pairs.split("train"), pairs.split("test")
    base = RewardConfig(preset="cpu", device="cpu", steps=args.steps, frame_dimensions=FRAME_DIMENSIONS,
                        **json.loads(args.config or "{}"))
    n = base.num_frames
    t0 = time.perf_counter()
    prepared = prepare_all(pairs, base)
    if base.static_negatives:
        prepared.update(prepare_static(train, base))
    rows = {r.video: r for r in read_demo_dataset(args.demo)}
    test_keys = sorted(test.videos)
    demo_truth = [{d: demo_frame_truth(rows[k].frame_truth[d], n, ARTEFACT_FRAME_THRESHOLD) for d in FRAME_DIMENSIONS}
                  for k in test_keys]
    prep_demo_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    clips = load_clips(args.clips, limit=args.clip_limit)
    real_cache: dict = {}
    baseline_real = evaluate_real_clips(baseline_scores_fn(base, cache=real_cache), clips, seed=args.degrade_seed)
    windowed = windowed_variants(clips, seed=args.degrade_seed)
    win_items = [prepare_video(c.frames, c.prompt, c.initial_image, config=base) for c, _, _ in windowed]
    win_truth = [windowed_truth(name, span, len(c.frames), n) for c, name, span in windowed]
    prep_real_s = time.perf_counter() - t0
    test_items = [prepared[k] for k in test_keys]
    result = {"demo": str(args.demo), "clips": str(args.clips), "steps": args.steps, "weight": args.weight,
              "pairs": {"train": len(train.pairs), "test": len(test.pairs)},
              "marked_videos": sum(1 for v in pairs.segments.values() if any(v.values())),
              "prep_seconds": {"demo": prep_demo_s, "real": prep_real_s},
              "formula": {"demo_test": _acc(evaluate_scores(baseline_video_scores(prepared), test, DIMENSIONS)),
                          "real": _real_acc(baseline_real),
                          "loc_demo": _localise(_formula(test_items), demo_truth),
                          "loc_real": _localise(_formula(win_items), win_truth)},
              "rows": []}
    done = set()
    if args.resume and args.json and Path(args.json).is_file():  # rows of an earlier run with the same data
        earlier = json.loads(Path(args.json).read_text())
        if (earlier["demo"], earlier["steps"], earlier["weight"]) != (result["demo"], result["steps"], result["weight"]):
            raise SystemExit(f"{args.json} was written with other --demo/--steps/--weight; use another --json")
        result["rows"] = earlier["rows"]
        done = {(r["seed"], r["row"]) for r in earlier["rows"]}
    for seed in [int(s) for s in args.seeds.split(",")]:
        for row in args.rows.split(","):
            if (seed, row) in done:
                continue
            weight = args.weight if row in SEGMENT_ROWS else 0.0
            config = RewardConfig(**{**base.to_dict(), "seed": seed, "segment_loss_weight": weight, **ROWS[row]})
            t0 = time.perf_counter()
            static = {k: v for k, v in prepared.items() if "~" in k}  # the still copies, prepared once above
            trainer = RewardTrainer(config, train, prepared={**{k: prepared[k] for k in train.videos}, **static})
            trainer.train()
            train_s = time.perf_counter() - t0
            reward = AnimeReward(config, trainer.unwrapped())
            test_prepared = {k: prepared[k] for k in test_keys}
            reward.calibration = fit_calibration(_logit_table(reward, test_prepared), test, DIMENSIONS)
            demo_acc = _acc(evaluate_scores(_scores(reward, test_prepared), test, DIMENSIONS))
            real = evaluate_real_clips(reward_scores(reward, cache=real_cache), clips, seed=args.degrade_seed)
            out = {"seed": seed, "row": row, "train_seconds": train_s, "demo_test": demo_acc, "real": _real_acc(real),
                   "loc_demo": _localise(_model_curves(reward, test_items), demo_truth),
                   "loc_real": _localise(_model_curves(reward, win_items), win_truth)}
            result["rows"].append(out)
            print(f"seed {seed} {row}: demo {demo_acc['mean']:.3f} real {out['real']['mean']:.3f} loc demo "
                  + " ".join(f"{d} {out['loc_demo'][d]['within']:.3f}" for d in FRAME_DIMENSIONS) + " real "
                  + " ".join(f"{d} {out['loc_real'][d]['within']:.3f}" for d in FRAME_DIMENSIONS)
                  + f" ({train_s:.0f} s)", flush=True)
            if args.json:  # partial results survive an interrupted run
                Path(args.json).write_text(json.dumps(result, indent=1, default=float))
    return result


def _real_acc(report: dict) -> dict:
    return {**{d: report["accuracy"][d] for d in DIMENSIONS}, "mean": report["mean"]}


def _interval(values: list[float]) -> str:
    v = np.asarray([x for x in values if not math.isnan(x)])
    if len(v) < 5:
        return ""
    from scipy import stats

    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v))
    return f" [{v.mean() - half:.3f}, {v.mean() + half:.3f}]"


def markdown(result: dict, args) -> str:
    seeds = sorted({r["seed"] for r in result["rows"]})
    lines = ["# AnimeReward with segment supervision vs without (issue #22)", "",
             f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; machine: "
             f"{platform.machine()}, {os.cpu_count()} cores visible (shared), torch {torch.__version__}, "
             f"{args.threads} thread(s)",
             f"- command: `python benchmarks/bench_reward_segments.py {' '.join(sys.argv[1:])}`",
             f"- demo: {result['demo']}; pairs train {result['pairs']['train']} / held-out {result['pairs']['test']} "
             f"(the same for every row); videos with simulated spans: {result['marked_videos']}; cpu preset + "
             f"frame heads, {result['steps']} steps; segments row weight {result['weight']}; seeds {seeds}",
             f"- preparation: demo {result['prep_seconds']['demo']:.0f} s, real clips {result['prep_seconds']['real']:.0f} s; "
             f"training {np.mean([r['train_seconds'] for r in result['rows']]):.0f} s per row on average", ""]
    lines += _table("Demo held-out pairwise accuracy (SYNTHETIC, no ties, calibrated)", "demo_test",
                    list(DIMENSIONS) + ["mean"], result, lambda v: v)
    lines += _table("Real clips: clean ranked above its degradation (REAL FOOTAGE)", "real",
                    list(DIMENSIONS) + ["mean"], result, lambda v: v)
    lines += _table("Localisation, demo held-out videos (SYNTHETIC): within-video AUROC of the curve vs injected "
                    "artefact frames", "loc_demo", list(FRAME_DIMENSIONS), result, lambda v: v["within"])
    lines += _table("Localisation, real clips with windowed degradations (REAL FOOTAGE): within-video AUROC",
                    "loc_real", list(FRAME_DIMENSIONS), result, lambda v: v["within"])
    lines += _table("Localisation pooled over all frames of all videos (demo, SYNTHETIC; also rewards ranking whole "
                    "videos)", "loc_demo", list(FRAME_DIMENSIONS), result, lambda v: v["pooled"])
    count = {d: result["formula"]["loc_demo"][d]["videos"] for d in FRAME_DIMENSIONS}
    count_real = {d: result["formula"]["loc_real"][d]["videos"] for d in FRAME_DIMENSIONS}
    lines += [f"Videos with both kinds of frame (the within-video means are over these): demo {count}, "
              f"real {count_real}.", ""]
    return "\n".join(lines) + "\n"


def _table(title: str, key: str, cols: list[str], result: dict, pick) -> list[str]:
    lines = [f"## {title}", "", "| row | seed | " + " | ".join(cols) + " |", "|---|---:|" + "---:|" * len(cols)]
    lines.append(f"| formula | - | " + " | ".join(f"{pick(result['formula'][key][c]):.3f}" for c in cols) + " |")
    for r in result["rows"]:
        lines.append(f"| {r['row']} | {r['seed']} | " + " | ".join(f"{pick(r[key][c]):.3f}" for c in cols) + " |")
    by = {row: [r for r in result["rows"] if r["row"] == row] for row in ROWS}
    for row, rs in by.items():
        if rs:
            lines.append(f"| **{row} mean** | {len(rs)} | " + " | ".join(
                f"{np.nanmean([pick(r[key][c]) for r in rs]):.3f}{_interval([pick(r[key][c]) for r in rs])}"
                for c in cols) + " |")
    for row, ref in DIFFERENCES:
        paired = [(a, b) for a in by[row] for b in by[ref] if a["seed"] == b["seed"]]
        if paired:
            lines.append(f"| {row} - {ref} (same seed) | {len(paired)} | " + " | ".join(
                f"{np.nanmean([pick(a[key][c]) - pick(b[key][c]) for a, b in paired]):+.3f}"
                f"{_interval([pick(a[key][c]) - pick(b[key][c]) for a, b in paired])}" for c in cols) + " |")
    return lines + [""]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demo", required=True, help="demo folder built with per-frame truth (python -m demo DIR --prompts 40)")
    ap.add_argument("--clips", default=str(DEFAULT_CLIPS), help="real clips folder (manifest.jsonl)")
    ap.add_argument("--clip-limit", type=int, default=None)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--weight", type=float, default=1.0, help="segment_loss_weight of the segments rows")
    ap.add_argument("--rows", default="no_segments,segments", help=f"comma list of {', '.join(ROWS)}")
    ap.add_argument("--noise", type=float, default=0.05)
    ap.add_argument("--degrade-seed", type=int, default=0)
    ap.add_argument("--config", default=None, help="RewardConfig overrides as JSON (both trained rows)")
    ap.add_argument("--resume", action="store_true", help="keep the (seed, row) results already in --json")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    bad = [r for r in args.rows.split(",") if r not in ROWS]
    if bad:
        raise SystemExit(f"unknown rows {bad}; valid: {', '.join(ROWS)}")
    if not args.weight > 0:
        raise SystemExit(f"--weight must be > 0 (the segments row), got {args.weight}")
    if not Path(args.demo, "ground_truth.jsonl").is_file():
        raise SystemExit(f"{args.demo} is not a demo folder; build one with python -m demo {args.demo} --prompts 40")
    result = run(args)
    text = markdown(result, args)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
