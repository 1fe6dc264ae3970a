"""Video handling shared by training and the Django media pipeline (pure Python, no Django).

probe_video / validate_probe: is this upload a usable video, and what is it (probe.py).
sample_frames: THE frame sampler; training and the pipeline must both use it (frames.py).
make_rendition / make_poster / make_thumbnail_strip: browser-facing outputs (transcode.py).
FrameCache: sampled frames on disk for training epochs (cache.py).
"""

from training.media.cache import FrameCache, sha256_file
from training.media.errors import REASON_CODES, InvalidVideo
from training.media.frames import (
    SAMPLING_VERSION,
    bare_decode,
    choose_strategy,
    output_size,
    sample_frames,
    sample_frames_at,
    sample_frames_from_array,
    seek_sample,
    uniform_indices,
)
from training.media.probe import PacketIndex, VideoProbe, index_packets, probe_video, validate_probe
from training.media.transcode import ImageInfo, RenditionInfo, make_poster, make_rendition, make_thumbnail_strip, rendition_size

__all__ = [
    "FrameCache",
    "ImageInfo",
    "InvalidVideo",
    "PacketIndex",
    "REASON_CODES",
    "RenditionInfo",
    "SAMPLING_VERSION",
    "VideoProbe",
    "bare_decode",
    "choose_strategy",
    "index_packets",
    "make_poster",
    "make_rendition",
    "make_thumbnail_strip",
    "output_size",
    "probe_video",
    "rendition_size",
    "sample_frames",
    "sample_frames_at",
    "sample_frames_from_array",
    "seek_sample",
    "sha256_file",
    "uniform_indices",
    "validate_probe",
]
