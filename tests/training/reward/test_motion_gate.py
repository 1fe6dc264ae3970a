"""Standing still does not pay: on real clips, a frozen copy scores below the clean clip on motion and overall."""

import pytest

from training.reward import AnimeReward, RewardConfig
from training.reward.degradations import degrade
from training.reward.real_clips import DEFAULT_CLIPS, load_clips, reward_scores
from training.reward.scoring import motion_presence
from training.reward.train import RewardTrainer


@pytest.fixture(scope="module")
def clips():
    # a fast fight, a slow swim (the slowest shipped clip) and a talking head: short, small
    return load_clips(DEFAULT_CLIPS, keys=["pose_guided", "showcase_132", "talk_34"], short_side=72, max_frames=24)


def test_presence_gate_is_zero_below_the_floor_one_above_full_and_linear_between():
    gate = (0.01, 0.05)
    assert motion_presence(0.004, gate) == 0.0 and motion_presence(0.01, gate) == 0.0
    assert motion_presence(0.03, gate) == pytest.approx(0.5)
    assert motion_presence(0.05, gate) == 1.0 and motion_presence(3.0, gate) == 1.0
    assert motion_presence(0.0, None) == 1.0
    with pytest.raises(ValueError, match="floor < full"):
        RewardConfig(motion_gate=(0.05, 0.01))


def test_a_trained_model_ranks_frozen_real_clips_below_clean_on_motion_text_video_and_overall(demo_pairs, tiny_prepared, clips):
    config = RewardConfig(preset="tiny", device="cpu", batch_size=4, steps=2)
    trainer = RewardTrainer(config, demo_pairs, prepared=tiny_prepared)
    trainer.train()
    reward = AnimeReward(config, trainer.unwrapped())
    frozen = [degrade(c, "freeze") for c in clips]
    rows = reward_scores(reward)(list(clips) + frozen)
    clean, still = rows[: len(clips)], rows[len(clips):]
    for c, a, b in zip(clips, clean, still):
        assert a["motion"] > b["motion"], c.key
        assert a["text_video"] > b["text_video"], c.key  # a still clip cannot show the prompt's action
        assert a["overall"] > b["overall"], c.key
        assert b["overall"] == 0.0 and b["text_video"] == 0.0  # measured motion under the floor: the gate closes


def test_without_the_gate_overall_is_the_plain_weighted_mean(clips):
    reward = AnimeReward(RewardConfig(preset="tiny", device="cpu", motion_gate=None))
    frozen = degrade(clips[0], "freeze")
    row = reward.score([frozen.frames], [frozen.prompt], [frozen.initial_image])[0]
    assert row["overall"] == pytest.approx(sum(row[d] for d in reward.config.dimensions) / 6)
    assert row["overall"] > 0.0


def test_static_negatives_add_still_copies_labelled_worse_on_motion_and_text_video(demo_pairs, tiny_prepared):
    config = RewardConfig(preset="tiny", device="cpu", batch_size=4, steps=1, static_negatives=0.5)
    trainer = RewardTrainer(config, demo_pairs, prepared=tiny_prepared)
    keys = trainer.static_keys
    assert keys and all(f"{k}~freeze" in trainer.prepared and f"{k}~near_static" in trainer.prepared for k in keys)
    frozen = trainer.prepared[f"{keys[0]}~freeze"]["features"]["motion"]
    assert frozen < 0.01 < trainer.prepared[keys[0]]["features"]["motion"]
    import random

    _, metrics = trainer._pair_loss(random.Random(0))
    assert "motion/loss" in metrics and "appeal/loss" in metrics
    from training.reward.train import STATIC_NEGATIVE_STRENGTHS

    # the still copy is A: B (the moving original) better on motion and on showing the prompt's action only
    assert STATIC_NEGATIVE_STRENGTHS == {"motion": 2.0, "text_video": 1.0}
    assert RewardConfig(preset="cpu").static_negatives == 0.25 and RewardConfig(preset="tiny").static_negatives == 0.0
