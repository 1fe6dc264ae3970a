"""media.process_video in a real Celery worker process over the real Redis broker, on a private queue."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from annotation.media_tasks import process_video
from annotation.models import Video, VideoStatus
from tests.annotation.test_reaper_worker import ROOT, _test_database_url
from tests.media_pipeline.conftest import import_rows, manifest_rows


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_makes_the_rendition_and_marks_the_video_ready(pipeline, good_clips, media_root, settings):
    import_rows(pipeline, manifest_rows(pipeline, {"mpeg4.avi": good_clips["mpeg4.avi"]}))
    video = Video.objects.get()

    queue = f"media-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": settings.REDIS_URL,
           "MEDIA_ROOT": str(media_root), "FRAME_CACHE_ROOT": str(settings.FRAME_CACHE_ROOT)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--concurrency", "1",
         "--pool", "solo", "--loglevel", "WARNING", "-n", f"{queue}@%h"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        process_video.apply_async(args=[video.pk, video.sha256], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Video.objects.get(pk=video.pk).status == VideoStatus.PENDING:
            time.sleep(0.3)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, output
    assert (media_root / video.rendition.name).is_file() and (media_root / video.poster.name).is_file()
    assert "Traceback" not in output, output
