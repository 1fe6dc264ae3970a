"""Plain-dict payloads of the annotator's hot path (`next`, `submit` and its replays).

DRF's ModelSerializers rebuild their fields on every instantiation; for the two requests every
annotator sends for every pair that was a quarter of the server's CPU. These functions build the
same JSON from the raw rows of `annotation.selectors.assignments`. The serializers in
`serializers.py` (LeaseSerializer, AssignmentResultSerializer) stay the documented schema and the
reference: `tests/annotation/test_payloads.py` asserts both give identical output. Like them,
nothing here carries generator names, seeds or source paths.
"""
from __future__ import annotations

from rest_framework import serializers

from annotation.models import Assignment, Prompt, Video
from annotation.selectors.assignments import LeaseCampaign, PairMedia

_DATETIME = serializers.DateTimeField()  # DRF's own formatting (time zone, 'Z' suffix)


def _storage_url(field, name: str) -> str:
    if not name:  # FieldFile.url says the same about an empty file field
        raise ValueError(f"The '{field.name}' attribute has no file associated with it.")
    return field.storage.url(name)


def _float(value):
    return None if value is None else float(value)


def _video(row: dict) -> dict:
    """BlindVideoSerializer's shape: the rendition and its own size and timing, never the original."""
    rendition, poster = row["rendition"], row["poster"]
    return {"id": row["id"],
            "url": _storage_url(Video._meta.get_field("rendition"), rendition) if rendition else None,
            "poster_url": _storage_url(Video._meta.get_field("poster"), poster) if poster else None,
            "fps": _float(row["rendition_fps"]), "frame_count": row["rendition_frame_count"],
            "width": row["rendition_width"], "height": row["rendition_height"],
            "duration_s": _float(row["rendition_duration_s"])}


def lease_payload(*, assignment: Assignment, campaign: LeaseCampaign, media: PairMedia) -> dict:
    """What the labelling page needs for one pair (LeaseSerializer's shape)."""
    prompt = media.prompt
    return {
        "assignment": assignment.pk,
        "campaign": assignment.campaign_id,
        "state": assignment.state,
        "expires_at": _DATETIME.to_representation(assignment.expires_at),
        "lease_ttl_seconds": campaign.campaign.lease_ttl_seconds,
        "left": "a" if assignment.a_on_left else "b",
        "video_a": _video(media.video_a),
        "video_b": _video(media.video_b),
        "prompt": {"id": prompt["id"], "text": prompt["text"],
                   "initial_image_url": _storage_url(Prompt._meta.get_field("initial_image"), prompt["initial_image"]),
                   "action_label": prompt["action_label"]},
        "protocol": campaign.campaign.protocol,
        "dimensions": campaign.dimensions,
    }


def result_payload(*, assignment: Assignment, judgments: list[dict], ratings: list[dict], segments: list[dict],
                   replayed: bool) -> dict:
    """The stored outcome of a finished assignment (AssignmentResultSerializer's shape) plus `replayed`."""
    return {
        "assignment": assignment.pk,
        "state": assignment.state,
        "client_key": assignment.client_key,
        "finished_at": _DATETIME.to_representation(assignment.finished_at),
        "time_spent_ms": assignment.time_spent_ms,
        "judgments": judgments,
        "ratings": ratings,
        "segments": segments,
        "replayed": replayed,
    }
