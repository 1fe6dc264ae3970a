"""Decoder plumbing behind frames.py: RGB conversion of kept frames, sequential and seeking passes.

Kept separate from frames.py so the sampling rules there read without the PyAV details.
"""

from __future__ import annotations

import bisect
import itertools
import os

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from media_io import errors as E
from media_io.errors import InvalidVideo
from media_io.inputs import open_input
from media_io.probe import PacketIndex, frame_rotation

# swscale's bilinear widens its filter with the scale factor, so downscales do not alias; "AREA"
# measured 2.5-10x slower per frame here (its cost stays even when only converting YUV to RGB).
INTERPOLATION = "BILINEAR"

Size = int | tuple[int, int] | None


def output_size(width: int, height: int, size: Size) -> tuple[int, int]:
    """(width, height) after resizing: None keeps it, an int is the short side (aspect kept), a
    (w, h) pair is exact."""
    if size is None:
        return width, height
    if isinstance(size, int):
        if size < 1:
            raise ValueError(f"size must be a positive short side, got {size}")
        scale = size / min(width, height)
        return max(1, round(width * scale)), max(1, round(height * scale))
    w, h = (int(v) for v in size)
    if w < 1 or h < 1:
        raise ValueError(f"size must be positive (w, h), got {size}")
    return w, h


class FrameConverter:
    """Turns a decoded frame into display-oriented RGB at the target size (one swscale call)."""

    def __init__(self, first: av.VideoFrame, stream, size: Size, apply_rotation: bool):
        rotation = frame_rotation(first, stream) if apply_rotation else 0
        self.turns = rotation // 90
        turned = self.turns % 2 == 1
        display = (first.height, first.width) if turned else (first.width, first.height)
        w, h = output_size(*display, size)
        self.stored = (h, w) if turned else (w, h)  # resize before turning, in stored orientation
        # One reformatter keeps one SwsContext; frame.to_ndarray builds a new one per call (3x slower
        # for a 720p frame).
        self.reformatter = VideoReformatter()

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        w, h = self.stored
        rgb = self.reformatter.reformat(frame, width=w, height=h, format="rgb24", interpolation=INTERPOLATION)
        rgb = rgb.to_ndarray()  # a view of the new frame's buffer, no copy
        return np.rot90(rgb, self.turns) if self.turns else rgb


def open_decoding(path: str) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    container = open_input(path)
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"  # frame + slice threads; same setting as bare_decode, for a fair floor
    return container, stream


def _decoded(frames, path: str):
    """Pass frames through, turning FFmpeg decode errors into InvalidVideo."""
    try:
        yield from frames
    except av.error.FFmpegError as exc:
        raise InvalidVideo(E.CORRUPT, f"Decoding {os.path.basename(path)} failed ({exc}).") from exc


class FrameSink:
    """Writes each kept frame straight into its slot(s) of the output array, so no per-frame arrays
    stay alive and no final np.stack copy is made (24 full-size 720p frames are 66 MB)."""

    def __init__(self, wanted: list[int], stream, size: Size, apply_rotation: bool):
        self.slots: dict[int, list[int]] = {}
        for slot, index in enumerate(wanted):
            self.slots.setdefault(index, []).append(slot)
        self.count, self.stream, self.size, self.apply_rotation = len(wanted), stream, size, apply_rotation
        self.convert, self.out, self.filled = None, None, 0

    def put(self, index: int, frame: av.VideoFrame) -> None:
        if self.convert is None:
            self.convert = FrameConverter(frame, self.stream, self.size, self.apply_rotation)
        rgb = self.convert(frame)
        if self.out is None:
            self.out = np.empty((self.count, *rgb.shape), np.uint8)
        for slot in self.slots[index]:
            self.out[slot] = rgb
        self.filled += 1

    @property
    def complete(self) -> bool:
        return self.filled == len(self.slots)


def decode_sequential(path, wanted: list[int], size: Size, apply_rotation: bool) -> tuple[FrameSink, int]:
    """Decode from the start, converting only wanted indices; stop after the last one.
    Returns (the filled sink, number of frames decoded)."""
    last, decoded = max(wanted), 0
    container, stream = open_decoding(path)
    sink = FrameSink(wanted, stream, size, apply_rotation)
    with container:
        for i, frame in enumerate(_decoded(container.decode(stream), path)):
            decoded = i + 1
            if i in sink.slots:
                sink.put(i, frame)
            if i >= last:
                break
    return sink, decoded


def decode_seeking(
    path, index: PacketIndex, wanted: list[int], size: Size, apply_rotation: bool, reuse_gop: bool
) -> FrameSink | None:
    """Seek to the keyframe before each wanted frame and decode forward to it. With reuse_gop a
    target in the GOP being decoded is reached by decoding on, not by seeking again.
    Returns None when seeking cannot place the frames; callers then decode sequentially."""
    assert index.pts is not None and index.keyframe_pts
    frames, pos = None, None
    container, stream = open_decoding(path)
    sink = FrameSink(wanted, stream, size, apply_rotation)
    with container:
        for target in sorted(sink.slots):
            target_pts = index.pts[target]
            k = max(bisect.bisect_right(index.keyframe_pts, target_pts) - 1, 0)
            if not reuse_gop or frames is None or pos is None or pos < index.keyframe_pts[k] or pos >= target_pts:
                try:
                    frames = _decoded(_seek_before(container, stream, index.keyframe_pts, k, target_pts), path)
                except av.error.FFmpegError:
                    return None  # the demuxer cannot seek here
            for frame in frames:
                pos = frame.pts
                if pos is None:
                    return None  # frames without timestamps cannot be placed
                if pos >= target_pts:
                    sink.put(target, frame)
                    break
            else:
                return None  # ran off the end: the index promised frames the decoder never gave
    return sink


def _seek_before(container, stream, keyframe_pts, k: int, target_pts: int):
    """Iterator of decoded frames starting at or before target_pts.

    Demuxers seek on decode timestamps; with B-frames a keyframe's dts can precede the target's pts
    while its pts does not, landing one GOP late. Step back a keyframe until the first frame is
    not after the target."""
    for j in range(k, -1, -1):
        container.seek(keyframe_pts[j], stream=stream, backward=True)
        frames = container.decode(stream)
        first = next(frames, None)
        if first is not None and (first.pts is None or first.pts <= target_pts):
            return itertools.chain([first], frames)
    container.seek(keyframe_pts[0], stream=stream, backward=True)
    return container.decode(stream)
