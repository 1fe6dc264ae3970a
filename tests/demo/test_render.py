import time

import numpy as np
import pytest

from demo import ACTIONS, GENERATORS, render_clip, render_initial_image

from .pixels import SMALL, frame_motion, luminance_jumps, only


def clip(prompt, generator, seed=0, **size):
    return render_clip(prompt, generator, seed, **{**SMALL, **size})[0]


def test_clip_has_the_requested_shape_and_returns_truth_per_dimension(prompts):
    frames, truth = render_clip(prompts[0], GENERATORS[0], 0, **SMALL)
    assert frames.shape == (24, 72, 128, 3) and frames.dtype == np.uint8
    assert set(truth) == {"smoothness", "motion", "appeal", "text_video", "image_video", "character"}
    assert all(0.0 <= v <= 1.0 for v in truth.values())


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.name)
def test_frame_zero_is_the_initial_image(prompts, generator):
    frames = clip(prompts[1], generator, seed=2)
    initial = render_initial_image(prompts[1], SMALL["width"], SMALL["height"])
    assert np.abs(frames[0].astype(int) - initial).mean() < 1.0


def test_rendering_is_deterministic_and_seed_dependent(prompts):
    bolt = GENERATORS[1]
    a, b, c = clip(prompts[0], bolt, 1), clip(prompts[0], bolt, 1), clip(prompts[0], bolt, 2)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_moves_the_character_in_a_clean_clip(prompt_for, clean, action):
    assert frame_motion(clip(prompt_for(action), clean)) > 0.3


def test_actions_move_differently(prompt_for, clean):
    # same scene, different action: the trajectories must not coincide
    base = prompt_for("waving")
    clips = {a: clip(type(base)(key=a, text="", action=a, scene_seed=base.scene_seed), clean) for a in ACTIONS}
    names = list(clips)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert np.abs(clips[a].astype(int) - clips[b]).mean() > 0.5, (a, b)


def test_flicker_makes_mean_luminance_jump_between_frames(prompt_for, clean):
    p = prompt_for("speaking")
    assert luminance_jumps(clip(p, only("flicker"))) > 5 * luminance_jumps(clip(p, clean)) + 2.0


def test_jitter_shakes_the_frame(prompt_for, clean):
    p = prompt_for("speaking")
    assert frame_motion(clip(p, only("jitter"))) > 2 * frame_motion(clip(p, clean))


@pytest.mark.parametrize("action", list(ACTIONS))
def test_frozen_clips_move_less_than_clean_ones(prompt_for, clean, action):
    p = prompt_for(action)
    assert frame_motion(clip(p, only("frozen"))) < 0.5 * frame_motion(clip(p, clean))


def test_warp_grows_over_time_and_bends_the_background(prompt_for, clean):
    p = prompt_for("speaking")
    warped, straight = clip(p, only("warp")), clip(p, clean)
    early = np.abs(warped[2].astype(int) - straight[2]).mean()
    late = np.abs(warped[-1].astype(int) - straight[-1]).mean()
    assert late > 3.0 and late > 3 * early


def test_colour_drift_moves_the_last_frame_away_from_the_initial_image(prompt_for, clean):
    p = prompt_for("speaking")
    initial = render_initial_image(p, SMALL["width"], SMALL["height"]).astype(int)
    drift = np.abs(clip(p, only("colour_drift"))[-1] - initial).mean()
    steady = np.abs(clip(p, clean)[-1] - initial).mean()
    assert drift > 10.0 and drift > 4 * steady


def test_blur_noise_softens_edges_and_adds_grain(prompt_for, clean):
    p = prompt_for("speaking")
    soft, sharp = clip(p, only("blur_noise")), clip(p, clean)
    sky = (slice(0, 8), slice(None))  # static background: any change between frames there is grain
    assert np.abs(np.diff(sharp[-4:][:, sky[0], sky[1]].astype(int), axis=0)).mean() == 0
    assert np.abs(np.diff(soft[-4:][:, sky[0], sky[1]].astype(int), axis=0)).mean() > 3.0

    def edge_strength(frames):
        # averaging frames cancels most grain, leaving the blur to measure
        mean = frames[-12:].astype(np.float32).mean(axis=0)
        return float(np.percentile(np.abs(np.diff(mean, axis=1)), 99.5))

    assert edge_strength(soft) < 0.7 * edge_strength(sharp)


def test_identity_change_recolours_the_character_mid_clip(prompt_for, clean):
    p = prompt_for("speaking")
    changed, same = clip(p, only("identity_change")), clip(p, clean)
    box = (slice(10, 60), slice(44, 84))  # the character, centred
    before = np.abs(changed[4][box].astype(int) - same[4][box]).mean()
    after = np.abs(changed[-1][box].astype(int) - same[-1][box]).mean()
    assert before < 0.5 and after > 8.0


def test_wrong_action_changes_the_motion_not_the_scene(prompt_for, clean):
    p = prompt_for("speaking")
    wrong, right = clip(p, only("wrong_action")), clip(p, clean)
    assert np.abs(wrong.astype(int) - right).mean() > 1.0
    assert np.array_equal(wrong[0], right[0])


def test_a_clean_generator_gives_the_same_clip_for_every_seed(prompts, clean):
    assert np.array_equal(clip(prompts[2], clean, 0), clip(prompts[2], clean, 7))


def test_render_rejects_bad_sizes_frames_and_fps_clearly(prompts, clean):
    with pytest.raises(ValueError, match="width and height must be integers >= 32"):
        render_clip(prompts[0], clean, 0, width=16, height=144)
    with pytest.raises(ValueError, match="num_frames must be an integer >= 2"):
        render_clip(prompts[0], clean, 0, num_frames=1)
    with pytest.raises(ValueError, match="fps must be a positive number"):
        render_clip(prompts[0], clean, 0, fps=0)


def test_a_48_frame_256x144_clip_renders_in_under_half_a_second(prompts):
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        render_clip(prompts[0], GENERATORS[4], 0, width=256, height=144, num_frames=48, fps=12)
        best = min(best, time.perf_counter() - started)
    assert best < 0.5
