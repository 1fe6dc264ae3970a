"""Reads of temporal segments (docs/segments.md): an assignment's own spans in the wire shape
(history page, answer edits, the documented result serializer) and a pair's spans from everyone
for reviewers, with the agreement between annotators (annotation/quality/temporal.py)."""
from __future__ import annotations

from collections import defaultdict

from annotation.models import Segment

# The contract's order: video id, the dimension's answer order, start frame.
SEGMENT_ORDER = ("video_id", "dimension__order", "dimension_id", "start_frame")


def segment_payload(video: int, dimension: str, start: int, end: int, severity: int | None, note: str) -> dict:
    return {"video": video, "dimension": dimension, "start_frame": start, "end_frame": end, "severity": severity,
            "note": note}


def assignment_segments(*, assignment_ids: list[int]) -> dict[int, list[dict]]:
    """assignment id -> its spans in the wire shape and stored order (one query; absent: no spans)."""
    out: dict[int, list[dict]] = defaultdict(list)
    rows = (Segment.objects.filter(assignment_id__in=assignment_ids).order_by("assignment_id", *SEGMENT_ORDER)
            .values_list("assignment_id", "video_id", "dimension__key", "start_frame", "end_frame", "severity", "note"))
    for assignment_id, *span in rows:
        out[assignment_id].append(segment_payload(*span))
    return dict(out)
