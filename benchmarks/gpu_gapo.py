"""GAPO LoRA training on GPU: s/step, peak memory, loss / implicit-accuracy trajectory, ln 2 check at step 0.

Models are random-init CogVideoX-I2V- and Wan-I2V-shaped transformers, bigger than the test configs
(4 layers, hidden 512, real text/image-token widths) on 13x60x90 latents (a 49-frame 480x720 clip),
trained with bf16 autocast on synthetic pairs (``training.gapo.data.synthetic_pairs``).

    # CPU rehearsal with the test-sized models (seconds):
    .venv/bin/python benchmarks/gpu_gapo.py --device cpu --tiny --steps 3
    # The GPU image has torch/accelerate/transformers but no diffusers: carry diffusers==0.42.1 and
    # peft==0.21.2 wheels, `pip install --no-index --no-deps --target /tmp/site`, PYTHONPATH=/tmp/site.
    # GPU (H100), what benchmarks/results/gapo_gpu.md records:
    python3 benchmarks/gpu_gapo.py --device cuda --steps 30

Prints a markdown report and writes it to ``$OUT/gapo_gpu.md`` when ``OUT`` is set (the device tool's
output folder), else to ``--out`` if given.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from training.gapo.config import GapoConfig  # noqa: E402
from training.gapo.data import collate_pairs, synthetic_pairs  # noqa: E402
from training.gapo.denoiser import LatentSpec  # noqa: E402
from training.gapo.models import build_denoiser  # noqa: E402
from training.gapo.trainer import GapoTrainer  # noqa: E402

SMALL = {
    "cogvideox": (
        dict(num_attention_heads=8, attention_head_dim=64, in_channels=32, out_channels=16, time_embed_dim=512,
             text_embed_dim=4096, num_layers=4, sample_width=90, sample_height=60, sample_frames=49, patch_size=2,
             temporal_compression_ratio=4, max_text_seq_length=226, use_rotary_positional_embeddings=True,
             use_learned_positional_embeddings=True),
        LatentSpec(channels=16, frames=13, height=60, width=90, text_len=226, text_dim=4096),
    ),
    "wan": (
        dict(patch_size=(1, 2, 2), num_attention_heads=4, attention_head_dim=128, in_channels=36, out_channels=16,
             text_dim=4096, freq_dim=256, ffn_dim=2048, num_layers=4, cross_attn_norm=True,
             qk_norm="rms_norm_across_heads", rope_max_seq_len=1024, image_dim=1280, added_kv_proj_dim=512),
        LatentSpec(channels=16, frames=13, height=60, width=90, text_len=512, text_dim=4096,
                   image_tokens=257, image_dim=1280),
    ),
}


def run_family(family: str, args) -> dict:
    overrides, spec = (None, None) if args.tiny else SMALL[family]
    config = GapoConfig(
        family=family, weight="pow2", lr=args.lr, lora_rank=16, lora_alpha=16, batch_size=args.pairs_per_batch,
        steps=args.steps, mixed_precision=args.mixed_precision, device=args.device, seed=0,
    )
    denoiser = build_denoiser(config, overrides=overrides, spec=spec)
    pairs = synthetic_pairs(denoiser, args.num_pairs, seed=0)
    trainer = GapoTrainer(config, denoiser, pairs)
    cuda = trainer.device.type == "cuda"
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()

    # ln 2 check: fresh LoRA (B = 0) against the adapter-disabled reference, same batch and noise.
    batch = collate_pairs(pairs[: config.batch_size])
    with trainer.accelerator.autocast():
        loss0, metrics0 = trainer.compute_loss(batch)
        config.weight = "none"
        loss0_dpo, _ = trainer.compute_loss(batch)
        config.weight = "pow2"
    expected = math.log(2) * float(metrics0["mean_gap"])

    times, last = [], [time.perf_counter()]

    def on_step(record):
        if cuda:
            torch.cuda.synchronize()
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now

    trainer.callback = on_step
    last[0] = time.perf_counter()
    records = trainer.train()
    steady = times[2:] if len(times) > 4 else times
    params = sum(p.numel() for p in denoiser.model.parameters())
    lora = sum(p.numel() for p in denoiser.lora_parameters())
    return {
        "family": family,
        "params": params,
        "lora": lora,
        "latent": "x".join(str(n) for n in batch["x_w"].shape[1:]),  # (B, C, T, H, W) -> "CxTxHxW"
        "videos": 2 * config.batch_size,
        "s_per_step": statistics.median(steady),
        "first_step": times[0],
        "peak_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else float("nan"),
        "loss0": loss0.item(),
        "expected0": expected,
        "dpo0": loss0_dpo.item(),
        "records": records,
    }


def report(results: list[dict], args, device_name: str) -> str:
    lines = [
        "# GAPO LoRA training benchmark",
        "",
        f"- device: {device_name}; torch {torch.__version__}; date {datetime.date.today().isoformat()}",
        f"- command: `python3 benchmarks/gpu_gapo.py {' '.join(sys.argv[1:])}`",
        f"- {args.steps} steps, {args.pairs_per_batch} pairs per step (2x videos per forward), "
        f"{args.mixed_precision} autocast, frozen base in {args.mixed_precision}, LoRA r=16 fp32, weight pow2, "
        f"beta 5000, lr {args.lr}, synthetic pairs (winner temporally consistent, loser i.i.d. noise)",
        "",
        "| family | params (LoRA) | latent C x T x H x W | videos / fwd | s/step (median) "
        "| first step s | peak GPU GiB "
        "| step-0 loss | ln2 x mean gap | abs diff | step-0 loss, weight none (ln2 = 0.693147) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['family']} | {r['params'] / 1e6:.1f}M ({r['lora'] / 1e6:.2f}M) | {r['latent']} | {r['videos']} "
            f"| {r['s_per_step']:.3f} | {r['first_step']:.2f} | {r['peak_gib']:.2f} | {r['loss0']:.6f} "
            f"| {r['expected0']:.6f} | {abs(r['loss0'] - r['expected0']):.1e} | {r['dpo0']:.6f} |"
        )
    for r in results:
        lines += ["", f"## {r['family']}: trajectory", "", "| step | loss | implicit acc | reward margin | mean gap |",
                  "|---|---|---|---|---|"]
        every = max(1, len(r["records"]) // 10)
        for rec in r["records"]:
            if rec["step"] == 1 or rec["step"] % every == 0:
                lines.append(
                    f"| {rec['step']} | {rec['loss']:.4f} | {rec['implicit_acc']:.2f} "
                    f"| {rec['reward_margin']:.3f} | {rec['mean_gap']:.3f} |"
                )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--tiny", action="store_true", help="test-sized models (CPU rehearsal)")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--families", default="cogvideox,wan")
    parser.add_argument("--mixed-precision", choices=["no", "bf16"], default="bf16")
    parser.add_argument("--pairs-per-batch", type=int, default=2)
    parser.add_argument("--num-pairs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--out", help="report path when OUT is unset (default: print only)")
    args = parser.parse_args()
    if args.device == "cpu":
        torch.set_num_threads(min(4, os.cpu_count() or 1))
    elif torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
    device_name = torch.cuda.get_device_name() if args.device == "cuda" else f"CPU ({platform.machine()})"
    results = []
    for family in args.families.split(","):
        results.append(run_family(family, args))
        print(f"{family}: done, {results[-1]['s_per_step']:.3f} s/step", flush=True)
    text = report(results, args, device_name)
    print(text)
    out = Path(os.environ["OUT"]) / "gapo_gpu.md" if os.environ.get("OUT") else args.out and Path(args.out)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
