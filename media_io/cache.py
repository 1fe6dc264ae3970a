"""On-disk cache of sampled frames, so training epochs after the first skip video decoding.

    cache = FrameCache("/data/frame-cache")
    frames = cache.get_or_sample("clip.mp4", num_frames=24, size=224)   # decodes once, then reads

Entries are keyed by (video sha256, num_frames, size, SAMPLING_VERSION): the content hash makes a
renamed or re-uploaded file hit, and the version makes a change to the sampling rule miss instead
of mixing conventions. Each entry is one safetensors file (uint8 tensor "frames" plus the key in
its metadata), written to a temp file and renamed, so a crash never leaves half an entry behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save

from media_io.frames import SAMPLING_VERSION, Size, sample_frames

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks so large uploads never sit in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _size_key(size: Size) -> str:
    if size is None:
        return "native"
    if isinstance(size, int):
        return f"short{size}"
    w, h = size
    return f"{int(w)}x{int(h)}"


class FrameCache:
    """Sampled frames (uint8 (N, H, W, 3)) on disk under `root`, one safetensors file per entry."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def key(self, sha256: str, num_frames: int, size: Size) -> dict[str, str]:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"sha256 must be 64 lowercase hex digits, got {sha256!r}")
        return {
            "sha256": sha256,
            "num_frames": str(int(num_frames)),
            "size": _size_key(size),
            "sampling_version": str(SAMPLING_VERSION),
        }

    def path_for(self, sha256: str, num_frames: int, size: Size) -> Path:
        key = self.key(sha256, num_frames, size)
        name = f"{sha256}-n{key['num_frames']}-{key['size']}-v{key['sampling_version']}.safetensors"
        return self.root / sha256[:2] / name  # fan out: one flat directory of 1e6 files is slow to list

    def get(self, sha256: str, num_frames: int, size: Size) -> np.ndarray | None:
        """The cached frames, or None on a miss or an unreadable entry (which is then resampled)."""
        path = self.path_for(sha256, num_frames, size)
        try:
            with safe_open(path, framework="np") as f:
                stored_key, frames = f.metadata(), f.get_tensor("frames")
        except Exception:  # missing or damaged entry: a miss (resample), not a training crash
            return None
        # The key travels inside the file, so a misplaced or colliding entry is never served.
        if stored_key != self.key(sha256, num_frames, size):
            return None
        if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[0] != num_frames:
            return None
        return frames

    def put(self, sha256: str, num_frames: int, size: Size, frames: np.ndarray) -> Path:
        """Store frames atomically: temp file in the same directory, fsync, then os.replace."""
        frames = np.ascontiguousarray(frames)
        if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[0] != num_frames:
            raise ValueError(
                f"expected uint8 (num_frames={num_frames}, H, W, 3) frames, got {frames.dtype} {frames.shape}"
            )
        path = self.path_for(sha256, num_frames, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = save({"frames": frames}, metadata=self.key(sha256, num_frames, size))
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".safetensors")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())  # data on disk before the rename makes it visible
            os.replace(tmp, path)  # atomic on POSIX: readers see the old entry or the whole new one
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return path

    def get_or_sample(
        self,
        path: str | os.PathLike,
        sha256: str | None = None,
        num_frames: int = 24,
        size: Size = None,
    ) -> np.ndarray:
        """Cached frames for the video at `path`, sampling and storing them on a miss. Pass the
        sha256 when it is already known (the upload pipeline stores it) to skip hashing the file."""
        sha256 = sha256 or sha256_file(path)
        frames = self.get(sha256, num_frames, size)
        if frames is None:
            frames = sample_frames(path, num_frames, size=size)
            self.put(sha256, num_frames, size, frames)
        return frames
