"""Per-dimension temperature calibration: fitted on held-out pairs, stored beside the weights, applied by score,
and what GAPO's gap weight reads."""

import json
import math

import numpy as np
import pytest
import torch

from training.gapo.losses import gap_weight
from training.gapo.rewards import score_table
from training.reward import AnimeReward, RewardConfig
from training.reward.calibration import CALIBRATION, Calibration, calibrate, ece, fit_temperature, pair_nll
from training.reward.data import PairRecord, PairSet, VideoRecord


def test_fit_temperature_recovers_the_temperature_that_made_the_labels():
    rng = np.random.default_rng(0)
    diff = rng.normal(0, 4, 4000)
    won = (rng.random(4000) < 1 / (1 + np.exp(-diff / 2.5))).astype(float)
    t = fit_temperature(diff, won)
    assert t == pytest.approx(2.5, rel=0.1)
    assert pair_nll(diff, won, t) < pair_nll(diff, won, 1.0)
    p_raw, p_cal = 1 / (1 + np.exp(-diff)), 1 / (1 + np.exp(-diff / t))
    assert ece(p_cal, won) < ece(p_raw, won)
    assert fit_temperature(np.zeros(3), np.ones(3)) == 1.0  # nothing to fit on: identity


def test_ece_by_hand():
    p = np.array([0.1, 0.1, 0.9, 0.9])
    won = np.array([0.0, 1.0, 1.0, 1.0])
    # bin [0, .2): mean p .1 vs .5 won; bin [.8, 1]: .9 vs 1.0 -> (2 * .4 + 2 * .1) / 4
    assert ece(p, won) == pytest.approx(0.25)


def _heldout(tmp_videos):
    """A held-out PairSet over the given video records where B is always better on every dimension."""
    videos = {v.key: v for v in tmp_videos}
    keys = list(videos)
    pairs = [PairRecord(keys[i], keys[i + 1], "test", {"appeal": 1.0, "motion": 1.0}) for i in range(len(keys) - 1)]
    return PairSet(videos, pairs, "t")


def test_calibration_round_trips_and_old_checkpoints_score_with_the_identity(tmp_path, demo_pairs):
    config = RewardConfig(preset="tiny", device="cpu", dimensions=("motion", "appeal"))
    reward = AnimeReward(config)
    v = next(iter(demo_pairs.videos.values()))
    reward.save(tmp_path / "old")
    assert not (tmp_path / "old" / CALIBRATION).exists()
    old = AnimeReward.from_checkpoint(tmp_path / "old")
    assert old.calibration.is_identity()
    raw = old.logits(old.prepare([v.path], [v.prompt], [v.initial_image]))
    row = old.score([v.path], [v.prompt], [v.initial_image])[0]
    assert row["appeal"] == pytest.approx(float(torch.sigmoid(raw["appeal"][0])), abs=1e-6)

    reward.calibration = Calibration({"appeal": 0.25, "motion": 2.0}, {"appeal": 0.1, "motion": -0.2})
    reward.save(tmp_path / "new")
    assert json.loads((tmp_path / "new" / CALIBRATION).read_text())["dimensions"]["appeal"]["temperature"] == 0.25
    new = AnimeReward.from_checkpoint(tmp_path / "new")
    row = new.score([v.path], [v.prompt], [v.initial_image])[0]
    assert row["appeal"] == pytest.approx(float(torch.sigmoid((raw["appeal"][0] - 0.1) / 0.25)), abs=1e-6)


def test_gapo_gap_weight_reads_calibrated_scores(demo_pairs):
    """GAPO's on-policy pairs and reward runs score with ``reward.score`` through ``score_table``: the gap weight
    2**s_w - 2**s_l must come from the calibrated scores, not the raw sigmoids."""
    videos = [v for v in demo_pairs.videos.values()][:4]
    args = ([v.path for v in videos], [v.prompt for v in videos], [v.initial_image for v in videos])
    reward = AnimeReward(RewardConfig(preset="tiny", device="cpu", dimensions=("appeal", "smoothness")))
    raw = score_table(reward.score, *args)["appeal"]
    logits = reward.logits(reward.prepare(*args))["appeal"]
    reward.calibration = Calibration({"appeal": 0.05}, {"appeal": float(logits.median())})
    table = score_table(reward.score, *args)
    expected = torch.sigmoid((logits - float(logits.median())) / 0.05)
    assert torch.allclose(table["appeal"], expected, atol=1e-6)
    w, l = int(table["appeal"].argmax()), int(table["appeal"].argmin())
    weight = gap_weight(table["appeal"][w:w + 1], table["appeal"][l:l + 1])
    assert float(weight) == pytest.approx(2 ** float(expected[w]) - 2 ** float(expected[l]), abs=1e-6)
    assert not torch.allclose(raw, table["appeal"], atol=1e-3)  # the calibration really changed what GAPO reads


def test_calibrate_fits_on_held_out_pairs_and_writes_the_file(demo_pairs, tmp_path):
    reward = AnimeReward(RewardConfig(preset="tiny", device="cpu", dimensions=("appeal", "motion")))
    held_out = _heldout(list(demo_pairs.videos.values())[:6])
    cal = calibrate(reward, held_out, folder=tmp_path)
    assert (tmp_path / CALIBRATION).exists()
    for dim in ("appeal", "motion"):
        r = cal.report[dim]
        assert r["pairs"] == 5 and r["temperature"] > 0 and math.isfinite(r["ece_before"])
        assert r["nll_after"] <= r["nll_before"] + 1e-9  # T=1 is one of the candidates
    assert reward.calibration is cal


def test_perfectly_ordered_held_out_pairs_do_not_collapse_scores_to_zero_and_one():
    from training.reward.calibration import MIN_TEMPERATURE

    diff = np.array([0.5, 1.0, -0.7, 2.0, -1.5])
    won = (diff > 0).astype(float)  # the model orders every pair right: the likelihood wants T -> 0
    assert fit_temperature(diff, won) == pytest.approx(MIN_TEMPERATURE, rel=1e-3)
