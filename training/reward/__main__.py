"""Command line for AnimeReward.

Train on a studio DatasetVersion folder (media paths in its tables are relative to --media-root):

    python -m training.reward train --data var/datasets/7 --media-root var/media --preset cpu \
        --steps 300 --output-dir runs/reward

Train on the demo world instead (labels from a SimulatedAnnotator on the demo ground truth):

    python -m demo /tmp/demo --prompts 24
    python -m training.reward train --demo /tmp/demo --preset cpu --steps 300 --output-dir runs/reward

Segment supervision (issue #22): per-frame heads on the temporal dimensions, and the segment loss on marked spans
(the export's segments table, or with --demo-spans the simulated annotator's spans on the demo's per-frame truth):

    python -m training.reward train --demo /tmp/demo --demo-spans --frame-dimensions smoothness,motion,character \
        --segment-loss-weight 1 --output-dir runs/reward-seg
    python -m training.reward score --checkpoint runs/reward-seg/step-300 --video a.mp4 --prompt "..." --curves

Resume: run the same train command again with a larger --steps; it continues from the latest step-N.
Several GPUs of one host: prefix ``torchrun --standalone --nproc-per-node N`` (each process draws its own
pairs; process 0 prints and writes checkpoints). A studio reward run does this with options.num_processes.

Held-out evaluation (split "test"), with the handcrafted baseline next to it:

    python -m training.reward eval --checkpoint runs/reward/step-300 --demo /tmp/demo --baseline --json eval.json

Real footage: rank each real clip of ../shared/clips above its known degradations (degradations.py), per
dimension, for a checkpoint and the handcrafted baseline (no --checkpoint: the baseline only):

    python -m training.reward real-clips --checkpoint runs/reward/step-300 --clips ../shared/clips --json real.json

Score videos (prints one JSON object per video):

    python -m training.reward score --checkpoint runs/reward/step-300 --video a.mp4 --video b.mp4 \
        --prompt "a girl waves" --prompt "a girl waves" --initial-image init.png --initial-image init.png
"""

from __future__ import annotations

import argparse
import json
import sys

from training.distributed import finish_process_group

from .config import LOSSES, PRESETS


TRAIN_DEFAULTS = {"preset": "cpu", "loss": "bt_ties", "steps": 300, "batch_size": 16, "grad_accum": 1, "lr": None,
                  "head_lr": 1e-2, "mixed_precision": "no", "device": "auto", "checkpoint_every": 0,
                  "frame_dimensions": None, "segment_loss_weight": None}  # None: the preset's (config.py)


def _pairset(args):
    from .data import demo_pairset, load_dataset_version

    if bool(args.data) == bool(args.demo):
        raise SystemExit("pass exactly one of --data (DatasetVersion folder) or --demo (demo folder)")
    if args.demo:
        return demo_pairset(args.demo, noise=args.noise, test_fraction=args.test_fraction, seed=args.split_seed,
                            spans=getattr(args, "demo_spans", False))
    return load_dataset_version(args.data, args.media_root)


def _data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", help="DatasetVersion folder (data/<table>/<split>-*.parquet)")
    p.add_argument("--media-root", help="folder the tables' media paths are relative to (default: --data)")
    p.add_argument("--demo", help="demo folder (manifest.jsonl + ground_truth.jsonl)")
    p.add_argument("--noise", type=float, default=0.05, help="demo: simulated annotator noise")
    p.add_argument("--test-fraction", type=float, default=0.25, help="demo: share of prompts held out")
    p.add_argument("--split-seed", type=int, default=0, help="demo: split and annotator seed")
    p.add_argument("--demo-spans", action="store_true",
                   help="demo: the simulated annotators also mark artefact spans (needs a demo with per-frame truth)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.reward", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train from pairwise labels")
    _data_args(t)
    # defaults live in TRAIN_DEFAULTS so a --config file can set what a flag left unset
    t.add_argument("--preset", choices=PRESETS, help="default cpu")
    t.add_argument("--loss", choices=LOSSES, help="default bt_ties")
    t.add_argument("--steps", type=int, help="default 300")
    t.add_argument("--batch-size", type=int, help="default 16")
    t.add_argument("--grad-accum", type=int, help="default 1")
    t.add_argument("--lr", type=float, help="backbone learning rate, default the preset's (cpu 1e-4, tiny/paper 1e-3)")
    t.add_argument("--head-lr", type=float, help="default 1e-2")
    t.add_argument("--mixed-precision", choices=("no", "bf16"), help="default no")
    t.add_argument("--device", help="default auto")
    t.add_argument("--output-dir", required=True)
    t.add_argument("--checkpoint-every", type=int, help="default 0 (only the last step)")
    t.add_argument("--cache-dir", help="FrameCache folder for sampled frames")
    t.add_argument("--frame-dimensions", type=lambda v: tuple(x for x in v.split(",") if x),
                   help="comma list of temporal dimensions with a per-frame head (default: the preset's; cpu: "
                        "smoothness,motion,character; an empty string for none)")
    t.add_argument("--segment-loss-weight", type=float,
                   help="weight of the segment loss (default: the preset's; cpu 1 on smoothness and character)")
    t.add_argument("--config", help="RewardConfig JSON; the flags above override it where given")
    e = sub.add_parser("eval", help="held-out pairwise accuracy (with/without ties), Spearman, calibration")
    _data_args(e)
    e.add_argument("--checkpoint", required=True)
    e.add_argument("--split", default="test")
    e.add_argument("--baseline", action="store_true", help="also report the handcrafted OpenCV baseline")
    e.add_argument("--json", help="write the full report(s) here")
    r = sub.add_parser("real-clips", help="real clips vs their degradations: per-dimension pairwise accuracy")
    r.add_argument("--checkpoint", help="step-N folder; without it only the handcrafted baseline is reported")
    r.add_argument("--clips", default=None, help="folder with manifest.jsonl (default: ../shared/clips of the repo)")
    r.add_argument("--limit", type=int, default=None, help="only the first N clips")
    r.add_argument("--degrade-seed", type=int, default=0)
    r.add_argument("--degradations", help="comma list of degradations.DEGRADATIONS names (default: all)")
    r.add_argument("--no-motion-gate", action="store_true",
                   help="score without the motion-presence gate (what the networks alone say; the audit's setting)")
    r.add_argument("--json", help="write the full report(s) here")
    s = sub.add_parser("score", help="score videos")
    s.add_argument("--checkpoint", required=True)
    s.add_argument("--video", action="append", required=True)
    s.add_argument("--prompt", action="append", required=True)
    s.add_argument("--initial-image", action="append")
    s.add_argument("--character-ref", action="append")
    s.add_argument("--device", default=None)
    s.add_argument("--curves", action="store_true", help="also print each temporal dimension's score curve")
    args = ap.parse_args(argv)

    import torch

    from .scoring import AnimeReward

    if args.command == "train":
        from .config import RewardConfig
        from .train import RewardTrainer

        base = json.load(open(args.config)) if args.config else {}
        given = {name: getattr(args, name) for name in TRAIN_DEFAULTS if getattr(args, name) is not None}
        config = RewardConfig(**{**TRAIN_DEFAULTS, **base, **given, "output_dir": args.output_dir,
                                 **({"cache_dir": args.cache_dir} if args.cache_dir else {})})
        pairs = _pairset(args).split("train")
        trainer = RewardTrainer(config, pairs, callback=lambda m: print(json.dumps(
            {k: round(v, 5) if isinstance(v, float) else v for k, v in m.items()}), flush=True))
        trainer.train()
        if trainer.accelerator.is_main_process:
            print(f"saved {config.output_dir}/step-{trainer.step}")
        finish_process_group()
        return 0
    if args.command == "eval":
        from .evaluate import baseline_video_scores, evaluate_scores, format_report, reward_video_scores
        from .train import prepare_all

        reward = AnimeReward.from_checkpoint(args.checkpoint)
        pairs = _pairset(args).split(args.split)
        prepared = prepare_all(pairs, reward.config, reward.cache)
        reports = {"model": evaluate_scores(reward_video_scores(reward, prepared), pairs, reward.config.dimensions)}
        print(format_report(reports["model"], f"AnimeReward {args.checkpoint} on split {args.split}"))
        if args.baseline:
            reports["baseline"] = evaluate_scores(baseline_video_scores(prepared), pairs, reward.config.dimensions)
            print(format_report(reports["baseline"], "handcrafted baseline"))
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(reports, fh, indent=1, default=float)
        return 0
    if args.command == "real-clips":
        from .config import RewardConfig
        from .real_clips import (DEFAULT_CLIPS, baseline_scores_fn, evaluate_real_clips, format_real_report,
                                 load_clips, reward_scores)

        clips = load_clips(args.clips or DEFAULT_CLIPS, limit=args.limit)
        gate = {"motion_gate": None} if args.no_motion_gate else {}
        reward = AnimeReward.from_checkpoint(args.checkpoint, **gate) if args.checkpoint else None
        config = reward.config if reward else RewardConfig(preset="cpu", device="cpu")
        cache: dict = {}
        reports = {}
        names = args.degradations.split(",") if args.degradations else None
        if reward:
            reports["model"] = evaluate_real_clips(reward_scores(reward, cache=cache), clips, names=names,
                                                   seed=args.degrade_seed)
            print(format_real_report(reports["model"], f"AnimeReward {args.checkpoint} (real footage)"))
        reports["baseline"] = evaluate_real_clips(baseline_scores_fn(config, cache=cache), clips, names=names,
                                                  seed=args.degrade_seed)
        print(format_real_report(reports["baseline"], "handcrafted baseline (real footage)"))
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(reports, fh, indent=1, default=float)
        return 0
    overrides = {"device": args.device} if args.device else {}
    reward = AnimeReward.from_checkpoint(args.checkpoint, **overrides)
    if args.curves and not reward.config.frame_dimensions:
        raise SystemExit(f"{args.checkpoint} has no per-frame heads (frame_dimensions is empty): no curves; "
                         "train with --frame-dimensions")
    with torch.inference_mode():
        items = reward.prepare(args.video, args.prompt, args.initial_image, args.character_ref)
        rows = reward.combine(reward.logits(items), items)
        curves = reward.curves(items) if args.curves else [{}] * len(rows)
    for video, row, curve in zip(args.video, rows, curves):
        extra = {"positions": [round(p, 4) for p in curve["positions"]],
                 "curves": {d: [round(v, 4) for v in c] for d, c in curve["curves"].items()}} if curve else {}
        print(json.dumps({"video": video, **{k: round(v, 4) for k, v in row.items()}, **extra}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
