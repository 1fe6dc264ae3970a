"""Open, index and validate uploaded videos with PyAV; every failure becomes `InvalidVideo`.

    probe = probe_video("clip.mp4")                  # demux every packet, decode the first frame
    probe = probe_video("clip.mp4", full_decode=True)  # also decode every frame (upload check)
    validate_probe(probe, max_duration_s=30, max_width=1920, max_height=1080, max_frames=2000)
    probe_video("clip.mp4", max_width=1920, max_height=1080)  # limits checked on headers, before decoding

Demuxing without decoding is cheap (a few ms for a 10 s 720p clip), so the probe always walks the
whole packet index: that gives an exact frame count for containers that do not store one (WebM,
MKV), the keyframe count the sampler needs to choose a strategy, and truncation checks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from fractions import Fraction

import av

from media_io import errors as E
from media_io.errors import InvalidVideo
from media_io.inputs import DEFAULT_MAX_PIXELS, open_input


@dataclass(frozen=True)
class PacketIndex:
    """What one demux pass over a video stream learns, without decoding anything."""

    packet_count: int
    keyframe_count: int
    pts: tuple[int, ...] | None  # presentation timestamps sorted = frame order; None if any missing
    keyframe_pts: tuple[int, ...] | None
    time_base: Fraction | None
    span_s: float  # from the earliest packet start to the latest packet end, over all streams

    @property
    def average_gop(self) -> float:
        return self.packet_count / max(self.keyframe_count, 1)


@dataclass(frozen=True)
class VideoProbe:
    """Facts about one video file. width/height are as stored; rotation is applied for display."""

    path: str
    container: str  # FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"
    codec: str  # FFmpeg decoder name, e.g. "h264", "vp9", "mpeg4"
    fps: float  # average frame rate (frames / duration), so variable-rate clips get a fair number
    frame_count: int  # exact: packets counted (or frames decoded when full_decode=True)
    width: int
    height: int
    duration_s: float
    rotation: int  # degrees counter-clockwise to turn the stored picture for display: 0/90/180/270
    has_audio: bool
    keyframe_count: int
    size_bytes: int
    pix_fmt: str | None = None  # FFmpeg pixel format of the stored stream, e.g. "yuv420p"

    @property
    def display_width(self) -> int:
        return self.height if self.rotation in (90, 270) else self.width

    @property
    def display_height(self) -> int:
        return self.width if self.rotation in (90, 270) else self.height


def index_packets(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> PacketIndex:
    """Demux every packet (no decoding) and index the video stream's frames and keyframes."""
    pts: list[int | None] = []
    key_pts: list[int | None] = []
    start, end = float("inf"), float("-inf")
    try:
        for packet in container.demux():
            if packet.size == 0:  # PyAV's end-of-stream flush packets
                continue
            ts = packet.pts if packet.pts is not None else packet.dts
            if ts is not None and packet.time_base is not None:
                start = min(start, float(ts * packet.time_base))
                end = max(end, float((ts + (packet.duration or 0)) * packet.time_base))
            if packet.stream.index != stream.index:
                continue
            pts.append(ts)
            if packet.is_keyframe:
                key_pts.append(ts)
    except av.error.FFmpegError as exc:
        raise InvalidVideo(E.CORRUPT, f"Reading packets failed after {len(pts)} frames ({exc}).") from exc
    known = None not in pts
    return PacketIndex(
        packet_count=len(pts),
        keyframe_count=len(key_pts),
        pts=tuple(sorted(pts)) if known else None,
        keyframe_pts=tuple(sorted(key_pts)) if known else None,
        time_base=stream.time_base,
        span_s=max(end - start, 0.0) if end > start else 0.0,
    )


def frame_rotation(frame: av.VideoFrame, stream: av.video.stream.VideoStream) -> int:
    """Quarter turns counter-clockwise (0/90/180/270) that put `frame` upright for display."""
    degrees = frame.rotation  # display matrix, counter-clockwise, in [-180, 180]
    if not degrees and "rotate" in stream.metadata:  # old muxers' tag, clockwise
        try:
            degrees = -int(float(stream.metadata["rotate"]))
        except ValueError:
            degrees = 0
    # Only quarter turns are applied downstream; round odd matrices to the nearest one.
    return int(round(degrees / 90.0)) % 4 * 90


def probe_video(
    path: str | os.PathLike,
    *,
    full_decode: bool = False,
    max_duration_s: float | None = None,
    max_width: int | None = None,
    max_height: int | None = None,
    max_frames: int | None = None,
) -> VideoProbe:
    """Describe a video, or raise InvalidVideo. `full_decode` also decodes every frame, which
    catches corruption in the middle of the file at the cost of one full decode.

    Limits given here (validate_probe's) are checked on the header facts (size, declared length and
    frame count), then on the packet index, before a single frame is decoded: a 16000x16000 file of
    800 KB is refused for its size without allocating its pictures."""
    path = os.fspath(path)
    name = os.path.basename(path)
    limits = {"max_duration_s": max_duration_s, "max_width": max_width, "max_height": max_height,
              "max_frames": max_frames}
    max_pixels = max_width * max_height if max_width and max_height else DEFAULT_MAX_PIXELS
    with open_input(path, max_pixels=max_pixels) as container:
        stream = container.streams.video[0]
        declared_frames = stream.frames or 0
        fps = float(stream.average_rate or stream.guessed_rate or 0) or 0.0
        declared_s = container.duration / av.time_base if container.duration else 0.0

        def facts(frame_count: int, duration_s: float, rotation: int = 0) -> VideoProbe:
            return VideoProbe(
                path=path, container=container.format.name, codec=stream.codec_context.name, fps=fps,
                frame_count=frame_count, width=stream.codec_context.width, height=stream.codec_context.height,
                duration_s=duration_s, rotation=rotation, has_audio=bool(container.streams.audio),
                keyframe_count=0, size_bytes=os.path.getsize(path), pix_fmt=stream.codec_context.pix_fmt,
            )

        validate_probe(facts(declared_frames, declared_s), **limits)  # headers only: nothing demuxed yet
        index = index_packets(container, stream)
        if index.packet_count == 0:
            if declared_frames:
                raise InvalidVideo(
                    E.TRUNCATED, f"{name} declares {declared_frames} frames but holds none: it was cut off."
                )
            raise InvalidVideo(E.NO_FRAMES, f"{name} has a video track with no frames in it.")
        if declared_frames > index.packet_count:
            raise InvalidVideo(
                E.TRUNCATED,
                f"{name} declares {declared_frames} frames but only {index.packet_count} are in the file: "
                "it was cut off. Upload the complete file.",
            )
        # Container headers written at the end of recording (MKV duration) still state the full length
        # when the tail of the file is missing; a large shortfall means a cut-off upload.
        slack = max(0.1 * declared_s, 2.0 / fps if fps else 0.0, 0.25)
        if declared_s and declared_s - index.span_s > slack:
            raise InvalidVideo(
                E.TRUNCATED,
                f"{name} says it lasts {declared_s:.2f} s but its frames stop at {index.span_s:.2f} s: "
                "the file was cut off. Upload the complete file.",
            )
        validate_probe(facts(index.packet_count, index.span_s or declared_s), **limits)  # still nothing decoded
        frame_count, rotation = _decode_check(path, full_decode, max_pixels)
        duration_s = index.span_s or declared_s or (frame_count / fps if fps else 0.0)
        if not fps and duration_s:
            fps = frame_count / duration_s
        probe = replace(
            facts(frame_count if full_decode else index.packet_count, duration_s, rotation),
            fps=fps, keyframe_count=index.keyframe_count,
        )
    return validate_probe(probe, **limits)


def _decode_check(path: str, full_decode: bool, max_pixels: int) -> tuple[int, int]:
    """Decode the first frame (or all of them); return (frames decoded, rotation)."""
    name = os.path.basename(path)
    count, rotation = 0, 0
    with open_input(path, max_pixels=max_pixels) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.options = {"max_pixels": str(max_pixels)}  # the decoder refuses bigger pictures
        try:
            for frame in container.decode(stream):
                if count == 0:
                    rotation = frame_rotation(frame, stream)
                if frame.is_corrupt:
                    raise InvalidVideo(E.CORRUPT, f"Frame {count} of {name} is damaged.")
                count += 1
                if not full_decode:
                    break
        except av.error.FFmpegError as exc:
            raise InvalidVideo(E.CORRUPT, f"Decoding {name} failed after {count} frames ({exc}).") from exc
    if count == 0:
        raise InvalidVideo(E.NO_FRAMES, f"{name} has frames, but none of them can be decoded.")
    return count, rotation


def validate_probe(
    probe: VideoProbe,
    *,
    max_duration_s: float | None = None,
    max_width: int | None = None,
    max_height: int | None = None,
    max_frames: int | None = None,
) -> VideoProbe:
    """Raise InvalidVideo if the probe breaks a limit; return it unchanged otherwise.

    The size limit is orientation-free: max 1920x1080 also admits a 1080x1920 portrait clip.
    """
    if max_duration_s is not None and probe.duration_s > max_duration_s:
        raise InvalidVideo(
            E.TOO_LONG, f"The video lasts {probe.duration_s:.1f} s; the limit is {max_duration_s:g} s. Trim it."
        )
    if max_width is not None and max_height is not None:
        long_side, short_side = max(probe.width, probe.height), min(probe.width, probe.height)
        if long_side > max(max_width, max_height) or short_side > min(max_width, max_height):
            raise InvalidVideo(
                E.TOO_LARGE,
                f"The video is {probe.display_width}x{probe.display_height}; the limit is {max_width}x{max_height} "
                "(either orientation). Downscale it.",
            )
    elif max_width is not None or max_height is not None:
        raise ValueError("give both max_width and max_height, or neither")
    if max_frames is not None and probe.frame_count > max_frames:
        raise InvalidVideo(E.TOO_MANY_FRAMES, f"The video has {probe.frame_count} frames; the limit is {max_frames}.")
    return probe
