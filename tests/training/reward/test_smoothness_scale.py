"""Smoothness does not saturate on fast real action, and judder still reads as less smooth (flow_incoherence)."""

import numpy as np
import pytest

from training.reward.degradations import degrade
from training.reward.handcrafted import baseline_scores, flow_incoherence, video_features
from training.reward.real_clips import DEFAULT_CLIPS, load_clips


@pytest.fixture(scope="module")
def fight():
    return load_clips(DEFAULT_CLIPS, keys=["pose_guided"], short_side=72, max_frames=48)[0]


def _features(clip, coherence=True):
    idx = np.linspace(0, len(clip.frames) - 1, 24).round().astype(int)
    return video_features(clip.frames[idx], clip.initial_image, coherence=coherence)


def test_steady_flow_is_coherent_and_flow_that_stops_and_jumps_is_not():
    steady = [np.full((8, 8, 2), 2.0, np.float32)] * 6
    judder = [np.full((8, 8, 2), v, np.float32) for v in (0.0, 4.0, 0.0, 4.0, 0.0, 4.0)]
    assert flow_incoherence(steady) == pytest.approx(0.0)
    assert flow_incoherence(judder) > 1.5
    # scale-free: the same pattern 10x faster gives (nearly) the same value
    fast = [f * 10 for f in judder]
    assert flow_incoherence(fast) == pytest.approx(flow_incoherence(judder), rel=0.05)


def test_fast_real_fight_is_not_scored_as_unsmooth_but_its_stuttered_copy_scores_lower(fight):
    old = baseline_scores(_features(fight, coherence=False))["smoothness"]
    new = baseline_scores(_features(fight))["smoothness"]
    stuttered = baseline_scores(_features(degrade(fight, "stutter")))["smoothness"]
    assert old < 0.05  # the px warp term: a fast fight read as near 0 (the 0.005-0.015)
    assert new > 0.2
    assert stuttered < new
