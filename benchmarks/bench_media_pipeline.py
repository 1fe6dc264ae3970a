"""Benchmark the Django media pipeline's per-video work (annotation/services/media_pipeline.py).

    .venv/bin/python benchmarks/bench_media_pipeline.py             # 3 repeats, appends to benchmarks/results/media.md
    .venv/bin/python benchmarks/bench_media_pipeline.py --repeats 5 --no-write

Times the code path of media.process_video minus its two short database transactions: the upload /
import gate (media_file_check: size, probe, limits), sha256, building every output (rendition, poster,
strip, frame-cache entry) into filesystem storage, and a re-run that finds everything done. Clips are
bench_media.make_clip's generated-video look-alikes. No database is needed.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIPS = {
    "720p, 10 s": dict(width=1280, height=720, seconds=10.0),
    "1080p, 5 s": dict(width=1920, height=1080, seconds=5.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    os.environ.update(MEDIA_ROOT=str(work / "media"), FRAME_CACHE_ROOT=str(work / "frame-cache"),
                      DJANGO_SETTINGS_MODULE="config.settings")
    import django

    django.setup()
    import av

    from annotation.models import Video
    from annotation.services import media_pipeline
    from benchmarks.bench_media import make_clip
    from media_io import sha256_file

    lines = []
    for label, spec in CLIPS.items():
        clip = make_clip(work / f"{spec['width']}.mp4", **spec)
        sha = sha256_file(clip)
        name = f"videos/{sha[:2]}/{sha}.mp4"
        media_pipeline.storage_put(clip, name)
        video = Video(file=name, sha256=sha)
        times: dict[str, list[float]] = {"check": [], "sha256": [], "build": [], "rerun": []}
        for _ in range(args.repeats):
            for step, fn in (
                ("check", lambda: media_pipeline.media_file_check(clip)),
                ("sha256", lambda: sha256_file(clip)),
                ("build", lambda: _build(media_pipeline, video, work, force=True)),
                ("rerun", lambda: _build(media_pipeline, video, work, force=False)),
            ):
                start = time.perf_counter()
                fn()
                times[step].append(time.perf_counter() - start)
        names = media_pipeline.output_names(video.media_token)
        rendition = Path(os.environ["MEDIA_ROOT"]) / names["rendition"]
        with av.open(str(rendition)) as out:
            ctx = out.streams.video[0].codec_context
            size = f"{ctx.width}x{ctx.height}"
        med = {k: statistics.median(v) for k, v in times.items()}
        frames = int(spec["seconds"] * 24)
        lines.append(f"| {label} ({spec['width']}x{spec['height']}, {frames} frames) | {med['check']:.3f} | "
                     f"{med['sha256']:.4f} | {med['build']:.2f} | {med['rerun']:.3f} | {size}, "
                     f"{rendition.stat().st_size / 1e6:.2f} MB |")

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    report = "\n".join([
        "",
        "## Media pipeline: one video through media.process_video (annotation/services/media_pipeline.py)",
        "",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores visible, load average {load} at the end "
        "(other agents' tests shared the cores)",
        f"- Command: `python benchmarks/bench_media_pipeline.py --repeats {args.repeats}` (medians)",
        "- check = import/upload gate (size, probe, limits); build = rendition (H.264 faststart, at most "
        "1280x720 either way) + poster + 8-frame strip + 24-frame cache entry (short side 224), stored on the "
        "filesystem; rerun = the same call when every output is already stored, e.g. after a killed run "
        "(sha256 + probe again, outputs reused; a `ready` video returns before this).",
        "",
        "| clip | check s | sha256 s | build s | rerun s | rendition |",
        "|---|---:|---:|---:|---:|---|",
        *lines,
        "",
    ])
    print(report)
    if not args.no_write:
        with (ROOT / "benchmarks" / "results" / "media.md").open("a") as handle:
            handle.write(report)


def _build(media_pipeline, video, work: Path, *, force: bool) -> None:
    if force:  # a cold cache, like a video seen for the first time
        for entry in Path(os.environ["FRAME_CACHE_ROOT"]).rglob("*.safetensors"):
            entry.unlink()
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        media_pipeline._make_outputs(video, Path(tmp), [], force=force)


if __name__ == "__main__":
    main()
