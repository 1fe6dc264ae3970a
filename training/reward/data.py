"""Pairwise training data for AnimeReward, from a DatasetVersion folder or from the demo world.

``PairSet`` is the one in-memory form both sources produce:

    videos   key -> VideoRecord(path, prompt, initial_image, generator, split, truth/ratings per dimension)
    pairs    PairRecord(video_a, video_b, split, strength: dimension -> consensus mean strength, -2..+2,
             + = B better, 0 = tie)
    segments video key -> dimension -> [segments.SpanMark]: marked artefact spans (issue #22), empty when none

DatasetVersion (training/exports): ``data/consensus``, ``data/videos``, ``data/prompts`` and, when present,
``data/video_scores`` Parquet shards; media paths in the tables are relative to ``media_root``.
A consensus row whose ``direction`` is ``tie`` gets strength 0 even when its mean is not exactly 0.
``data/segments`` (docs/segments.md; exports from issue #22 on) becomes ``PairSet.segments``; an export without
it loads with no spans. Spans of gold pairs are skipped like their consensus rows.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from .config import DIMENSIONS
from .segments import SpanMark

ERR_NOT_VERSION = "{folder} has no data/consensus/*.parquet; pass a DatasetVersion folder written by the studio export"


@dataclass
class VideoRecord:
    key: str
    path: str
    prompt: str
    initial_image: str | None
    generator: str
    split: str
    prompt_key: str
    truth: dict[str, float] = field(default_factory=dict)  # per-dimension scores in [0, 1] when known


@dataclass
class PairRecord:
    video_a: str
    video_b: str
    split: str
    strength: dict[str, float]


@dataclass
class PairSet:
    videos: dict[str, VideoRecord]
    pairs: list[PairRecord]
    version: str
    segments: dict[str, dict[str, list[SpanMark]]] = field(default_factory=dict)

    def split(self, name: str) -> "PairSet":
        pairs = [p for p in self.pairs if p.split == name]
        keys = {k for p in pairs for k in (p.video_a, p.video_b)} | {
            k for k, v in self.videos.items() if v.split == name}
        return PairSet({k: self.videos[k] for k in sorted(keys)}, pairs, self.version,
                       {k: self.segments[k] for k in sorted(keys) if k in self.segments})


def _read_table(folder: Path, table: str):
    import pyarrow.parquet as pq

    files = sorted((folder / "data" / table).glob("*.parquet"))
    if not files:
        return None
    import pyarrow as pa

    return pa.concat_tables([pq.read_table(f) for f in files]).to_pylist()


def folder_digest(folder: Path) -> str:
    """sha256 over the (path, sha256) of every Parquet shard: identifies the data the model saw."""
    digest = hashlib.sha256()
    for f in sorted((folder / "data").rglob("*.parquet")):
        digest.update(f"{f.relative_to(folder).as_posix()}\0{hashlib.sha256(f.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def load_dataset_version(folder, media_root=None) -> PairSet:
    folder = Path(folder)
    consensus = _read_table(folder, "consensus")
    if consensus is None:
        raise FileNotFoundError(ERR_NOT_VERSION.format(folder=folder))
    media = Path(media_root) if media_root else folder
    prompts = {r["prompt_id"]: r for r in _read_table(folder, "prompts") or []}
    videos: dict[str, VideoRecord] = {}
    for r in _read_table(folder, "videos") or []:
        p = prompts.get(r["prompt_id"], {})
        init = p.get("initial_image")
        videos[str(r["video_id"])] = VideoRecord(
            key=str(r["video_id"]), path=str(media / r["file"]), prompt=p.get("text", ""),
            initial_image=str(media / init) if init else None, generator=r.get("generator") or "?",
            split=r["split"], prompt_key=str(r["prompt_id"]))
    for r in _read_table(folder, "video_scores") or []:
        v = videos.get(str(r["video_id"]))
        if v is None:
            continue
        if r.get("mean_rating") is not None:
            v.truth[r["dimension"]] = (float(r["mean_rating"]) - 1.0) / 4.0
        elif r.get("bt_scaled") is not None:
            v.truth.setdefault(r["dimension"], float(r["bt_scaled"]))
    by_pair: dict[int, PairRecord] = {}
    gold = set()
    for r in consensus:
        if r.get("is_gold"):
            gold.add(r["pair_id"])
        if r["dimension"] not in DIMENSIONS or r.get("is_gold"):
            continue
        pair = by_pair.setdefault(r["pair_id"], PairRecord(str(r["video_a_id"]), str(r["video_b_id"]), r["split"], {}))
        pair.strength[r["dimension"]] = 0.0 if r["direction"] == "tie" else float(r["mean_strength"])
    segments: dict[str, dict[str, list[SpanMark]]] = {}
    for r in _read_table(folder, "segments") or []:
        if r["dimension"] not in DIMENSIONS or r["pair_id"] in gold or not r.get("frame_count"):
            continue
        mark = SpanMark(int(r["start_frame"]), int(r["end_frame"]), int(r["frame_count"]), str(r["annotator"]))
        segments.setdefault(str(r["video_id"]), {}).setdefault(r["dimension"], []).append(mark)
    return PairSet(videos, list(by_pair.values()), folder_digest(folder), segments)


def demo_pairset(demo_dir, *, noise: float = 0.05, judges: int = 1, test_fraction: float = 0.25, seed: int = 0,
                 tie_threshold: float = 0.05, spans: bool = False) -> PairSet:
    """Every same-prompt pair of a demo data set (demo), judged by ``judges`` SimulatedAnnotators
    (strength = mean of their -2..+2 answers); split by prompt (the initial image) with a crc32 rule, so
    no initial image is in both splits. Video ``truth`` is the demo ground truth (for Spearman).

    ``spans``: each judge also marks artefact spans on every video of the judged pairs, per temporal dimension,
    from the demo's per-frame truth (SimulatedAnnotator.mark_spans: misses, early/late edges; its own random
    stream, so the judgments are the same with or without spans). Needs a demo built with per-frame truth."""
    from demo import SimulatedAnnotator, read_demo_dataset

    root = Path(demo_dir)
    rows = read_demo_dataset(root)
    annotators = [SimulatedAnnotator(noise=noise, seed=seed * 1000 + j, tie_threshold=tie_threshold)
                  for j in range(judges)]
    videos, by_prompt = {}, {}
    for r in rows:
        bucket = zlib.crc32(f"{seed}:{r.prompt_key}".encode()) % 1000 / 1000.0
        split = "test" if bucket < test_fraction else "train"
        videos[r.video] = VideoRecord(r.video, str(root / r.video), r.prompt, str(root / r.initial_image),
                                      r.generator, split, r.prompt_key, dict(r.truth))
        by_prompt.setdefault(r.prompt_key, []).append(r)
    pairs = []
    for key in sorted(by_prompt):
        for a, b in combinations(by_prompt[key], 2):
            answers = [ann.judge(a.truth, b.truth) for ann in annotators]
            strength = {d: float(np.mean([ans[d] for ans in answers])) for d in DIMENSIONS}
            pairs.append(PairRecord(a.video, b.video, videos[a.video].split, strength))
    segments = _demo_spans(rows, annotators) if spans else {}
    manifest = (root / "manifest.jsonl").read_bytes()
    settings = [noise, judges, test_fraction, seed] + (["spans"] if spans else [])
    version = hashlib.sha256(manifest + json.dumps(settings).encode()).hexdigest()
    return PairSet(videos, pairs, "demo:" + version, segments)


ERR_NO_FRAME_TRUTH = ("{video} has no per-frame truth; rebuild the demo (python -m demo DIR) to get spans, or call "
                      "demo_pairset without spans")


def _demo_spans(rows, annotators) -> dict[str, dict[str, list[SpanMark]]]:
    out: dict[str, dict[str, list[SpanMark]]] = {}
    for r in rows:
        if r.frame_truth is None:
            raise ValueError(ERR_NO_FRAME_TRUTH.format(video=r.video))
        per_dim = out.setdefault(r.video, {})
        for j, ann in enumerate(annotators):
            for dim, curve in r.frame_truth.items():
                marks = [SpanMark(a, b, len(curve), f"sim{j}") for a, b in ann.mark_spans(curve)]
                per_dim.setdefault(dim, []).extend(marks)
    return out


def strength_matrix(pairs: list[PairRecord], dimensions) -> np.ndarray:
    """(P, D) strengths, NaN where a pair has no label on a dimension."""
    return np.asarray([[p.strength.get(d, math.nan) for d in dimensions] for p in pairs], np.float32).reshape(
        len(pairs), len(dimensions))
