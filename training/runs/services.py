"""Writes of the run lifecycle: create, claim, succeed, fail, cancel (re-queueing a run whose worker
died, and resuming it, is resume.py's story).

Every write by a worker is fenced by `attempt`: the row only changes while it still carries the
attempt that worker claimed, so a worker presumed dead (and re-queued) can never overwrite the
state, progress or result of its successor.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from studio_platform.errors import ValidationFailed
from training.models import DatasetStatus, DatasetVersion, RewardModelVersion, RunKind, RunState, RunTrigger, TrainingRun
from training.runs.configs import config_for
from training.runs.errors import (
    MSG_NO_DATASET,
    MSG_NO_PROMOTED,
    MSG_NOT_CANCELLABLE,
    MSG_UNKNOWN_KIND,
    MSG_WORKER_LOST,
    RunStateConflict,
)
from training.runs.finite import finite_json
from training.runs.gapo_setup import check_dense_pairs, check_dense_request, default_gapo_setup, run_campaign_ids
from training.runs.options import GapoRunOptions, check_gapo_pairs, options_for, to_stored
from training.signals import queue_send, run_queued


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_create(*, kind: str, config: dict | None = None, options: dict | None = None,
               dataset_version: DatasetVersion | None = None, reward_model: RewardModelVersion | None = None,
               created_by=None, trigger: str = RunTrigger.API, trigger_key: str | None = None, policy=None,
               parent: TrainingRun | None = None, enqueue: bool = True, dense: bool = False) -> TrainingRun:
    """Validate everything up front (the config by its kind's dataclass, configs.py; the options once,
    options.py), store the run queued and hand it to the gpu queue after commit. `dense`: a GAPO run
    without a config takes the default setup with segment weighting on human pairs (gapo_setup.py)."""
    if kind not in RunKind.values:
        raise ValidationFailed(MSG_UNKNOWN_KIND.format(kind=kind))
    dense = check_dense_request(kind=kind, config=config, dense=dense)
    # the cheap refusal first: a GAPO run without a promoted model is answered before torch is imported
    if kind in (RunKind.SCORING, RunKind.GAPO) and reward_model is None:
        reward_model = RewardModelVersion.objects.filter(promoted=True).first()
        if reward_model is None:
            raise ValidationFailed(MSG_NO_PROMOTED)
    if kind == RunKind.GAPO and not config:
        # no config given (the /runs/ page's "Run GAPO" / "Run dense GAPO"): the deployment's default setup
        config, options = default_gapo_setup(options=options, dense=dense)
    normalised, total = config_for(kind, config or {})
    typed = options_for(kind, options)
    if isinstance(typed, GapoRunOptions):
        check_gapo_pairs(normalised, typed)
    if isinstance(typed, GapoRunOptions) and typed.base_generator and normalised.get("preset") != "tiny":
        raise ValidationFailed("base_generator 'demo' is the tiny preset's pretrained base; preset 'paper' "
                               "loads its checkpoint from model_path.")
    if dense:  # the cheap queries last: after every check that needs none
        check_dense_pairs(run_campaign_ids(campaign_ids=typed.campaign_ids, dataset_version=dataset_version,
                                           reward_model=reward_model))
    if kind == RunKind.REWARD:
        if dataset_version is None:
            raise ValidationFailed(MSG_NO_DATASET.format(kind=kind))
        if dataset_version.status == DatasetStatus.FAILED:
            raise ValidationFailed(f"Dataset version {dataset_version.pk} failed to build; build it again first.")
    with transaction.atomic():
        run = TrainingRun.objects.create(
            kind=kind, config=normalised, options=to_stored(typed), dataset_version=dataset_version,
            reward_model=reward_model,
            created_by=created_by, trigger=trigger, trigger_key=trigger_key, policy=policy, parent=parent,
            total_steps=total,
        )
        if enqueue:
            transaction.on_commit(lambda: enqueue_run(run.pk))
    return run


def enqueue_run(run_id: int) -> None:
    """gpu.execute_run on settings.RUNS_QUEUE: training/tasks.py answers the signal (no import of the tasks here)."""
    queue_send(run_queued, run_id=run_id)


def run_claim(run_id: int, *, worker: str | None = None) -> TrainingRun | None:
    """Take a queued run for this worker (attempt + 1). None when there is nothing to do: the run
    is finished, running elsewhere with a live heartbeat, cancelled while queued, or out of attempts."""
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state != RunState.QUEUED:
            return None
        now = timezone.now()
        if run.cancel_requested:
            run_finish_locked(run, RunState.CANCELLED, now=now)
            return None
        if run.attempt >= run.max_attempts:
            run_finish_locked(run, RunState.FAILED, now=now, error=MSG_WORKER_LOST.format(times=run.attempt, max=run.max_attempts))
            return None
        run.state, run.attempt, run.worker = RunState.RUNNING, run.attempt + 1, worker or worker_name()
        run.heartbeat_at = now
        run.started_at = run.started_at or now
        run.save(update_fields=["state", "attempt", "worker", "heartbeat_at", "started_at"])
    return run


def run_finish_locked(run: TrainingRun, state: str, *, now: datetime, error: str = "",
                      metrics: dict | None = None) -> None:
    """End a run whose row this transaction holds locked (select_for_update)."""
    run.state, run.finished_at, run.error = state, now, error[-4000:]
    update = ["state", "finished_at", "error"]
    if metrics is not None:
        run.metrics = finite_json(metrics)
        update.append("metrics")
    run.save(update_fields=update)


def _locked_if_current(run: TrainingRun) -> TrainingRun | None:
    """The run row locked, if it still belongs to this attempt (call inside a transaction)."""
    return TrainingRun.objects.select_for_update().filter(
        pk=run.pk, attempt=run.attempt, state=RunState.RUNNING).first()


def run_succeed(run: TrainingRun, *, metrics: dict) -> bool:
    with transaction.atomic():
        current = _locked_if_current(run)
        if current is None:
            return False
        current.step = current.total_steps or current.step
        current.save(update_fields=["step"])
        run_finish_locked(current, RunState.SUCCEEDED, now=timezone.now(), metrics=metrics)
    return True


def run_fail(run: TrainingRun, *, error: str) -> bool:
    with transaction.atomic():
        current = _locked_if_current(run)
        if current is None:
            return False
        run_finish_locked(current, RunState.FAILED, now=timezone.now(), error=error)
    return True


def run_mark_cancelled(run: TrainingRun) -> bool:
    with transaction.atomic():
        current = _locked_if_current(run)
        if current is None:
            return False
        run_finish_locked(current, RunState.CANCELLED, now=timezone.now())
    return True


def run_cancel(*, run: TrainingRun) -> TrainingRun:
    """A queued run is cancelled at once; a running one stops at its next step (the GPU is freed then)."""
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().get(pk=run.pk)
        if run.state == RunState.QUEUED:
            run.cancel_requested = True
            run.save(update_fields=["cancel_requested"])
            run_finish_locked(run, RunState.CANCELLED, now=timezone.now())
        elif run.state == RunState.RUNNING:
            run.cancel_requested = True
            run.save(update_fields=["cancel_requested"])
        else:
            raise RunStateConflict(MSG_NOT_CANCELLABLE.format(id=run.pk, state=run.state))
    return run
