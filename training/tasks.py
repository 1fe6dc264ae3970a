"""Celery adapters of the training app.

Dataset builds are CPU work named `media.*` (the media queue). Runs are `gpu.*` (the gpu queue:
one job per GPU, `celery -A config worker -Q gpu --concurrency 1` per GPU). The periodic checks are
`training.*` (the default queue)."""
from celery import shared_task
from django.conf import settings

from training.exports.services import dataset_version_build, dataset_versions_fail_stale


def enqueue_dataset_build(sender, *, version_id: int, **kwargs) -> None:
    """Receiver of training.signals.dataset_version_queued (connected in TrainingConfig.ready)."""
    build_dataset_version.delay(version_id)


def enqueue_run(sender, *, run_id: int, **kwargs) -> None:
    """Receiver of training.signals.run_queued (connected in TrainingConfig.ready)."""
    execute_run.apply_async(args=[run_id], queue=settings.RUNS_QUEUE)


@shared_task(name="media.build_dataset_version", acks_late=True, ignore_result=True)
def build_dataset_version(version_id: int) -> str:
    """Build one queued version; a failure is recorded on the version, not retried."""
    return dataset_version_build(version_id=version_id).status


@shared_task(name="media.fail_stale_dataset_builds", ignore_result=True)
def fail_stale_dataset_builds() -> int:
    return dataset_versions_fail_stale()


@shared_task(name="gpu.execute_run", acks_late=True, ignore_result=True)
def execute_run(run_id: int) -> str | None:
    """Claim and run one training run. A duplicate delivery finds it claimed and does nothing;
    a worker killed mid-run leaves it to the stale-run check, which re-queues it to resume."""
    from training.runs.execution import run_execute

    run = run_execute(run_id)
    return run.state if run else None


@shared_task(name="training.requeue_stale_runs", ignore_result=True)
def requeue_stale_runs() -> list[int]:
    from training.runs.resume import runs_requeue_stale

    return runs_requeue_stale()


@shared_task(name="training.check_retrain", ignore_result=True)
def check_retrain() -> list[int]:
    from training.runs.retrain import retrain_check

    return [run.pk for run in retrain_check()]
