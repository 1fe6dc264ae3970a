"""demo.render.frame_severities: the per-frame truth of the temporal dimensions, tied to the pixels."""
import json

import numpy as np
import pytest

from demo import (ARTEFACT_FRAME_THRESHOLD, FRAME_DIMENSIONS, GENERATORS, build_demo_dataset, demo_prompts,
                  frame_severities, ground_truth, read_demo_dataset, render_clip, video_severities)
from demo.dataset import TRUTH_NAME

from .pixels import SMALL, only


def _frames(prompt, generator, seed=0):
    return render_clip(prompt, generator, seed, **SMALL)[0]


def _curves(prompt, generator, seed=0):
    return frame_severities(prompt, generator, seed, num_frames=SMALL["num_frames"], fps=SMALL["fps"])


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.name)
def test_every_temporal_dimension_gets_one_severity_in_0_1_per_frame_and_none_at_frame_zero(prompts, generator):
    curves = _curves(prompts[0], generator)
    assert tuple(curves) == FRAME_DIMENSIONS
    for values in curves.values():
        assert values.shape == (SMALL["num_frames"],)
        assert values.min() >= 0.0 and values.max() <= 1.0
        assert values[0] == 0.0


def test_a_clean_generator_has_no_artefact_frames(prompts, clean):
    assert all(not v.any() for v in _curves(prompts[0], clean).values())


def test_stutter_marks_exactly_the_frames_that_repeat_their_predecessor(prompt_for):
    prompt, stutter = prompt_for("walking"), only("stutter", 0.6)
    frames, curves = _frames(prompt, stutter), _curves(prompt, stutter)
    repeated = np.array([False] + [np.array_equal(frames[i], frames[i - 1]) for i in range(1, len(frames))])
    assert repeated.sum() >= 3
    np.testing.assert_array_equal(curves["smoothness"] > 0, repeated)
    assert not curves["motion"].any() and not curves["character"].any()


def test_flicker_severity_follows_each_frames_brightness_jump(prompt_for):
    prompt, flicker = prompt_for("waving"), only("flicker", 0.8)
    frames, curves = _frames(prompt, flicker), _curves(prompt, flicker)
    luma = (frames.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)).mean(axis=(1, 2))
    off_initial = np.abs(luma - luma[0])
    assert np.corrcoef(off_initial[1:], curves["smoothness"][1:])[0, 1] > 0.9


def test_identity_change_is_an_artefact_only_from_forty_percent_of_the_clip(prompt_for):
    curves = _curves(prompt_for("jumping"), only("identity_change", 0.8))
    p = np.arange(SMALL["num_frames"]) / (SMALL["num_frames"] - 1)
    character = curves["character"]
    assert not character[p <= 0.4].any()
    assert (character[p >= 0.6] >= ARTEFACT_FRAME_THRESHOLD).all()
    assert np.all(np.diff(character) >= 0)
    assert not curves["smoothness"].any() and not curves["motion"].any()


def test_a_frozen_clip_is_a_motion_artefact_in_every_frame_after_the_first(prompt_for):
    motion = _curves(prompt_for("spinning"), only("frozen", 0.9))["motion"]
    assert motion[0] == 0.0
    np.testing.assert_allclose(motion[1:], motion[1])
    assert motion[1] >= ARTEFACT_FRAME_THRESHOLD


def test_the_mean_over_frames_tells_the_same_story_as_the_video_level_truth():
    per_dimension = {d: [] for d in FRAME_DIMENSIONS}
    for prompt in demo_prompts(6, seed=3):
        for generator in GENERATORS:
            curves = frame_severities(prompt, generator, 0)
            truth = ground_truth(video_severities(prompt, generator, 0))
            for d in FRAME_DIMENSIONS:
                per_dimension[d].append((curves[d].mean(), 1.0 - truth[d]))
    for d, pairs in per_dimension.items():
        assert np.corrcoef(np.array(pairs).T)[0, 1] > 0.95, d


def test_frame_truth_does_not_disturb_the_rendered_pixels(prompts):
    bolt = GENERATORS[1]
    before = _frames(prompts[2], bolt, seed=1)
    _curves(prompts[2], bolt, seed=1)
    np.testing.assert_array_equal(_frames(prompts[2], bolt, seed=1), before)


def test_frame_truth_rejects_bad_frame_counts_and_fps(prompts, clean):
    with pytest.raises(ValueError, match="num_frames must be an integer >= 2"):
        frame_severities(prompts[0], clean, 0, num_frames=1)
    with pytest.raises(ValueError, match="fps must be a positive number"):
        frame_severities(prompts[0], clean, 0, fps=0)


def test_the_data_set_stores_per_frame_truth_and_reads_older_sets_without_it(tmp_path):
    rows = build_demo_dataset(tmp_path, n_prompts=1, generators=GENERATORS[3:4], width=64, height=48,
                              num_frames=10, fps=8)
    (row,) = rows
    assert set(row.frame_truth) == set(FRAME_DIMENSIONS)
    assert all(len(v) == 10 for v in row.frame_truth.values())
    assert read_demo_dataset(tmp_path)[0].frame_truth == row.frame_truth
    record = json.loads((tmp_path / TRUTH_NAME).read_text())
    del record["frames"]
    (tmp_path / TRUTH_NAME).write_text(json.dumps(record) + "\n")
    older = read_demo_dataset(tmp_path)[0]
    assert older.frame_truth is None and older.truth == row.truth
