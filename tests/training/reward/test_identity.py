"""Character identity signals: the subject is found in the initial image, and losing its colours (not a global
colour drift, not motion) is what moves the features."""

import numpy as np
import pytest

from demo.catalog import GeneratorProfile, demo_prompts, look_for
from demo.render import render_clip, render_initial_image
from demo.scene import POSE_KEYS, character_layer
from media_io import sample_frames_from_array
from training.reward.identity import (IDENTITY_FEATURE_NAMES, align_colours, identity_features, subject_box,
                                      subject_mask)

W, H = 256, 144
PROMPTS = demo_prompts(3, seed=7)
CLEAN = GeneratorProfile("clean")
CHANGES_IDENTITY = GeneratorProfile("forgetful", identity_change=0.9)
DRIFTS_COLOUR = GeneratorProfile("drifty", colour_drift=0.9)
FLICKERS = GeneratorProfile("flashy", flicker=0.9)


def _true_subject(prompt) -> np.ndarray:
    look = look_for(prompt.scene_seed)
    layer = character_layer((look.hair_rgb, look.outfit_rgb), look.hair_style, dict.fromkeys(POSE_KEYS, 0.0), W, H)
    return layer[..., 3] > 127


def _clip(prompt, profile):
    frames, _ = render_clip(prompt, profile, 0, width=W, height=H, num_frames=48)
    init = render_initial_image(prompt, W, H)
    return sample_frames_from_array(frames, 24, size=72), sample_frames_from_array(init[None], 1, size=72)[0]


@pytest.mark.parametrize("prompt", PROMPTS, ids=lambda p: p.key)
def test_subject_mask_finds_the_demo_character(prompt):
    truth = _true_subject(prompt)
    found = subject_mask(render_initial_image(prompt, W, H))
    iou = (truth & found).sum() / (truth | found).sum()
    assert iou > 0.6
    x0, y0, x1, y1 = subject_box(found, pad=0.0)
    ys, xs = np.nonzero(truth)
    assert x0 <= np.median(xs) <= x1 and y0 <= np.median(ys) <= y1


def test_a_flat_image_falls_back_to_the_centre_rectangle():
    mask = subject_mask(np.full((72, 128, 3), 90, np.uint8))
    assert mask.any() and not mask[0, 0] and mask[36, 64]


def test_align_colours_undoes_a_global_affine_colour_change():
    image = render_initial_image(PROMPTS[0], W, H)
    m = np.array([[0.8, 0.15, 0.0], [0.05, 0.9, 0.1], [0.0, 0.1, 0.85]])
    changed = np.clip(image.astype(np.float64) @ m.T + 12, 0, 255).astype(np.uint8)
    before = np.abs(changed.astype(int) - image).mean()
    after = np.abs(align_colours(changed, image).astype(int) - image).mean()
    assert after < 3 < before


@pytest.mark.parametrize("prompt", PROMPTS, ids=lambda p: p.key)
def test_a_character_that_changes_colour_loses_its_palette_and_a_clean_one_keeps_it(prompt):
    clean = identity_features(*_clip(prompt, CLEAN))
    forgetful = identity_features(*_clip(prompt, CHANGES_IDENTITY))
    assert clean["subject_colour_min"] > 0.6 and clean["subject_vanish"] < 0.1
    assert forgetful["subject_colour_min"] < clean["subject_colour_min"] - 0.3
    assert forgetful["subject_vanish"] > clean["subject_vanish"] + 0.15


@pytest.mark.parametrize("profile", [DRIFTS_COLOUR, FLICKERS], ids=lambda g: g.name)
def test_global_colour_changes_are_not_identity_loss(profile):
    for prompt in PROMPTS:
        global_change = identity_features(*_clip(prompt, profile))
        forgetful = identity_features(*_clip(prompt, CHANGES_IDENTITY))
        assert global_change["subject_colour_min"] > forgetful["subject_colour_min"] + 0.2


def test_features_are_deterministic_finite_and_named():
    frames, init = _clip(PROMPTS[1], CHANGES_IDENTITY)
    first, second = identity_features(frames, init), identity_features(frames, init)
    assert first == second and tuple(first) == IDENTITY_FEATURE_NAMES
    assert all(np.isfinite(v) for v in first.values())


def test_bad_shapes_are_refused_with_the_shapes_named():
    frames, init = _clip(PROMPTS[0], CLEAN)
    with pytest.raises(ValueError, match="same size"):
        identity_features(frames, init[:10])
    with pytest.raises(ValueError, match="T>=2"):
        identity_features(frames[:1], init)
