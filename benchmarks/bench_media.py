"""Benchmark media_io: frame sampling against its floor, seeking, the frame cache, transcoding.

    .venv/bin/python benchmarks/bench_media.py                # 5 repeats, writes benchmarks/results/media.md
    .venv/bin/python benchmarks/bench_media.py --repeats 9 --no-write

The clip mimics generated video: 1280x720, 10 s at 24 fps, a single keyframe (x264 keyint 300,
no scene cuts), moving content. Every timing is the median of --repeats runs. Targets:
sampling / bare decode <= 1.3, naive seeking / sampling >= 5, sampling / cache read >= 10.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere in the repo

from media_io import (  # noqa: E402
    FrameCache,
    bare_decode,
    index_packets,
    make_rendition,
    sample_frames,
    seek_sample,
    sha256_file,
)
from media_io.inputs import open_input  # noqa: E402

TARGETS = {"sampling / bare": ("<=", 1.3), "seek / sampling": (">=", 5.0), "sampling / cache": (">=", 10.0)}


def make_clip(path: Path, *, width: int, height: int, seconds: float, fps: int = 24) -> Path:
    """Flat-shaded "anime" content: a scrolling textured background and a moving bright disc."""
    rng = np.random.default_rng(0)
    tile = rng.integers(0, 255, (height // 8 + 1, 2 * width // 8 + 1, 3), dtype=np.uint8)
    background = np.kron(tile, np.ones((8, 8, 1), np.uint8))[:height, : 2 * width]  # big flat cells
    yy, xx = np.mgrid[:height, :width]
    with av.open(str(path), "w") as out:
        options = {"x264-params": "keyint=300:min-keyint=300:scenecut=0", "crf": "23"}  # one keyframe
        stream = out.add_stream("libx264", rate=fps, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(int(seconds * fps)):
            shift = (4 * i) % width
            rgb = np.ascontiguousarray(background[:, shift : shift + width])
            cx, cy = (width * (0.2 + 0.6 * i / (seconds * fps))), height / 2
            rgb[(xx - cx) ** 2 + (yy - cy) ** 2 < (height / 6) ** 2] = (250, 220, 200)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        out.mux(stream.encode(None))
    return path


def interleaved(fns: dict, repeats: int) -> dict[str, list[float]]:
    """Run every function once per round, round after round, so load from other processes on a
    shared machine hits all of them alike; ratios are then taken round by round."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def ratio(times: dict[str, list[float]], top: str, bottom: str) -> float:
    return statistics.median(a / b for a, b in zip(times[top], times[bottom]))


def index_only(path: Path) -> None:
    with open_input(path) as container:
        index_packets(container, container.streams.video[0])


def run(repeats: int, small_clips: int) -> tuple[list[tuple[str, float, str]], dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print("encoding the 720p clip ...", flush=True)
        clip = make_clip(tmp / "clip720.mp4", width=1280, height=720, seconds=10)
        frames = bare_decode(clip)
        t = interleaved(
            {
                "index": lambda: index_only(clip),
                "bare": lambda: bare_decode(clip),
                "sequential": lambda: sample_frames(clip, 24, strategy="sequential"),
                "auto224": lambda: sample_frames(clip, 24, size=224),
                "seek": lambda: seek_sample(clip, 24),
            },
            repeats,
        )
        print(f"encoding {small_clips} small clips ...", flush=True)
        smalls = [make_clip(tmp / f"small{i}.mp4", width=640, height=360, seconds=3) for i in range(small_clips)]
        hashes = [sha256_file(p) for p in smalls]
        cache = FrameCache(tmp / "cache")
        for path, sha in zip(smalls, hashes):
            cache.get_or_sample(path, sha, 24, 224)
        t |= interleaved(
            {
                "epoch_sample": lambda: [sample_frames(p, 24, size=224) for p in smalls],
                "epoch_cache": lambda: [cache.get(sha, 24, 224) for sha in hashes],
            },
            repeats,
        )
        t |= interleaved({"rendition": lambda: make_rendition(clip, tmp / "r.mp4", max_side=720)}, min(repeats, 3))
        info = make_rendition(clip, tmp / "r.mp4", max_side=720)
    m = {name: statistics.median(values) for name, values in t.items()}
    rows = [
        ("packet index pass (demux only)", m["index"], f"{frames} packets"),
        ("bare decode, every frame (floor)", m["bare"], f"{frames / m['bare']:.0f} frames/s"),
        ("sample_frames(24), sequential, full size", m["sequential"], ""),
        ("sample_frames(24, size=224), auto", m["auto224"], ""),
        ("seek per frame, 24 frames (naive)", m["seek"], ""),
        (f"epoch of {small_clips} clips (640x360, 72 fr): sample_frames(24, size=224)", m["epoch_sample"], ""),
        (f"epoch of {small_clips} clips: FrameCache.get", m["epoch_cache"], "24x224x398x3 uint8 each"),
        (
            f"make_rendition h264 -> {info.width}x{info.height}",
            m["rendition"],
            f"{info.frame_count / m['rendition']:.0f} frames/s, {info.size_bytes / 1e6:.2f} MB",
        ),
    ]
    ratios = {
        "sampling / bare": ratio(t, "sequential", "bare"),
        "seek / sampling": ratio(t, "seek", "sequential"),
        "sampling / cache": ratio(t, "epoch_sample", "epoch_cache"),
    }
    return rows, ratios


def render(rows, ratios, repeats: int, command: str) -> str:
    uname = " ".join(platform.uname())
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    versions = av.library_versions
    libs = ", ".join(f"{k} {'.'.join(map(str, versions[k]))}" for k in ("libavcodec", "libavformat"))
    lines = [
        "# Media benchmark (media_io)",
        "",
        f"- Date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- Machine: `{uname}`, {os.cpu_count()} cores visible, load average {load} at the end "
        "(other processes shared the cores, hence interleaved rounds)",
        f"- Python {platform.python_version()}, PyAV {av.__version__} ({libs}), numpy {np.__version__}",
        f"- Command: `{command}` (median of {repeats} interleaved rounds; rendition: 3)",
        "- Clip: 1280x720, 10 s, 24 fps, H.264 with a single keyframe (keyint 300), moving content.",
        "",
        "| step | median s | note |",
        "|---|---:|---|",
    ]
    lines += [f"| {name} | {seconds:.3f} | {note} |" for name, seconds, note in rows]
    lines += ["", "Ratios are medians of per-round ratios (the runs of each round are back to back).", ""]
    lines += ["| ratio | value | target | met |", "|---|---:|---:|:---:|"]
    for name, value in ratios.items():
        op, target = TARGETS[name]
        met = value <= target if op == "<=" else value >= target
        lines.append(f"| {name} | {value:.2f} | {op} {target:g} | {'yes' if met else 'NO'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement; the median is reported")
    parser.add_argument("--small-clips", type=int, default=20, help="clips in the cached-epoch measurement")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write benchmarks/results/media.md")
    args = parser.parse_args()
    rows, ratios = run(args.repeats, args.small_clips)
    command = "python " + " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])
    report = render(rows, ratios, args.repeats, command)
    print(report)
    if not args.no_write:
        out = ROOT / "benchmarks" / "results" / "media.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report)
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
