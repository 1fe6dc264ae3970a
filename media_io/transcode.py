"""Browser renditions, posters and thumbnail strips, written with PyAV's bundled encoders.

    make_rendition("upload.mov", "clip.mp4")                    # H.264 yuv420p MP4, moov first
    make_rendition("upload.mov", "clip.webm", codec="vp9")      # VP9 WebM
    make_poster("upload.mov", "poster.jpg")                     # the frame ~10% in
    make_thumbnail_strip("upload.mov", "strip.png", n=8, height=64)

Rotation metadata is applied to the pixels and not written to the output, so every player (and the
poster next to it) shows the same upright picture. Audio is dropped: judging is done silently.
Nothing of the source's metadata is carried over (`ffmpeg -map_metadata -1`): outputs are new
containers whose tags PyAV leaves empty, so a generator name or seed in the source's `comment` tag
never reaches annotators (tests read the rendition's tags).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from media_io import errors as E
from media_io.errors import InvalidVideo
from media_io.frames import sample_frames, sample_frames_at, uniform_indices
from media_io.inputs import open_input
from media_io.probe import VideoProbe, probe_video

# Encoder settings per output codec. CRF keeps quality steady; the VBV / target-bitrate cap bounds
# file size on noisy content, where CRF alone can balloon.
_CODECS = {
    "h264": {
        "encoder": "libx264",
        "format": "mp4",
        "suffixes": (".mp4", ".m4v"),
        "options": lambda crf, kbps: {
            "crf": str(crf),
            "preset": "veryfast",
            "x264-params": f"vbv-maxrate={kbps}:vbv-bufsize={2 * kbps}",
        },
        "container_options": {"movflags": "+faststart"},  # moov first: playback starts before download ends
        "default_crf": 23,
    },
    "vp9": {
        "encoder": "libvpx-vp9",
        "format": "webm",
        "suffixes": (".webm",),
        # With a target bitrate set, crf makes libvpx run constrained quality: crf, capped at the bitrate.
        "options": lambda crf, kbps: {"crf": str(crf), "deadline": "realtime", "cpu-used": "8", "row-mt": "1"},
        "container_options": {},
        "default_crf": 33,
    },
}
_ROTATE_FILTERS = {90: [("transpose", "cclock")], 180: [("hflip", ""), ("vflip", "")], 270: [("transpose", "clock")]}


@dataclass(frozen=True)
class RenditionInfo:
    path: str
    codec: str
    container: str
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    size_bytes: int
    encode_seconds: float


@dataclass(frozen=True)
class ImageInfo:
    path: str
    width: int
    height: int
    frame_indices: tuple[int, ...]


def rendition_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Fit (width, height) inside max_side on the long side, never upscale, round to even numbers
    (yuv420p needs even dimensions)."""
    if max_side < 2:
        raise ValueError(f"max_side must be >= 2, got {max_side}")
    scale = min(1.0, max_side / max(width, height))

    def even(side: int) -> int:
        # Nearest even number, half up (round() sends 202.5 to 202), but never past the limit or the
        # source: rounding 33 up to 34 would break max_side=33 or upscale a 33-pixel source.
        return max(2, min(int(side * scale / 2 + 0.5) * 2, min(side, max_side) // 2 * 2))

    return even(width), even(height)


def _filter_graph(stream, rotation: int, width: int, height: int):
    graph = av.filter.Graph()
    chain = [graph.add_buffer(template=stream)]
    steps = _ROTATE_FILTERS.get(rotation, []) + [("scale", f"{width}:{height}:flags=area"), ("format", "yuv420p")]
    for name, args in steps:
        chain.append(graph.add(name, args or None))
    chain.append(graph.add("buffersink"))
    graph.link_nodes(*chain).configure()
    return graph


def _atomic_target(dst: str) -> str:
    directory, suffix = os.path.dirname(os.path.abspath(dst)), os.path.splitext(dst)[1]
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=suffix)  # same filesystem: rename is atomic
    os.close(fd)
    return tmp


def make_rendition(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    max_side: int = 720,
    codec: str = "h264",
    crf: int | None = None,
    max_kbps: int = 4000,
) -> RenditionInfo:
    """Transcode `src` into a browser-playable file at `dst` (written atomically).

    h264: H.264 yuv420p MP4 with +faststart; vp9: VP9 yuv420p WebM. The long side is at most
    max_side, dimensions are even, frame timing (and so fps) is kept, bitrate is capped at max_kbps.
    """
    if codec not in _CODECS:
        raise ValueError(f"codec must be one of {sorted(_CODECS)}, got {codec!r}")
    spec = _CODECS[codec]
    src, dst = os.fspath(src), os.fspath(dst)
    if not dst.lower().endswith(spec["suffixes"]):
        raise ValueError(f"{codec} renditions are {spec['format']} files: name {dst} with one of {spec['suffixes']}")
    probe = probe_video(src)
    width, height = rendition_size(probe.display_width, probe.display_height, max_side)
    started = time.perf_counter()
    tmp = _atomic_target(dst)
    try:
        crf = crf if crf is not None else spec["default_crf"]
        frames = _encode(src, tmp, probe, spec, width, height, crf, max_kbps)
        os.replace(tmp, dst)
    except BaseException:
        os.unlink(tmp)
        raise
    return RenditionInfo(
        path=dst,
        codec=codec,
        container=spec["format"],
        width=width,
        height=height,
        fps=probe.fps,
        frame_count=frames,
        duration_s=probe.duration_s,
        size_bytes=os.path.getsize(dst),
        encode_seconds=time.perf_counter() - started,
    )


def _encode(src: str, dst: str, probe: VideoProbe, spec: dict, width: int, height: int, crf: int, kbps: int) -> int:
    with open_input(src) as inp, av.open(dst, "w", format=spec["format"], options=spec["container_options"]) as out:
        in_stream = inp.streams.video[0]
        in_stream.thread_type = "AUTO"
        rate = in_stream.average_rate or Fraction(round(probe.fps or 24))
        out_stream = out.add_stream(spec["encoder"], rate=rate, options=spec["options"](crf, kbps))
        out_stream.width, out_stream.height, out_stream.pix_fmt = width, height, "yuv420p"
        if spec["encoder"] == "libvpx-vp9":
            out_stream.bit_rate = kbps * 1000  # turns libvpx crf into constrained quality (capped)
        # Keep the source timestamps (variable frame rate survives); the muxer rescales them.
        time_base = in_stream.time_base or Fraction(1, 1000)
        out_stream.codec_context.time_base = time_base
        graph = _filter_graph(in_stream, probe.rotation, width, height)
        count, last_pts = 0, None
        try:
            for frame in inp.decode(in_stream):
                graph.push(frame)
                for filtered in _drain(graph):
                    last_pts = _retime(filtered, last_pts, time_base, rate)
                    out.mux(out_stream.encode(filtered))
                    count += 1
        except av.error.FFmpegError as exc:
            raise InvalidVideo(E.CORRUPT, f"Decoding {os.path.basename(src)} failed at frame {count} ({exc}).") from exc
        out.mux(out_stream.encode(None))
    return count


def _drain(graph):
    while True:
        try:
            yield graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):
            return


def _retime(frame: av.VideoFrame, last_pts: int | None, time_base: Fraction, rate: Fraction) -> int:
    """Give the frame a strictly increasing pts (encoders reject repeats; some AVIs have none)."""
    step = max(1, round(1 / (rate * time_base))) if rate else 1
    pts = frame.pts
    if pts is None or (last_pts is not None and pts <= last_pts):
        pts = 0 if last_pts is None else last_pts + step
    frame.pts, frame.time_base = pts, time_base
    frame.pict_type = av.video.frame.PictureType.NONE  # let the encoder choose frame types
    return pts


def _save_image(array: np.ndarray, dst: str) -> None:
    from PIL import Image

    ext = os.path.splitext(dst)[1].lower()
    if ext not in (".png", ".jpg", ".jpeg", ".webp"):
        raise ValueError(f"image must be .png, .jpg, .jpeg or .webp, got {dst}")
    tmp = _atomic_target(dst)
    try:
        Image.fromarray(array).save(tmp, **({"quality": 90} if ext != ".png" else {}))
        os.replace(tmp, dst)
    except BaseException:
        os.unlink(tmp)
        raise


def make_poster(
    src: str | os.PathLike, dst: str | os.PathLike, *, at: float = 0.1, max_side: int | None = None
) -> ImageInfo:
    """Save the frame `at` of the way in (default 10%: past fade-ins, still representative)."""
    if not 0.0 <= at <= 1.0:
        raise ValueError(f"at must be in [0, 1], got {at}")
    probe = probe_video(src)
    index = round(at * (probe.frame_count - 1))
    size = rendition_size(probe.display_width, probe.display_height, max_side) if max_side else None
    frame = sample_frames_at(src, [index], size=size)[0]
    _save_image(frame, os.fspath(dst))
    return ImageInfo(path=os.fspath(dst), width=frame.shape[1], height=frame.shape[0], frame_indices=(index,))


def make_thumbnail_strip(src: str | os.PathLike, dst: str | os.PathLike, *, n: int = 8, height: int = 64) -> ImageInfo:
    """One image with n uniformly sampled frames side by side, each `height` pixels tall."""
    probe = probe_video(src)
    tile_width = max(1, round(height * probe.display_width / probe.display_height))
    frames = sample_frames(src, n, size=(tile_width, height))  # (n, height, tile_width, 3)
    strip = np.concatenate(list(frames), axis=1)  # (height, n * tile_width, 3)
    _save_image(strip, os.fspath(dst))
    return ImageInfo(
        path=os.fspath(dst),
        width=strip.shape[1],
        height=strip.shape[0],
        frame_indices=tuple(uniform_indices(probe.frame_count, n)),
    )
