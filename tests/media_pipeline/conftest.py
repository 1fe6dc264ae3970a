"""Fixtures for the media pipeline tests: clips of several codecs and containers made once per
session, private MEDIA_ROOT / frame cache / import root / upload temp folder per test, and
processing that runs only when a test calls it (nothing is sent to the shared Redis)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clips import write_png
from tests.s3 import S3_KEYS, bucket_keys, moto_endpoint, s3_bucket  # noqa: F401  (shared S3 fixtures)
from tests.media.clips import write_clip

# Every good clip: 20 frames, 64x48, frame i a flat grey of level 8 * i plus a white corner block.
GOOD_CLIPS = {
    "h264.mp4": dict(codec="libx264"),
    "vp9.webm": dict(codec="libvpx-vp9"),
    "mpeg4.avi": dict(codec="mpeg4"),
    "mpeg4.mkv": dict(codec="mpeg4"),
}


@pytest.fixture(scope="session")
def good_clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pipeline-clips")
    return {name: write_clip(folder / name, frames=20, marker=True, **kwargs) for name, kwargs in GOOD_CLIPS.items()}


@pytest.fixture
def pipeline(tmp_path, settings, media_root):
    """Private folders for one test; returns the import root (files there may be imported)."""
    root = tmp_path / "imports"
    root.mkdir()
    settings.IMPORT_ROOTS = [root.resolve()]
    settings.FRAME_CACHE_ROOT = tmp_path / "frame-cache"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()
    settings.MEDIA_PROCESS_ON_IMPORT = False
    return root


def stored_files(media_root: Path) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def manifest_rows(root: Path, clips: dict[str, Path], *, prompt: str = "A girl with pink hair waves") -> list[dict]:
    """One prompt, one row per clip (copied into the import root), generators gen-0, gen-1, ..."""
    image = write_png(root / "initial.png", shade=90)
    rows = []
    for i, (name, clip) in enumerate(clips.items()):
        target = root / name
        target.write_bytes(clip.read_bytes())
        rows.append({"prompt": prompt, "initial_image": image.name, "video": name, "generator": f"gen-{i}",
                     "seed": i})
    return rows


def import_rows(root: Path, rows: list[dict], **kwargs):
    from annotation.services.imports import videos_import_manifest

    return videos_import_manifest(text="\n".join(json.dumps(r) for r in rows), manifest_name="m.jsonl",
                                  base_dir=root, **kwargs)
