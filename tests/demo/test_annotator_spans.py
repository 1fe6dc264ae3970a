"""SimulatedAnnotator.mark_spans: artefact spans from a per-frame severity curve, with a person's noise."""
import numpy as np
import pytest

from demo import DIMENSIONS, GENERATORS, SimulatedAnnotator, demo_prompts, frame_severities
from demo.annotator import MAX_SPANS, span_severity_level

EXACT = dict(miss_rate=0.0, edge_jitter=0, merge_gap=0)
#        0    1    2    3    4    5    6    7    8    9
CURVE = [0.0, 0.1, 0.6, 0.7, 0.1, 0.3, 0.0, 0.0, 0.0, 0.9]


def _valid(spans, T):
    assert spans == sorted(spans)
    for a, b in spans:
        assert 0 <= a <= b < T
    for (_, b), (c, _) in zip(spans, spans[1:]):
        assert b < c


def test_without_noise_it_marks_the_runs_of_frames_over_the_threshold():
    assert SimulatedAnnotator().mark_spans(CURVE, threshold=0.25, **EXACT) == [(2, 3), (5, 5), (9, 9)]
    assert SimulatedAnnotator().mark_spans(CURVE, threshold=0.65, **EXACT) == [(3, 3), (9, 9)]
    assert SimulatedAnnotator().mark_spans([0.0] * 5, **EXACT) == []


def test_short_gaps_are_merged_into_one_span():
    marker = SimulatedAnnotator()
    assert marker.mark_spans(CURVE, threshold=0.25, **{**EXACT, "merge_gap": 1}) == [(2, 5), (9, 9)]
    assert marker.mark_spans(CURVE, threshold=0.25, **{**EXACT, "merge_gap": 3}) == [(2, 9)]


def test_misses_drop_whole_spans():
    marker = SimulatedAnnotator(seed=4)
    assert marker.mark_spans(CURVE, threshold=0.25, **{**EXACT, "miss_rate": 1.0}) == []
    kept = [len(marker.mark_spans(CURVE, threshold=0.25, **{**EXACT, "miss_rate": 0.5})) for _ in range(400)]
    assert 1.2 < np.mean(kept) < 1.8  # 3 spans, each kept with probability 0.5


def test_edges_move_early_or_late_by_at_most_edge_jitter_frames():
    curve = np.zeros(60)
    curve[10:20] = curve[40:45] = 0.8
    marker, starts, ends = SimulatedAnnotator(seed=2), set(), set()
    for _ in range(300):
        spans = marker.mark_spans(curve, **{**EXACT, "edge_jitter": 2})
        assert len(spans) == 2
        (a, b), (c, d) = spans
        assert abs(a - 10) <= 2 and abs(b - 19) <= 2 and abs(c - 40) <= 2 and abs(d - 44) <= 2
        starts.add(a)
        ends.add(d)
    assert starts == {8, 9, 10, 11, 12} and ends == {42, 43, 44, 45, 46}


def test_spans_are_sorted_disjoint_and_on_the_grid_for_any_curve_and_noise():
    rng = np.random.default_rng(0)
    for seed in range(60):
        T = int(rng.integers(1, 50))
        curve = rng.random(T) ** 2
        spans = SimulatedAnnotator(seed=seed).mark_spans(curve, edge_jitter=4, miss_rate=0.3, merge_gap=1)
        _valid(spans, T)
        assert len(spans) <= MAX_SPANS


def test_it_never_marks_more_than_the_contracts_sixteen_spans():
    curve = np.tile([0.9, 0.0, 0.0], 30)  # 30 one-frame spans three frames apart
    spans = SimulatedAnnotator().mark_spans(curve, **EXACT)
    assert len(spans) == MAX_SPANS
    _valid(spans, len(curve))
    assert spans[0][0] == 0 and spans[-1][1] == 87


def test_the_same_seed_gives_the_same_spans_and_marking_never_changes_judgments():
    curve = frame_severities(demo_prompts(1, 0)[0], GENERATORS[0], 0)["smoothness"]
    a, b = SimulatedAnnotator(seed=7), SimulatedAnnotator(seed=7)
    assert [a.mark_spans(curve) for _ in range(5)] == [b.mark_spans(curve) for _ in range(5)]
    good, bad = dict.fromkeys(DIMENSIONS, 0.8), dict.fromkeys(DIMENSIONS, 0.4)
    plain, marking = SimulatedAnnotator(noise=0.3, seed=1), SimulatedAnnotator(noise=0.3, seed=1)
    answers = []
    for _ in range(10):
        marking.mark_spans(curve)
        answers.append(marking.judge(good, bad))
    assert answers == [plain.judge(good, bad) for _ in range(10)]


def test_demo_spans_cover_most_injected_frames_and_few_clean_ones():
    hits = inside = clean_marked = clean = 0
    marker = SimulatedAnnotator(seed=0)
    for prompt in demo_prompts(4, seed=1):
        for generator in GENERATORS:
            for curve in frame_severities(prompt, generator, 0).values():
                marked = np.zeros(len(curve), bool)
                for a, b in marker.mark_spans(curve):
                    marked[a:b + 1] = True
                injected = curve >= 0.25
                hits, inside = hits + (marked & injected).sum(), inside + injected.sum()
                clean_marked, clean = clean_marked + (marked & ~injected).sum(), clean + (~injected).sum()
    assert hits / inside > 0.7 and clean_marked / clean < 0.2


def test_a_bad_annotator_marks_random_but_valid_spans():
    marker = SimulatedAnnotator(bad=True, seed=3)
    marked = [marker.mark_spans(np.zeros(30)) for _ in range(50)]
    assert any(marked)
    for spans in marked:
        _valid(spans, 30)


def test_span_severity_level_reads_the_peak_inside_the_span():
    assert [span_severity_level(CURVE, s) for s in [(0, 1), (2, 3), (5, 5), (8, 9)]] == [1, 2, 1, 3]


@pytest.mark.parametrize("curve, kwargs, message", [
    ([], {}, "curve must be a non-empty 1-D sequence"),
    ([[0.1, 0.2]], {}, "curve must be a non-empty 1-D sequence"),
    ([0.1, float("nan")], {}, "curve must be a non-empty 1-D sequence"),
    (["x"], {}, "curve must be a non-empty 1-D sequence"),
    ([0.5], {"miss_rate": 1.5}, "miss_rate must be a number in \\[0, 1\\]"),
    ([0.5], {"edge_jitter": -1}, "edge_jitter must be an integer >= 0"),
    ([0.5], {"edge_jitter": 1.5}, "edge_jitter must be an integer >= 0"),
    ([0.5], {"merge_gap": True}, "merge_gap must be an integer >= 0"),
    ([0.5], {"max_spans": 0}, "max_spans must be an integer >= 1"),
    ([0.5], {"threshold": float("inf")}, "threshold must be a finite number"),
])
def test_bad_curves_and_settings_are_refused_with_the_rule(curve, kwargs, message):
    with pytest.raises(ValueError, match=message):
        SimulatedAnnotator().mark_spans(curve, **kwargs)
