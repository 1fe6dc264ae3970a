"""The periodic retrain check: one run when the threshold is crossed, none below it, none twice for
the same data; "Retrain now"; chained scoring after a promotion."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.runs.conftest import TINY_REWARD, TRANSACTIONAL, seed_labelled_demo
from training.models import RetrainPolicy, RewardModelScore, RunKind, RunState, RunTrigger, TrainingRun
from training.runs.execution import run_execute
from training.runs.retrain import retrain_check, retrain_now

pytestmark = TRANSACTIONAL


@pytest.fixture
def queued(monkeypatch):
    """Run ids handed to the broker (nothing consumes them here; tests execute runs in-process)."""
    ids: list[int] = []
    monkeypatch.setattr("training.runs.services.enqueue_run", ids.append)
    return ids


@pytest.fixture
def half_labelled(run_roots, demo_clips, settings):
    settings.IMPORT_ROOTS = [demo_clips.resolve()]
    return seed_labelled_demo(demo_clips, max_submissions=90)


def policy_for(campaign, **fields):
    defaults = {"name": "demo", "campaign_ids": [campaign.pk], "min_new_judgments": 60,
                "reward_config": TINY_REWARD, "test_fraction": 0.34}
    return RetrainPolicy.objects.create(**{**defaults, **fields})


def more_judgments(demo_clips, campaign, count: int) -> None:
    from annotation.services.demo_simulation import demo_simulate_judgments

    demo_simulate_judgments(campaign=campaign, dataset_dir=demo_clips, annotators=3, noise=0.05,
                            max_submissions=count)


def test_below_the_threshold_nothing_starts(half_labelled, queued):
    policy_for(half_labelled, min_new_judgments=91)
    assert retrain_check() == [] and queued == []


def test_crossing_the_threshold_starts_exactly_one_run_and_never_two_for_the_same_data(
        half_labelled, queued, demo_clips):
    policy = policy_for(half_labelled, min_new_judgments=90)
    [run] = retrain_check()
    assert run.kind == RunKind.REWARD and run.trigger == RunTrigger.SCHEDULE and queued == [run.pk]
    assert run.dataset_version.campaign_ids == [half_labelled.pk]
    assert retrain_check() == [], "a policy with an active run waits"

    ended = run_execute(run.pk, worker="test:1")
    assert ended.state == RunState.SUCCEEDED, ended.error
    assert retrain_check() == [], "no new judgments since that run's data"

    more_judgments(demo_clips, half_labelled, 89)
    assert retrain_check() == [], "89 new ones are below the threshold"
    more_judgments(demo_clips, half_labelled, 1)
    [second] = retrain_check()
    assert second.pk != run.pk and TrainingRun.objects.filter(policy=policy).count() == 2


def test_a_failed_run_is_not_retried_on_the_same_data(half_labelled, queued):
    policy_for(half_labelled, min_new_judgments=90)
    [run] = retrain_check()
    TrainingRun.objects.filter(pk=run.pk).update(state=RunState.FAILED, error="out of memory")
    assert retrain_check() == []


def test_concurrent_checks_start_one_run(half_labelled, queued):
    policy_for(half_labelled, min_new_judgments=90)
    barrier, started = threading.Barrier(2), []

    def check():
        try:
            barrier.wait()
            started.extend(retrain_check())
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(started) == 1 and TrainingRun.objects.count() == 1


def test_retrain_now_ignores_the_threshold_and_a_promotion_chains_a_scoring_run(half_labelled, queued):
    policy = policy_for(half_labelled, min_new_judgments=10_000, chain_scoring=True)
    run = retrain_now(policy=policy)
    assert run.trigger == RunTrigger.API
    assert run_execute(run.pk).state == RunState.SUCCEEDED
    scoring = TrainingRun.objects.get(parent=run)
    assert scoring.kind == RunKind.SCORING and scoring.trigger == RunTrigger.CHAIN and scoring.pk in queued

    scored = run_execute(scoring.pk)
    assert scored.state == RunState.SUCCEEDED, scored.error
    version = run.reward_model_version
    assert RewardModelScore.objects.filter(model_version=version).count() == 30  # 6 prompts x 5 generators
    assert all(0.0 <= s.scores["overall"] <= 1.0 for s in RewardModelScore.objects.all())
