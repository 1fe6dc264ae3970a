"""media_io/transcode.py: renditions browsers play, posters and strips of the right frames."""

import os

import av
import numpy as np
import pytest
from PIL import Image

from media_io import (
    InvalidVideo,
    make_poster,
    make_rendition,
    make_thumbnail_strip,
    probe_video,
    rendition_size,
    sample_frames,
    uniform_indices,
)
from tests.media.clips import MARKER, grey_index, grey_indices, mp4_top_level_boxes, write_clip


def _stream_facts(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return container.format.name, stream.codec_context.name, stream.codec_context.pix_fmt


def test_h264_rendition_is_browser_playable_mp4_with_moov_first(clips, tmp_path):
    info = make_rendition(clips["h264.mp4"], tmp_path / "out.mp4")
    assert _stream_facts(info.path)[1:] == ("h264", "yuv420p")
    boxes = mp4_top_level_boxes(tmp_path / "out.mp4")
    assert boxes.index(b"moov") < boxes.index(b"mdat")  # +faststart
    assert (info.width, info.height, info.frame_count, info.codec) == (64, 48, 30, "h264")
    assert info.size_bytes == os.path.getsize(info.path)


def test_rendition_keeps_every_frame_and_its_timing(clips, tmp_path):
    out = make_rendition(clips["h264.mp4"], tmp_path / "out.mp4").path
    assert grey_indices(sample_frames(out, 10)) == uniform_indices(30, 10)
    probe = probe_video(out)
    assert probe.fps == pytest.approx(24.0) and probe.frame_count == 30


def test_variable_frame_rate_timing_survives(clips, tmp_path):
    out = make_rendition(clips["vfr.mkv"], tmp_path / "vfr.mp4").path
    source, rendition = probe_video(clips["vfr.mkv"]), probe_video(out)
    assert rendition.frame_count == 20
    assert rendition.duration_s == pytest.approx(source.duration_s, abs=0.06)


def test_vp9_rendition_is_webm(clips, tmp_path):
    info = make_rendition(clips["mpeg4.avi"], tmp_path / "out.webm", codec="vp9")
    assert _stream_facts(info.path) == ("matroska,webm", "vp9", "yuv420p")
    assert grey_indices(sample_frames(info.path, 5)) == uniform_indices(25, 5)


@pytest.mark.parametrize(
    "size, max_side, expected",
    [
        ((1280, 720), 720, (720, 406)),  # 405 rounds half up to the even 406
        ((720, 1280), 720, (406, 720)),
        ((64, 48), 720, (64, 48)),  # never upscaled
        ((99, 51), 50, (50, 26)),
        ((67, 45), 720, (66, 44)),  # odd sources lose a pixel rather than gain one
    ],
)
def test_rendition_size_fits_the_long_side_never_upscales_and_is_even(size, max_side, expected):
    assert rendition_size(*size, max_side) == expected


def test_odd_sized_sources_get_even_bounded_renditions(tmp_path):
    src = write_clip(tmp_path / "odd.webm", frames=6, codec="libvpx-vp9", width=67, height=45)
    info = make_rendition(src, tmp_path / "out.mp4", max_side=33)
    probe = probe_video(info.path)
    assert (probe.width, probe.height) == (info.width, info.height) == (32, 22)
    assert info.width % 2 == 0 and info.height % 2 == 0 and max(info.width, info.height) <= 33


def test_rotation_is_burned_into_the_pixels(clips, tmp_path):
    info = make_rendition(clips["rotated.mp4"], tmp_path / "upright.mp4")
    probe = probe_video(info.path)
    assert (probe.width, probe.height, probe.rotation) == (48, 64, 0)
    frame = sample_frames(info.path, 1)[0]
    assert frame[-MARKER + 2 :, : MARKER - 2].min() > 230  # marker now bottom-left, as sample_frames shows it
    np.testing.assert_allclose(frame, sample_frames(clips["rotated.mp4"], 1)[0], atol=12)


def test_poster_is_the_frame_a_tenth_of_the_way_in(clips, tmp_path):
    info = make_poster(clips["h264.mp4"], tmp_path / "poster.png")
    assert info.frame_indices == (3,)  # round(0.1 * 29)
    assert grey_index(np.asarray(Image.open(info.path))) == 3
    jpg = make_poster(clips["rotated.mp4"], tmp_path / "poster.jpg")
    assert Image.open(jpg.path).size == (48, 64)


def test_thumbnail_strip_puts_uniform_frames_side_by_side(clips, tmp_path):
    info = make_thumbnail_strip(clips["vp9.webm"], tmp_path / "strip.png", n=6, height=24)
    strip = np.asarray(Image.open(info.path))
    assert strip.shape == (24, 6 * 32, 3) and (info.width, info.height) == (192, 24)
    tiles = strip.reshape(24, 6, 32, 3).transpose(1, 0, 2, 3)  # (H, n*W, 3) -> (n, H, W, 3)
    assert grey_indices(tiles) == list(info.frame_indices) == uniform_indices(30, 6)


def test_audio_is_dropped_from_renditions(clips, tmp_path):
    info = make_rendition(clips["with_audio.mp4"], tmp_path / "silent.mp4")
    assert not probe_video(info.path).has_audio


def test_wrong_extension_for_the_codec_is_refused(clips, tmp_path):
    with pytest.raises(ValueError, match=".webm"):
        make_rendition(clips["h264.mp4"], tmp_path / "out.mp4", codec="vp9")


def test_a_bad_source_leaves_no_output_or_temp_file(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x01" * 3000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(InvalidVideo):
        make_rendition(junk, out_dir / "out.mp4")
    assert list(out_dir.iterdir()) == []
