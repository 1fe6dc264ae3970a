"""A reward run executed in this process through the same entry point the gpu task calls."""
from __future__ import annotations

import pytest

from tests.runs.conftest import TINY_REWARD, TRANSACTIONAL
from training.models import RewardModelVersion, RunMetric, RunState
from training.runs.execution import run_execute
from training.runs.services import run_create

pytestmark = TRANSACTIONAL


def test_a_reward_run_trains_evaluates_registers_and_promotes_the_first_version(demo_dataset):
    run = run_create(kind="reward", config=TINY_REWARD, dataset_version=demo_dataset, enqueue=False)
    ended = run_execute(run.pk, worker="test:1")

    assert ended.state == RunState.SUCCEEDED, ended.error
    assert ended.step == ended.total_steps == 24 and ended.attempt == 1
    assert RunMetric.objects.filter(run=run).count() == 24
    version = RewardModelVersion.objects.get(run=run)
    assert version.promoted and "first reward model" in version.promotion_note
    assert version.dataset_sha256 == demo_dataset.sha256
    assert set(version.metrics["dimensions"]) == {"smoothness", "appeal", "image_video"}
    assert 0.0 <= version.accuracy <= 1.0
    assert ended.metrics["promotion"]["promoted"] is True
    assert (run_execute(run.pk) is None), "a duplicate delivery finds the run finished and does nothing"
    assert RewardModelVersion.objects.filter(run=run).count() == 1
