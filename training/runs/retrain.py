"""Periodic retraining: for each enabled RetrainPolicy, when at least `min_new_judgments` submitted
comparisons arrived since the data of its last successful (or still active) reward run, freeze a
dataset version and start a reward run.

Exactly-once, by construction: the policy row is locked while checking, a policy with a queued or
running run is skipped, and the run's trigger_key "<policy>:<newest judgment id>" is unique, so the
same data can never start a second run (not even after a failed one: retrying the same data is a
human decision, "Retrain now").

Backoff: after a failed run the policy waits before its next scheduled run — RETRAIN_BACKOFF_SECONDS
after the first failure in a row, doubling with each further one (capped at RETRAIN_BACKOFF_MAX_SECONDS)
— so a policy whose runs fail (bad config, data that cannot be split) does not start the same failing
run on every tick. "Retrain now" is not held back. `/runs/` shows the wait and the last error."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from annotation.models import Campaign, Judgment
from training.exports.services import dataset_version_create
from training.models import RetrainPolicy, RunKind, RunState, RunTrigger, TrainingRun
from training.runs.services import run_create

ACTIVE = (RunState.QUEUED, RunState.RUNNING)


def _new_judgments(policy: RetrainPolicy, since: datetime | None):
    judgments = Judgment.objects.filter(pair__campaign_id__in=policy.campaign_ids, pair__is_gold=False)
    if since is not None:
        judgments = judgments.filter(created_at__gt=since)
    return judgments


def _baseline(policy: RetrainPolicy) -> datetime | None:
    """The data cut-off of the last run that counts: succeeded or still active."""
    last = (TrainingRun.objects.filter(policy=policy, kind=RunKind.REWARD,
                                       state__in=(*ACTIVE, RunState.SUCCEEDED))
            .select_related("dataset_version").order_by("-created_at").first())
    return last.dataset_version.judged_before if last and last.dataset_version else None


def policy_start_run(policy: RetrainPolicy, *, trigger: str, trigger_key: str | None, created_by=None,
                     now: datetime | None = None) -> TrainingRun:
    campaigns = list(Campaign.objects.filter(pk__in=policy.campaign_ids))
    dataset = dataset_version_create(campaigns=campaigns, judged_before=now or timezone.now(),
                                     test_fraction=policy.test_fraction, name=f"{policy.name} (retrain)",
                                     created_by=created_by, enqueue=False)
    return run_create(kind=RunKind.REWARD, config=policy.reward_config, dataset_version=dataset, policy=policy,
                      trigger=trigger, trigger_key=trigger_key, created_by=created_by,
                      options={"promotion_epsilon": policy.promotion_epsilon})


@dataclass(frozen=True)
class Backoff:
    failures: int  # failed reward runs in a row (newest first, up to the last one that did not fail)
    until: datetime | None  # no scheduled run before this
    reason: str  # the newest failure's error: its last line (a traceback's exception line)


def policy_backoff(policy: RetrainPolicy, *, now: datetime | None = None) -> Backoff:
    now = now or timezone.now()
    failures = []
    for run in TrainingRun.objects.filter(policy=policy, kind=RunKind.REWARD).order_by("-created_at")[:32]:
        if run.state != RunState.FAILED:
            break
        failures.append(run)
    if not failures:
        return Backoff(0, None, "")
    wait = min(settings.RETRAIN_BACKOFF_SECONDS * 2 ** (len(failures) - 1), settings.RETRAIN_BACKOFF_MAX_SECONDS)
    until = (failures[0].finished_at or failures[0].created_at) + timedelta(seconds=wait)
    reason = (failures[0].error.strip().splitlines() or ["(no error recorded)"])[-1][:300]
    return Backoff(len(failures), until if until > now else None, reason)


def policy_check(policy: RetrainPolicy, *, now: datetime | None = None) -> TrainingRun | None:
    now = now or timezone.now()
    with transaction.atomic():
        policy = RetrainPolicy.objects.select_for_update().get(pk=policy.pk)
        policy.last_checked_at = now
        policy.save(update_fields=["last_checked_at"])
        if not policy.enabled or TrainingRun.objects.filter(policy=policy, state__in=ACTIVE).exists():
            return None
        if policy_backoff(policy, now=now).until is not None:
            return None
        new = _new_judgments(policy, _baseline(policy)).filter(created_at__lte=now)
        if new.values("assignment_id").distinct().count() < policy.min_new_judgments:
            return None
        newest = new.aggregate(newest=Max("id"))["newest"]
        key = f"policy:{policy.pk}:judgment:{newest}"
        if TrainingRun.objects.filter(trigger_key=key).exists():
            return None
        return policy_start_run(policy, trigger=RunTrigger.SCHEDULE, trigger_key=key, now=now)


def retrain_check(*, now: datetime | None = None) -> list[TrainingRun]:
    started = []
    for policy in RetrainPolicy.objects.filter(enabled=True).order_by("pk"):
        run = policy_check(policy, now=now)
        if run is not None:
            started.append(run)
    return started


def retrain_now(*, policy: RetrainPolicy, created_by=None) -> TrainingRun:
    """"Retrain now" (admin action / API): a run on all data so far, whatever the threshold."""
    return policy_start_run(policy, trigger=RunTrigger.API, trigger_key=None, created_by=created_by)


DEMO_POLICY = "demo: retrain on new judgments"


def demo_retrain_policy_ensure(*, campaign) -> RetrainPolicy:
    """The demo's policy: a CPU-sized reward model retrained every 30 new comparisons, then all
    videos scored with it (so the loop is visible minutes after people start labelling)."""
    policy, _ = RetrainPolicy.objects.get_or_create(name=DEMO_POLICY, defaults={
        "campaign_ids": [campaign.pk], "min_new_judgments": 30, "promotion_epsilon": 0.02, "test_fraction": 0.25,
        "reward_config": {"preset": "tiny", "steps": 60, "batch_size": 8, "device": "cpu",
                          # score curves on the pair page (issue #22): decoupled frame heads, segment loss where
                          # people marked spans (benchmarks/results/reward_segments.md)
                          "frame_dimensions": ["smoothness", "motion", "character"], "segment_loss_weight": 1.0,
                          "segment_dimensions": ["smoothness", "character"]},
        "chain_scoring": True,
    })
    return policy


def demo_retrain_policy_on_seed(sender, *, campaign, **kwargs) -> str:
    """Receiver of annotation.signals.demo_seeded (connected in TrainingConfig.ready): `seed_demo`
    ends with the demo's retrain policy in place. Returns the line the command prints."""
    policy = demo_retrain_policy_ensure(campaign=campaign)
    return f"retrain policy {policy.name!r}: every {policy.min_new_judgments} new judgments"
