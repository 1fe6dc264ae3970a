"""Agreement between annotators on *where* an artefact happens: temporal IoU over frame spans.

Spans are ``(start_frame, end_frame)`` pairs, 0-based and end inclusive (docs/segments.md). One
annotator's spans on one (video, dimension) are read as the set of frames they cover, so
overlapping or touching spans of one person count each frame once.

    tIoU(A, B) = |frames(A) ∩ frames(B)| / |frames(A) ∪ frames(B)|

Two annotators who both marked nothing on a (video, dimension) said nothing about where, so the
pair is left out (undefined, not 1); one who marked nothing against one who marked something
agrees 0. Pure Python: no Django, no ORM.
"""
from __future__ import annotations

from itertools import combinations
from typing import Hashable, Iterable, Mapping

Span = tuple[int, int]


def span_frames(spans: Iterable[Span]) -> set[int]:
    """Every frame the spans cover (end inclusive)."""
    frames: set[int] = set()
    for start, end in spans:
        frames.update(range(start, end + 1))
    return frames


def temporal_iou(first: Iterable[Span], second: Iterable[Span]) -> float | None:
    """tIoU of two annotators' spans on one (video, dimension); None when neither marked a frame."""
    a, b = span_frames(first), span_frames(second)
    union = a | b
    if not union:
        return None
    return len(a & b) / len(union)


def mean_temporal_iou(spans_by_annotator: Mapping[Hashable, Iterable[Span]]) -> tuple[float | None, int]:
    """(mean tIoU over every pair of annotators where at least one marked a span, number of such
    pairs). `spans_by_annotator` holds every annotator who submitted, those without spans too
    (an empty list): they disagree with whoever marked something. (None, 0) when no pair counts."""
    frames = {annotator: span_frames(spans) for annotator, spans in spans_by_annotator.items()}
    values = []
    for a, b in combinations(sorted(frames, key=str), 2):
        union = frames[a] | frames[b]
        if union:
            values.append(len(frames[a] & frames[b]) / len(union))
    if not values:
        return None, 0
    return sum(values) / len(values), len(values)
