"""python -m demo OUT_DIR [--prompts 8] [--generators aurora,bolt] [--videos-per-generator 1]
[--width 256] [--height 144] [--frames 48] [--fps 12] [--seed 0]"""
from __future__ import annotations

import argparse
import sys
import time

from .catalog import DIMENSIONS, GENERATORS, generator_by_name
from .dataset import MANIFEST_NAME, TRUTH_NAME, build_demo_dataset


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", help="directory to write initial/, videos/ and the JSONL files into")
    parser.add_argument("--prompts", type=int, default=8, help="number of prompts (initial images)")
    parser.add_argument("--generators", default=",".join(g.name for g in GENERATORS),
                        help="comma-separated simulated generators (default: all)")
    parser.add_argument("--videos-per-generator", type=int, default=1, help="videos per (prompt, generator)")
    parser.add_argument("--width", type=int, default=256, help="even frame width")
    parser.add_argument("--height", type=int, default=144, help="even frame height")
    parser.add_argument("--frames", type=int, default=48, help="frames per video")
    parser.add_argument("--fps", type=float, default=12, help="frames per second")
    parser.add_argument("--seed", type=int, default=0, help="data-set seed (chooses the prompts)")
    args = parser.parse_args(argv)
    try:
        generators = [generator_by_name(n.strip()) for n in args.generators.split(",") if n.strip()]
        started = time.perf_counter()
        rows = build_demo_dataset(args.out_dir, n_prompts=args.prompts, generators=generators,
                                  videos_per_generator=args.videos_per_generator, width=args.width,
                                  height=args.height, num_frames=args.frames, fps=args.fps, seed=args.seed)
    except (KeyError, ValueError) as exc:
        parser.error(str(exc).strip("'\""))
    elapsed = time.perf_counter() - started
    print(f"wrote {len(rows)} videos for {args.prompts} prompts to {args.out_dir} in {elapsed:.1f} s")
    print(f"import manifest: {MANIFEST_NAME}; hidden ground truth: {TRUTH_NAME}")
    print("mean ground truth per generator:")
    print(f"  {'generator':<10}" + "".join(f"{d:>12}" for d in DIMENSIONS))
    for gen in generators:
        mine = [r.truth for r in rows if r.generator == gen.name]
        print(f"  {gen.name:<10}" + "".join(f"{sum(t[d] for t in mine) / len(mine):>12.2f}" for d in DIMENSIONS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
