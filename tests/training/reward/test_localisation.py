"""training/reward/localisation.py: the AUROC that localisation is scored with, and the windowed degradations."""

import math

import numpy as np
import pytest

from training.reward.degradations import Clip
from training.reward.frame_features import formula_curves, frame_features
from training.reward.localisation import (WINDOWED, demo_frame_truth, frame_auroc, localisation, window,
                                          windowed_truth, windowed_variants)


def test_auroc_is_the_share_of_clean_frames_scoring_above_artefact_frames_with_ties_half():
    assert frame_auroc([0.9, 0.8, 0.1, 0.2], [0, 0, 1, 1]) == 1.0
    assert frame_auroc([0.1, 0.8, 0.9, 0.2], [0, 0, 1, 1]) == pytest.approx(0.25)  # 1 of 4 clean>artefact pairs
    assert frame_auroc([0.5, 0.5], [0, 1]) == 0.5
    assert math.isnan(frame_auroc([0.1, 0.2], [0, 0]))


def test_localisation_leaves_out_frame_zero_and_videos_without_both_kinds():
    curves = [np.array([-9.0, 1.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0, 1.0])]
    truths = [np.array([True, False, True, False]), np.array([False, True, True, True])]
    out = localisation(curves, truths)
    assert out["videos"] == 1 and out["within"] == 1.0


def test_demo_truth_reads_the_rendition_frame_each_model_frame_shows():
    curve = [0.0] * 10 + [0.9] * 38  # 48 rendition frames, artefact from frame 10
    truth = demo_frame_truth(curve, 24, 0.25)
    assert truth.tolist() == [False] * 5 + [True] * 19  # model frame 5 shows rendition frame 10


def _clip(length=40):
    """A smooth background and a block that slides one pixel per frame: steady, coherent motion."""
    ys, xs = np.mgrid[0:72, 0:128]
    background = np.stack([xs * 1.5, ys * 2.5, 255 - xs], axis=-1).astype(np.uint8)
    frames = np.repeat(background[None], length, axis=0)
    for t in range(length):
        frames[t, 20:50, 30 + t:60 + t] = [200, 60, 90]
    return Clip("c", frames, "a girl waves", frames[0])


def test_windows_are_a_quarter_of_the_clip_away_from_both_ends_and_seeded():
    for name in WINDOWED:
        a, b = window(48, name, "clip", seed=0)
        assert 8 <= a and b <= 39 and b - a + 1 == 12
        assert window(48, name, "clip", seed=0) == (a, b)


def test_windowed_degradations_change_only_frames_inside_the_window():
    clip = _clip()
    for degraded, name, (a, b) in windowed_variants([clip]):
        changed = np.flatnonzero([not np.array_equal(x, y) for x, y in zip(degraded.frames, clip.frames)])
        assert changed.size and changed.min() >= a and changed.max() <= b, name
        truth = windowed_truth(name, (a, b), len(clip.frames), 24)
        assert set(truth) == set(WINDOWED[name].lowers)


def test_the_formula_curve_dips_inside_a_flicker_burst():
    clip = _clip()
    (degraded, _, (a, b)), = [v for v in windowed_variants([clip]) if v[1] == "flicker_burst"]
    idx = np.linspace(0, len(clip.frames) - 1, 24).round().astype(int)
    curve = formula_curves(frame_features(degraded.frames[idx]))["smoothness"]
    truth = windowed_truth("flicker_burst", (a, b), len(clip.frames), 24)["smoothness"]
    assert frame_auroc(curve[1:], truth[1:]) > 0.8
