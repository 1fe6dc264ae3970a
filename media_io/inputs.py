"""Opening uploads safely: tell "not a video", "a still image", "cut off" and "damaged" apart.

Every untrusted file reaches FFmpeg through `open_input`, which

- refuses anything but a regular file (a FIFO, a device, a symlink to one) before reading a byte;
- picks the demuxer from the file's first bytes (`sniff_demuxer`), never from its name, and from a
  short allow-list (MP4/MOV, Matroska/WebM, AVI, GIF): playlists (HLS, DASH, concat), text and
  anything else are refused before FFmpeg sees them, whatever bytes they hold, because FFmpeg's
  probing is never run;
- lets FFmpeg use the `file` protocol only, so nothing inside a container can make it open a URL;
- caps the pixels per picture its decoders accept (`max_pixels`): `avformat_find_stream_info`
  decodes frames while opening, and a 16000x16000 frame costs hundreds of MiB before any size check.

When FFmpeg cannot open a file, its first bytes decide between "not media" and "truncated/corrupt".
"""

from __future__ import annotations

import os
import stat
import struct

import av

from media_io import errors as E
from media_io.errors import InvalidVideo

# Demuxers FFmpeg may run on untrusted input, by the container the first bytes announce.
# Full FFmpeg names, so `container.format.name` reads as it does after probing.
ALLOWED_DEMUXERS = {"mp4": "mov,mp4,m4a,3gp,3g2,mj2", "matroska": "matroska,webm", "avi": "avi", "gif": "gif"}
# The largest picture a decoder may allocate while a file is opened or decoded, unless the caller
# gives a tighter cap (the media pipeline passes MEDIA_MAX_WIDTH x MEDIA_MAX_HEIGHT).
DEFAULT_MAX_PIXELS = 4096 * 4096
# First bytes of the containers we accept, and of the stills people rename to .mp4.
_SIGNATURES = ((b"\x1aE\xdf\xa3", "matroska"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"BM", b"II*\x00", b"MM\x00*")
_MP4_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}
MSG_NOT_REGULAR = "{name} is not a regular file (a FIFO, device or link to one); only plain files are read."
MSG_UNKNOWN_CONTAINER = ("{name} is not a video file this studio reads: accepted containers are MP4/MOV, "
                         "Matroska/WebM, AVI and GIF. Convert it to MP4 (H.264).")


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


def sniff_container(head: bytes) -> str | None:
    """The accepted container the first bytes announce ("mp4", "matroska", "avi", "gif"), else None."""
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if len(head) >= 8 and head[4:8] in _MP4_BOXES:
        return "mp4"
    return None


def _is_still_image(head: bytes) -> bool:
    return head.startswith(_IMAGE_SIGNATURES) or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")


def read_head(path: str, n: int = 512) -> bytes:
    """The first `n` bytes of a regular file, or InvalidVideo. The file is opened non-blocking and
    checked with fstat on that descriptor, so a FIFO never blocks us and a swapped path cannot slip
    a device in between the check and the read."""
    name = os.path.basename(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise InvalidVideo(E.NOT_FOUND, f"No file at {path}.") from exc
    except OSError as exc:
        raise InvalidVideo(E.NOT_MEDIA, MSG_NOT_REGULAR.format(name=name)) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidVideo(E.NOT_MEDIA, MSG_NOT_REGULAR.format(name=name))
        if info.st_size == 0:
            raise InvalidVideo(E.EMPTY_FILE, f"{name} is empty (0 bytes).")
        return os.read(fd, n)
    finally:
        os.close(fd)


def _open_failure(path: str, head: bytes, kind: str, exc: Exception) -> InvalidVideo:
    name = os.path.basename(path)
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


def open_input(path: str | os.PathLike, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> av.container.InputContainer:
    """Open an untrusted `path` for reading, or raise InvalidVideo saying why it is not a video.

    The one way this project hands a file it did not write to FFmpeg (see the module docstring)."""
    path = os.fspath(path)
    name = os.path.basename(path)
    head = read_head(path)
    kind = sniff_container(head)
    if kind is None:
        if _is_still_image(head):
            raise InvalidVideo(E.IMAGE_NOT_VIDEO, f"{name} is a still image, not a video.")
        raise InvalidVideo(E.NOT_MEDIA, MSG_UNKNOWN_CONTAINER.format(name=name))
    try:
        container = av.open(
            path, format=ALLOWED_DEMUXERS[kind], metadata_errors="ignore",
            # `options` reach the demuxer and the decoders avformat_find_stream_info opens.
            options={"protocol_whitelist": "file", "max_pixels": str(max_pixels)},
        )
    except (av.error.FFmpegError, EOFError, OSError) as exc:
        raise _open_failure(path, head, kind, exc) from exc
    if not container.streams:
        container.close()
        raise InvalidVideo(E.NO_FRAMES, f"{name} contains no streams and no frames.")
    if not container.streams.video:
        container.close()
        raise InvalidVideo(E.NO_VIDEO_STREAM, f"{name} has no video track (audio only?).")
    return container
