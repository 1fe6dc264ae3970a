"""AnimeReward on the demo world: held-out pairwise accuracy of the `cpu` preset vs the handcrafted baseline,
and scoring throughput.

    .venv/bin/python benchmarks/bench_reward.py --prompts 40 --steps 300 --out benchmarks/results/reward.md

Data: ``demo.build_demo_dataset`` clips (prompts x 5 generators), every same-prompt pair judged by
a low-noise SimulatedAnnotator straight from the demo ground truth (``training.reward.data.demo_pairset``;
this skips the studio database and the DatasetVersion export), split by prompt (initial image).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from training.reward.config import RewardConfig  # noqa: E402
from training.reward.data import demo_pairset, load_dataset_version  # noqa: E402
from training.reward.evaluate import (baseline_video_scores, evaluate_scores, format_report,  # noqa: E402
                                      reward_video_scores)
from training.reward.scoring import AnimeReward  # noqa: E402
from training.reward.train import RewardTrainer, prepare_all  # noqa: E402

TARGETS = {"smoothness": 0.85, "motion": 0.85, "image_video": 0.85, "appeal": 0.75, "text_video": 0.75,
           "character": 0.75}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=40)
    ap.add_argument("--data", default="/tmp/reward_bench/demo", help="demo folder (built when missing)")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--loss", default="bt_ties")
    ap.add_argument("--noise", type=float, default=0.05)
    ap.add_argument("--dataset", default=None, help="a studio DatasetVersion folder instead of the demo ground truth "
                                                    "(see benchmarks/README.md: seed_demo --simulate + export_dataset)")
    ap.add_argument("--media-root", default=None, help="MEDIA_ROOT the --dataset's media paths are relative to")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", default=None, help="also write the full reports (per-bin calibration etc.) here")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--mixed-precision", default="no", choices=("no", "bf16"))
    ap.add_argument("--config", default=None, help="RewardConfig overrides as JSON, e.g. '{\"frame_size\": 48}'")
    ap.add_argument("--out", default=None, help="markdown report path ($OUT/reward_gpu.md on the device tool)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = Path(args.data)
    t0 = time.perf_counter()
    if args.dataset:
        data = Path(args.dataset)
    elif not (data / "manifest.jsonl").exists():
        from demo import build_demo_dataset

        build_demo_dataset(data, n_prompts=args.prompts)
    build_s = time.perf_counter() - t0
    pairs = (load_dataset_version(data, args.media_root) if args.dataset
             else demo_pairset(data, noise=args.noise, test_fraction=0.25, seed=0))
    train, test = pairs.split("train"), pairs.split("test")
    if not test.pairs or not train.pairs:
        raise SystemExit(f"{data}: the prompt split left train {len(train.pairs)} / test {len(test.pairs)} pairs; "
                         "use more --prompts")
    config = RewardConfig(**{"preset": "cpu", "device": args.device, "mixed_precision": args.mixed_precision,
                             "steps": args.steps, "batch_size": args.batch_size, "loss": args.loss,
                             "cache_dir": str(data / "frame_cache"), **json.loads(args.config or "{}")})
    t0 = time.perf_counter()
    prepared = prepare_all(pairs, config, cache=None)
    prep_s = time.perf_counter() - t0
    log = []
    trainer = RewardTrainer(config, train, prepared={k: prepared[k] for k in train.videos},
                            callback=lambda m: log.append(m) or (m["step"] % 25 == 0 and print(
                                f"step {m['step']} loss {m['loss']:.4f} {m['seconds']:.2f}s", flush=True)))
    t0 = time.perf_counter()
    trainer.train()
    train_s = time.perf_counter() - t0
    reward = AnimeReward(config, trainer.unwrapped())
    test_prepared = {k: prepared[k] for k in test.videos}
    model_report = evaluate_scores(reward_video_scores(reward, test_prepared), test, config.dimensions)
    base_report = evaluate_scores(baseline_video_scores(test_prepared), test, config.dimensions)
    # Throughput: end to end score() from files (decode 24 frames + features + networks), fresh cache-less model.
    videos = [test.videos[k] for k in list(test.videos)[:20]]
    scorer = AnimeReward(RewardConfig(**{**config.to_dict(), "cache_dir": None}), trainer.unwrapped())
    t0 = time.perf_counter()
    scorer.score([v.path for v in videos], [v.prompt for v in videos], [v.initial_image for v in videos],
                 batch_size=10)
    score_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    reward_video_scores(scorer, {k: prepared[k] for k in list(test.videos)[:20]}, batch_size=10)
    net_s = time.perf_counter() - t0
    print(format_report(model_report, "AnimeReward cpu preset (held-out)"))
    print(format_report(base_report, "handcrafted baseline (held-out)"))
    print(f"throughput: {len(videos) / score_s:.1f} videos/s end to end, {len(videos) / net_s:.1f} videos/s networks only")
    out = args.out or (os.path.join(os.environ["OUT"], "reward_gpu.md") if os.environ.get("OUT") else None)
    if out:
        write_markdown(Path(out), args, config, pairs, train, test, model_report, base_report,
                       dict(build_s=build_s, prep_s=prep_s, train_s=train_s, score_vps=len(videos) / score_s,
                            net_vps=len(videos) / net_s, last=log[-1] if log else {}))
    return 0


def write_markdown(path, args, config, pairs, train, test, model, base, timing) -> None:
    cmd = "python benchmarks/bench_reward.py " + " ".join(sys.argv[1:])
    lines = [
        "# AnimeReward benchmark (demo world)", "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores visible, torch {torch.__version__}, "
        f"{args.threads} threads, device {args.device}"
        + (f" ({torch.cuda.get_device_name()})" if args.device == "cuda" else "")
        + f", mixed precision {args.mixed_precision}",
        f"- command: `{cmd}`",
        f"- data: {len({v.prompt_key for v in pairs.videos.values()})} demo prompts x 5 generators; " + (
            f"labels: the consensus tables of the studio DatasetVersion `{args.dataset}` (content hash "
            f"{pairs.version[:12]}): the demo campaign labelled by simulated annotators through the lease/submit "
            "services, exported by the studio exporter with its own prompt split: " if args.dataset else
            f"every same-prompt pair judged by one SimulatedAnnotator (noise {args.noise}) from the demo ground "
            "truth (labels read directly from the demo, not through a DatasetVersion export); split by prompt: ") +
        f"{len(train.pairs)} train pairs, {len(test.pairs)} held-out pairs ({len({v.prompt_key for v in test.videos.values()})} prompts)",
        f"- model: `cpu` preset (random-init 1-layer CLIP / X-CLIP at {config.frame_size} px trained from scratch, "
        f"plus the handcrafted OpenCV features as head inputs), loss {config.loss}, {config.steps} steps x "
        f"{config.batch_size} pairs, lr {config.lr} (heads {config.head_lr}), backbones see {config.net_frames} of the {config.num_frames} frames; training took {timing['train_s']:.0f} s "
        f"(+{timing['prep_s']:.0f} s decoding/feature extraction for {len(pairs.videos)} videos)",
        "- baseline: `training/reward/handcrafted.py` fixed monotone maps (zero training)", "",
        "## Held-out pairwise accuracy", "",
        "| dimension | target | AnimeReward acc (no ties) | baseline acc (no ties) | AnimeReward acc w/ ties | "
        "baseline acc w/ ties | AnimeReward Spearman vs truth | baseline Spearman |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for dim in config.dimensions:
        m, b = model["dimensions"][dim], base["dimensions"][dim]
        ok = "met" if m["accuracy"] >= TARGETS[dim] else "missed"
        lines.append(f"| {dim} | {TARGETS[dim]:.2f} | {m['accuracy']:.3f} ({ok}) | {b['accuracy']:.3f} | "
                     f"{m['accuracy_ties']:.3f} | {b['accuracy_ties']:.3f} | {m.get('spearman', float('nan')):.3f} | "
                     f"{b.get('spearman', float('nan')):.3f} |")
    lines.append(f"| **mean** | | **{model['overall']['accuracy']:.3f}** | **{base['overall']['accuracy']:.3f}** | "
                 f"{model['overall']['accuracy_ties']:.3f} | {base['overall']['accuracy_ties']:.3f} | | |")
    lines += ["", "Tie-aware accuracy sweeps the tie threshold on the held-out pairs themselves (VideoAlign-style), "
              "so it is an upper bound.", "",
              "## Per generator (AnimeReward, no-ties accuracy over pairs involving the generator)", "",
              "| dimension | " + " | ".join(sorted(model["dimensions"][config.dimensions[0]]["per_generator"])) + " |",
              "|---|" + "---|" * len(model["dimensions"][config.dimensions[0]]["per_generator"])]
    for dim in config.dimensions:
        pg = model["dimensions"][dim]["per_generator"]
        lines.append(f"| {dim} | " + " | ".join(f"{pg[g]:.2f}" for g in sorted(pg)) + " |")
    lines += ["", f"## Scoring throughput (24 frames, {args.device})", "",
              f"- end to end from mp4 files (decode + handcrafted features + networks): {timing['score_vps']:.1f} videos/s",
              f"- networks only (prepared inputs): {timing['net_vps']:.1f} videos/s", "",
              ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps({"model": model, "baseline": base, "timing": timing}, indent=1,
                                              default=float))


if __name__ == "__main__":
    raise SystemExit(main())
