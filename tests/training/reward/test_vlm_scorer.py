"""The video-language scorer (Qwen2-VL + regression head): the patch layout Qwen2-VL expects, and a tiny
random-init model that scores and trains like every other scorer."""

import numpy as np
import pytest
import torch

from training.reward import AnimeReward, RewardConfig
from training.reward.models import AnimeRewardModel, VLM_QUESTIONS, qwen2vl_video_patches
from training.reward.train import RewardTrainer, prepare_all


def test_patches_follow_qwen2vl_layout_and_repeat_the_last_frame():
    t, c, h, w, patch, merge, temporal = 3, 3, 16, 24, 4, 2, 2
    video = torch.arange(t * c * h * w, dtype=torch.float32).reshape(1, t, c, h, w)
    pixels, grid = qwen2vl_video_patches(video, patch, merge, temporal)
    assert grid.tolist() == [[2, 4, 6]]  # 3 frames padded to 4 -> 2 temporal groups
    assert pixels.shape == (2 * 4 * 6, c * temporal * patch * patch)
    # row order: temporal group, then 2x2 merge blocks in raster order, then the patch inside the block;
    # within a row: channel, frame of the group, patch row, patch column
    row = 1 * 24 + (0 * 3 + 1) * 4 + (1 * 2 + 0)  # group 1, block (0, 1), patch (1, 0) of the block
    y0, x0 = (0 * merge + 1) * patch, (1 * merge + 0) * patch
    expected = torch.stack([video[0, min(2 * 1 + f, t - 1), ch, y0:y0 + patch, x0:x0 + patch]
                            for ch in range(c) for f in range(temporal)])
    assert torch.equal(pixels[row], expected.flatten())


def test_sides_that_do_not_fit_the_patch_grid_are_refused():
    with pytest.raises(ValueError, match="divisible by patch x merge = 8"):
        qwen2vl_video_patches(torch.zeros(1, 2, 3, 12, 16), 4, 2, 2)
    with pytest.raises(ValueError, match="multiple of 8"):
        AnimeRewardModel(RewardConfig(preset="tiny", frame_size=36, dimensions=("appeal",),
                                      scorers={"appeal": "video_vlm"}))


def test_a_tiny_vlm_scorer_asks_about_its_dimension_scores_and_trains(demo_pairs):
    config = RewardConfig(preset="tiny", device="cpu", dimensions=("smoothness", "appeal"), batch_size=2, steps=2,
                          scorers={"smoothness": "video_vlm", "appeal": "video_vlm"})
    model = AnimeRewardModel(config)
    assert model.scorers["smoothness"].question == VLM_QUESTIONS["smoothness"] != model.scorers["appeal"].question
    rows = AnimeReward(config, model).score([np.zeros((10, 40, 64, 3), np.uint8)], ["a girl waves"], [None])
    assert 0 <= rows[0]["smoothness"] <= 1
    trainer = RewardTrainer(config, demo_pairs, prepared=prepare_all(demo_pairs, config))
    before = {n: p.detach().clone() for n, p in trainer.unwrapped().named_parameters()}
    trainer.train()
    changed = {n for n, p in trainer.unwrapped().named_parameters() if not torch.equal(p.detach(), before[n])}
    assert any("language_model" in n and "lora_B" in n for n in changed)
    assert any(n.endswith("smoothness.head.weight") for n in changed)
