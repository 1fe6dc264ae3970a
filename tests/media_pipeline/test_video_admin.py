"""The Video admin shows processing state and links, and re-processes on request."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotation.media_tasks import process_video
from annotation.models import Video, VideoStatus
from annotation.services.media_pipeline import video_mark_failed, video_process
from tests.media_pipeline.conftest import import_rows, manifest_rows

pytestmark = pytest.mark.django_db


def test_the_admin_lists_status_reason_and_links_and_reprocesses(pipeline, good_clips, client, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    import_rows(pipeline, manifest_rows(pipeline, {n: good_clips[n] for n in ("h264.mp4", "vp9.webm")}))
    ready, failed = Video.objects.order_by("id")
    video_process(video_id=ready.pk)
    video_mark_failed(video_id=failed.pk, code="corrupt", message="Frame 3 of clip.webm is damaged.")
    ready.refresh_from_db()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-for-tests"))

    page = client.get("/admin/annotation/video/").content.decode()
    assert "corrupt" in page and ready.rendition.url in page and ready.poster.url in page
    detail = client.get(f"/admin/annotation/video/{failed.pk}/change/").content.decode()
    assert "Frame 3 of clip.webm is damaged." in detail

    sent = []
    monkeypatch.setattr(process_video, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/annotation/video/", {"action": "reprocess", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    assert Video.objects.get(pk=failed.pk).status == VideoStatus.PENDING
    assert sent == [(failed.pk, failed.sha256, True)]
