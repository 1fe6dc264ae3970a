import numpy as np
import pytest

from demo import DIMENSIONS, SimulatedAnnotator

GOOD = dict.fromkeys(DIMENSIONS, 0.9)


def _pairs(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(dict(zip(DIMENSIONS, rng.random(6))), dict(zip(DIMENSIONS, rng.random(6)))) for _ in range(n)]


def _agreement(annotator, pairs):
    hits = total = 0
    for a, b in pairs:
        answer = annotator.judge(a, b)
        for d in DIMENSIONS:
            gap = b[d] - a[d]
            if abs(gap) >= 0.05:
                total += 1
                hits += np.sign(answer[d]) == np.sign(gap)
    return hits / total


def test_negative_means_a_is_better_and_positive_means_b_is_better():
    judge = SimulatedAnnotator(noise=0.0)
    bad = dict.fromkeys(DIMENSIONS, 0.2)
    assert judge.judge(GOOD, bad) == dict.fromkeys(DIMENSIONS, -2)
    assert judge.judge(bad, GOOD) == dict.fromkeys(DIMENSIONS, 2)


def test_strength_follows_the_tie_and_strong_thresholds():
    judge = SimulatedAnnotator(noise=0.0, tie_threshold=0.05, strong_threshold=0.25)
    a = dict.fromkeys(DIMENSIONS, 0.5)
    b = dict(zip(DIMENSIONS, [0.52, 0.6, 0.8, 0.48, 0.4, 0.2]))
    assert judge.judge(a, b) == dict(zip(DIMENSIONS, [0, 1, 2, 0, -1, -2]))


def test_only_the_requested_dimensions_are_judged():
    assert set(SimulatedAnnotator(noise=0.0).judge(GOOD, GOOD, dimensions=("motion",))) == {"motion"}


def test_more_noise_means_less_agreement_with_the_truth():
    pairs = _pairs(400)
    scores = [_agreement(SimulatedAnnotator(noise=n, seed=1), pairs) for n in (0.0, 0.1, 0.3)]
    assert scores[0] == 1.0
    assert scores[0] > scores[1] > scores[2] > 0.5


def test_a_bad_annotator_answers_uniformly_at_random():
    spammer = SimulatedAnnotator(bad=True, seed=3)
    pairs = _pairs(500)
    answers = np.array([v for a, b in pairs for v in spammer.judge(a, b).values()])
    counts = np.bincount(answers + 2, minlength=5) / answers.size
    assert np.all(np.abs(counts - 0.2) < 0.03)
    assert abs(_agreement(SimulatedAnnotator(bad=True, seed=4), pairs) - 0.4) < 0.06  # 2 of 5 answers agree


def test_ratings_map_truth_to_one_through_five():
    rater = SimulatedAnnotator(noise=0.0)
    truth = dict(zip(DIMENSIONS, [0.0, 0.1, 0.5, 0.74, 0.9, 1.0]))
    assert rater.rate(truth) == dict(zip(DIMENSIONS, [1, 1, 3, 4, 5, 5]))
    bad = [v for _ in range(200) for v in SimulatedAnnotator(bad=True).rate(GOOD).values()]
    assert set(bad) == {1, 2, 3, 4, 5}


def test_the_same_seed_gives_the_same_answers():
    pairs = _pairs(20)
    a, b = SimulatedAnnotator(noise=0.2, seed=9), SimulatedAnnotator(noise=0.2, seed=9)
    assert [a.judge(*p) for p in pairs] == [b.judge(*p) for p in pairs]
    c = SimulatedAnnotator(noise=0.2, seed=10)
    assert [a.judge(*p) for p in pairs] != [c.judge(*p) for p in pairs]


@pytest.mark.parametrize("kwargs, message", [
    ({"noise": -0.1}, "noise must be a finite number >= 0"),
    ({"noise": float("nan")}, "noise must be a finite number >= 0"),
    ({"tie_threshold": 0.3, "strong_threshold": 0.2}, "need 0 <= tie_threshold < strong_threshold"),
])
def test_bad_settings_are_refused_with_the_rule(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SimulatedAnnotator(**kwargs)


def test_missing_or_unknown_dimensions_are_named():
    judge = SimulatedAnnotator()
    with pytest.raises(ValueError, match="truth_b lacks dimension"):
        judge.judge(GOOD, {"motion": 0.5})
    with pytest.raises(ValueError, match="unknown dimension"):
        judge.rate(GOOD, dimensions=("beauty",))
