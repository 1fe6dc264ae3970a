"""Opening uploads safely: tell "not a video", "a still image", "cut off" and "damaged" apart.

Text is refused before FFmpeg sees it (playlists would make FFmpeg open other files or URLs), and
when FFmpeg cannot open a file, its first bytes decide between "not media" and "truncated/corrupt".
"""

from __future__ import annotations

import codecs
import os
import struct

import av

from training.media import errors as E
from training.media.errors import InvalidVideo

# Demuxers that open stills or text: FFmpeg happily reads a PNG renamed .mp4 as a 1-frame "video".
_IMAGE_DEMUXERS = {"image2", "image2pipe"}
_NON_VIDEO_DEMUXERS = {"tty", "hls", "dash", "concat", "ffmetadata", "srt", "ass", "webvtt"}
# First bytes of containers we recognise, to tell "cut-off video" from "not a video at all".
_SIGNATURES = ((b"\x1aE\xdf\xa3", "matroska"), (b"RIFF", "avi"), (b"OggS", "ogg"), (b"FLV", "flv"))
_MP4_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}


def _head(path: str, n: int = 512) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def _looks_like_text(head: bytes) -> bool:
    # Real containers have binary bytes within the first few hundred bytes (box sizes, EBML ids).
    # Rejecting text before FFmpeg sees it also keeps HLS/concat playlists (which make FFmpeg open
    # other files or URLs) away from the demuxer.
    if not head:
        return False
    try:  # incremental: a multi-byte character cut at the end of `head` is not binary data
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)


def _mp4_top_level_boxes(path: str) -> list[bytes]:
    """Types of the top-level ISO-BMFF boxes that fit inside the file."""
    size, boxes, pos = os.path.getsize(path), [], 0
    with open(path, "rb") as f:
        while pos + 8 <= size and len(boxes) < 64:
            f.seek(pos)
            box_size, box_type = struct.unpack(">I4s", f.read(8))
            if box_size == 1:  # 64-bit size follows the type
                box_size = struct.unpack(">Q", f.read(8))[0]
            elif box_size == 0:  # box runs to the end of the file
                box_size = size - pos
            if box_size < 8 or pos + box_size > size:
                boxes.append(box_type + b"!")  # "!" marks a box cut off by the end of the file
                break
            boxes.append(box_type)
            pos += box_size
    return boxes


def _sniff_container(head: bytes) -> str | None:
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if len(head) >= 8 and head[4:8] in _MP4_BOXES:
        return "mp4"
    return None


def _open_failure(path: str, head: bytes, exc: Exception) -> InvalidVideo:
    kind = _sniff_container(head)
    name = os.path.basename(path)
    if kind is None:
        return InvalidVideo(E.NOT_MEDIA, f"{name} is not a video file FFmpeg can read ({exc}).")
    if kind == "mp4" and b"moov" not in _mp4_top_level_boxes(path):
        return InvalidVideo(
            E.TRUNCATED,
            f"{name} is an MP4 whose index (moov box) is missing: the file was probably cut off "
            "during upload or recording. Upload the complete file.",
        )
    if kind == "avi" and len(head) >= 8 and struct.unpack("<I", head[4:8])[0] + 8 > os.path.getsize(path):
        return InvalidVideo(
            E.TRUNCATED, f"{name} is shorter than its RIFF header says: it was cut off. Upload the complete file."
        )
    if isinstance(exc, EOFError):
        return InvalidVideo(E.TRUNCATED, f"{name} ({kind}) ends before its headers do; upload it again.")
    return InvalidVideo(E.CORRUPT, f"{name} looks like a {kind} file but FFmpeg cannot read it ({exc}).")


def open_input(path: str | os.PathLike) -> av.container.InputContainer:
    """Open `path` for reading, or raise InvalidVideo saying why it is not a video."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise InvalidVideo(E.NOT_FOUND, f"No file at {path}.")
    if os.path.getsize(path) == 0:
        raise InvalidVideo(E.EMPTY_FILE, f"{os.path.basename(path)} is empty (0 bytes).")
    head = _head(path)
    if _looks_like_text(head):
        raise InvalidVideo(E.NOT_MEDIA, f"{os.path.basename(path)} is a text file, not a video.")
    try:
        container = av.open(path, metadata_errors="ignore")
    except (av.error.FFmpegError, EOFError, OSError) as exc:
        raise _open_failure(path, head, exc) from exc
    fmt = container.format.name
    if fmt in _IMAGE_DEMUXERS or fmt.endswith("_pipe"):
        container.close()
        raise InvalidVideo(E.IMAGE_NOT_VIDEO, f"{os.path.basename(path)} is a still image ({fmt}), not a video.")
    if fmt in _NON_VIDEO_DEMUXERS:
        container.close()
        raise InvalidVideo(E.NOT_MEDIA, f"{os.path.basename(path)} is a {fmt} file, not a video.")
    if not container.streams:
        container.close()
        raise InvalidVideo(E.NO_FRAMES, f"{os.path.basename(path)} contains no streams and no frames.")
    if not container.streams.video:
        container.close()
        raise InvalidVideo(E.NO_VIDEO_STREAM, f"{os.path.basename(path)} has no video track (audio only?).")
    return container
