"""RGB frames and images to files: H.264 MP4 (the demo data set, GAPO's evaluation samples) and PNG.

Videos are H.264 (libx264), yuv420p, with the moov atom at the front (``movflags=+faststart``) so
Chromium's <video> can start before the whole file arrives.

The demo data set promises byte-identical files for identical arguments, and x264 needs help to keep
it: frame threads make the bitstream depend on scheduling (so threads=1), and even single-threaded
its lookahead (B-frame placement, macroblock tree, scene cuts) gave differing bitstreams for the
same input on small clips (64x48: 14 distinct outputs in 60 runs with x264 core 165). With
bframes=0, rc-lookahead=0 and scenecut=0 the lookahead does no analysis and every run matched.
Costs a little compression, which 256x144 demo clips can afford.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

ERR_FRAMES_SHAPE = "frames must be a uint8 array of shape (T, H, W, 3) with T >= 1, got {desc}"
ERR_IMAGE_SHAPE = "image must be a uint8 array of shape (H, W, 3), got {desc}"
ERR_FPS = "fps must be a positive number, got {fps!r}"


def _describe(a) -> str:
    if not isinstance(a, np.ndarray):
        return type(a).__name__
    return f"{a.dtype} array of shape {a.shape}"


def pad_to_even(frames: np.ndarray) -> np.ndarray:
    """Repeat the last row/column where H or W is odd: yuv420p halves the chroma planes, so
    x264 refuses odd sizes."""
    h, w = frames.shape[-3:-1]
    pad_h, pad_w = h % 2, w % 2
    if not (pad_h or pad_w):
        return frames
    widths = [(0, 0)] * (frames.ndim - 3) + [(0, pad_h), (0, pad_w), (0, 0)]
    return np.pad(frames, widths, mode="edge")


def write_mp4(frames: np.ndarray, path, fps: float, *, crf: int = 20, preset: str = "veryfast") -> Path:
    """Encode RGB frames (T, H, W, 3) uint8 to an H.264 MP4; odd sizes are padded to even."""
    if not isinstance(frames, np.ndarray) or frames.dtype != np.uint8 or frames.ndim != 4 \
            or frames.shape[-1] != 3 or frames.shape[0] < 1:
        raise ValueError(ERR_FRAMES_SHAPE.format(desc=_describe(frames)))
    if not isinstance(fps, (int, float, Fraction)) or isinstance(fps, bool) or fps <= 0:
        raise ValueError(ERR_FPS.format(fps=fps))
    frames = pad_to_even(frames)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1
        # main profile: decodable by every browser; x264 would pick high otherwise
        stream.options = {"crf": str(crf), "preset": preset, "profile": "main", "threads": "1",
                          "x264-params": "bframes=0:rc-lookahead=0:scenecut=0"}
        for image in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def write_png(image: np.ndarray, path) -> Path:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(ERR_IMAGE_SHAPE.format(desc=_describe(image)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path, format="PNG")
    return path
