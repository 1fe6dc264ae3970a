import numpy as np
import pytest

from training.reward.data import PairRecord, PairSet, VideoRecord
from training.reward.evaluate import evaluate_scores, tie_aware_accuracy


def _set():
    videos = {k: VideoRecord(k, k, "p", None, g, "test", "p0", {"motion": t})
              for k, g, t in (("a", "g1", 0.9), ("b", "g2", 0.5), ("c", "g3", 0.1))}
    pairs = [PairRecord("a", "b", "test", {"motion": -2.0}), PairRecord("b", "c", "test", {"motion": -1.0}),
             PairRecord("a", "c", "test", {"motion": 0.0})]
    return PairSet(videos, pairs, "v")


def test_perfect_scores_get_full_accuracy_and_spearman():
    report = evaluate_scores({"a": {"motion": 0.8}, "b": {"motion": 0.5}, "c": {"motion": 0.2}}, _set(), ["motion"])
    row = report["dimensions"]["motion"]
    assert (row["accuracy"], row["ties"], row["spearman"]) == (1.0, 1, pytest.approx(1.0))
    assert row["per_generator"] == {"g1": 1.0, "g2": 1.0, "g3": 1.0}
    # the tie pair a-c has the largest |diff|, so no threshold predicts it: best is 2/3
    assert row["accuracy_ties"] == pytest.approx(2 / 3)


def test_tie_aware_accuracy_finds_the_threshold():
    acc, tau = tie_aware_accuracy(np.array([0.01, 0.5, -0.5]), np.array([0, 1, -1]))
    assert acc == 1.0 and 0.01 <= tau < 0.5


def test_equal_scores_count_half():
    report = evaluate_scores({k: {"motion": 0.5} for k in "abc"}, _set(), ["motion"])
    assert report["dimensions"]["motion"]["accuracy"] == 0.5
    assert "spearman" not in report["dimensions"]["motion"]  # undefined for constant scores
