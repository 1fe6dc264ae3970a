"""Frame sampling shared by training and the media pipeline: one index rule, one decoder path.

    frames = sample_frames("clip.mp4", 24, size=224)             # (24, 224, W, 3) uint8 RGB
    frames = sample_frames("clip.mp4", 16, size=(224, 224), output="torch")  # (16, 3, 224, 224) uint8

Which frames: `uniform_indices(total, n)` picks n indices spread uniformly over frame *index*
(not time), first and last frame included. Frame i is the i-th frame in presentation order, i.e.
the i-th picture the decoder outputs; for variable-frame-rate clips this is still uniform in index.

How: generated clips usually have a single keyframe, where seeking to each kept frame re-decodes
the clip from its start (~10x a sequential decode). So the default decodes sequentially with codec
threading and converts to RGB (and resizes, in the same swscale call) only the frames it keeps.
It seeks only when the packet index shows keyframes dense enough for seeking to pay.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import av
import numpy as np

from media_io import errors as E
from media_io.decoding import Size, decode_seeking, decode_sequential, open_decoding, output_size
from media_io.errors import InvalidVideo
from media_io.inputs import open_input
from media_io.probe import PacketIndex, index_packets

# Bump when the index rule, resizing or colour handling changes: FrameCache keys include it, so
# cached training frames are resampled instead of silently mixing two conventions.
SAMPLING_VERSION = 1

STRATEGIES = ("auto", "sequential", "seek")
OUTPUTS = ("numpy", "torch")
# Cost of one seek (demuxer seek, decoder flush, thread pipeline refill) in decoded frames; a rough
# figure that makes "auto" seek only when it is expected to be at least twice as cheap.
SEEK_OVERHEAD_FRAMES = 4


def uniform_indices(total: int, n: int) -> list[int]:
    """n frame indices spread uniformly over [0, total - 1].

    index_i = round_half_up(i * (total - 1) / (n - 1)) for i in 0..n-1, in integer arithmetic so no
    float rounding can differ between machines; n == 1 takes the middle frame (total - 1) // 2.
    When total < n, indices repeat (frames are duplicated); total == 1 gives n zeros.
    """
    if total < 1 or n < 1:
        raise ValueError(f"need total >= 1 and n >= 1, got total={total}, n={n}")
    if n == 1:
        return [(total - 1) // 2]
    return [(2 * i * (total - 1) + (n - 1)) // (2 * (n - 1)) for i in range(n)]


def choose_strategy(index: PacketIndex, wanted: Sequence[int]) -> str:
    """"seek" when the packet index says it is expected to cost under half a sequential decode."""
    if index.pts is None or index.keyframe_count < 2:
        return "sequential"
    seek_cost = len(set(wanted)) * (index.average_gop / 2 + SEEK_OVERHEAD_FRAMES)
    sequential_cost = max(wanted) + 1
    return "seek" if 2 * seek_cost < sequential_cost else "sequential"


def _check_args(num_frames: int, output: str, strategy: str) -> None:
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")


def _to_output(frames: np.ndarray, output: str):
    if output == "numpy":
        return frames
    import torch  # only callers asking for tensors pay the import

    return torch.from_numpy(frames).permute(0, 3, 1, 2).contiguous()  # (N, H, W, 3) -> (N, 3, H, W)


def sample_frames(
    path: str | os.PathLike,
    num_frames: int = 24,
    *,
    size: Size = None,
    output: str = "numpy",
    strategy: str = "auto",
    apply_rotation: bool = True,
):
    """num_frames frames at `uniform_indices(frame_count, num_frames)`, display-oriented RGB.

    Returns np.ndarray (N, H, W, 3) uint8, or with output="torch" a uint8 tensor (N, 3, H, W).
    size: None keeps the stored size, an int sets the short side, (w, h) is exact (display
    orientation). strategy: "auto" (see choose_strategy), "sequential" or "seek"; all give the same
    frames. Raises InvalidVideo for files that are not usable videos.
    """
    _check_args(num_frames, output, strategy)
    path = os.fspath(path)
    with open_input(path) as container:
        index = index_packets(container, container.streams.video[0])
    if index.packet_count == 0:
        raise InvalidVideo(E.NO_FRAMES, f"{os.path.basename(path)} has a video track with no frames in it.")
    wanted = uniform_indices(index.packet_count, num_frames)
    return _to_output(_frames_at(path, index, wanted, size, strategy, apply_rotation, uniform=True), output)


def sample_frames_at(
    path: str | os.PathLike,
    indices: Sequence[int],
    *,
    size: Size = None,
    output: str = "numpy",
    strategy: str = "auto",
    apply_rotation: bool = True,
):
    """Frames at explicit indices (0-based, presentation order), e.g. a poster frame. Same output as
    sample_frames; raises IndexError for indices outside the clip."""
    _check_args(max(len(indices), 1), output, strategy)
    path = os.fspath(path)
    with open_input(path) as container:
        index = index_packets(container, container.streams.video[0])
    wanted = [int(i) for i in indices]
    if not wanted or min(wanted) < 0 or max(wanted) >= index.packet_count:
        raise IndexError(f"indices {wanted} outside 0..{index.packet_count - 1}")
    return _to_output(_frames_at(path, index, wanted, size, strategy, apply_rotation, uniform=False), output)


def _frames_at(
    path: str, index: PacketIndex, wanted: list[int], size: Size, strategy: str, apply_rotation: bool, uniform: bool
) -> np.ndarray:
    """Decode the frames at `wanted` (indices into the packet index) as an (N, H, W, 3) array.
    `uniform` says wanted came from uniform_indices, so a short stream is resampled by that rule."""
    if strategy == "auto":
        strategy = choose_strategy(index, wanted)
    sink = None
    if strategy == "seek" and index.pts is not None and index.keyframe_pts:
        sink = decode_seeking(path, index, wanted, size, apply_rotation, reuse_gop=True)
    if sink is None:
        sink, decoded = decode_sequential(path, wanted, size, apply_rotation)
        if not sink.complete:
            # Fewer pictures decoded than packets indexed (damaged or undecodable leading frames):
            # respread the same number of samples over the frames that do exist.
            if decoded == 0:
                raise InvalidVideo(E.NO_FRAMES, f"None of the frames of {os.path.basename(path)} can be decoded.")
            if uniform:
                wanted = uniform_indices(decoded, len(wanted))
            else:
                wanted = [round(i * (decoded - 1) / max(index.packet_count - 1, 1)) for i in wanted]
            sink, _ = decode_sequential(path, wanted, size, apply_rotation)
            if not sink.complete:  # the decoder is not even consistent between two passes
                raise InvalidVideo(E.CORRUPT, f"{os.path.basename(path)} decodes differently on each pass.")
    return sink.out


def seek_sample(path: str | os.PathLike, num_frames: int = 24, *, size: Size = None) -> np.ndarray:
    """Baseline for the benchmark: one seek per sampled frame, as naive samplers do."""
    path = os.fspath(path)
    with open_input(path) as container:
        index = index_packets(container, container.streams.video[0])
    wanted = uniform_indices(index.packet_count, num_frames)
    sink = decode_seeking(path, index, wanted, size, apply_rotation=True, reuse_gop=False)
    if sink is None:
        raise InvalidVideo(E.CORRUPT, f"Seeking in {os.path.basename(path)} did not reach every frame.")
    return sink.out


def bare_decode(path: str | os.PathLike) -> int:
    """Decode every frame without converting any (the benchmark's floor); returns the frame count."""
    container, stream = open_decoding(os.fspath(path))
    with container:
        return sum(1 for _ in container.decode(stream))


def read_frames(path: str | os.PathLike) -> np.ndarray:
    """Every frame of a video as (T, H, W, 3) uint8 RGB, as stored (no rotation, no resizing): the
    demo's and the tests' read-back of clips written by `media_io.encode.write_mp4`."""
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    if not frames:
        raise ValueError(f"{path}: no video frames decoded")
    return np.stack(frames)


def sample_frames_from_array(frames, num_frames: int = 24, *, size: Size = None, output: str = "numpy"):
    """The same index rule for frames already in memory: (T, H, W, 3) uint8 array or list of frames.
    Resizing uses OpenCV area averaging, close to (not bit-identical with) the swscale path."""
    _check_args(num_frames, output, "auto")
    total = len(frames)
    if total == 0:
        raise ValueError("no frames to sample from")
    picked = [np.asarray(frames[i]) for i in uniform_indices(total, num_frames)]
    if size is not None:
        import cv2  # lazy: the file path never needs OpenCV

        h, w = picked[0].shape[:2]
        tw, th = output_size(w, h, size)
        if (tw, th) != (w, h):
            interp = cv2.INTER_AREA if tw * th < w * h else cv2.INTER_LINEAR
            picked = [cv2.resize(f, (tw, th), interpolation=interp) for f in picked]
    return _to_output(np.ascontiguousarray(np.stack(picked), dtype=np.uint8), output)
