"""The rules every write of temporal segments shares (submit and answer edit; docs/segments.md).

Pure: the callers read the pair's videos, their rendition frame counts and the campaign's
dimensions inside their own locking transaction and pass them in, so the same check runs on the
annotator's hot path (one locking read, one write) and in the edit service. Never imports training.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from studio_platform.errors import (
    MSG_SEGMENT_DIMENSION,
    MSG_SEGMENT_FRAMES,
    MSG_SEGMENT_NO_FRAME_COUNT,
    MSG_SEGMENT_NOTE,
    MSG_SEGMENT_SEVERITY,
    MSG_SEGMENT_VIDEO,
    MSG_SEGMENTS_OVERLAP,
    MSG_SEGMENTS_TOO_MANY,
    MSG_SEGMENTS_TRACK_FULL,
    ValidationFailed,
)

MAX_SPANS_PER_TRACK = 16  # per (video, dimension)
MAX_SPANS_PER_SUBMISSION = 200
SEVERITIES = (1, 2, 3)  # mild, clear, severe
MAX_NOTE = 200


@dataclass(frozen=True)
class SegmentAnswer:
    """One span as an annotator sends it: frames 0-based, end inclusive, on the rendition's grid."""

    video_id: int
    dimension: str
    start_frame: int
    end_frame: int
    severity: int | None = None
    note: str = ""

    def as_payload(self) -> dict:
        """The wire shape (docs/segments.md)."""
        return {"video": self.video_id, "dimension": self.dimension, "start_frame": self.start_frame,
                "end_frame": self.end_frame, "severity": self.severity, "note": self.note}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def segments_check(segments: list[SegmentAnswer], *, frame_counts: dict[int, int | None],
                   dimension_order: list[str]) -> list[SegmentAnswer]:
    """Raise ValidationFailed naming the first broken rule; return the spans in stored order (video
    id, dimension order, start frame).

    `frame_counts`: the pair's two videos -> their rendition frame count (None: not measured).
    `dimension_order`: the campaign's dimension keys in answer order."""
    segments = list(segments)
    if len(segments) > MAX_SPANS_PER_SUBMISSION:
        raise ValidationFailed(MSG_SEGMENTS_TOO_MANY.format(limit=MAX_SPANS_PER_SUBMISSION, count=len(segments)))
    order = {key: i for i, key in enumerate(dimension_order)}
    expected = "/".join(str(v) for v in sorted(frame_counts))
    for index, span in enumerate(segments):
        where = f"segments[{index}]"
        if span.video_id not in frame_counts:
            raise ValidationFailed(MSG_SEGMENT_VIDEO.format(where=where, video=span.video_id, expected=expected))
        if span.dimension not in order:
            raise ValidationFailed(MSG_SEGMENT_DIMENSION.format(where=where, dimension=span.dimension,
                                                                known=", ".join(dimension_order)))
        count = frame_counts[span.video_id]
        if not count:  # None (never measured) or 0: no frame can be named
            raise ValidationFailed(MSG_SEGMENT_NO_FRAME_COUNT.format(where=where, video=span.video_id))
        if not (_is_int(span.start_frame) and _is_int(span.end_frame)
                and 0 <= span.start_frame <= span.end_frame < count):
            raise ValidationFailed(MSG_SEGMENT_FRAMES.format(where=where, start=span.start_frame, end=span.end_frame,
                                                             video=span.video_id, count=count))
        if span.severity is not None and (not _is_int(span.severity) or span.severity not in SEVERITIES):
            raise ValidationFailed(MSG_SEGMENT_SEVERITY.format(where=where, severity=span.severity))
        if len(span.note) > MAX_NOTE:
            raise ValidationFailed(MSG_SEGMENT_NOTE.format(where=where, limit=MAX_NOTE, length=len(span.note)))

    tracks: dict[tuple[int, str], list[SegmentAnswer]] = defaultdict(list)
    for span in segments:
        tracks[(span.video_id, span.dimension)].append(span)
    for (video, dimension), spans in sorted(tracks.items(), key=lambda item: (item[0][0], order[item[0][1]])):
        if len(spans) > MAX_SPANS_PER_TRACK:
            raise ValidationFailed(MSG_SEGMENTS_TRACK_FULL.format(limit=MAX_SPANS_PER_TRACK, video=video,
                                                                  dimension=dimension, count=len(spans)))
        spans.sort(key=lambda s: (s.start_frame, s.end_frame))
        for first, second in zip(spans, spans[1:]):
            # touching spans (end 9, start 10) share no frame: the label page keeps them apart
            if second.start_frame <= first.end_frame:
                raise ValidationFailed(MSG_SEGMENTS_OVERLAP.format(
                    video=video, dimension=dimension, first=f"{first.start_frame}-{first.end_frame}",
                    second=f"{second.start_frame}-{second.end_frame}"))
    return sorted(segments, key=lambda s: (s.video_id, order[s.dimension], s.start_frame))
