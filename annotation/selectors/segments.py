"""Reads of temporal segments (docs/segments.md): an assignment's own spans in the wire shape
(history page, answer edits, the documented result serializer) and a pair's spans from everyone
for reviewers, with the agreement between annotators (annotation/quality/temporal.py)."""
from __future__ import annotations

from collections import defaultdict

from annotation.models import Assignment, AssignmentState, Pair, Segment
from annotation.quality.temporal import mean_temporal_iou
from annotation.selectors.quality import campaign_dimension_keys

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


def pair_segments_review(*, pair: Pair) -> dict:
    """Every submitted span of the pair, per video and annotator, with the agreement per (video,
    dimension): mean temporal IoU over pairs of annotators who submitted the pair, counting only
    pairs where at least one marked a span (annotation/quality/temporal.py). Three queries."""
    campaign = pair.campaign
    keys = list(campaign_dimension_keys(campaign=campaign).values())
    annotators = [{"annotator_id": annotator_id, "annotator": username}
                  for annotator_id, username in (
                      Assignment.objects.filter(pair=pair, state=AssignmentState.SUBMITTED)
                      .order_by("annotator__username", "annotator_id")
                      .values_list("annotator_id", "annotator__username"))]
    submitted = [a["annotator_id"] for a in annotators]
    spans: dict[int, list[dict]] = defaultdict(list)
    frames: dict[tuple[int, str], dict[int, list[tuple[int, int]]]] = defaultdict(
        lambda: {annotator_id: [] for annotator_id in submitted})
    rows = (Segment.objects.filter(assignment__pair=pair, assignment__state=AssignmentState.SUBMITTED)
            .order_by("video_id", "dimension__order", "dimension_id", "annotator__username", "start_frame")
            .values_list("video_id", "annotator_id", "annotator__username", "dimension__key", "start_frame",
                         "end_frame", "severity", "note"))
    for video_id, annotator_id, username, key, start, end, severity, note in rows:
        spans[video_id].append({"annotator": username, "annotator_id": annotator_id, "dimension": key,
                                "start_frame": start, "end_frame": end, "severity": severity, "note": note})
        frames[(video_id, key)][annotator_id].append((start, end))
    videos = []
    for video in (pair.video_a, pair.video_b):
        agreement = {}
        for key in keys:
            mean, counted = mean_temporal_iou(frames[(video.pk, key)])
            agreement[key] = {"mean_tiou": None if mean is None else round(mean, 4), "annotator_pairs": counted}
        videos.append({"video": video.pk, "frame_count": video.rendition_frame_count, "fps": video.rendition_fps,
                       "spans": spans[video.pk], "agreement": agreement})
    return {"pair": pair.pk, "campaign": campaign.pk, "dimensions": keys, "annotators": annotators,
            "videos": videos}
