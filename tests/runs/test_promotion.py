"""Promotion of reward models: a deliberately worse model (trained on flipped labels) is not promoted."""
from __future__ import annotations

from tests.runs.conftest import TINY_REWARD, TRANSACTIONAL
from training.models import RewardModelVersion, RunState
from training.runs.execution import run_execute
from training.runs.services import run_create

pytestmark = TRANSACTIONAL


def train(dataset, **options):
    run = run_create(kind="reward", config={**TINY_REWARD, "steps": 40}, options=options, dataset_version=dataset,
                     enqueue=False)
    ended = run_execute(run.pk, worker="test:1")
    assert ended.state == RunState.SUCCEEDED, ended.error
    return RewardModelVersion.objects.get(run=ended)


def test_a_model_trained_on_flipped_labels_is_not_promoted(demo_dataset):
    good = train(demo_dataset)
    assert good.promoted and good.accuracy > 0.6, good.accuracy

    worse = train(demo_dataset, corrupt_labels="flip", promotion_epsilon=0.02)
    worse.refresh_from_db()
    good.refresh_from_db()
    assert worse.accuracy < good.accuracy - 0.02
    assert not worse.promoted and worse.promotion_note.startswith("not promoted")
    assert good.promoted, "the promoted model stays"
    assert worse.run.metrics["promotion"]["compared_with"] == good.pk


def test_a_model_as_good_as_the_promoted_one_replaces_it(demo_dataset):
    first = train(demo_dataset)
    second = train(demo_dataset)  # same data and seed: the same accuracy, within epsilon
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.promoted and not first.promoted
    assert RewardModelVersion.objects.filter(promoted=True).count() == 1
