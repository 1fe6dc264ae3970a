"""annotation/services/media_pipeline.py: registered videos become ready with browser renditions;
re-runs change nothing; crashes leave nothing half-registered; failures take unstarted pairs out."""
from __future__ import annotations

import av
import psycopg
import pytest
from django.db import connection

from annotation.media_tasks import process_video
from annotation.models import Assignment, Pair, Video, VideoStatus
from annotation.services import media_pipeline
from annotation.services.leasing import assignment_lease_next
from annotation.services.media_pipeline import (
    CHECKSUM_MISMATCH,
    PROCESSING_ERROR,
    output_names,
    rendition_max_side,
    video_process,
)
from annotation.services.media_queue import videos_reprocess
from tests.factories import CampaignFactory, UserFactory
from tests.media.clips import mp4_top_level_boxes
from tests.media_pipeline.conftest import import_rows, manifest_rows, stored_files

pytestmark = pytest.mark.django_db


def _import(pipeline, good_clips, names, **kwargs):
    import_rows(pipeline, manifest_rows(pipeline, {n: good_clips[n] for n in names}), **kwargs)
    return list(Video.objects.order_by("id"))


@pytest.mark.parametrize("name", ["h264.mp4", "vp9.webm", "mpeg4.avi", "mpeg4.mkv"])
def test_each_codec_and_container_becomes_ready_with_an_h264_faststart_rendition(pipeline, good_clips, media_root,
                                                                                  settings, name):
    (video,) = _import(pipeline, good_clips, [name])
    assert video.status == VideoStatus.PENDING and not video.rendition

    assert video_process(video_id=video.pk) == "ready"

    video.refresh_from_db()
    assert video.status == VideoStatus.READY and video.processed_at and not video.failure_code
    assert (video.rendition.name, video.poster.name, video.thumbnail_strip.name) == tuple(
        output_names(video.media_token)[f] for f in ("rendition", "poster", "thumbnail_strip"))
    with av.open(video.rendition.path) as out:
        stream = out.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert (stream.codec_context.width, stream.codec_context.height) == (64, 48)  # never upscaled
        assert sum(1 for _ in out.demux(stream) if _.size) == 20
    boxes = mp4_top_level_boxes(media_root / video.rendition.name)
    assert boxes.index(b"moov") < boxes.index(b"mdat")
    assert video.container and video.codec and video.frame_count == 20
    cached = media_pipeline.frame_cache().get(video.sha256, 24, settings.FRAME_CACHE_SHORT_SIDE)
    assert cached is not None and cached.shape[0] == 24
    assert not [f for f in stored_files(media_root) if ".tmp-" in f]


def test_running_again_changes_nothing(pipeline, good_clips, media_root):
    (video,) = _import(pipeline, good_clips, ["h264.mp4"])
    video_process(video_id=video.pk)
    video.refresh_from_db()
    before = {p: (media_root / p).stat().st_mtime_ns for p in stored_files(media_root)}

    assert video_process(video_id=video.pk) == "already_ready"
    assert process_video.apply(args=[video.pk, video.sha256]).get() == "already_ready"

    after = Video.objects.get(pk=video.pk)
    assert after.processed_at == video.processed_at and after.rendition.name == video.rendition.name
    assert {p: (media_root / p).stat().st_mtime_ns for p in stored_files(media_root)} == before


def test_a_crash_after_the_rendition_is_written_leaves_the_video_pending_and_no_output(
        pipeline, good_clips, media_root, monkeypatch):
    (video,) = _import(pipeline, good_clips, ["h264.mp4"])
    originals = stored_files(media_root)
    written = []
    real_put = media_pipeline.storage_put

    def put_then_crash(local, name, **kwargs):
        result = real_put(local, name, **kwargs)
        written.append(name)
        if name.startswith("renditions/"):
            raise RuntimeError("worker killed after the rendition was stored")
        return result

    monkeypatch.setattr(media_pipeline, "storage_put", put_then_crash)
    with pytest.raises(RuntimeError):
        video_process(video_id=video.pk)

    assert written == [output_names(video.media_token)["rendition"]]  # it really was stored, then removed
    video.refresh_from_db()
    assert video.status == VideoStatus.PENDING and not video.rendition and not video.processed_at
    assert stored_files(media_root) == originals  # no rendition, no temp file

    monkeypatch.setattr(media_pipeline, "storage_put", real_put)
    assert video_process(video_id=video.pk) == "ready"


def test_outputs_a_killed_run_left_whole_are_reused_not_reencoded(pipeline, good_clips, media_root, monkeypatch):
    (video,) = _import(pipeline, good_clips, ["h264.mp4"])
    video_process(video_id=video.pk)
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.PENDING, rendition="", poster="", thumbnail_strip="")
    encoded = []
    monkeypatch.setattr(media_pipeline, "make_rendition", lambda *a, **k: encoded.append(a))

    assert video_process(video_id=video.pk) == "ready"
    assert encoded == [] and Video.objects.get(pk=video.pk).rendition.name == output_names(video.media_token)["rendition"]


def test_retries_that_keep_failing_end_with_a_failed_video(pipeline, good_clips, monkeypatch):
    (video,) = _import(pipeline, good_clips, ["h264.mp4"])
    attempts = []

    def broken_poster(*args, **kwargs):
        attempts.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(media_pipeline, "make_poster", broken_poster)
    process_video.apply(args=[video.pk, video.sha256])  # apply() runs Celery's retries in-process, no countdown

    video.refresh_from_db()
    assert len(attempts) == process_video.max_retries + 1
    assert (video.status, video.failure_code) == (VideoStatus.FAILED, PROCESSING_ERROR)
    assert "disk full" in video.failure_reason and not video.rendition


def test_a_damaged_original_fails_with_its_reason_and_its_unstarted_pairs_leave_the_campaign(
        pipeline, good_clips, media_root):
    campaign = CampaignFactory(overlap=1)
    videos = _import(pipeline, good_clips, ["h264.mp4", "vp9.webm", "mpeg4.avi"], campaign=campaign)
    assert Pair.objects.filter(campaign=campaign).count() == 3
    for video in videos:  # only pairs of ready videos are leased
        assert video_process(video_id=video.pk) == "ready"
    leased = assignment_lease_next(campaign=campaign, annotator=UserFactory(roles=["annotator"]))
    leased_pair = leased.pair
    broken = leased_pair.video_a
    outputs_before = stored_files(media_root)
    (media_root / broken.file.name).write_bytes(b"\x00" * 100)

    assert video_process(video_id=broken.pk, force=True) == "failed"

    broken.refresh_from_db()
    assert (broken.status, broken.failure_code) == (VideoStatus.FAILED, CHECKSUM_MISMATCH)
    assert "upload it again" in broken.failure_reason
    remaining = set(Pair.objects.filter(campaign=campaign).values_list("pk", flat=True))
    touching_broken = {p.pk for p in Pair.objects.filter(campaign=campaign)
                       if broken.pk in (p.video_a_id, p.video_b_id)}
    assert leased_pair.pk in remaining  # work in progress is never deleted
    assert touching_broken <= {leased_pair.pk}
    assert Assignment.objects.filter(pk=leased.pk).exists()
    assert stored_files(media_root) == outputs_before  # the failed run wrote nothing, no temp file either


def test_reprocessing_a_failed_video_makes_it_ready_and_pairs_it_again(pipeline, good_clips, media_root,
                                                                       django_capture_on_commit_callbacks,
                                                                       monkeypatch):
    campaign = CampaignFactory()
    videos = _import(pipeline, good_clips, ["h264.mp4", "vp9.webm", "mpeg4.avi"], campaign=campaign)
    broken = videos[0]
    good_bytes = (media_root / broken.file.name).read_bytes()
    (media_root / broken.file.name).write_bytes(b"\x00" * 100)
    video_process(video_id=broken.pk)
    assert Pair.objects.filter(campaign=campaign).count() == 1
    (media_root / broken.file.name).write_bytes(good_bytes)  # the operator restored the file

    sent = []
    monkeypatch.setattr(process_video, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        assert videos_reprocess(video_ids=[broken.pk]) == 1
    assert sent == [(broken.pk, broken.sha256, True)]
    assert Video.objects.get(pk=broken.pk).failure_code == CHECKSUM_MISMATCH  # the last failure, until success

    assert video_process(video_id=broken.pk, sha256=broken.sha256, force=True) == "ready"
    broken.refresh_from_db()
    assert (broken.status, broken.failure_code, broken.failure_reason) == (VideoStatus.READY, "", "")
    assert Pair.objects.filter(campaign=campaign).count() == 3


def test_the_import_queues_one_task_per_new_video_after_commit(pipeline, good_clips, settings,
                                                               django_capture_on_commit_callbacks, monkeypatch):
    settings.MEDIA_PROCESS_ON_IMPORT = True
    sent = []
    monkeypatch.setattr(process_video, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        videos = _import(pipeline, good_clips, ["h264.mp4", "vp9.webm"])
    assert sent == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sent == [(v.pk, v.sha256, False) for v in videos]
    assert process_video.name == "media.process_video"


def test_a_second_run_while_one_holds_the_video_does_nothing(pipeline, good_clips):
    (video,) = _import(pipeline, good_clips, ["h264.mp4"])
    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"] or None, port=db["PORT"] or None,
                         password=db["PASSWORD"] or None, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(7302, %s)", [video.pk])
        assert video_process(video_id=video.pk) == "busy"
    assert Video.objects.get(pk=video.pk).status == VideoStatus.PENDING


def test_a_task_for_a_video_whose_content_changed_is_ignored(pipeline, good_clips):
    (video,) = _import(pipeline, good_clips, ["h264.mp4"])
    assert video_process(video_id=video.pk, sha256="0" * 64) == "gone"
    assert video_process(video_id=10**9) == "gone"


@pytest.mark.parametrize("size, long_side", [((1920, 1080), 1280), ((1080, 1920), 1280), ((1280, 720), 1280),
                                             ((1080, 1080), 720), ((3840, 1000), 1280), ((720, 1600), 1280),
                                             ((64, 48), 64)])
def test_renditions_fit_720p_in_either_orientation(settings, size, long_side):
    settings.MEDIA_RENDITION_SHORT_SIDE, settings.MEDIA_RENDITION_LONG_SIDE = 720, 1280
    assert rendition_max_side(*size) == long_side
    scale = long_side / max(size)
    assert min(size) * scale <= 720
