"""Celery adapters for the media pipeline. Names start with `media.` so CELERY_TASK_ROUTES sends
them to the `media` queue (CPU workers: `celery -A config worker -Q default,media`)."""
from __future__ import annotations

import logging

from celery import shared_task

from annotation.services.media_pipeline import PROCESSING_ERROR, video_mark_failed, video_process

logger = logging.getLogger(__name__)
MAX_RETRIES = 3


def enqueue_videos(sender, *, videos, force: bool = False, **kwargs) -> int:
    """Receiver of annotation.signals.videos_to_process (connected in AnnotationConfig.ready)."""
    for pk, sha256 in videos:
        process_video.delay(pk, sha256, force)
    return len(videos)


@shared_task(name="media.process_video", bind=True, ignore_result=True, acks_late=True, max_retries=MAX_RETRIES)
def process_video(self, video_id: int, sha256: str | None = None, force: bool = False) -> str:
    """Unusable files are marked failed by the service; anything else (storage, database, a killed
    encoder) is retried with backoff and marked failed once the retries are spent."""
    try:
        return video_process(video_id=video_id, sha256=sha256, force=force)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("media.process_video gave up on video %s", video_id)
            video_mark_failed(video_id=video_id, code=PROCESSING_ERROR,
                              message=f"Processing failed {self.max_retries + 1} times ({exc.__class__.__name__}: "
                                      f"{exc}); fix the cause, then use the admin's re-process action.")
            return "failed"
        raise self.retry(exc=exc, countdown=min(300, 10 * 3 ** self.request.retries))
