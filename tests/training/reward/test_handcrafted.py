"""The zero-training OpenCV baseline orders the demo generators on the artefacts each one has."""

import cv2
import numpy as np
import pytest

from demo import read_demo_dataset
from media_io import sample_frames
from training.reward.handcrafted import FEATURE_NAMES, baseline_scores, feature_vector, video_features


@pytest.fixture(scope="module")
def scores_by_prompt(demo_dir):
    out = {}
    for row in read_demo_dataset(demo_dir):
        frames = sample_frames(demo_dir / row.video, 24, size=72)
        init = cv2.cvtColor(cv2.imread(str(demo_dir / row.initial_image)), cv2.COLOR_BGR2RGB)
        out.setdefault(row.prompt_key, {})[row.generator] = baseline_scores(video_features(frames, init))
    return out


def test_scores_are_in_unit_interval(scores_by_prompt):
    for per_gen in scores_by_prompt.values():
        for scores in per_gen.values():
            assert all(0.0 <= v <= 1.0 for v in scores.values())


def test_flickering_bolt_is_less_smooth_than_aurora(scores_by_prompt):
    for s in scores_by_prompt.values():
        assert s["bolt"]["smoothness"] < s["aurora"]["smoothness"]


def test_frozen_cel_moves_least(scores_by_prompt):
    for s in scores_by_prompt.values():
        assert s["cel"]["motion"] == min(g["motion"] for g in s.values())


def test_colour_drifting_cel_is_less_faithful_to_the_initial_image(scores_by_prompt):
    for s in scores_by_prompt.values():
        assert s["cel"]["image_video"] < s["aurora"]["image_video"]
        assert s["cel"]["image_video"] < s["ember"]["image_video"]


def test_mushy_ember_has_the_worst_appeal(scores_by_prompt):
    for s in scores_by_prompt.values():
        assert s["ember"]["appeal"] == min(g["appeal"] for g in s.values())


def test_feature_vector_is_finite_and_ordered():
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (6, 36, 64, 3), dtype=np.uint8)
    feats = video_features(frames)
    vec = feature_vector(feats)
    assert vec.shape == (len(FEATURE_NAMES),) and np.isfinite(vec).all()
    with pytest.raises(ValueError, match="T>=3"):
        video_features(frames[:2])


def test_identity_changing_dusk_keeps_its_character_least(demo_dir):
    """With the identity signals the baseline's character score puts dusk (hair and outfit change colour
    mid-clip) last for every prompt; the centre-crop palette alone could not."""
    per_prompt = {}
    for row in read_demo_dataset(demo_dir):
        frames = sample_frames(demo_dir / row.video, 24, size=72)
        init = cv2.cvtColor(cv2.imread(str(demo_dir / row.initial_image)), cv2.COLOR_BGR2RGB)
        score = baseline_scores(video_features(frames, init, identity=True))["character"]
        per_prompt.setdefault(row.prompt_key, {})[row.generator] = score
    for scores in per_prompt.values():
        assert scores["dusk"] == min(scores.values())
