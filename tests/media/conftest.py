"""Clips shared by the media tests, encoded once per session (each takes milliseconds)."""

from pathlib import Path

import pytest

from tests.media.clips import write_clip

VFR_PTS_MS = [0, 40, 50, 120, 130, 135, 300, 310, 400, 600, 620, 640, 700, 800, 850, 900, 1000, 1100, 1150, 1200]

GOOD_CLIPS = {
    "h264.mp4": dict(frames=30, gop=12),
    "vp9.webm": dict(frames=30, codec="libvpx-vp9"),
    "mpeg4.avi": dict(frames=25, codec="mpeg4"),
    "mpeg4.mkv": dict(frames=25, codec="mpeg4", gop=10),
    "one_keyframe.mp4": dict(frames=30, gop=1000),
    "all_keyframes.mp4": dict(frames=30, gop=1),
    "vfr.mp4": dict(frames=20, pts_ms=VFR_PTS_MS),
    "vfr.mkv": dict(frames=20, codec="mpeg4", pts_ms=VFR_PTS_MS),
}


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def clips(clip_dir) -> dict[str, Path]:
    made = {name: write_clip(clip_dir / name, **kwargs) for name, kwargs in GOOD_CLIPS.items()}
    made["one_frame.mp4"] = write_clip(clip_dir / "one_frame.mp4", frames=1)
    made["five_frames.mp4"] = write_clip(clip_dir / "five_frames.mp4", frames=5)
    made["rotated.mp4"] = write_clip(clip_dir / "rotated.mp4", frames=12, rotation=90, marker=True)
    made["with_audio.mp4"] = write_clip(clip_dir / "with_audio.mp4", frames=12, audio=True)
    return made
