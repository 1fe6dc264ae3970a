"""How a run resumes after its worker dies: the whole path, in the order it runs.

1. **Heartbeat.** While a worker runs a claimed run, `RunReporter.heartbeat()` (reporter.py) keeps a
   thread calling `RunReporter.beat()` every RUN_HEARTBEAT_SECONDS, and every optimizer step's
   `RunReporter.on_step()` beats too. Each beat is an UPDATE fenced by the run's `attempt`.
2. **Reap stale.** A worker killed (kill -9, a lost host) stops beating. Beat runs the Celery task
   `training.requeue_stale_runs` (training/tasks.py) every 30 s, which calls `runs_requeue_stale()`
   below: a running run whose heartbeat is older than RUN_STALE_SECONDS is cancelled if a cancel was
   pending, failed once `attempt` reached `max_attempts`, and otherwise set back to `queued`.
   Without beat, `manage.py run_training --resume N` calls `run_take_over_stale()` below instead
   (a live heartbeat is refused: the run may still be training somewhere).
3. **Requeue.** After the commit, `services.enqueue_run()` hands the run to `gpu.execute_run` again;
   the next worker's `execution.run_execute()` calls `services.run_claim()`, which raises `attempt`.
   That is the fencing token: the lost worker, should it wake up, matches no row with its own attempt
   (`RunReporter` raises `RunLost`, the registry refuses its model) and stops without writing.
4. **Restore from the latest whole checkpoint.** The executor calls `checkpoints_restore()` below
   on the run's checkpoint folder: with object storage it fetches the `step-N` folder the previous
   attempt published (`TrainingRun.checkpoint_uri`, sha256-checked by `CheckpointSync.restore()`,
   checkpoints.py), possibly from another host; with filesystem storage the folder is already on the
   shared RUNS_ROOT. The trainer then loads the newest `step-N` folder: reward,
   `training.reward.checkpoint.latest_checkpoint()` in `RewardTrainer.__init__`; GAPO,
   `training.gapo.trainer.latest_checkpoint()` in `training.gapo.run.run_gapo()`. Both see only
   folders that were written whole: trainers save through `training.step_folders.written_whole()`,
   which renames a finished scratch folder into place, so a kill mid-save leaves a `step-N.tmp-<pid>`
   that `step_folders.step_folders()` ignores, never a half-written `step-N`.
5. **Continue.** Training goes on from step N: the reward trainer's data order is a function of the
   step (the result matches an uninterrupted run), GAPO reuses the pairs cached under its run folder,
   a scoring run skips the videos it already scored. Replayed steps upsert their `RunMetric` rows.
   `CheckpointSync.sync()` publishes each new complete folder and moves `checkpoint_uri` to it.

tests/runs/test_runs_worker.py kills a real Celery worker mid-run and checks this path end to end.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from studio_platform.errors import ValidationFailed
from training.models import RunState, TrainingRun
from training.runs.checkpoints import CheckpointSync
from training.runs.errors import MSG_WORKER_LOST, RunStateConflict
from training.runs import services
from training.runs.services import run_finish_locked


def runs_requeue_stale(*, now: datetime | None = None) -> list[int]:
    """Runs whose worker went silent: re-queued (resumed from the last checkpoint by the next worker),
    cancelled if a cancel was pending, failed once out of attempts. Returns the re-queued ids."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.RUN_STALE_SECONDS)
    requeued: list[int] = []
    with transaction.atomic():
        stale = TrainingRun.objects.select_for_update(skip_locked=True).filter(
            state=RunState.RUNNING, heartbeat_at__lt=cutoff)
        for run in stale:
            lost = f"worker {run.worker} lost (no heartbeat since {run.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC)"
            if run.cancel_requested:
                run_finish_locked(run, RunState.CANCELLED, now=now)
            elif run.attempt >= run.max_attempts:
                run_finish_locked(run, RunState.FAILED, now=now,
                                  error=MSG_WORKER_LOST.format(times=run.attempt, max=run.max_attempts))
            else:
                run.state, run.worker = RunState.QUEUED, ""
                run.log_tail = (run.log_tail + f"\n[{now:%H:%M:%S}] {lost}; re-queued to resume").strip()[-8000:]
                run.save(update_fields=["state", "worker", "log_tail"])
                requeued.append(run.pk)
        for run_id in requeued:
            transaction.on_commit(lambda run_id=run_id: services.enqueue_run(run_id))
    return requeued


def run_take_over_stale(*, run_id: int, fail: bool = False, now: datetime | None = None) -> TrainingRun:
    """A run whose worker went silent (heartbeat older than RUN_STALE_SECONDS), handled from the CLI
    without beat: re-queued for this process to claim (the claim raises the attempt, the fencing
    token, so the lost worker can never write again), or failed with `fail`. A run with a live
    heartbeat is refused: it may still be training somewhere."""
    now = now or timezone.now()
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            raise ValidationFailed(f"no run {run_id}")
        if run.state == RunState.RUNNING:
            age = (now - run.heartbeat_at).total_seconds() if run.heartbeat_at else None
            if age is not None and age < settings.RUN_STALE_SECONDS:
                raise RunStateConflict(
                    f"run {run.pk} is running on {run.worker or 'a worker'} (last heartbeat {age:.0f} s ago); it can "
                    f"be taken over once its heartbeat is older than {settings.RUN_STALE_SECONDS} s")
            lost = (f"worker {run.worker} lost (no heartbeat for {age:.0f} s)" if age is not None
                    else f"worker {run.worker} lost")
            if fail:
                run_finish_locked(run, RunState.FAILED, now=now, error=f"{lost}; failed from the command line")
            else:
                run.state, run.worker = RunState.QUEUED, ""
                note = f"\n[{now:%H:%M:%S}] {lost}; taken over from the command line"
                run.log_tail = (run.log_tail + note).strip()[-8000:]
                run.save(update_fields=["state", "worker", "log_tail"])
        elif run.state == RunState.QUEUED and fail:
            run_finish_locked(run, RunState.FAILED, now=now, error="failed from the command line while queued")
        elif run.state != RunState.QUEUED:
            raise RunStateConflict(f"run {run.pk} is {run.state}; nothing to {'fail' if fail else 'resume'}")
    return run


def checkpoints_restore(run: TrainingRun, folder: Path) -> CheckpointSync:
    """Before the trainer looks for its latest checkpoint in `folder`: the checkpoint a previous attempt
    published, fetched from the bucket (possibly written on another host); with filesystem storage the
    run's `checkpoint_uri` becomes `folder` itself. Returns the sync that publishes new checkpoints."""
    sync = CheckpointSync(run, folder)
    sync.restore()
    if not sync.remote:
        TrainingRun.objects.filter(pk=run.pk).update(checkpoint_uri=str(folder))
    return sync
