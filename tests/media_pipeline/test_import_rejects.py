"""Bad inputs in a manifest: each one named with a clear reason, the whole import refused, no Video
row and no file left in MEDIA_ROOT."""
from __future__ import annotations

import pytest

from annotation.models import Pair, Prompt, Video
from studio_platform.errors import ImportRejected
from tests.clips import write_png
from tests.factories import CampaignFactory
from tests.media.clips import truncate, write_clip
from tests.media_pipeline.conftest import import_rows, manifest_rows, stored_files

pytestmark = pytest.mark.django_db


def _random_bytes(root, row, settings):
    (root / "noise.mp4").write_bytes(bytes(range(256)) * 40)
    row["video"] = "noise.mp4"


def _truncated(root, row, settings):
    truncate(root / row["video"], root / "cut.mp4", fraction=0.5)
    row["video"] = "cut.mp4"


def _zero_frames(root, row, settings):
    write_clip(root / "empty.mp4", frames=0)
    row["video"] = "empty.mp4"


def _image_renamed(root, row, settings):
    (root / "still.mp4").write_bytes(write_png(root / "still.png").read_bytes())
    row["video"] = "still.mp4"


def _huge(root, row, settings):
    write_clip(root / "wide.mp4", frames=2, width=2048, height=32)  # past the default 1920x1080 limit
    row["video"] = "wide.mp4"


def _traversal(root, row, settings):
    row["video"] = "../../../etc/passwd"


def _too_long(root, row, settings):
    settings.MEDIA_MAX_DURATION_S = 0.5  # the clip lasts 20 / 24 s


def _too_many_frames(root, row, settings):
    settings.MEDIA_MAX_FRAMES = 10


def _file_too_big(root, row, settings):
    settings.MEDIA_MAX_FILE_BYTES = 1024


@pytest.mark.parametrize(
    "spoil, expected",
    [
        pytest.param(_random_bytes, "[not_media]", id="random-bytes-named-mp4"),
        pytest.param(_truncated, "[truncated]", id="truncated"),
        pytest.param(_zero_frames, "[no_frames]", id="zero-frames"),
        pytest.param(_image_renamed, "[image_not_video]", id="image-renamed-as-video"),
        pytest.param(_huge, "[too_large]", id="huge-dimensions"),
        pytest.param(_traversal, "outside the allowed import folders", id="path-traversal"),
        pytest.param(_too_long, "[too_long]", id="too-long"),
        pytest.param(_too_many_frames, "[too_many_frames]", id="too-many-frames"),
        pytest.param(_file_too_big, "[file_too_big]", id="file-too-big"),
    ],
)
def test_a_bad_video_is_named_and_nothing_is_stored(pipeline, good_clips, media_root, settings, spoil, expected):
    rows = manifest_rows(pipeline, {n: good_clips[n] for n in ("h264.mp4", "vp9.webm")})
    spoil(pipeline, rows[1], settings)

    with pytest.raises(ImportRejected) as raised:
        import_rows(pipeline, rows, campaign=CampaignFactory())

    errors = raised.value.extra["errors"]
    assert [(e["line"], e["field"]) for e in errors if e["line"] == 2] == [(2, "video")]
    assert expected in errors[-1]["message"]
    assert (Video.objects.count(), Prompt.objects.count(), Pair.objects.count()) == (0, 0, 0)
    assert stored_files(media_root) == []


def test_a_duplicate_file_is_named_and_nothing_is_stored(pipeline, good_clips, media_root):
    rows = manifest_rows(pipeline, {"h264.mp4": good_clips["h264.mp4"]})
    (pipeline / "copy.mp4").write_bytes(good_clips["h264.mp4"].read_bytes())
    rows.append({**rows[0], "video": "copy.mp4", "generator": "gen-9"})

    with pytest.raises(ImportRejected) as raised:
        import_rows(pipeline, rows)

    assert raised.value.extra["errors"] == [{"line": 2, "field": "video", "message": "same file content as line 1"}]
    assert Video.objects.count() == 0 and stored_files(media_root) == []


def test_a_video_already_in_the_studio_is_refused(pipeline, good_clips, media_root):
    rows = manifest_rows(pipeline, {"h264.mp4": good_clips["h264.mp4"]})
    import_rows(pipeline, rows)
    before = stored_files(media_root)
    with pytest.raises(ImportRejected, match="nothing was imported"):
        import_rows(pipeline, rows)
    assert Video.objects.count() == 1 and stored_files(media_root) == before
