"""media_io/frames.py: the right frames, whichever strategy decodes them."""

import dataclasses

import numpy as np
import pytest

from media_io import decoding
from media_io import frames as frames_module
from media_io import (
    InvalidVideo,
    PacketIndex,
    bare_decode,
    choose_strategy,
    probe_video,
    sample_frames,
    sample_frames_at,
    sample_frames_from_array,
    seek_sample,
    uniform_indices,
)
from tests.media.clips import MARKER, frame_pixels, grey_indices
from tests.media.conftest import GOOD_CLIPS


@pytest.mark.parametrize(
    "total, n, expected",
    [
        (10, 4, [0, 3, 6, 9]),
        (20, 8, [0, 3, 5, 8, 11, 14, 16, 19]),  # i * 19 / 7 rounded
        (3, 5, [0, 1, 1, 2, 2]),  # fewer frames than samples: repeats; 0.5 and 1.5 round up
        (1, 4, [0, 0, 0, 0]),
        (9, 1, [4]),  # one sample: the middle frame
        (2, 2, [0, 1]),
    ],
)
def test_uniform_indices_matches_hand_computed_values(total, n, expected):
    assert uniform_indices(total, n) == expected


def test_uniform_indices_always_spans_first_to_last_frame():
    for total in range(1, 60):
        for n in range(2, 30):
            idx = uniform_indices(total, n)
            assert idx[0] == 0 and idx[-1] == total - 1 and idx == sorted(idx)


@pytest.mark.parametrize("total, n", [(0, 4), (4, 0), (-1, 2)])
def test_uniform_indices_rejects_empty_inputs(total, n):
    with pytest.raises(ValueError):
        uniform_indices(total, n)


@pytest.mark.parametrize("strategy", ["sequential", "seek", "auto"])
@pytest.mark.parametrize("name", sorted(GOOD_CLIPS))
def test_it_samples_the_uniformly_spaced_frames(clips, name, strategy):
    total = probe_video(clips[name]).frame_count
    sampled = sample_frames(clips[name], 8, strategy=strategy)
    assert sampled.shape == (8, 48, 64, 3) and sampled.dtype == np.uint8
    assert grey_indices(sampled) == uniform_indices(total, 8)


@pytest.mark.parametrize("name", sorted(GOOD_CLIPS))
def test_sequential_seek_and_naive_seek_give_identical_pixels(clips, name):
    sequential = sample_frames(clips[name], 7, strategy="sequential")
    np.testing.assert_array_equal(sequential, sample_frames(clips[name], 7, strategy="seek"))
    np.testing.assert_array_equal(sequential, seek_sample(clips[name], 7))


def test_variable_frame_rate_is_sampled_uniformly_in_index_not_time(clips):
    # The VFR clip's timestamps bunch up early; uniform-in-time would pick different frames.
    assert grey_indices(sample_frames(clips["vfr.mp4"], 5)) == [0, 5, 10, 14, 19]


def test_a_one_frame_clip_repeats_its_only_frame(clips):
    sampled = sample_frames(clips["one_frame.mp4"], 4)
    assert grey_indices(sampled) == [0, 0, 0, 0]


@pytest.mark.parametrize("strategy", ["sequential", "seek"])
def test_a_clip_shorter_than_the_sample_repeats_frames(clips, strategy):
    sampled = sample_frames(clips["five_frames.mp4"], 8, strategy=strategy)
    assert grey_indices(sampled) == uniform_indices(5, 8) == [0, 1, 1, 2, 2, 3, 3, 4]


def test_only_kept_frames_are_converted_to_rgb(clips, monkeypatch):
    calls = []
    original = decoding.FrameConverter.__call__
    monkeypatch.setattr(decoding.FrameConverter, "__call__", lambda self, f: calls.append(f.pts) or original(self, f))
    sample_frames(clips["one_keyframe.mp4"], 6, strategy="sequential")
    assert len(calls) == 6  # of 30 decoded frames
    calls.clear()
    sample_frames(clips["five_frames.mp4"], 8, strategy="sequential")
    assert len(calls) == 5  # repeated indices are converted once


def test_size_sets_the_short_side_or_exact_dimensions(clips):
    assert sample_frames(clips["h264.mp4"], 3, size=24).shape == (3, 24, 32, 3)
    assert sample_frames(clips["h264.mp4"], 3, size=(40, 20)).shape == (3, 20, 40, 3)
    assert grey_indices(sample_frames(clips["h264.mp4"], 3, size=16)) == uniform_indices(30, 3)


def test_torch_output_is_uint8_channels_first(clips):
    torch = pytest.importorskip("torch")
    tensor = sample_frames(clips["h264.mp4"], 4, output="torch")
    assert tensor.dtype == torch.uint8 and tuple(tensor.shape) == (4, 3, 48, 64)
    np.testing.assert_array_equal(tensor.permute(0, 2, 3, 1).numpy(), sample_frames(clips["h264.mp4"], 4))


def test_rotation_metadata_turns_frames_upright(clips):
    upright = sample_frames(clips["rotated.mp4"], 2)
    assert upright.shape == (2, 64, 48, 3)  # stored 64x48, displayed 48x64
    # 90 degrees counter-clockwise moves the stored top-left marker to the bottom-left.
    assert upright[0, -MARKER:, :MARKER].min() > 240 and upright[0, :MARKER, :MARKER].max() < 20
    stored = sample_frames(clips["rotated.mp4"], 2, apply_rotation=False)
    assert stored.shape == (2, 48, 64, 3) and stored[0, :MARKER, :MARKER].min() > 240
    assert sample_frames(clips["rotated.mp4"], 2, size=(24, 32)).shape == (2, 32, 24, 3)


def test_sample_frames_at_returns_the_requested_frames(clips):
    assert grey_indices(sample_frames_at(clips["vp9.webm"], [29, 3, 3, 17])) == [29, 3, 3, 17]
    with pytest.raises(IndexError):
        sample_frames_at(clips["vp9.webm"], [30])


def _index(packets: int, keyframes: int) -> PacketIndex:
    pts = tuple(range(packets))
    step = packets // keyframes
    return PacketIndex(packets, keyframes, pts, pts[::step][:keyframes], None, 1.0)


def test_auto_seeks_only_when_keyframes_are_dense():
    wanted = uniform_indices(240, 24)
    assert choose_strategy(_index(240, 1), wanted) == "sequential"  # generated clips: one keyframe
    assert choose_strategy(_index(240, 10), wanted) == "sequential"  # GOP 24 vs stride 10
    assert choose_strategy(_index(2400, 2400), wanted) == "seek"  # all-intra, long clip
    assert choose_strategy(PacketIndex(240, 240, None, None, None, 1.0), wanted) == "sequential"


def test_when_fewer_frames_decode_than_were_indexed_the_sample_is_respread(clips, monkeypatch):
    # Stand-in for a stream whose last packets do not decode: the index claims 35 frames, 30 exist.
    real = frames_module.index_packets
    monkeypatch.setattr(
        frames_module, "index_packets", lambda c, s: dataclasses.replace(real(c, s), packet_count=35, pts=None)
    )
    assert grey_indices(sample_frames(clips["h264.mp4"], 8)) == uniform_indices(30, 8)


def test_bare_decode_counts_every_frame(clips):
    assert bare_decode(clips["vp9.webm"]) == 30


def test_array_sampling_uses_the_same_index_rule():
    video = np.stack([frame_pixels(i, 64, 48) for i in range(30)])
    assert grey_indices(sample_frames_from_array(video, 8)) == uniform_indices(30, 8)
    assert grey_indices(sample_frames_from_array(list(video[:3]), 5)) == [0, 1, 1, 2, 2]
    resized = sample_frames_from_array(video, 4, size=24)
    assert resized.shape == (4, 24, 32, 3) and grey_indices(resized) == uniform_indices(30, 4)


def test_bad_arguments_are_rejected_with_the_valid_values(clips):
    with pytest.raises(ValueError, match="sequential"):
        sample_frames(clips["h264.mp4"], 4, strategy="fastest")
    with pytest.raises(ValueError, match="torch"):
        sample_frames(clips["h264.mp4"], 4, output="pil")


def test_sampling_a_non_video_raises_invalid_video(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(InvalidVideo) as err:
        sample_frames(junk, 4)
    assert err.value.reason_code == "not_media"
