"""The appeal head's blur measure: how much blurrier a video is than its initial image (handcrafted.blur_gain)."""

import json

import cv2
import numpy as np
import pytest

from training.reward import RewardConfig
from training.reward.handcrafted import APPEARANCE_NAMES, FEATURE_NAMES, blur_effect, video_features
from training.reward.real_clips import DEFAULT_CLIPS, load_clips


@pytest.fixture(scope="module")
def frame():
    """One real frame (grey, 72 px high) from a shipped clip: outlines, flat fills and texture."""
    clip = load_clips(DEFAULT_CLIPS, keys=["talk_34"], short_side=72, max_frames=4)[0]
    return clip.frames[0]


def _grey(rgb):
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def test_blur_effect_grows_with_blur_and_ignores_contrast(frame):
    grey = _grey(frame)
    scores = [blur_effect(grey)] + [blur_effect(cv2.GaussianBlur(grey, (0, 0), s)) for s in (0.8, 1.6, 3.2)]
    assert all(0.0 <= v <= 1.0 for v in scores)
    assert scores == sorted(scores) and scores[-1] - scores[0] > 0.2, scores
    # halving the contrast quarters the Laplacian variance ('sharpness') but is not blur
    flat = (grey.astype(np.float32) * 0.5 + 64).astype(np.uint8)
    assert blur_effect(flat) == pytest.approx(scores[0], abs=0.03)
    assert blur_effect(np.full_like(grey, 128)) == 1.0  # nothing to be sharp about


def test_blur_gain_is_zero_for_the_initial_image_and_positive_once_the_video_goes_soft(frame):
    still = np.repeat(frame[None], 4, axis=0)
    soft = np.stack([frame] + [cv2.GaussianBlur(frame, (0, 0), s) for s in (1.0, 1.5, 2.0)])
    assert video_features(still, frame, appearance=True)["blur_gain"] == 0.0
    assert video_features(soft, frame, appearance=True)["blur_gain"] > 0.1
    # one-sided: frames sharper than a soft initial image (or full of grain that reads as detail) earn nothing
    assert video_features(still, cv2.GaussianBlur(frame, (0, 0), 2.0), appearance=True)["blur_gain"] == 0.0
    assert "blur_gain" not in video_features(still, frame)  # not computed unless asked for


def test_the_cpu_appeal_head_reads_blur_gain_as_a_defect():
    config = RewardConfig(preset="cpu", device="cpu")
    assert config.appearance_dimensions == ("appeal",)
    names = config.head_feature_names("appeal")
    assert names[-len(APPEARANCE_NAMES):] == APPEARANCE_NAMES
    assert config.head_feature_signs("appeal")[names.index("blur_gain")] == -1.0
    assert "blur_gain" not in config.head_feature_names("smoothness")
    assert config.handcrafted_names()[-1] == "blur_gain"  # appended: earlier layouts keep their column order
    with pytest.raises(ValueError, match="appearance_dimensions has unknown dimensions"):
        RewardConfig(appearance_dimensions=("looks",))


def test_configs_saved_before_blur_gain_load_without_it(tmp_path):
    saved = RewardConfig(preset="cpu").to_dict()
    del saved["appearance_dimensions"]
    (tmp_path / "session8.json").write_text(json.dumps(saved))
    loaded = RewardConfig.load(tmp_path / "session8.json")
    assert loaded.appearance_dimensions == () and not loaded.uses_appearance()
    assert "blur_gain" not in loaded.handcrafted_names() and loaded.handcrafted_names()[: len(FEATURE_NAMES)] == FEATURE_NAMES
