"""The subject's optical-flow descriptor tells the demo actions apart the way their prompts describe them."""

import numpy as np
import pytest

from demo.catalog import DemoPrompt, GeneratorProfile
from demo.render import render_clip, render_initial_image
from media_io import sample_frames_from_array
from training.reward.motion_pattern import MOTION_PATTERN_NAMES, motion_pattern

CLEAN, FROZEN = GeneratorProfile("clean"), GeneratorProfile("still", frozen=1.0)


def _pattern(action: str, profile=CLEAN) -> dict[str, float]:
    prompt = DemoPrompt(key=f"mp-{action}", text=f"someone {action}", action=action, scene_seed=4242)
    frames, _ = render_clip(prompt, profile, 0, width=256, height=144, num_frames=48)
    init = render_initial_image(prompt, 256, 144)
    return motion_pattern(sample_frames_from_array(frames, 24, size=72),
                          sample_frames_from_array(init[None], 1, size=72)[0])


@pytest.fixture(scope="module")
def patterns():
    return {a: _pattern(a) for a in ("walking", "waving", "jumping", "speaking")}


def test_walking_travels_sideways_and_waving_does_not(patterns):
    assert abs(patterns["walking"]["mp_travel"]) > 3 * abs(patterns["waving"]["mp_travel"])


def test_jumping_bounces_more_than_speaking(patterns):
    assert patterns["jumping"]["mp_abs_dy_mean"] > 2 * patterns["speaking"]["mp_abs_dy_mean"]


def test_a_frozen_clip_has_almost_no_subject_motion(patterns):
    frozen = _pattern("jumping", FROZEN)
    assert frozen["mp_speed_mean"] < 0.2 * patterns["jumping"]["mp_speed_mean"]


def test_descriptor_is_named_finite_and_checks_shapes(patterns):
    assert all(tuple(p) == MOTION_PATTERN_NAMES for p in patterns.values())
    assert all(np.isfinite(v) for p in patterns.values() for v in p.values())
    with pytest.raises(ValueError, match="same size"):
        motion_pattern(np.zeros((4, 72, 128, 3), np.uint8), np.zeros((10, 10, 3), np.uint8))


def test_video_features_share_their_flow_with_the_motion_pattern():
    from training.reward.handcrafted import video_features

    prompt = DemoPrompt(key="mp-share", text="someone waves", action="waving", scene_seed=77)
    frames, _ = render_clip(prompt, CLEAN, 0, width=256, height=144, num_frames=24)
    frames = sample_frames_from_array(frames, 12, size=72)
    init = frames[0]
    shared = video_features(frames, init, motion=True)
    assert {k: shared[k] for k in MOTION_PATTERN_NAMES} == motion_pattern(frames, init)
    with pytest.raises(ValueError, match="need 11 flow fields"):
        motion_pattern(frames, init, flows=[])


def test_the_extra_feature_groups_are_computed_exactly_when_asked():
    from training.reward.handcrafted import FEATURE_NAMES, video_features
    from training.reward.identity import IDENTITY_FEATURE_NAMES

    still = np.zeros((6, 72, 128, 3), np.uint8)  # no motion at all: a flag must not depend on the content
    assert set(video_features(still, motion=True)) == set(FEATURE_NAMES) | set(MOTION_PATTERN_NAMES)
    moving = np.random.default_rng(0).integers(0, 255, (6, 72, 128, 3), dtype=np.uint8)
    assert set(video_features(moving)) == set(FEATURE_NAMES)
    assert set(video_features(moving, identity=True)) == set(FEATURE_NAMES) | set(IDENTITY_FEATURE_NAMES)
