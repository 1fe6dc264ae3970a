"""Video I/O shared by the annotation app's media pipeline, training and the demo (pure Python:
never imports Django; the import contract in .importlinter checks it).

probe_video / validate_probe: is this upload a usable video, and what is it (probe.py).
sample_frames: THE frame sampler; training and the pipeline must both use it (frames.py).
read_frames: every frame of a clip, as stored (frames.py).
make_rendition / make_poster / make_thumbnail_strip: browser-facing outputs (transcode.py).
write_mp4 / write_png: frames and images to deterministic H.264 MP4 / PNG files (encode.py).
FrameCache: sampled frames on disk for training epochs (cache.py).
"""

from media_io.cache import FrameCache, sha256_file
from media_io.encode import pad_to_even, write_mp4, write_png
from media_io.errors import REASON_CODES, InvalidVideo
from media_io.frames import (
    SAMPLING_VERSION,
    bare_decode,
    choose_strategy,
    output_size,
    read_frames,
    sample_frames,
    sample_frames_at,
    sample_frames_from_array,
    seek_sample,
    uniform_indices,
)
from media_io.probe import PacketIndex, VideoProbe, index_packets, probe_video, validate_probe
from media_io.transcode import ImageInfo, RenditionInfo, make_poster, make_rendition, make_thumbnail_strip, rendition_size

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
    "pad_to_even",
    "probe_video",
    "read_frames",
    "rendition_size",
    "sample_frames",
    "sample_frames_at",
    "sample_frames_from_array",
    "seek_sample",
    "sha256_file",
    "uniform_indices",
    "validate_probe",
    "write_mp4",
    "write_png",
]
