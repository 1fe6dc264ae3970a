"""The reward-model registry: registering the version a reward run produced (exactly one per run)
and promoting, manually or by the rule in promotion.py, plus the runs chained to a promotion."""
from __future__ import annotations

import json
import math
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from training.models import DatasetVersion, RewardModelVersion, RunKind, RunState, RunTrigger, TrainingRun
from training.runs.errors import RunLost, RunStateConflict
from training.runs.finite import finite_json
from training.runs.reporter import RunReporter


def _code_version(checkpoint: Path) -> str:
    try:
        return str(json.loads((checkpoint / "metrics.json").read_text()).get("code_version") or "")[:80]
    except (OSError, ValueError):
        return ""


def _promote_locked(version: RewardModelVersion, *, note: str) -> None:
    """Inside a transaction: demote the current one, promote this one."""
    RewardModelVersion.objects.select_for_update().filter(promoted=True).exclude(pk=version.pk).update(
        promoted=False)
    version.promoted, version.promoted_at, version.promotion_note = True, timezone.now(), note
    version.save(update_fields=["promoted", "promoted_at", "promotion_note"])


def _chain_after_promotion(run: TrainingRun, version: RewardModelVersion) -> None:
    from training.runs.options import run_options
    from training.runs.services import run_create

    policy = run.policy
    chain_scoring, chain_gapo, gapo_config = run_options(run).chains_for(policy)
    if chain_scoring:
        run_create(kind=RunKind.SCORING, reward_model=version, parent=run, trigger=RunTrigger.CHAIN, policy=policy,
                   options={"campaign_ids": list(version.dataset_version.campaign_ids)})
    if chain_gapo:
        run_create(kind=RunKind.GAPO, config=gapo_config, reward_model=version, parent=run, trigger=RunTrigger.CHAIN,
                   policy=policy, dataset_version=version.dataset_version)


def reward_version_register(run: TrainingRun, reporter: RunReporter, *, checkpoint: Path, checkpoint_uri: str,
                            dataset: DatasetVersion,
                            report: dict, accuracy: float | None, promote: bool,
                            compared_with: RewardModelVersion | None, promoted_accuracy: float | None,
                            note: str, bar: dict | None = None) -> RewardModelVersion:
    """One transaction: the version row, the promotion (only if the promoted model is still the one
    we compared against), the run marked succeeded. Fenced by the run's attempt; the OneToOne on
    `run` makes a second registration impossible even for a duplicate delivery."""
    report, accuracy = finite_json(report), finite_json(accuracy)
    metrics = {"report": report, "accuracy": accuracy, "promotion": {
        "promoted": False, "compared_with": compared_with.pk if compared_with else None,
        "promoted_accuracy": promoted_accuracy if promoted_accuracy is None or math.isfinite(promoted_accuracy)
        else None, "note": note, "bar": finite_json(bar or {})}}
    with transaction.atomic():
        current = TrainingRun.objects.select_for_update().filter(
            pk=run.pk, attempt=run.attempt, state=RunState.RUNNING).first()
        if current is None:
            raise RunLost(f"run {run.pk} was taken over before it could register its model")
        try:
            with transaction.atomic():
                version = RewardModelVersion.objects.create(
                    run=current, dataset_version=dataset, dataset_sha256=dataset.sha256, checkpoint_uri=checkpoint_uri,
                    metrics=report, accuracy=accuracy, code_version=_code_version(checkpoint), promotion_note=note)
        except IntegrityError:
            version = RewardModelVersion.objects.get(run=current)  # registered by an earlier attempt
        if promote:
            now_promoted = RewardModelVersion.objects.select_for_update().filter(promoted=True).first()
            if (now_promoted.pk if now_promoted else None) == (compared_with.pk if compared_with else None):
                _promote_locked(version, note=note)
                metrics["promotion"]["promoted"] = True
            else:
                version.promotion_note = (f"not promoted: model {now_promoted.pk} was promoted while this run evaluated;"
                                          f" compare and promote by hand ({note})")
                version.save(update_fields=["promotion_note"])
                metrics["promotion"]["note"] = version.promotion_note
        current.step = current.total_steps or current.step
        current.state, current.finished_at, current.metrics = RunState.SUCCEEDED, timezone.now(), metrics
        current.log_tail = reporter.log_text
        current.save(update_fields=["step", "state", "finished_at", "metrics", "log_tail"])
        if metrics["promotion"]["promoted"]:
            _chain_after_promotion(current, version)
    return version


def reward_version_promote(*, version: RewardModelVersion, by_user=None) -> RewardModelVersion:
    """Manual promotion (admin action / API), e.g. to roll back to an earlier version."""
    with transaction.atomic():
        version = RewardModelVersion.objects.select_for_update().get(pk=version.pk)
        if version.run.state != RunState.SUCCEEDED:
            raise RunStateConflict(f"Reward model {version.pk} comes from a run that did not succeed.")
        who = getattr(by_user, "username", None) or "an admin"
        _promote_locked(version, note=f"promoted by hand by {who} at {timezone.now():%Y-%m-%d %H:%M} UTC")
    return version
