"""The studio's GAPO job (training/gapo/studio.py) on a GPU through the `paper` preset's code path:
a toy CogVideoX-I2V pipeline folder (VAE + T5 + transformer, random weights, training/gapo/toy_pipeline.py)
loaded by PaperCodec, on-policy pairs, LoRA training in bf16, evaluation with MP4 samples.
It checks device placement and dtype handling of the real-checkpoint path; the toy sizes make the
timings a floor, not a forecast for CogVideoX-5B.

    python benchmarks/gpu_gapo_studio.py --steps 50 --out "$OUT/gapo_studio_gpu.md"
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.gapo.config import GapoConfig  # noqa: E402
from training.gapo.rewards import HandcraftedReward  # noqa: E402
from training.gapo.studio import JobOptions, StudioPrompt, run_studio_job  # noqa: E402
from training.gapo.toy_pipeline import TOY_FRAMES, TOY_HEIGHT, TOY_WIDTH, TOY_WORDS, save_toy_cogvideox_pipeline  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--prompts", type=int, default=8)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--mixed-precision", default="bf16", choices=("no", "bf16"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    words = TOY_WORDS.split()[2:]
    rng = np.random.default_rng(0)
    prompts = [StudioPrompt(str(i), f"a girl {words[i % len(words)]}", rng.integers(0, 255, (72, 128, 3), np.uint8))
               for i in range(args.prompts + 2)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = save_toy_cogvideox_pipeline(Path(tmp) / "pipeline")
        config = GapoConfig(family="cogvideox", preset="paper", model_path=str(folder), steps=args.steps,
                            device=device, mixed_precision=args.mixed_precision, checkpoint_every=max(1, args.steps // 2))
        steps: list[dict] = []
        started = time.perf_counter()
        result = run_studio_job(config, train_prompts=prompts[:-2], eval_prompts=prompts[-2:], scorer=HandcraftedReward(),
                                out_dir=Path(tmp) / "run", options=JobOptions(k=args.k, sample_steps=10, height=TOY_HEIGHT, width=TOY_WIDTH,
                                                                     paper_frames=TOY_FRAMES),
                                on_step=lambda r: steps.append({**r, "t": time.perf_counter()}), log=print)
        wall = time.perf_counter() - started
    peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else 0.0
    step_s = np.median(np.diff([s["t"] for s in steps])) if len(steps) > 2 else float("nan")
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    lines = [
        "# Studio GAPO job on a GPU (paper preset code path, toy pipeline)", "",
        f"- device: {name}, torch {torch.__version__}, mixed precision {args.mixed_precision}",
        f"- command: `python benchmarks/gpu_gapo_studio.py {' '.join(sys.argv[1:])}`",
        f"- {args.prompts} training prompts x {args.k} candidates, {args.steps} LoRA steps, 2 held-out prompts",
        f"- status: {result['status']}; pairs {result['pairs']['pairs']} (mean gap {result['pairs']['mean_gap']:.4f});"
        f" final loss {steps[-1].get('loss', float('nan')):.4f}",
        f"- wall {wall:.1f} s in total; median {step_s * 1000:.1f} ms per LoRA step; peak GPU memory {peak:.2f} GiB",
        f"- eval win rate (overall) {result['eval']['win_rate'].get('overall'):.2f} over {result['eval']['samples']} samples",
    ]
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    return 0 if result["status"] == "completed" else 1


if __name__ == "__main__":
    raise SystemExit(main())
