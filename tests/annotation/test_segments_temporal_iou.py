"""Temporal IoU between annotators' spans (annotation/quality/temporal.py), against hand counts.
No database."""
import pytest

from annotation.quality.temporal import mean_temporal_iou, span_frames, temporal_iou


def test_span_frames_are_end_inclusive_and_count_each_frame_once():
    assert span_frames([(2, 4)]) == {2, 3, 4}
    assert span_frames([(0, 0), (3, 5), (4, 6)]) == {0, 3, 4, 5, 6}
    assert span_frames([]) == set()


@pytest.mark.parametrize("first,second,expected", [
    ([(0, 9)], [(0, 9)], 1.0),                 # identical
    ([(0, 9)], [(5, 14)], 5 / 15),             # frames 5-9 shared of 0-14
    ([(0, 3)], [(4, 7)], 0.0),                 # touching, nothing shared
    ([(0, 9)], [(2, 3), (6, 7)], 4 / 10),      # two short spans inside a long one
    ([(0, 4), (10, 14)], [(3, 11)], 4 / 15),   # shared 3,4,10,11; union 0-14
    ([], [(0, 4)], 0.0),                       # one saw an artefact, the other none
    ([(7, 7)], [(7, 7)], 1.0),                 # a single frame
])
def test_temporal_iou_matches_hand_counts(first, second, expected):
    assert temporal_iou(first, second) == pytest.approx(expected)
    assert temporal_iou(second, first) == pytest.approx(expected)


def test_temporal_iou_is_undefined_when_neither_marked_anything():
    assert temporal_iou([], []) is None


def test_the_mean_skips_pairs_where_neither_marked_anything():
    # alice/bob: 5/15; alice/carol: 0 (carol marked nothing); bob/carol: 0; dave with carol: skipped
    spans = {"alice": [(0, 9)], "bob": [(5, 14)], "carol": [], "dave": []}
    mean, pairs = mean_temporal_iou(spans)
    # counted: alice-bob 1/3, alice-carol 0, alice-dave 0, bob-carol 0, bob-dave 0 (carol-dave skipped)
    assert pairs == 5
    assert mean == pytest.approx((1 / 3) / 5)


def test_the_mean_is_none_when_nobody_marked_anything_or_there_is_one_annotator():
    assert mean_temporal_iou({"alice": [], "bob": []}) == (None, 0)
    assert mean_temporal_iou({"alice": [(0, 3)]}) == (None, 0)
    assert mean_temporal_iou({}) == (None, 0)
