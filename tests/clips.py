"""Small media files made by tests (no fixtures on disk)."""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image


def write_clip(path: Path, *, frames: int = 12, width: int = 64, height: int = 48, fps: int = 12,
               codec: str = "libx264", shade: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            image = np.full((height, width, 3), (shade * 37 + i * 9) % 256, dtype=np.uint8)
            image[: height // 2, : (i + 1) * width // frames] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_png(path: Path, *, width: int = 64, height: int = 48, shade: int = 128) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((height, width, 3), shade, dtype=np.uint8)).save(path)
    return path
