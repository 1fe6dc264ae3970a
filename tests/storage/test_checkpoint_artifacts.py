"""A reward checkpoint (training/reward/checkpoint.py) published to the bucket and fetched on
another "host" scores exactly as the model that wrote it: the path training runs take."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from training.artifacts import fetch_folder, publish_folder
from training.reward import AnimeReward, RewardConfig
from training.reward.checkpoint import CONFIG, METRICS, WEIGHTS, save_checkpoint

torch.set_num_threads(1)  # tiny models on a busy 2-core machine


def _frames(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (16, 40, 64, 3), dtype=np.uint8)


def test_a_checkpoint_round_trips_through_the_bucket_with_identical_scores(s3_bucket, tmp_path):
    client, bucket = s3_bucket
    config = RewardConfig(preset="tiny", device="cpu", batch_size=2)
    torch.manual_seed(0)
    reward = AnimeReward(config)
    folder = save_checkpoint(tmp_path / "run" / "step-3", config=config, model=reward.model, step=3,
                             metrics={"loss": 0.5}, dataset_version="abc")

    published = publish_folder(folder, "runs/11/checkpoints/step-3")
    assert {key.rsplit("/", 1)[1] for key, _, _ in published} == {CONFIG, WEIGHTS, METRICS}

    local = tmp_path / "other-host" / "step-3"
    fetch_folder("runs/11/checkpoints/step-3", local)
    loaded = AnimeReward.from_checkpoint(local)

    videos, prompts = [_frames(1), _frames(2)], ["a girl waves", "a boy runs"]
    before = reward.score(videos, prompts, [None, None])
    after = loaded.score(videos, prompts, [None, None])
    assert after == before
    assert all(0.0 <= value <= 1.0 for row in after for value in row.values())
    for name, tensor in reward.model.state_dict().items():
        assert torch.equal(tensor, loaded.model.state_dict()[name]), name
    assert pytest.approx(after[0]["overall"]) == np.mean([v for k, v in after[0].items() if k != "overall"])
