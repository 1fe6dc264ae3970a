"""Tiny test videos made with PyAV, whose pixels say which frame they are.

Frame i is a flat grey of level 8 * i (so clips hold at most 32 frames), optionally with a white
block in the stored top-left corner to check rotation. Codecs keep flat greys within +-1 level
(MPEG-4 Part 2 only with a generous bitrate), far inside the 4-level margin between neighbours.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

GREY_STEP = 8
MARKER = 16  # side of the white block marking the stored top-left corner


def frame_pixels(i: int, width: int, height: int, marker: bool = False) -> np.ndarray:
    rgb = np.full((height, width, 3), GREY_STEP * i, np.uint8)
    if marker:
        rgb[:MARKER, :MARKER] = 255
    return rgb


def write_clip(
    path: Path,
    *,
    frames: int = 20,
    codec: str = "libx264",
    width: int = 64,
    height: int = 48,
    rate: int = 24,
    gop: int | None = None,
    pts_ms: list[int] | None = None,
    rotation: int | None = None,
    marker: bool = False,
    faststart: bool = False,
    audio: bool = False,
) -> Path:
    """Encode `frames` grey frames into `path` (the container follows the suffix)."""
    assert frames <= 256 // GREY_STEP, "grey levels would wrap"
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as out:
        stream = out.add_stream(codec, rate=rate, options=_codec_options(codec, gop))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if codec == "mpeg4":
            stream.bit_rate = 4_000_000  # the default 200 kb/s blurs grey levels by up to 5
        if gop is not None and codec != "libx264":
            stream.codec_context.gop_size = gop
        if pts_ms is not None:  # variable frame rate: explicit millisecond timestamps
            stream.codec_context.time_base = Fraction(1, 1000)
        if rotation is not None:
            stream.set_display_rotation(rotation)
        sound = out.add_stream("aac", rate=48000) if audio else None
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(frame_pixels(i, width, height, marker), format="rgb24")
            if pts_ms is not None:
                frame.pts, frame.time_base = pts_ms[i], Fraction(1, 1000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if sound is not None:
            _write_silence(out, sound, seconds=frames / rate)
        if frames == 0:
            out.start_encoding()  # write the header even though no frame was muxed
    return Path(path)


def _codec_options(codec: str, gop: int | None) -> dict[str, str]:
    if codec == "libx264":
        params = "scenecut=0" + (f":keyint={gop}:min-keyint={gop}" if gop else "")
        return {"x264-params": params}
    if codec == "libvpx-vp9":
        return {"deadline": "realtime", "cpu-used": "8"}
    return {}


def _write_silence(out, stream, seconds: float) -> None:
    samples = int(48000 * seconds)
    for start in range(0, samples, 1024):
        chunk = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        chunk.sample_rate, chunk.pts = 48000, start
        out.mux(stream.encode(chunk))
    out.mux(stream.encode(None))


def write_audio_only(path: Path) -> Path:
    with av.open(str(path), "w") as out:
        _write_silence(out, out.add_stream("aac", rate=48000), seconds=0.5)
    return Path(path)


def grey_index(rgb: np.ndarray) -> int:
    """Which frame index a decoded grey frame shows (marker excluded)."""
    return int(round(float(np.median(rgb)) / GREY_STEP))


def grey_indices(frames: np.ndarray) -> list[int]:
    return [grey_index(f) for f in frames]


def truncate(src: Path, dst: Path, fraction: float = 0.5) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


def mp4_top_level_boxes(path: Path) -> list[bytes]:
    data, pos, boxes = path.read_bytes(), 0, []
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        boxes.append(data[pos + 4 : pos + 8])
        if size < 8:
            break
        pos += size
    return boxes
