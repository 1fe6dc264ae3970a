"""Writes of the run lifecycle: create, claim, succeed, fail, cancel, re-queue stale.

Every write by a worker is fenced by `attempt`: the row only changes while it still carries the
attempt that worker claimed, so a worker presumed dead (and re-queued) can never overwrite the
state, progress or result of its successor.
"""
from __future__ import annotations

import os
import socket
from dataclasses import fields
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from studio_platform.errors import ValidationFailed
from training.models import DatasetStatus, DatasetVersion, RewardModelVersion, RunKind, RunState, RunTrigger, TrainingRun
from training.runs.config_limits import (
    check_option_limits,
    confine_gapo_models,
    confine_reward_models,
    refuse_managed_fields,
)
from training.runs.errors import (
    MSG_BAD_CONFIG,
    MSG_NO_DATASET,
    MSG_NO_PROMOTED,
    MSG_NOT_CANCELLABLE,
    MSG_WORKER_LOST,
    RunStateConflict,
)
from training.runs.finite import finite_json

# Config fields the orchestration owns: where checkpoints go is decided per run, not by the caller.
_MANAGED_REWARD_FIELDS = {"output_dir", "checkpoint_every", "cache_dir"}
_MANAGED_GAPO_FIELDS = {"checkpoint_dir", "checkpoint_every"}
MAX_PROCESSES = 64
OPTION_KEYS = {"checkpoint_every", "auto_promote", "promotion_epsilon", "campaign_ids", "chain_scoring", "chain_gapo",
               "gapo_config", "batch_size", "corrupt_labels", "num_processes",
               # GAPO runs (training/gapo/studio.py JobOptions, prompt selection)
               "k", "sample_steps", "min_gap", "dimension", "eval_samples_per_prompt", "size", "frames", "height",
               "width", "paper_frames",
               "max_prompts", "eval_fraction", "base_generator", "pair_source", "human_dimension", "human_min_gap"}
BASE_GENERATORS = ("", "demo")  # GAPO's tiny-preset base: random init, or the demo generator
# Negative controls for the promotion rule and for sanity checks of a pipeline: train on labels
# that carry no (shuffle) or the opposite (flip) signal; such a model must never be promoted.
CORRUPTIONS = ("shuffle", "flip")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _validated_config(kind: str, config: dict) -> tuple[dict, int]:
    """(normalised config dict, total steps); ValidationFailed names the bad field."""
    if not isinstance(config, dict):
        raise ValidationFailed(MSG_BAD_CONFIG.format(kind=kind, error="config must be a JSON object"))
    if kind == RunKind.REWARD:
        from training.reward.config import RewardConfig

        known, managed = {f.name for f in fields(RewardConfig)}, _MANAGED_REWARD_FIELDS
        cls = RewardConfig
    elif kind in (RunKind.GAPO, RunKind.GENERATION):
        from training.gapo.config import GapoConfig

        known, managed = {f.name for f in fields(GapoConfig)}, _MANAGED_GAPO_FIELDS
        cls = GapoConfig
    else:  # scoring has no trainer config; its knobs are options
        if config:
            raise ValidationFailed(MSG_BAD_CONFIG.format(kind=kind, error="scoring runs take no config; use options"))
        return {}, 0
    unknown = sorted(set(config) - known)
    if unknown:
        raise ValidationFailed(MSG_BAD_CONFIG.format(kind=kind, error=f"unknown fields {', '.join(unknown)}"))
    refuse_managed_fields(config, managed)
    _check_field_types(cls, config)
    clean = confine_reward_models(config) if kind == RunKind.REWARD else confine_gapo_models(config)
    try:
        normalised = cls(**clean).to_dict()
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(MSG_BAD_CONFIG.format(kind=kind, error=exc)) from exc
    for name in managed:
        normalised.pop(name, None)
    return normalised, int(normalised.get("steps", 0)) if kind != RunKind.GENERATION else 0


MAX_STEPS = 10_000_000


def _check_field_types(cls, values: dict) -> None:
    """Numbers and flags must be given as such (JSON "abc" for a step count gets a clear message).
    A field whose default is None (the preset decides) is checked by its annotation, e.g. `bool | None`."""
    defaults = {f.name: f.default for f in fields(cls)}
    annotations = {f.name: str(f.type) for f in fields(cls)}
    for name, value in values.items():
        default = defaults.get(name)
        if default is None and value is not None and annotations.get(name, "").replace(" ", "") == "bool|None":
            default = False  # checked as a flag
        if isinstance(default, bool):
            ok, want = isinstance(value, bool), "true or false"
        elif isinstance(default, int):
            ok, want = isinstance(value, int) and not isinstance(value, bool), "an integer"
        elif isinstance(default, float):
            ok, want = isinstance(value, (int, float)) and not isinstance(value, bool), "a number"
        elif isinstance(default, str):
            ok, want = isinstance(value, str), "a string"
        else:
            continue
        if not ok:
            raise ValidationFailed(f"config field {name} must be {want} (got {value!r}).")
    steps = values.get("steps")
    if isinstance(steps, int) and not 1 <= steps <= MAX_STEPS:
        raise ValidationFailed(f"config field steps must be between 1 and {MAX_STEPS:,} (got {steps}).")


def _validated_options(options: dict | None) -> dict:
    options = dict(options or {})
    unknown = sorted(set(options) - OPTION_KEYS)
    if unknown:
        raise ValidationFailed(f"Unknown run options: {', '.join(unknown)}; valid: {', '.join(sorted(OPTION_KEYS))}.")
    every = options.get("checkpoint_every")
    if every is not None and (not isinstance(every, int) or every < 1):
        raise ValidationFailed("checkpoint_every must be a positive integer (optimizer steps).")
    ids = options.get("campaign_ids")
    if ids is not None and (not isinstance(ids, list) or not ids
                            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)):
        raise ValidationFailed("campaign_ids must be a non-empty list of campaign ids (integers).")
    corrupt = options.get("corrupt_labels")
    if corrupt is not None and corrupt not in CORRUPTIONS:
        raise ValidationFailed(f"corrupt_labels must be one of {', '.join(CORRUPTIONS)} (got {corrupt!r}).")
    processes = options.get("num_processes")
    if processes is not None and (not isinstance(processes, int) or isinstance(processes, bool)
                                  or not 1 <= processes <= MAX_PROCESSES):
        raise ValidationFailed(f"num_processes must be an integer between 1 and {MAX_PROCESSES} "
                               "(training processes on the worker's host, one per GPU).")
    if (processes or 1) > 1 and corrupt is not None:
        raise ValidationFailed("corrupt_labels runs train in one process; drop num_processes or corrupt_labels.")
    eps = options.get("promotion_epsilon")
    if eps is not None and (not isinstance(eps, (int, float)) or eps < 0 or eps >= 1):
        raise ValidationFailed("promotion_epsilon must be a number in [0, 1) (accuracy points as a fraction).")
    check_option_limits(options)
    if "gapo_config" in options:  # the config of the GAPO run chained after promotion: checked now, not then
        _validated_config(RunKind.GAPO, options["gapo_config"])
    return options


def _validate_gapo_options(options: dict) -> None:
    from training.gapo.studio import PAIR_SOURCES, JobOptions  # lazy: torch is heavy for the web process

    try:
        JobOptions.from_options(options)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"Invalid GAPO options: {exc}") from exc
    if options.get("pair_source", "onpolicy") not in PAIR_SOURCES:
        raise ValidationFailed(f"pair_source must be one of {', '.join(PAIR_SOURCES)}.")
    gap = options.get("human_min_gap")
    if gap is not None and not (isinstance(gap, (int, float)) and 0 <= gap <= 1):
        raise ValidationFailed("human_min_gap must be a number in [0, 1] (a gap of Bradley-Terry scores).")
    if options.get("base_generator", "") not in BASE_GENERATORS:
        raise ValidationFailed("base_generator must be 'demo' (the demo generator, pretrained on the campaigns' "
                               "clips) or '' (a random-init tiny model, for tests).")
    fraction = options.get("eval_fraction")
    if fraction is not None and not (isinstance(fraction, (int, float)) and 0 < fraction < 1):
        raise ValidationFailed("eval_fraction must be a number between 0 and 1 (share of held-out prompts).")


def run_create(*, kind: str, config: dict | None = None, options: dict | None = None,
               dataset_version: DatasetVersion | None = None, reward_model: RewardModelVersion | None = None,
               created_by=None, trigger: str = RunTrigger.API, trigger_key: str | None = None, policy=None,
               parent: TrainingRun | None = None, enqueue: bool = True) -> TrainingRun:
    """Validate everything up front, store the run queued and hand it to the gpu queue after commit."""
    if kind not in RunKind.values:
        raise ValidationFailed(f"kind must be one of {', '.join(RunKind.values)} (got {kind!r}).")
    # the cheap refusal first: a GAPO run without a promoted model is answered before torch is imported
    if kind in (RunKind.SCORING, RunKind.GAPO, RunKind.GENERATION) and reward_model is None:
        reward_model = RewardModelVersion.objects.filter(promoted=True).first()
        if reward_model is None:
            raise ValidationFailed(MSG_NO_PROMOTED)
    if kind in (RunKind.GAPO, RunKind.GENERATION) and not config:
        # no config given (the /runs/ page's "Run GAPO"): the deployment's default setup
        config = dict(settings.GAPO_DEFAULT_CONFIG)
        options = {**settings.GAPO_DEFAULT_OPTIONS, **(options or {})}
    normalised, total = _validated_config(kind, config or {})
    options = _validated_options(options)
    if kind in (RunKind.GAPO, RunKind.GENERATION):
        _validate_gapo_options(options)
        if options.get("base_generator") and normalised.get("preset") != "tiny":
            raise ValidationFailed("base_generator 'demo' is the tiny preset's pretrained base; preset 'paper' "
                                   "loads its checkpoint from model_path.")
    if kind != RunKind.REWARD and (options.get("num_processes") or 1) > 1:
        raise ValidationFailed(f"num_processes > 1 is available for reward runs; a {kind} run trains in one process "
                               "(launch `torchrun -m training.gapo train` for multi-GPU GAPO, docs/operations.md).")
    if kind == RunKind.REWARD:
        if dataset_version is None:
            raise ValidationFailed(MSG_NO_DATASET.format(kind=kind))
        if dataset_version.status == DatasetStatus.FAILED:
            raise ValidationFailed(f"Dataset version {dataset_version.pk} failed to build; build it again first.")
    with transaction.atomic():
        run = TrainingRun.objects.create(
            kind=kind, config=normalised, options=options, dataset_version=dataset_version, reward_model=reward_model,
            created_by=created_by, trigger=trigger, trigger_key=trigger_key, policy=policy, parent=parent,
            total_steps=total,
        )
        if enqueue:
            transaction.on_commit(lambda: enqueue_run(run.pk))
    return run


def enqueue_run(run_id: int) -> None:
    from training.tasks import execute_run

    execute_run.apply_async(args=[run_id], queue=settings.RUNS_QUEUE)


def run_claim(run_id: int, *, worker: str | None = None) -> TrainingRun | None:
    """Take a queued run for this worker (attempt + 1). None when there is nothing to do: the run
    is finished, running elsewhere with a live heartbeat, cancelled while queued, or out of attempts."""
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state != RunState.QUEUED:
            return None
        now = timezone.now()
        if run.cancel_requested:
            _finish(run, RunState.CANCELLED, now=now)
            return None
        if run.attempt >= run.max_attempts:
            _finish(run, RunState.FAILED, now=now, error=MSG_WORKER_LOST.format(times=run.attempt, max=run.max_attempts))
            return None
        run.state, run.attempt, run.worker = RunState.RUNNING, run.attempt + 1, worker or worker_name()
        run.heartbeat_at = now
        run.started_at = run.started_at or now
        run.save(update_fields=["state", "attempt", "worker", "heartbeat_at", "started_at"])
    return run


def _finish(run: TrainingRun, state: str, *, now: datetime, error: str = "", metrics: dict | None = None) -> None:
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
        _finish(current, RunState.SUCCEEDED, now=timezone.now(), metrics=metrics)
    return True


def run_fail(run: TrainingRun, *, error: str) -> bool:
    with transaction.atomic():
        current = _locked_if_current(run)
        if current is None:
            return False
        _finish(current, RunState.FAILED, now=timezone.now(), error=error)
    return True


def run_mark_cancelled(run: TrainingRun) -> bool:
    with transaction.atomic():
        current = _locked_if_current(run)
        if current is None:
            return False
        _finish(current, RunState.CANCELLED, now=timezone.now())
    return True


def run_cancel(*, run: TrainingRun) -> TrainingRun:
    """A queued run is cancelled at once; a running one stops at its next step (the GPU is freed then)."""
    with transaction.atomic():
        run = TrainingRun.objects.select_for_update().get(pk=run.pk)
        if run.state == RunState.QUEUED:
            run.cancel_requested = True
            run.save(update_fields=["cancel_requested"])
            _finish(run, RunState.CANCELLED, now=timezone.now())
        elif run.state == RunState.RUNNING:
            run.cancel_requested = True
            run.save(update_fields=["cancel_requested"])
        else:
            raise RunStateConflict(MSG_NOT_CANCELLABLE.format(id=run.pk, state=run.state))
    return run


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
                _finish(run, RunState.CANCELLED, now=now)
            elif run.attempt >= run.max_attempts:
                _finish(run, RunState.FAILED, now=now, error=MSG_WORKER_LOST.format(times=run.attempt, max=run.max_attempts))
            else:
                run.state, run.worker = RunState.QUEUED, ""
                run.log_tail = (run.log_tail + f"\n[{now:%H:%M:%S}] {lost}; re-queued to resume").strip()[-8000:]
                run.save(update_fields=["state", "worker", "log_tail"])
                requeued.append(run.pk)
        for run_id in requeued:
            transaction.on_commit(lambda run_id=run_id: enqueue_run(run_id))
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
                _finish(run, RunState.FAILED, now=now, error=f"{lost}; failed from the command line")
            else:
                run.state, run.worker = RunState.QUEUED, ""
                run.log_tail = (run.log_tail + f"\n[{now:%H:%M:%S}] {lost}; taken over from the command line").strip()[-8000:]
                run.save(update_fields=["state", "worker", "log_tail"])
        elif run.state == RunState.QUEUED and fail:
            _finish(run, RunState.FAILED, now=now, error="failed from the command line while queued")
        elif run.state != RunState.QUEUED:
            raise RunStateConflict(f"run {run.pk} is {run.state}; nothing to {'fail' if fail else 'resume'}")
    return run
