"""training/gapo/rewards: the reward callables used for on-policy pairs and evaluation."""

import numpy as np
import pytest

from training.gapo.rewards import DIMENSIONS, FeatureRidgeReward, HandcraftedReward


def test_ridge_head_recovers_a_linear_quality_signal_and_round_trips():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(200, 5))
    targets = np.clip(0.5 + 0.1 * features[:, :2] @ np.array([[1.0, -1.0], [0.5, 0.0]]), 0, 1)  # (200, 2)
    head = FeatureRidgeReward.fit(features, targets, ridge=1e-6, dimensions=("a", "b"))
    assert np.abs(head.predict(features) - targets).max() < 0.02
    again = FeatureRidgeReward.from_state(head.state())
    assert np.allclose(again.predict(features), head.predict(features))


def test_handcrafted_overall_is_the_normalised_weighted_mean():
    frames = np.random.default_rng(1).integers(0, 255, size=(4, 32, 32, 3), dtype=np.uint8)
    reward = HandcraftedReward({"smoothness": 3.0, "motion": 1.0})
    table = reward([frames], ["p"], [frames[0]])
    assert set(table) == set(DIMENSIONS) | {"overall"}
    expected = 0.75 * table["smoothness"] + 0.25 * table["motion"]
    assert float(table["overall"][0]) == pytest.approx(float(expected[0]))
    with pytest.raises(ValueError, match="unknown dimensions"):
        HandcraftedReward({"sharpness": 1.0})
