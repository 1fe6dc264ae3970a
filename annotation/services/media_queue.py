"""Queueing videos for the media pipeline (media.process_video) without importing the task module.

Services announce `annotation.signals.videos_to_process` once the transaction commits; the Celery
adapter (annotation/media_tasks.py) answers it, connected in AnnotationConfig.ready. So the task
module imports the pipeline service and nothing here imports the task module: no cycle.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from annotation.models import Video, VideoStatus
from annotation.signals import videos_to_process

logger = logging.getLogger(__name__)

MSG_NO_QUEUE = "Nothing answered videos_to_process; videos %s stay pending until the admin re-processes them."


def videos_enqueue_processing(*, video_ids: Iterable[int], force: bool = False) -> None:
    """Queue media.process_video for each video once the current transaction commits."""
    items = list(Video.objects.filter(pk__in=list(video_ids)).order_by("id").values_list("pk", "sha256"))

    def send():
        if not videos_to_process.send(sender=Video, videos=items, force=force):
            logger.error(MSG_NO_QUEUE, [pk for pk, _ in items])

    # robust: a broker outage must not turn a committed import into an error; the videos stay
    # pending and the admin's "re-process" action queues them again.
    transaction.on_commit(send, robust=True)


def videos_reprocess(*, video_ids: Iterable[int]) -> int:
    """Put videos back to pending and queue them, rebuilding every output. Returns how many.
    failure_code/failure_reason keep the last failure until a run succeeds."""
    ids = list(video_ids)
    with transaction.atomic():
        count = Video.objects.filter(pk__in=ids).update(status=VideoStatus.PENDING)
        videos_enqueue_processing(video_ids=ids, force=True)
    return count
