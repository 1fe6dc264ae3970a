"""Tiny preset end to end on CPU: score, train two steps, save/load, resume (style.md item 14)."""

import json

import numpy as np
import pytest
import torch

from training.reward import DIMENSIONS, AnimeReward, RewardConfig
from training.reward.checkpoint import METRICS, WEIGHTS
from training.reward.models import AnimeRewardModel, is_head_parameter
from training.reward.train import RewardTrainer


def tiny(**kw):
    return RewardConfig(**{"preset": "tiny", "device": "cpu", "batch_size": 4, "steps": 2, **kw})


def test_score_returns_every_dimension_and_overall_in_unit_interval(demo_pairs):
    videos = list(demo_pairs.videos.values())[:2]
    frames = np.random.default_rng(0).integers(0, 255, (30, 40, 64, 3), dtype=np.uint8)
    reward = AnimeReward(tiny())
    rows = reward.score([videos[0].path, videos[1].path, frames], ["a girl waves", videos[1].prompt, "x"],
                        [videos[0].initial_image, videos[1].initial_image, None], batch_size=2)
    assert len(rows) == 3
    for row in rows:
        assert set(row) == set(DIMENSIONS) | {"overall"}
        assert all(0.0 <= v <= 1.0 for v in row.values())
        assert row["overall"] == pytest.approx(np.mean([row[d] for d in DIMENSIONS]))


def test_score_in_bf16_matches_fp32_per_video(demo_pairs):
    # Untrained tiny scores all sit near 0.5 (spread ~0.01 over the demo videos), so an absolute tolerance of a
    # few hundredths passes for any model; a differently seeded model did. Hold bf16 to 0.002 and to the same
    # ordering of the videos, and check that the other-seed control fails that test.
    videos = list(demo_pairs.videos.values())
    args = ([v.path for v in videos], [v.prompt for v in videos], [v.initial_image for v in videos])

    def table(config):
        rows = AnimeReward(config).score(*args)
        return {k: np.array([row[k] for row in rows]) for k in rows[0]}

    fp32, bf16, other = table(tiny()), table(tiny(mixed_precision="bf16")), table(tiny(seed=1))
    assert len(videos) >= 8
    for k in fp32:
        assert np.abs(bf16[k] - fp32[k]).max() < 0.002, k
        assert np.corrcoef(bf16[k], fp32[k])[0, 1] > 0.95, k
        assert np.abs(other[k] - fp32[k]).max() > 0.002 or np.corrcoef(other[k], fp32[k])[0, 1] < 0.95, k


def test_two_steps_change_trainable_weights_only(demo_pairs, tiny_prepared, tmp_path):
    trainer = RewardTrainer(tiny(output_dir=str(tmp_path)), demo_pairs, prepared=tiny_prepared)
    model = trainer.unwrapped()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert any("lora_" in n for n in trainable) and any(n.endswith("head.weight") for n in trainable)
    assert all("lora_" in n or is_head_parameter(n) for n in trainable)
    trainer.train()
    changed = {n for n, p in model.named_parameters() if not torch.equal(p.detach(), before[n])}
    assert changed, "no weight moved in two steps"
    assert changed <= trainable
    assert any(".head." in n for n in changed) and any("lora_B" in n for n in changed)
    ckpt = tmp_path / "step-2"
    record = json.loads((ckpt / METRICS).read_text())
    assert (ckpt / WEIGHTS).exists() and record["step"] == 2
    assert record["dataset_version"] == demo_pairs.version and "loss" in record["metrics"]


def test_save_and_load_round_trip_scores_exactly(demo_pairs, tiny_prepared, tmp_path):
    trainer = RewardTrainer(tiny(steps=1), demo_pairs, prepared=tiny_prepared)
    trainer.train()
    reward = AnimeReward(trainer.config, trainer.unwrapped())
    items = [tiny_prepared[k] for k in list(tiny_prepared)[:3]]
    reward.save(tmp_path / "ckpt", step=trainer.step)
    loaded = AnimeReward.from_checkpoint(tmp_path / "ckpt")
    assert reward.combine(reward.logits(items)) == loaded.combine(loaded.logits(items))


def test_resume_continues_the_step_count(demo_pairs, tiny_prepared, tmp_path):
    RewardTrainer(tiny(output_dir=str(tmp_path)), demo_pairs, prepared=tiny_prepared).train()
    seen = []
    resumed = RewardTrainer(tiny(steps=3, output_dir=str(tmp_path)), demo_pairs, prepared=tiny_prepared,
                            callback=lambda m: seen.append(m["step"]))
    assert resumed.step == 2
    resumed.train()
    assert seen == [3] and (tmp_path / "step-3" / WEIGHTS).exists()
    with pytest.raises(ValueError, match="cannot resume"):
        RewardTrainer(tiny(steps=4, output_dir=str(tmp_path), lora_rank=4), demo_pairs, prepared=tiny_prepared)


def test_head_only_finetune_freezes_the_backbone():
    model = AnimeRewardModel(tiny(finetune="head"))
    assert all(is_head_parameter(n) for n, p in model.named_parameters() if p.requires_grad)


def test_paper_preset_names_the_missing_weights(tmp_path):
    missing = str(tmp_path / "no-such-clip")
    with pytest.raises(FileNotFoundError, match="no-such-clip"):
        AnimeRewardModel(RewardConfig(preset="paper", dimensions=("appeal",), scorers={"appeal": "video_regression"},
                                      backbone_paths={"video_regression": missing}))
    with pytest.raises(FileNotFoundError, match=r"video_vlm backbone from 'Qwen/Qwen2-VL-2B-Instruct'.*backbone_paths"):
        AnimeRewardModel(RewardConfig(preset="paper", dimensions=("appeal",)))


def test_per_scorer_clipping_caps_every_scorer_and_still_trains(demo_pairs, tiny_prepared):
    trainer = RewardTrainer(tiny(clip_scope="scorer", max_grad_norm=1e-3), demo_pairs, prepared=tiny_prepared)
    model = trainer.unwrapped()
    assert len(trainer.clip_groups) == len(model.scorers)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainer.train()
    moved = {n.split(".")[1] for n, p in model.named_parameters() if not torch.equal(p.detach(), before[n])}
    assert moved == set(model.scorers)  # a tiny clip per scorer still leaves every scorer a step
    with pytest.raises(ValueError, match="model, scorer"):
        tiny(clip_scope="layer")
