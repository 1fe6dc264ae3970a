"""Write a demo data set: initial images, videos, an import manifest and the hidden ground truth.

Layout under out_dir (all paths in the JSONL files are relative to out_dir):
    initial/<prompt_key>.png
    videos/<prompt_key>__<generator>__<seed>.mp4
    manifest.jsonl       what the platform imports (annotation.manifests reads these keys)
    ground_truth.jsonl   what the platform must never see; tests and benchmarks score against it. Each row
                         carries the video-level truth per dimension and, under "frames", the per-frame
                         severity in [0, 1] of the temporal dimensions (render.frame_severities; rounded to 4
                         places). Data sets built before the per-frame truth existed lack "frames": their rows
                         read with frame_truth None.

Same arguments, same bytes: rendering is seeded and x264 runs single-threaded (see media_io/encode.py).
Files from an earlier build with other arguments are not deleted; use a fresh directory.

    python -m demo /tmp/demo --prompts 8 --videos-per-generator 2
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from media_io import write_mp4, write_png

from .catalog import DIMENSIONS, GENERATORS, GeneratorProfile, demo_prompts
from .render import FRAME_DIMENSIONS, frame_severities, render_clip, render_initial_image

MANIFEST_KEYS = ("prompt", "initial_image", "video", "generator", "seed", "action_label", "prompt_key")
TRUTH_KEYS = ("video", "generator", "prompt_key") + DIMENSIONS + ("frames",)
FRAME_DECIMALS = 4
MANIFEST_NAME = "manifest.jsonl"
TRUTH_NAME = "ground_truth.jsonl"

ERR_EVEN = "width and height must be even for H.264 yuv420p, got {width}x{height}"
ERR_COUNT = "{name} must be a positive integer, got {value!r}"
ERR_GENERATORS = "generators must be a non-empty sequence of GeneratorProfile with unique names, got {value!r}"


@dataclass(frozen=True)
class DemoRow:
    prompt: str
    initial_image: str
    video: str
    generator: str
    seed: int
    action_label: str
    prompt_key: str
    truth: dict[str, float] = field(hash=False)
    # {temporal dimension: per-frame severity, one per rendered frame}; None for a data set built before it existed
    frame_truth: dict[str, list[float]] | None = field(default=None, hash=False)

    def manifest_record(self) -> dict:
        return {k: getattr(self, k) for k in MANIFEST_KEYS}

    def truth_record(self) -> dict:
        record = {"video": self.video, "generator": self.generator, "prompt_key": self.prompt_key,
                  **{d: self.truth[d] for d in DIMENSIONS}}
        if self.frame_truth is not None:
            record["frames"] = {d: list(self.frame_truth[d]) for d in FRAME_DIMENSIONS}
        return record


def _check_positive(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(ERR_COUNT.format(name=name, value=value))


def _write_jsonl(path: Path, records) -> None:
    # write then rename, so a reader never sees half a manifest
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    tmp.replace(path)


def build_demo_dataset(out_dir, *, n_prompts: int = 8, generators: Sequence[GeneratorProfile] = GENERATORS,
                       videos_per_generator: int = 1, width: int = 256, height: int = 144,
                       num_frames: int = 48, fps: float = 12, seed: int = 0) -> list[DemoRow]:
    """Render n_prompts x len(generators) x videos_per_generator videos; video seeds are
    0..videos_per_generator-1 (prompts already differ per data-set seed)."""
    _check_positive("n_prompts", n_prompts)
    _check_positive("videos_per_generator", videos_per_generator)
    given = generators
    generators = () if isinstance(given, (GeneratorProfile, str)) else tuple(given)
    if not generators or not all(isinstance(g, GeneratorProfile) for g in generators) \
            or len({g.name for g in generators}) != len(generators):
        raise ValueError(ERR_GENERATORS.format(value=given))
    if not (isinstance(width, int) and isinstance(height, int)) or width % 2 or height % 2:
        raise ValueError(ERR_EVEN.format(width=width, height=height))

    out = Path(out_dir)
    (out / "initial").mkdir(parents=True, exist_ok=True)
    (out / "videos").mkdir(parents=True, exist_ok=True)
    rows: list[DemoRow] = []
    for prompt in demo_prompts(n_prompts, seed):
        initial = f"initial/{prompt.key}.png"
        write_png(render_initial_image(prompt, width, height), out / initial)
        for gen in generators:
            for video_seed in range(videos_per_generator):
                frames, truth = render_clip(prompt, gen, video_seed, width=width, height=height,
                                            num_frames=num_frames, fps=fps)
                video = f"videos/{prompt.key}__{gen.name}__{video_seed}.mp4"
                write_mp4(frames, out / video, fps)
                curves = frame_severities(prompt, gen, video_seed, num_frames=num_frames, fps=fps)
                rows.append(DemoRow(prompt=prompt.text, initial_image=initial, video=video, generator=gen.name,
                                    seed=video_seed, action_label=prompt.action, prompt_key=prompt.key,
                                    truth={d: round(truth[d], 6) for d in DIMENSIONS},
                                    frame_truth={d: [round(float(x), FRAME_DECIMALS) for x in curves[d]]
                                                 for d in FRAME_DIMENSIONS}))
    _write_jsonl(out / MANIFEST_NAME, (r.manifest_record() for r in rows))
    _write_jsonl(out / TRUTH_NAME, (r.truth_record() for r in rows))
    return rows


def read_demo_dataset(out_dir) -> list[DemoRow]:
    """Rows of a built data set, manifest joined with ground truth on the video path."""
    out = Path(out_dir)
    truths, frame_truths = {}, {}
    for line in (out / TRUTH_NAME).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            truths[record["video"]] = {d: float(record[d]) for d in DIMENSIONS}
            frames = record.get("frames")
            frame_truths[record["video"]] = (None if frames is None else
                                             {d: [float(x) for x in frames[d]] for d in FRAME_DIMENSIONS})
    rows = []
    for line in (out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if record["video"] not in truths:
                raise ValueError(f"{out / TRUTH_NAME} has no row for {record['video']}; rebuild the data set")
            rows.append(DemoRow(**{k: record[k] for k in MANIFEST_KEYS}, truth=truths[record["video"]],
                                frame_truth=frame_truths[record["video"]]))
    return rows
