"""Command line for GAPO LoRA training and the Diffusion-DPO vs GAPO reproduction.

Smoke runs on CPU with tiny random-init models and synthetic cached latents (seconds)::

    .venv/bin/python -m training.gapo train --family cogvideox --preset tiny --steps 2 --out /tmp/gapo-cog
    .venv/bin/python -m training.gapo train --family wan --preset tiny --steps 2 --out /tmp/gapo-wan
    # continue the first run to step 4 from its last checkpoint:
    .venv/bin/python -m training.gapo train --family cogvideox --preset tiny --steps 4 --out /tmp/gapo-cog --resume
    # plain Diffusion-DPO baseline:
    .venv/bin/python -m training.gapo train --family wan --preset tiny --steps 2 --weight none --out /tmp/dpo-wan

A real checkpoint over pairs cached with ``training.gapo.data.write_pairs`` (GPU, bf16)::

    python -m training.gapo train --family cogvideox --preset paper --model-path /models/CogVideoX-5b-I2V \\
        --data /data/gapo-pairs --mixed-precision bf16 --gradient-checkpointing --steps 1000 \\
        --checkpoint-every 100 --out runs/gapo-cog

Writes ``OUT/pairs/`` (synthetic cached pairs for the tiny preset, reused on restart),
``OUT/checkpoints/step-N/`` and ``OUT/metrics.jsonl`` (one JSON record per optimizer step). A ``step-N`` folder
is a diffusers LoRA (``lora_io.py``)::

    pipe = CogVideoXImageToVideoPipeline.from_pretrained("/models/CogVideoX-5b-I2V", torch_dtype=torch.bfloat16)
    pipe.load_lora_weights("runs/gapo-cog/checkpoints/step-001000")

The paper's claim at CPU scale (``training/gapo/repro.py``: demo clips, a small CogVideoX-I2V base pretrained
once and cached under ``--cache``, on-policy pairs, Diffusion-DPO vs GAPO from the same start; 3 seeds took
8 min on 2 shared cores, 2 min of it pretraining the base; ``--toy`` runs the same pipeline in seconds)::

    .venv/bin/python -m training.gapo reproduce --seeds 0 1 2 --out runs/gapo-repro
    .venv/bin/python -m training.gapo reproduce --seeds 0 1 2 --pairs demo --out runs/gapo-repro-demo
    .venv/bin/python -m training.gapo reproduce --toy --seeds 0 1 --out /tmp/gapo-repro-toy

Writes ``OUT/report.md``, ``OUT/results.json``, ``OUT/reward_curve.png``. To record a run with the machine
header in ``benchmarks/results/gapo_repro.md`` use ``benchmarks/gapo_repro.py`` (same arguments).

Python entry points: ``training.gapo.run.run_gapo`` (a resumable run, for job runners),
``training.gapo.onpolicy.write_onpolicy_pairs``, ``training.gapo.human.human_pairs`` and
``training.gapo.evaluate.evaluate_samples``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from accelerate import PartialState

from training.distributed import finish_process_group

from .config import DEVICES, FAMILIES, FRAME_WEIGHTINGS, MIXED_PRECISIONS, PRESETS, GapoConfig
from .data import PreferencePairDataset, synthetic_pairs, write_pairs
from .losses.weights import WEIGHT_NAMES
from .models import build_denoiser
from .targets import PREDICTIONS
from .trainer import GapoTrainer, latest_checkpoint


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m training.gapo", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a LoRA with GAPO")
    train.add_argument("--family", choices=FAMILIES, default="cogvideox")
    train.add_argument("--preset", choices=PRESETS, default="tiny")
    train.add_argument("--model-path", help="checkpoint folder or hub id (preset paper)")
    train.add_argument("--subfolder", default="transformer")
    train.add_argument("--data", help="pair folder from write_pairs; default: synthetic pairs in OUT/pairs (tiny only)")
    train.add_argument("--pairs", type=int, default=8, help="number of synthetic pairs (tiny preset)")
    train.add_argument("--out", required=True, help="run folder")
    train.add_argument("--steps", type=int, default=2)
    train.add_argument("--batch-size", type=int, default=1)
    train.add_argument("--grad-accum", type=int, default=1)
    train.add_argument("--weight", choices=WEIGHT_NAMES, default="pow2")
    train.add_argument("--frame-weighting", choices=FRAME_WEIGHTINGS, default="none",
                       help="segments: dense GAPO, errors weighted per latent frame by the pairs' marks_w/marks_l "
                            "(needs --data written with them)")
    train.add_argument("--dense-beta", type=float, default=1.0,
                       help="dense GAPO: a fully marked frame weighs 1 + beta before normalising")
    train.add_argument("--prediction", choices=PREDICTIONS, default=None)
    train.add_argument("--beta", type=float, default=5000.0)
    train.add_argument("--lr", type=float, default=1e-4)
    train.add_argument("--lora-rank", type=int, default=16)
    train.add_argument("--lora-alpha", type=int, default=16)
    train.add_argument("--mixed-precision", choices=MIXED_PRECISIONS, default="no")
    train.add_argument("--gradient-checkpointing", action="store_true")
    train.add_argument("--checkpoint-every", type=int, default=0)
    train.add_argument("--device", choices=DEVICES, default="auto")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--resume", action="store_true", help="continue from the latest OUT/checkpoints/step-N")
    repro = sub.add_parser("reproduce", help="Diffusion-DPO vs GAPO on the demo world (CPU)")
    repro.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    repro.add_argument("--out", required=True, help="output folder (rerunning reuses finished runs)")
    repro.add_argument("--cache", help="pretrained-base cache folder (default: OUT/cache)")
    repro.add_argument("--steps", type=int, help="optimizer steps per run (default 300; toy 2)")
    repro.add_argument("--eval-every", type=int, help="evaluate fresh samples every N steps (default 25)")
    repro.add_argument("--threads", type=int, help="torch CPU threads (default 1)")
    repro.add_argument("--select", choices=("all", "best_worst"), help="pair selection per prompt (default all)")
    repro.add_argument("--pairs", choices=("onpolicy", "demo"), help="pair source (default onpolicy; see repro.py)")
    repro.add_argument("--toy", action="store_true", help="seconds-sized pipeline check; numbers mean nothing")
    return parser.parse_args(argv)


def run_reproduce(args: argparse.Namespace) -> dict:
    from .repro import config_from_args, reproduce  # imports the demo world only when asked

    repro = config_from_args(args.seeds, args.steps, args.toy, eval_every=args.eval_every, threads=args.threads,
                             select=args.select, pairs=args.pairs)
    results = reproduce(repro, args.out, cache_dir=args.cache)
    print((Path(args.out) / "report.md").read_text())
    return results


def run_train(args: argparse.Namespace) -> list[dict]:
    out = Path(args.out)
    config = GapoConfig(
        family=args.family, preset=args.preset, model_path=args.model_path, subfolder=args.subfolder,
        prediction=args.prediction, beta=args.beta, weight=args.weight, frame_weighting=args.frame_weighting,
        dense_beta=args.dense_beta, lr=args.lr, lora_rank=args.lora_rank,
        lora_alpha=args.lora_alpha, batch_size=args.batch_size, steps=args.steps, grad_accum=args.grad_accum,
        mixed_precision=args.mixed_precision, gradient_checkpointing=args.gradient_checkpointing, seed=args.seed,
        checkpoint_dir=str(out / "checkpoints"), checkpoint_every=args.checkpoint_every, device=args.device,
    )
    if config.frame_weighting == "segments" and not args.data:
        raise SystemExit("--frame-weighting segments needs --data: a pair folder whose pairs carry marks_w/marks_l "
                         "(synthetic pairs have no span marks)")
    denoiser = build_denoiser(config)
    # under torchrun / accelerate launch: process 0 writes the pairs, the metrics and the prints
    state = PartialState(cpu=config.device == "cpu")
    if args.data:
        data_dir = Path(args.data)
    elif config.preset == "tiny":
        data_dir = out / "pairs"
        if state.is_main_process and not (data_dir / "index.jsonl").exists():
            write_pairs(data_dir, synthetic_pairs(denoiser, args.pairs, seed=args.seed))
        state.wait_for_everyone()
    else:
        raise SystemExit("preset 'paper' needs --data: a pair folder written by training.gapo.data.write_pairs")
    if state.is_main_process:
        out.mkdir(parents=True, exist_ok=True)  # with --data nothing has created it yet
    log = (out / "metrics.jsonl").open("a") if state.is_main_process else None

    def on_step(record: dict) -> None:
        log.write(json.dumps(record) + "\n")
        log.flush()
        print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items()))

    trainer = GapoTrainer(config, denoiser, PreferencePairDataset(data_dir), callback=on_step)
    if args.resume:
        checkpoint = latest_checkpoint(out / "checkpoints")
        if checkpoint is None:
            raise SystemExit(f"--resume: no step-N checkpoint under {out / 'checkpoints'}")
        trainer.load_checkpoint(checkpoint)
        if state.is_main_process:
            print(f"resumed from {checkpoint} at step {trainer.step}")
    try:
        records = trainer.train()
    finally:
        if log is not None:
            log.close()
    finish_process_group()
    return records


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "train":
        run_train(args)
    elif args.command == "reproduce":
        run_reproduce(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
