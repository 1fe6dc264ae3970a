"""With storage on a local S3: a reward run reads its dataset version and media from the bucket,
publishes its checkpoints there, and a later run on a host without the run folder loads the
registered model from the bucket; GAPO samples get signed URLs."""
from __future__ import annotations

import shutil
import urllib.request

from tests.runs.conftest import TINY_REWARD, TRANSACTIONAL, seed_labelled_demo
from tests.s3 import bucket_keys, moto_endpoint, s3_bucket  # noqa: F401
from training.models import RewardModelScore, RunState
from training.runs.execution import run_execute
from training.runs.services import run_create

pytestmark = TRANSACTIONAL


def test_checkpoints_and_samples_live_in_the_bucket(s3_bucket, run_roots, demo_clips, settings):  # noqa: F811
    from training.exports.services import dataset_version_build, dataset_version_create

    client, bucket = s3_bucket
    settings.IMPORT_ROOTS = [demo_clips.resolve()]
    campaign = seed_labelled_demo(demo_clips)
    dataset = dataset_version_build(version_id=dataset_version_create(campaigns=[campaign], test_fraction=0.34,
                                                                      enqueue=False).pk)
    shutil.rmtree(settings.DATASETS_ROOT)  # the GPU host has only the bucket
    run = run_create(kind="reward", config={**TINY_REWARD, "steps": 8, "head_lr": 0.01}, options={"checkpoint_every": 4},
                     dataset_version=dataset, enqueue=False)
    ended = run_execute(run.pk)
    assert ended.state == RunState.SUCCEEDED, ended.error

    keys = bucket_keys(client, bucket)
    for step in (4, 8):
        assert f"runs/{run.pk}/checkpoints/step-{step}/model.safetensors" in keys
    version = ended.reward_model_version
    assert version.checkpoint_uri == f"runs/{run.pk}/checkpoints/step-8"

    shutil.rmtree(settings.RUNS_ROOT)  # another host: no run folder, no model cache
    scoring = run_create(kind="scoring", reward_model=version, enqueue=False)
    assert run_execute(scoring.pk).state == RunState.SUCCEEDED
    assert RewardModelScore.objects.filter(model_version=version).count() == 30

    gapo = run_create(kind="gapo", config={"family": "cogvideox", "preset": "tiny", "steps": 2, "device": "cpu"},
                      options={"k": 4, "sample_steps": 2, "max_prompts": 6, "eval_fraction": 0.2}, enqueue=False)
    gapo_ended = run_execute(gapo.pk)
    assert gapo_ended.state == RunState.SUCCEEDED, gapo_ended.error
    url = gapo_ended.metrics["samples"][0]["trained_url"]
    assert url.startswith(settings.STORAGES["default"]["OPTIONS"]["endpoint_url"]) and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read(64)[4:8] == b"ftyp"
    assert any(k.startswith(f"runs/{gapo.pk}/checkpoints/step-") for k in bucket_keys(client, bucket))
