"""Celery adapters of the training app. Dataset builds are CPU work: named `media.*` so the
`media.*` route sends them to the media queue (the `training.tasks.*` route is the gpu queue)."""
from celery import shared_task

from training.exports.services import dataset_version_build, dataset_versions_fail_stale


@shared_task(name="media.build_dataset_version", acks_late=True, ignore_result=True)
def build_dataset_version(version_id: int) -> str:
    """Build one queued version; a failure is recorded on the version, not retried."""
    return dataset_version_build(version_id=version_id).status


@shared_task(name="media.fail_stale_dataset_builds", ignore_result=True)
def fail_stale_dataset_builds() -> int:
    return dataset_versions_fail_stale()
