"""media_io/probe.py: facts about good clips, a specific reason for every bad one."""

import pickle

import av
import numpy as np
import pytest
from PIL import Image

from media_io import InvalidVideo, probe_video, validate_probe
from tests.media.clips import truncate, write_audio_only, write_clip


@pytest.mark.parametrize(
    "name, container, codec, frames",
    [
        ("h264.mp4", "mov,mp4,m4a,3gp,3g2,mj2", "h264", 30),
        ("vp9.webm", "matroska,webm", "vp9", 30),  # WebM stores no frame count: packets are counted
        ("mpeg4.avi", "avi", "mpeg4", 25),
        ("mpeg4.mkv", "matroska,webm", "mpeg4", 25),
    ],
)
def test_it_describes_each_container_and_codec(clips, name, container, codec, frames):
    probe = probe_video(clips[name])
    assert (probe.container, probe.codec, probe.frame_count) == (container, codec, frames)
    assert (probe.width, probe.height, probe.rotation, probe.has_audio) == (64, 48, 0, False)
    assert probe.fps == pytest.approx(24.0)
    assert probe.duration_s == pytest.approx(frames / 24, abs=0.01)
    assert probe.size_bytes == clips[name].stat().st_size


def test_keyframes_are_counted_from_the_packet_index(clips):
    assert probe_video(clips["one_keyframe.mp4"]).keyframe_count == 1
    assert probe_video(clips["all_keyframes.mp4"]).keyframe_count == 30
    assert probe_video(clips["h264.mp4"]).keyframe_count == 3  # gop 12 over 30 frames


def test_full_decode_counts_decoded_frames(clips):
    assert probe_video(clips["vp9.webm"], full_decode=True).frame_count == 30


def test_variable_frame_rate_duration_comes_from_timestamps(clips):
    probe = probe_video(clips["vfr.mp4"])
    assert probe.frame_count == 20
    assert probe.duration_s == pytest.approx(1.25, abs=0.06)  # last pts 1.2 s plus the last frame
    assert 15 < probe.fps < 18  # FFmpeg's average rate over the stream, not the nominal 24


def test_one_frame_clip_is_a_valid_video(clips):
    assert probe_video(clips["one_frame.mp4"]).frame_count == 1


def test_rotation_is_read_from_the_display_matrix(clips):
    probe = probe_video(clips["rotated.mp4"])
    assert probe.rotation == 90
    assert (probe.width, probe.height, probe.display_width, probe.display_height) == (64, 48, 48, 64)


def test_audio_track_is_reported(clips):
    assert probe_video(clips["with_audio.mp4"]).has_audio


def _random_bytes(path):
    path.write_bytes(np.random.default_rng(7).bytes(20_000))


def _text(path):
    path.write_text("this is not a video\n" * 40)


def _playlist(path):
    path.write_text("#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n")


def _image(path, fmt):
    Image.fromarray(np.zeros((48, 64, 3), np.uint8)).save(path, format=fmt)


def _long_playlist(path):
    # A multi-byte character straddling the 512-byte sniff window must still read as text.
    path.write_bytes(b"#EXTM3U\n" + b"#" * 503 + "\u00e9".encode() + b"\nfile:///etc/passwd\n")


BAD_INPUTS = {
    "HLS playlist with UTF-8 cut at the sniff window": ("list2.mp4", _long_playlist, "not_media"),
    "random bytes named .mp4": ("junk.mp4", _random_bytes, "not_media"),
    "text file named .mp4": ("notes.mp4", _text, "not_media"),
    "text file named .txt (FFmpeg's tty demuxer would open it)": ("notes.txt", _text, "not_media"),
    "HLS playlist named .mp4": ("list.mp4", _playlist, "not_media"),
    "PNG renamed .mp4": ("still.mp4", lambda p: _image(p, "PNG"), "image_not_video"),
    "JPEG renamed .mp4": ("still.mp4", lambda p: _image(p, "JPEG"), "image_not_video"),
    "empty file": ("empty.mp4", lambda p: p.write_bytes(b""), "empty_file"),
    "audio only": ("sound.m4a", write_audio_only, "no_video_stream"),
    "zero-frame AVI": ("zero.avi", lambda p: write_clip(p, frames=0, codec="mpeg4"), "no_frames"),
    "zero-frame MP4": ("zero.mp4", lambda p: write_clip(p, frames=0), "no_frames"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_inputs_raise_invalid_video_with_a_specific_reason(tmp_path, case):
    name, make, reason = BAD_INPUTS[case]
    make(tmp_path / name)
    with pytest.raises(InvalidVideo) as err:
        probe_video(tmp_path / name)
    assert err.value.reason_code == reason
    assert name in err.value.message


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(InvalidVideo) as err:
        probe_video(tmp_path / "nope.mp4")
    assert err.value.reason_code == "not_found"


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("moov_last.mp4", dict(frames=30)),  # the index is at the end: cutting loses it
        ("moov_first.mp4", dict(frames=30, faststart=True)),  # index intact, samples missing
        ("cut.webm", dict(frames=30, codec="libvpx-vp9")),  # header duration outlives the frames
        ("cut.avi", dict(frames=30, codec="mpeg4")),
    ],
)
def test_a_file_cut_in_half_is_truncated(tmp_path, name, kwargs):
    whole = write_clip(tmp_path / f"whole-{name}", **kwargs)
    probe_video(whole)  # the uncut file is fine
    with pytest.raises(InvalidVideo) as err:
        probe_video(truncate(whole, tmp_path / name))
    assert err.value.reason_code == "truncated"
    assert "cut off" in err.value.message or "ends before" in err.value.message


def test_damaged_frames_are_caught_by_a_full_decode(tmp_path):
    rng = np.random.default_rng(0)
    noisy = tmp_path / "noisy.mp4"  # noise, not flat grey: flat frames leave too little data to damage
    with av.open(str(noisy), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(20):
            pixels = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(stream.encode(None))
    data = bytearray(noisy.read_bytes())
    third = len(data) // 3
    data[third : 2 * third] = rng.bytes(third)
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    with pytest.raises(InvalidVideo) as err:
        probe_video(damaged, full_decode=True)
    assert err.value.reason_code == "corrupt"


def test_validate_probe_enforces_each_limit(clips):
    probe = probe_video(clips["h264.mp4"])  # 64x48, 30 frames, 1.25 s
    assert validate_probe(probe, max_duration_s=2, max_width=64, max_height=48, max_frames=30) is probe
    for limits, reason in [
        (dict(max_duration_s=1.0), "too_long"),
        (dict(max_width=32, max_height=48), "too_large"),
        (dict(max_frames=29), "too_many_frames"),
    ]:
        with pytest.raises(InvalidVideo) as err:
            validate_probe(probe, **limits)
        assert err.value.reason_code == reason


def test_size_limit_admits_either_orientation(clips):
    portrait = probe_video(clips["rotated.mp4"])  # displays 48x64
    assert validate_probe(portrait, max_width=64, max_height=48)


def test_invalid_video_survives_pickling_for_celery():
    err = pickle.loads(pickle.dumps(InvalidVideo("truncated", "cut off")))
    assert (err.reason_code, err.message) == ("truncated", "cut off")


def test_unknown_reason_codes_are_a_programming_error():
    with pytest.raises(ValueError, match="truncated"):
        InvalidVideo("bad", "x")
