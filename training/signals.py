"""The training app's signals: services announce work to queue, and the Celery adapters
(training/tasks.py) answer them, connected in TrainingConfig.ready. So services never import the
task module, which imports the services."""
from __future__ import annotations

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

run_queued = Signal()  # kwargs: run_id -> gpu.execute_run on settings.RUNS_QUEUE
dataset_version_queued = Signal()  # kwargs: version_id -> media.build_dataset_version

MSG_UNANSWERED = "Nothing answered %s(%s); is the training app installed? The work stays queued in the database."


def queue_send(signal: Signal, **kwargs) -> None:
    """Send `signal`; log loudly when no adapter answered (the run or version would wait forever)."""
    if not signal.send(sender=None, **kwargs):
        logger.error(MSG_UNANSWERED, "run_queued" if signal is run_queued else "dataset_version_queued", kwargs)
