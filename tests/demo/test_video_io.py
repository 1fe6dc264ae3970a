import av
import numpy as np
import pytest

from demo import GENERATORS, render_clip
from media_io import probe_video, read_frames, write_mp4, write_png


@pytest.fixture(scope="module")
def frames(prompts):
    return render_clip(prompts[0], GENERATORS[0], 0, width=96, height=64, num_frames=12, fps=12)[0]


def test_mp4_reads_back_with_every_frame_at_the_right_size(tmp_path, frames):
    path = write_mp4(frames, tmp_path / "v.mp4", 12)
    back = read_frames(path)
    assert back.shape == frames.shape
    # lossy, but the picture must survive: compare against the source, not against zero
    assert np.abs(back.astype(int) - frames).mean() < 6.0


def test_mp4_is_h264_yuv420p_main_profile_at_the_given_rate(tmp_path, frames):
    info = probe_video(write_mp4(frames, tmp_path / "v.mp4", 12))
    assert (info.codec, info.pix_fmt, info.width, info.height, info.frame_count, info.fps) == (
        "h264", "yuv420p", 96, 64, 12, 12.0)
    with av.open(str(tmp_path / "v.mp4")) as container:
        assert container.streams.video[0].codec_context.profile in ("Main", "Constrained Baseline", "Baseline")


def test_mp4_puts_the_index_before_the_media_for_streaming(tmp_path, frames):
    data = write_mp4(frames, tmp_path / "v.mp4", 12).read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat")


def test_mp4_bytes_are_identical_for_identical_frames(tmp_path, frames):
    a = write_mp4(frames, tmp_path / "a.mp4", 12).read_bytes()
    b = write_mp4(frames, tmp_path / "b.mp4", 12).read_bytes()
    assert a == b


def test_odd_sizes_are_padded_to_even(tmp_path, frames):
    path = write_mp4(frames[:, :63, :95], tmp_path / "odd.mp4", 12)
    assert read_frames(path).shape == (12, 64, 96, 3)


@pytest.mark.parametrize("bad", [np.zeros((4, 32, 32), np.uint8), np.zeros((4, 32, 32, 3), np.float32),
                                 np.zeros((0, 32, 32, 3), np.uint8), [[0]]])
def test_write_mp4_rejects_anything_but_uint8_rgb_frames(tmp_path, bad):
    with pytest.raises(ValueError, match=r"frames must be a uint8 array of shape \(T, H, W, 3\)"):
        write_mp4(bad, tmp_path / "x.mp4", 12)


def test_write_mp4_rejects_a_non_positive_fps(tmp_path, frames):
    with pytest.raises(ValueError, match="fps must be a positive number"):
        write_mp4(frames, tmp_path / "x.mp4", 0)


def test_png_round_trips_exactly(tmp_path, frames):
    from PIL import Image

    path = write_png(frames[0], tmp_path / "sub" / "i.png")
    with Image.open(path) as im:
        assert np.array_equal(np.asarray(im.convert("RGB")), frames[0])
    with pytest.raises(ValueError, match=r"image must be a uint8 array of shape \(H, W, 3\)"):
        write_png(frames, tmp_path / "bad.png")


def test_encoding_a_small_clip_repeatedly_never_changes_the_bytes(tmp_path):
    # This clip made x264's lookahead give 14 different bitstreams in 60 runs before the
    # lookahead was switched off (see media_io/encode.py's docstring).
    from demo import demo_prompts

    frames = render_clip(demo_prompts(2, seed=1)[0], GENERATORS[0], 0, width=64, height=48, num_frames=8, fps=8)[0]
    digests = {write_mp4(frames, tmp_path / f"{i}.mp4", 8).read_bytes() for i in range(12)}
    assert len(digests) == 1
