"""What kept the closed loop from working on the default install: datasets that hold nothing out,
NaN in stored metrics, policies retrying a failing run on every tick, promotion sliding downhill,
and a dead CLI run that nothing could take over without beat."""
from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from studio_platform.errors import ValidationFailed
from tests.export.conftest import make_judged_campaign
from training.exports.services import dataset_version_create
from training.models import RetrainPolicy, RunKind, RunState, TrainingRun
from training.runs.finite import finite_json
from training.runs.promotion import promotion_decision
from training.runs.retrain import policy_backoff, policy_check

pytestmark = pytest.mark.usefixtures("datasets_root")


def test_a_dataset_from_one_prompt_group_is_refused_up_front_saying_how_many_prompts_are_needed(db, client_for,
                                                                                                 carol):
    # one initial image shared by both prompts: one indivisible split group
    campaign, _, _ = make_judged_campaign(n_images=1, prompts_per_image=2)
    with pytest.raises(ValidationFailed, match=r"judged pairs come from 1 prompt group\(s\).*needs at least 2"):
        dataset_version_create(campaigns=[campaign], enqueue=False)
    response = client_for(carol).post("/api/datasets/", {"campaigns": [campaign.pk], "test_fraction": 0.25},
                                      format="json")
    assert response.status_code == 400, response.content
    assert "at least 2" in response.json()["detail"]
    # nothing half-made is stored, and asking for no held-out split at all is still possible
    from training.models import DatasetVersion

    assert DatasetVersion.objects.count() == 0
    assert dataset_version_create(campaigns=[campaign], enqueue=False, test_fraction=0.0).pk


def test_two_prompt_groups_at_a_small_fraction_still_build_with_one_held_out(db, settings):
    from training.exports.services import dataset_version_build
    import pyarrow.parquet as pq

    campaign, _, _ = make_judged_campaign(n_images=2, prompts_per_image=1)
    for salt in ("a", "b", "c", "d", "e", "f", "g", "h"):
        version = dataset_version_create(campaigns=[campaign], enqueue=False, test_fraction=0.05, split_salt=salt)
        built = dataset_version_build(version_id=version.pk)
        assert built.status == "ready", built.error
        from training.exports.services import version_folder

        rows = {split: sum(pq.read_table(f).num_rows for f in (version_folder(built.pk) / "data" / "prompts")
                           .glob(f"{split}-*.parquet")) for split in ("train", "test")}
        assert rows == {"train": 1, "test": 1}, salt


def test_metrics_without_data_are_stored_as_null_never_nan():
    report = {"pairs": 0, "overall": {"accuracy": math.nan, "accuracy_ties": float("inf")},
              "dimensions": {"motion": {"accuracy": math.nan, "pairs": 0}}, "curve": [1.0, math.nan]}
    assert finite_json(report) == {"pairs": 0, "overall": {"accuracy": None, "accuracy_ties": None},
                                   "dimensions": {"motion": {"accuracy": None, "pairs": 0}}, "curve": [1.0, None]}


def test_a_run_with_an_empty_test_split_succeeds_with_null_accuracy(db, run_roots):
    from training.models import RewardModelVersion
    from training.runs.registry import reward_version_register
    from training.runs.reporter import RunReporter
    from training.runs.services import run_claim

    campaign, _, _ = make_judged_campaign(n_images=2, prompts_per_image=1)
    dataset = dataset_version_create(campaigns=[campaign], enqueue=False)
    run = TrainingRun.objects.create(kind=RunKind.REWARD, config={"preset": "tiny"}, dataset_version=dataset,
                                     total_steps=1)
    run = run_claim(run.pk, worker="test:1")
    report = {"pairs": 0, "overall": {"accuracy": math.nan, "accuracy_ties": math.nan}, "dimensions": {}}
    decision = promotion_decision(math.nan, None, 0.01)
    version = reward_version_register(run, RunReporter(run), checkpoint=run_roots, checkpoint_uri="x",
                                      dataset=dataset, report=report, accuracy=math.nan, promote=decision[0],
                                      compared_with=None, promoted_accuracy=None, note=decision[1])
    run.refresh_from_db()
    version = RewardModelVersion.objects.get(pk=version.pk)
    assert run.state == RunState.SUCCEEDED
    assert run.metrics["accuracy"] is None and run.metrics["report"]["overall"]["accuracy"] is None
    assert version.accuracy is None and version.metrics["overall"]["accuracy"] is None
    assert not version.promoted and "not enough held-out pairs" in version.promotion_note


def test_promotion_compares_with_the_best_model_promoted_so_far_so_small_drops_cannot_accumulate():
    # incumbent .890, best ever .908: a .897 candidate is within .01 of the incumbent but not of the bar
    promote, note = promotion_decision(0.897, 0.908, 0.01, bar_model=3, pairs=400)
    assert promote is False
    assert "below the bar 0.908 (model 3, the best promoted so far" in note and "standard error over 400" in note
    assert promotion_decision(0.90, 0.908, 0.01, bar_model=3)[0] is True


@pytest.fixture
def policy(db):
    campaign, _, _ = make_judged_campaign(n_images=4, prompts_per_image=1)
    return RetrainPolicy.objects.create(name="p", campaign_ids=[campaign.pk], min_new_judgments=1,
                                        reward_config={"preset": "tiny", "steps": 1})


def _failed_run(policy, *, finished, error="DataError: boom"):
    return TrainingRun.objects.create(kind=RunKind.REWARD, policy=policy, state=RunState.FAILED,
                                      finished_at=finished, error=f"Traceback ...\n{error}")


def test_a_policy_backs_off_after_failed_runs_doubling_the_wait(policy, settings, monkeypatch):
    settings.RETRAIN_BACKOFF_SECONDS, settings.RETRAIN_BACKOFF_MAX_SECONDS = 600, 3600
    monkeypatch.setattr("training.runs.services.enqueue_run", lambda run_id: None)
    now = timezone.now()
    _failed_run(policy, finished=now - timedelta(seconds=300))
    backoff = policy_backoff(policy, now=now)
    assert backoff.failures == 1 and backoff.until == now + timedelta(seconds=300)
    assert backoff.reason == "DataError: boom"
    assert policy_check(policy, now=now) is None, "still waiting after one failure"

    _failed_run(policy, finished=now)
    assert policy_backoff(policy, now=now).until == now + timedelta(seconds=1200), "two failures: twice the wait"
    assert policy_check(policy, now=now + timedelta(seconds=1199)) is None
    started = policy_check(policy, now=now + timedelta(seconds=1201))
    assert started is not None and started.kind == RunKind.REWARD


def test_the_api_shows_why_a_policy_waits(policy, client_for, carol):
    _failed_run(policy, finished=timezone.now(), error="ValueError: no decided pairs")
    [row] = client_for(carol).get("/api/retrain-policies/").json()["results"]
    assert row["backoff"]["failures"] == 1 and row["backoff"]["until"] is not None
    assert row["backoff"]["reason"] == "ValueError: no decided pairs"


def _stale_run(settings, *, age_seconds: int) -> TrainingRun:
    return TrainingRun.objects.create(kind=RunKind.SCORING, state=RunState.RUNNING, attempt=1, worker="host:123",
                                      heartbeat_at=timezone.now() - timedelta(seconds=age_seconds),
                                      started_at=timezone.now())


def test_a_stale_cli_run_can_be_failed_or_taken_over_without_beat(db, settings, capsys):
    from training.runs.resume import run_take_over_stale
    from training.runs.services import run_claim

    settings.RUN_STALE_SECONDS = 60
    dead = _stale_run(settings, age_seconds=120)
    call_command("run_training", "--fail", str(dead.pk))
    dead.refresh_from_db()
    assert dead.state == RunState.FAILED and "failed from the command line" in dead.error

    lost = _stale_run(settings, age_seconds=120)
    run_take_over_stale(run_id=lost.pk)
    claimed = run_claim(lost.pk, worker="cli:1")
    assert claimed.state == RunState.RUNNING and claimed.attempt == 2, "the claim raises the fencing token"


def test_a_run_with_a_live_heartbeat_is_not_taken_over(db, settings):
    settings.RUN_STALE_SECONDS = 60
    live = _stale_run(settings, age_seconds=5)
    with pytest.raises(CommandError, match=r"last heartbeat \d+ s ago"):
        call_command("run_training", "--resume", str(live.pk))
    live.refresh_from_db()
    assert live.state == RunState.RUNNING and live.attempt == 1
