"""Reads behind the annotator's hot path: `next` and `submit`.

Every annotator calls these several times a minute, so each is one raw statement with a fixed
shape (no N+1, no ORM query compilation) returning plain values. The payload builders that turn
them into JSON live in `annotation.api.payloads`; `tests/annotation/test_payloads.py` checks them
against the DRF serializers that document the same shapes.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Prefetch

from annotation.db import hot_cursor
from annotation.models import Assignment, Campaign, CampaignStatus, Dimension
from studio_platform.errors import MSG_LEASE_NOT_YOURS, NotFound
from studio_platform.roles import REVIEWER, user_has_role

_CAMPAIGN_FIELDS = ("id", "name", "status", "protocol", "lease_ttl_seconds", "gold_rate", "qualification_gold_count",
                    "min_gold_accuracy", "min_gold_answers")
_CAMPAIGN_SQL = f"""
SELECT {", ".join("c." + f for f in _CAMPAIGN_FIELDS)},
       coalesce((SELECT json_agg(json_build_object('key', d.key, 'group', d."group", 'name', d.name,
                                                   'definition', d.definition, 'guideline', d.guideline,
                                                   'order', d."order") ORDER BY d."order", d.key)
                 FROM annotation_campaign_dimensions cd JOIN annotation_dimension d ON d.id = cd.dimension_id
                 WHERE cd.campaign_id = c.id), '[]'::json)
FROM annotation_campaign c WHERE c.id = %s
"""

# The rendition's columns only: the original's name and facts never reach an annotator.
_VIDEO_FIELDS = ("id", "rendition", "poster", "rendition_fps", "rendition_frame_count", "rendition_width",
                 "rendition_height", "rendition_duration_s")
# The payload's columns of a pair's two videos and prompt, given aliases va, vb, pr. Leasing appends
# them to its claim statement so that a fresh lease needs no separate read (`pair_media_from_row`).
PAIR_MEDIA_COLUMNS = (f'{", ".join("va." + f for f in _VIDEO_FIELDS)}, {", ".join("vb." + f for f in _VIDEO_FIELDS)}, '
                      "pr.id, pr.text, pr.initial_image, pr.action_label")
_PAIR_MEDIA_SQL = f"""
SELECT {PAIR_MEDIA_COLUMNS}
FROM annotation_pair p
JOIN annotation_video va ON va.id = p.video_a_id
JOIN annotation_video vb ON vb.id = p.video_b_id
JOIN annotation_prompt pr ON pr.id = va.prompt_id
WHERE p.id = %s
"""


@dataclass(frozen=True)
class LeaseCampaign:
    """A campaign as `next` needs it: the model instance (the fields leasing reads) and its
    dimensions as the payload shows them, in answer order."""

    campaign: Campaign
    dimensions: list[dict]


@dataclass(frozen=True)
class PairMedia:
    """The two videos and the prompt of a pair, as raw column values (no generator, no seed)."""

    video_a: dict
    video_b: dict
    prompt: dict


def campaign_for_lease(*, campaign_id: int, user) -> LeaseCampaign:
    """The campaign and its dimensions in one query. Annotators only see active campaigns (404
    otherwise, as the campaign list hides the rest); reviewers see every campaign, and leasing
    then tells them it is not active."""
    with hot_cursor() as cursor:
        cursor.execute(_CAMPAIGN_SQL, [campaign_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound("No such campaign.")
    campaign = Campaign(**dict(zip(_CAMPAIGN_FIELDS, row[:-1], strict=True)))
    campaign._state.adding, campaign._state.db = False, connection.alias
    if campaign.status != CampaignStatus.ACTIVE and not user_has_role(user, REVIEWER):
        raise NotFound("No such campaign.")
    return LeaseCampaign(campaign=campaign, dimensions=row[-1])


def pair_media(*, pair_id: int) -> PairMedia:
    with hot_cursor() as cursor:
        cursor.execute(_PAIR_MEDIA_SQL, [pair_id])
        row = cursor.fetchone()
    return pair_media_from_row(row)


def pair_media_from_row(row) -> PairMedia:
    """PairMedia from the values of PAIR_MEDIA_COLUMNS, in order."""
    n = len(_VIDEO_FIELDS)
    return PairMedia(
        video_a=dict(zip(_VIDEO_FIELDS, row[:n], strict=True)),
        video_b=dict(zip(_VIDEO_FIELDS, row[n:2 * n], strict=True)),
        prompt=dict(zip(("id", "text", "initial_image", "action_label"), row[2 * n:], strict=True)),
    )


# What a submit and every replay of it answer, in one statement: the judgments (by dimension order),
# the ratings (by video, then dimension order) and the segments (by video, dimension order, start
# frame), each as a JSON list in the wire shape. A protocol's list is empty when the campaign does
# not ask for it (the flags), as the serializer's are.
_RESULT_ROWS_SQL = """
SELECT
  CASE WHEN %(pairwise)s THEN coalesce((
    SELECT json_agg(json_build_object('dimension', d.key, 'strength', j.strength) ORDER BY d."order", d.id)
    FROM annotation_judgment j JOIN annotation_dimension d ON d.id = j.dimension_id
    WHERE j.assignment_id = %(assignment_id)s), '[]'::json) ELSE '[]'::json END,
  CASE WHEN %(ratings)s THEN coalesce((
    SELECT json_agg(json_build_object('video', r.video_id, 'dimension', d.key, 'score', r.score)
                    ORDER BY r.video_id, d."order", d.id)
    FROM annotation_rating r JOIN annotation_dimension d ON d.id = r.dimension_id
    WHERE r.assignment_id = %(assignment_id)s), '[]'::json) ELSE '[]'::json END,
  coalesce((
    SELECT json_agg(json_build_object('video', g.video_id, 'dimension', d.key, 'start_frame', g.start_frame,
                                      'end_frame', g.end_frame, 'severity', g.severity, 'note', g.note)
                    ORDER BY g.video_id, d."order", d.id, g.start_frame)
    FROM annotation_segment g JOIN annotation_dimension d ON d.id = g.dimension_id
    WHERE g.assignment_id = %(assignment_id)s), '[]'::json)
"""


def assignment_result_rows(*, assignment_id: int, pairwise: bool,
                           ratings: bool) -> tuple[list[dict], list[dict], list[dict]]:
    """The stored judgments, ratings and segments of one assignment: what a submit and every replay
    of it answer (one statement)."""
    with hot_cursor() as cursor:
        cursor.execute(_RESULT_ROWS_SQL, {"assignment_id": assignment_id, "pairwise": pairwise, "ratings": ratings})
        judgments, scores, segments = cursor.fetchone()
    return judgments, scores, segments


def assignment_for_payload(*, assignment_id: int, annotator) -> Assignment:
    """An annotator's own assignment with everything the lease payload shows, in a fixed number of queries."""
    assignment = (
        Assignment.objects.select_related("campaign", "pair__video_a__prompt", "pair__video_b")
        .prefetch_related(Prefetch("campaign__dimensions", queryset=Dimension.objects.order_by("order", "key")))
        .filter(pk=assignment_id, annotator=annotator)
        .first()
    )
    if assignment is None:
        raise NotFound(MSG_LEASE_NOT_YOURS)
    return assignment
