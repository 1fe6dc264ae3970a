"""The real-clip degradation suite: deterministic, shape-keeping, input left alone, each one really degrades."""

import numpy as np
import pytest

from training.reward.config import DIMENSIONS
from training.reward.degradations import DEGRADATIONS, degrade
from training.reward.real_clips import DEFAULT_CLIPS, evaluate_real_clips, load_clips


@pytest.fixture(scope="module")
def clips():
    # two short real clips, small: the suite's logic, not its numbers
    return load_clips(DEFAULT_CLIPS, keys=["showcase_225", "talk_34"], short_side=72, max_frames=16)


def test_clips_load_through_the_manifest_parser_with_their_prompts(clips):
    assert [c.key for c in clips] == ["showcase_225", "talk_34"]
    for c in clips:
        assert c.frames.dtype == np.uint8 and c.frames.shape[0] == 16 and c.frames.shape[1] == 72
        assert c.initial_image.shape == c.frames.shape[1:]
        assert c.prompt and c.action


def test_unknown_clip_key_names_the_valid_ones():
    with pytest.raises(ValueError, match="showcase_225"):
        load_clips(DEFAULT_CLIPS, keys=["nope"])


@pytest.mark.parametrize("name", list(DEGRADATIONS))
def test_each_degradation_is_deterministic_keeps_shape_and_changes_the_clip(clips, name):
    clip = clips[0]
    before = clip.frames.copy()
    a = degrade(clip, name, others=clips, seed=0)
    b = degrade(clip, name, others=clips, seed=0)
    assert np.array_equal(clip.frames, before), "the input clip was modified"
    assert a.frames.shape == clip.frames.shape and a.frames.dtype == np.uint8
    assert np.array_equal(a.frames, b.frames) and a.prompt == b.prompt
    assert np.array_equal(a.initial_image, b.initial_image)
    changed = (not np.array_equal(a.frames, clip.frames) or a.prompt != clip.prompt
               or not np.array_equal(a.initial_image, clip.initial_image))
    assert changed
    assert a.key == f"{clip.key}~{name}"
    assert set(DEGRADATIONS[name].lowers) <= set(DIMENSIONS)


def test_freeze_repeats_the_first_frame_and_swaps_take_another_clips_prompt_and_image(clips):
    frozen = degrade(clips[0], "freeze", others=clips)
    assert all(np.array_equal(f, clips[0].frames[0]) for f in frozen.frames)
    assert degrade(clips[0], "prompt_swap", others=clips).prompt == clips[1].prompt
    swapped = degrade(clips[0], "image_swap", others=clips).initial_image
    assert swapped.shape == clips[0].initial_image.shape and not np.array_equal(swapped, clips[0].initial_image)


def test_local_artefacts_leave_most_of_the_frame_untouched(clips):
    clip = clips[0]
    for name in ("local_flicker", "region_jitter", "local_warp"):
        out = degrade(clip, name, others=clips)
        untouched = (out.frames == clip.frames).all(axis=-1).mean()
        assert 0.5 < untouched < 1.0, (name, untouched)


def test_report_counts_a_scorer_that_prefers_clean_clips_as_right_and_its_mirror_as_wrong(clips):
    def fake(score_clean):
        def fn(items):
            return [{d: (score_clean if "~" not in c.key else 1 - score_clean) for d in (*DIMENSIONS, "overall")}
                    for c in items]
        return fn

    good = evaluate_real_clips(fake(0.9), clips, names=["freeze", "blur"])
    bad = evaluate_real_clips(fake(0.1), clips, names=["freeze", "blur"])
    assert good["accuracy"]["motion"] == 1.0 and good["accuracy"]["appeal"] == 1.0
    assert np.isnan(good["accuracy"]["smoothness"])  # no degradation here lowers it
    assert bad["accuracy"]["overall"] == 0.0 and bad["frozen_violations"] == {"motion": 2, "overall": 2}
