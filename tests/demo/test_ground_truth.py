import numpy as np
import pytest

from demo import ARTEFACTS, DIMENSIONS, GENERATORS, expected_truth, ground_truth, video_severities

WORST = {"smoothness": "bolt", "motion": "cel", "appeal": "ember", "text_video": "dusk",
         "image_video": "cel", "character": "dusk"}


@pytest.fixture(scope="module")
def mean_truth(prompts):
    means = {}
    for g in GENERATORS:
        truths = [ground_truth(video_severities(p, g, s)) for p in prompts for s in range(3)]
        means[g.name] = {d: float(np.mean([t[d] for t in truths])) for d in DIMENSIONS}
    return means


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_the_generator_built_worst_on_a_dimension_has_the_lowest_mean_truth(mean_truth, dimension):
    assert min(mean_truth, key=lambda g: mean_truth[g][dimension]) == WORST[dimension]


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_sampled_means_keep_the_profile_order_wherever_profiles_differ_clearly(mean_truth, dimension):
    expected = {g.name: expected_truth(g)[dimension] for g in GENERATORS}
    for a in expected:
        for b in expected:
            if expected[a] > expected[b] + 0.05:
                assert mean_truth[a][dimension] > mean_truth[b][dimension], (a, b)


def test_the_quality_order_differs_between_dimensions():
    rankings = {tuple(sorted(GENERATORS, key=lambda g: -expected_truth(g)[d])) for d in DIMENSIONS}
    best = {max(GENERATORS, key=lambda g: expected_truth(g)[d]).name for d in DIMENSIONS}
    assert len(rankings) >= 4
    assert len(best) >= 2


def test_ground_truth_matches_the_documented_formulas():
    sev = dict(flicker=0.4, jitter=0.2, warp=0.1, frozen=0.3, blur_noise=0.5, colour_drift=0.2,
               identity_change=0.1, wrong_action=0.25)
    t = ground_truth(sev)
    assert t["smoothness"] == pytest.approx(1 - (0.2 + 0.07 + 0.035))
    assert t["motion"] == pytest.approx(1 - (0.3 + 0.04))
    assert t["appeal"] == pytest.approx(1 - (0.4 + 0.025 + 0.04))
    assert t["text_video"] == pytest.approx(1 - (0.2 + 0.09))
    assert t["image_video"] == pytest.approx(1 - (0.15 + 0.03 + 0.015))
    assert t["character"] == pytest.approx(1 - (0.085 + 0.015))


def test_ground_truth_is_one_when_clean_and_never_leaves_zero_one():
    assert ground_truth(dict.fromkeys(ARTEFACTS, 0.0)) == dict.fromkeys(DIMENSIONS, 1.0)
    worst = ground_truth(dict.fromkeys(ARTEFACTS, 1.0))
    assert all(0.0 <= v <= 1.0 for v in worst.values())


@pytest.mark.parametrize("artefact", ARTEFACTS)
def test_every_dimension_is_non_increasing_in_every_severity(artefact):
    base = dict.fromkeys(ARTEFACTS, 0.3)
    worse = {**base, artefact: 0.9}
    lo, hi = ground_truth(worse), ground_truth(base)
    assert all(lo[d] <= hi[d] for d in DIMENSIONS)
    assert any(lo[d] < hi[d] for d in DIMENSIONS)


def test_missing_severities_are_named():
    with pytest.raises(ValueError, match="lack wrong_action"):
        ground_truth({a: 0.0 for a in ARTEFACTS if a != "wrong_action"})


def test_videos_of_one_generator_differ_but_absent_artefacts_stay_absent(prompts):
    aurora = GENERATORS[0]
    a, b = video_severities(prompts[0], aurora, 0), video_severities(prompts[0], aurora, 1)
    assert a != b
    assert a["identity_change"] == b["identity_change"] == 0.0


def test_severities_are_deterministic_and_reject_negative_seeds(prompts):
    g = GENERATORS[1]
    assert video_severities(prompts[0], g, 5) == video_severities(prompts[0], g, 5)
    with pytest.raises(ValueError, match="non-negative integer"):
        video_severities(prompts[0], g, -1)
