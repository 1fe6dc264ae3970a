"""Finishing a lease: submit answers, skip, flag, heartbeat.

Every finishing write runs in one transaction holding the assignment's row lock, and is
idempotent on the client's key: a retried request with the same key returns the stored
result and writes nothing; the same key on another request is a conflict.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from annotation.db import hot_cursor
from annotation.services.segments import SegmentAnswer, segments_check
from annotation.models import (
    AnnotatorState,
    AnnotatorStatus,
    Assignment,
    AssignmentState,
    Campaign,
    Flag,
    FlagReason,
    Pair,
)
from studio_platform.errors import (
    MSG_ANNOTATOR_PAUSED,
    MSG_IDEMPOTENCY_CONFLICT,
    MSG_LEASE_EXPIRED,
    MSG_LEASE_FINISHED,
    MSG_LEASE_NOT_YOURS,
    MSG_MISSING_DIMENSIONS,
    MSG_PAIR_MISMATCH,
    MSG_UNKNOWN_DIMENSIONS,
    AnnotatorPaused,
    IdempotencyConflict,
    LeaseExpired,
    LeaseFinished,
    NotFound,
    ValidationFailed,
)

STRENGTH_RANGE = range(-2, 3)
RATING_RANGE = range(1, 6)
MAX_TIME_SPENT_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class Answer:
    dimension: str
    strength: int


@dataclass(frozen=True)
class RatingAnswer:
    video_id: int
    dimension: str
    score: int


def _validate_client_key(client_key: str) -> None:
    if not client_key or len(client_key) > 64:
        raise ValidationFailed("client_key is required (1-64 characters, one fresh key per submission).")


def _lock_assignment(*, assignment_id: int, annotator) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("pair", "campaign")
        .filter(pk=assignment_id, annotator=annotator)
        .first()
    )
    if assignment is None:
        raise NotFound(MSG_LEASE_NOT_YOURS)
    return assignment


def _check_replay_or_live(assignment: Assignment, *, client_key: str, finishing_state: str, now: datetime,
                          key_taken: bool | None = None) -> bool:
    """True when this request is a replay of the one that already finished the assignment.
    `key_taken`: whether another assignment of this annotator holds `client_key` (None: look it up)."""
    if assignment.state != AssignmentState.LEASED:
        if assignment.state == finishing_state and assignment.client_key == client_key:
            return True
        raise LeaseFinished(MSG_LEASE_FINISHED.format(state=assignment.state))
    if assignment.expires_at <= now:
        raise LeaseExpired(MSG_LEASE_EXPIRED)
    if key_taken is None:
        key_taken = (
            Assignment.objects.filter(annotator_id=assignment.annotator_id, client_key=client_key)
            .exclude(pk=assignment.pk)
            .exists()
        )
    if key_taken:
        raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT.format(key=client_key))
    return False


def _refuse_if_paused(campaign: Campaign, paused_reason: str | None) -> None:
    """A paused annotator keeps no work: pausing releases their leases, and this refuses a submit or
    heartbeat that races the pause (or follows a pause set without the service)."""
    if paused_reason is not None:
        raise AnnotatorPaused(MSG_ANNOTATOR_PAUSED.format(name=campaign.name, reason=paused_reason),
                              extra={"reason": paused_reason})


def _finish(assignment: Assignment, *, state: str, client_key: str, now: datetime, time_spent_ms: int | None,
            note: str = "") -> None:
    assignment.state = state
    assignment.client_key = client_key
    assignment.finished_at = now
    assignment.time_spent_ms = time_spent_ms
    assignment.note = note
    assignment.save(update_fields=["state", "client_key", "finished_at", "time_spent_ms", "note"])


def _validate_answers(assignment: Assignment, answers: list[Answer], ratings: list[RatingAnswer],
                      wanted: dict[str, int]) -> None:
    """`wanted` maps the campaign's dimension keys to their ids."""
    campaign = assignment.campaign
    if campaign.wants_pairwise:
        given = [a.dimension for a in answers]
        unknown = sorted(set(given) - set(wanted))
        if unknown:
            raise ValidationFailed(MSG_UNKNOWN_DIMENSIONS.format(unknown=", ".join(unknown)))
        if len(given) != len(set(given)):
            raise ValidationFailed("Each dimension may be answered once per submission.")
        missing = sorted(set(wanted) - set(given))
        if missing:
            raise ValidationFailed(MSG_MISSING_DIMENSIONS.format(missing=", ".join(missing)))
        bad = [a.dimension for a in answers if a.strength not in STRENGTH_RANGE]
        if bad:
            raise ValidationFailed(f"strength must be an integer from -2 to 2 (bad: {', '.join(bad)}).")
    elif answers:
        raise ValidationFailed("This campaign uses the rating protocol; send ratings, not answers.")

    if campaign.wants_ratings:
        videos = {assignment.pair.video_a_id, assignment.pair.video_b_id}
        expected = {(v, d) for v in videos for d in wanted}
        given_pairs = [(r.video_id, r.dimension) for r in ratings]
        if len(given_pairs) != len(set(given_pairs)):
            raise ValidationFailed("Each (video, dimension) may be rated once per submission.")
        extra = set(given_pairs) - expected
        if extra:
            raise ValidationFailed(f"Ratings name videos or dimensions outside this pair/campaign: {sorted(extra)}.")
        missing = expected - set(given_pairs)
        if missing:
            raise ValidationFailed(
                MSG_MISSING_DIMENSIONS.format(missing=", ".join(f"video {v}/{d}" for v, d in sorted(missing)))
            )
        bad = [f"video {r.video_id}/{r.dimension}" for r in ratings if r.score not in RATING_RANGE]
        if bad:
            raise ValidationFailed(f"score must be an integer from 1 to 5 (bad: {', '.join(bad)}).")
    elif ratings:
        raise ValidationFailed("This campaign uses the pairwise protocol; send answers, not ratings.")


# The assignment, locked, with everything a submit checks: the pair's videos and their rendition
# frame counts (the grid spans are checked against), the campaign's protocol and dimensions
# (key -> id), and whether the client key is already used elsewhere.
_SUBMIT_LOCK_SQL = """
SELECT a.id, a.state, a.client_key, a.expires_at, a.finished_at, a.time_spent_ms, a.pair_id, a.campaign_id,
       p.video_a_id, p.video_b_id, va.rendition_frame_count, vb.rendition_frame_count, c.protocol,
       EXISTS (SELECT 1 FROM annotation_assignment o
               WHERE o.annotator_id = a.annotator_id AND o.client_key = %(client_key)s AND o.id <> a.id),
       ARRAY(SELECT d.key FROM annotation_campaign_dimensions cd JOIN annotation_dimension d ON d.id = cd.dimension_id
             WHERE cd.campaign_id = a.campaign_id ORDER BY d."order", d.id),
       ARRAY(SELECT d.id FROM annotation_campaign_dimensions cd JOIN annotation_dimension d ON d.id = cd.dimension_id
             WHERE cd.campaign_id = a.campaign_id ORDER BY d."order", d.id),
       c.name,
       (SELECT s.reason FROM annotation_annotatorstatus s
        WHERE s.campaign_id = a.campaign_id AND s.annotator_id = a.annotator_id AND s.state = 'paused')
FROM annotation_assignment a
JOIN annotation_pair p ON p.id = a.pair_id
JOIN annotation_video va ON va.id = p.video_a_id
JOIN annotation_video vb ON vb.id = p.video_b_id
JOIN annotation_campaign c ON c.id = a.campaign_id
WHERE a.id = %(assignment_id)s AND a.annotator_id = %(annotator_id)s
FOR UPDATE OF a
"""
# Every write of a submission in one statement (data-modifying CTEs): the judgments, the ratings,
# the segments, the pair's completed counter and the assignment's final state.
_SUBMIT_WRITE_SQL = """
WITH judgments AS (
    INSERT INTO annotation_judgment (assignment_id, pair_id, annotator_id, dimension_id, strength, created_at)
    SELECT %(assignment_id)s, %(pair_id)s, %(annotator_id)s, t.dimension_id, t.strength, %(now)s
    FROM unnest(%(j_dimensions)s::bigint[], %(j_strengths)s::smallint[]) AS t(dimension_id, strength)
), ratings AS (
    INSERT INTO annotation_rating (assignment_id, video_id, annotator_id, dimension_id, score, created_at)
    SELECT %(assignment_id)s, t.video_id, %(annotator_id)s, t.dimension_id, t.score, %(now)s
    FROM unnest(%(r_videos)s::bigint[], %(r_dimensions)s::bigint[], %(r_scores)s::smallint[])
         AS t(video_id, dimension_id, score)
), segments AS (
    INSERT INTO annotation_segment (assignment_id, video_id, annotator_id, dimension_id, start_frame, end_frame,
                                    severity, note, created_at)
    SELECT %(assignment_id)s, t.video_id, %(annotator_id)s, t.dimension_id, t.start_frame, t.end_frame, t.severity,
           t.note, %(now)s
    FROM unnest(%(s_videos)s::bigint[], %(s_dimensions)s::bigint[], %(s_starts)s::integer[], %(s_ends)s::integer[],
                %(s_severities)s::smallint[], %(s_notes)s::text[])
         AS t(video_id, dimension_id, start_frame, end_frame, severity, note)
), pair AS (
    UPDATE annotation_pair SET completed = completed + 1 WHERE id = %(pair_id)s
)
UPDATE annotation_assignment
SET state = 'submitted', client_key = %(client_key)s, finished_at = %(now)s, time_spent_ms = %(time_spent_ms)s,
    note = ''
WHERE id = %(assignment_id)s
"""


def _lock_for_submit(*, assignment_id: int, annotator, client_key: str) -> tuple[Assignment, bool, dict[str, int]]:
    """(assignment with its pair and campaign attached, client key used by another assignment,
    dimension key -> id in answer order). Raises NotFound for someone else's or a missing assignment.
    The assignment carries `paused_reason`: the annotator's pause in this campaign, or None; and
    `frame_counts`: the pair's two videos -> their rendition frame count (None: not measured)."""
    with hot_cursor() as cursor:
        cursor.execute(_SUBMIT_LOCK_SQL, {"assignment_id": assignment_id, "annotator_id": annotator.pk,
                                          "client_key": client_key})
        row = cursor.fetchone()
    if row is None:
        raise NotFound(MSG_LEASE_NOT_YOURS)
    (pk, state, stored_key, expires_at, finished_at, time_spent_ms, pair_id, campaign_id, video_a_id, video_b_id,
     frames_a, frames_b, protocol, key_taken, dimension_keys, dimension_ids, campaign_name, paused_reason) = row
    assignment = Assignment(pk=pk, state=state, client_key=stored_key, expires_at=expires_at, finished_at=finished_at,
                            time_spent_ms=time_spent_ms, annotator_id=annotator.pk,
                            pair=Pair(pk=pair_id, campaign_id=campaign_id, video_a_id=video_a_id, video_b_id=video_b_id),
                            campaign=Campaign(pk=campaign_id, protocol=protocol, name=campaign_name))
    assignment.paused_reason = paused_reason
    assignment.frame_counts = {video_a_id: frames_a, video_b_id: frames_b}
    for instance in (assignment, assignment.pair, assignment.campaign):
        instance._state.adding, instance._state.db = False, connection.alias
    return assignment, key_taken, dict(zip(dimension_keys, dimension_ids, strict=True))


def judgment_submit(
    *,
    assignment_id: int,
    annotator,
    client_key: str,
    video_a_id: int,
    video_b_id: int,
    answers: list[Answer],
    ratings: list[RatingAnswer] = (),
    segments: list[SegmentAnswer] = (),
    time_spent_ms: int | None = None,
    now: datetime | None = None,
) -> tuple[Assignment, bool]:
    """Store the answers (and optional temporal segments) of a live lease. Returns (assignment, replayed).

    Two statements inside the transaction: the locking read and one write (the annotator's
    most frequent request, so it is kept to the fewest round trips). On a fresh submission the
    assignment carries `written`: the judgments, ratings and segments just stored, in the order the
    API returns stored results (`assignment_result_rows`), so the response needs no further read."""
    now = now or timezone.now()
    _validate_client_key(client_key)
    if time_spent_ms is not None and not (0 <= time_spent_ms <= MAX_TIME_SPENT_MS):
        raise ValidationFailed("time_spent_ms must be between 0 and 86,400,000.")
    answers, ratings, segments = list(answers), list(ratings), list(segments)
    with transaction.atomic():
        assignment, key_taken, dimension_ids = _lock_for_submit(assignment_id=assignment_id, annotator=annotator,
                                                                client_key=client_key)
        replay = assignment.state == AssignmentState.SUBMITTED and assignment.client_key == client_key
        if not replay:  # a retry of a submit stored before the pause still gets its answer
            _refuse_if_paused(assignment.campaign, assignment.paused_reason)
        if _check_replay_or_live(assignment, client_key=client_key, finishing_state=AssignmentState.SUBMITTED, now=now,
                                 key_taken=key_taken):
            return assignment, True
        pair = assignment.pair
        if (video_a_id, video_b_id) != (pair.video_a_id, pair.video_b_id):
            raise ValidationFailed(
                MSG_PAIR_MISMATCH.format(given=f"{video_a_id}/{video_b_id}", expected=f"{pair.video_a_id}/{pair.video_b_id}")
            )
        _validate_answers(assignment, answers, ratings, dimension_ids)
        segments = segments_check(segments, frame_counts=assignment.frame_counts, dimension_order=list(dimension_ids))
        with hot_cursor() as cursor:
            cursor.execute(_SUBMIT_WRITE_SQL, {
                "assignment_id": assignment.pk, "pair_id": pair.pk, "annotator_id": annotator.pk, "now": now,
                "client_key": client_key, "time_spent_ms": time_spent_ms,
                "j_dimensions": [dimension_ids[a.dimension] for a in answers],
                "j_strengths": [a.strength for a in answers],
                "r_videos": [r.video_id for r in ratings],
                "r_dimensions": [dimension_ids[r.dimension] for r in ratings],
                "r_scores": [r.score for r in ratings],
                "s_videos": [g.video_id for g in segments],
                "s_dimensions": [dimension_ids[g.dimension] for g in segments],
                "s_starts": [g.start_frame for g in segments], "s_ends": [g.end_frame for g in segments],
                "s_severities": [g.severity for g in segments], "s_notes": [g.note for g in segments],
            })
    assignment.state, assignment.client_key, assignment.finished_at = AssignmentState.SUBMITTED, client_key, now
    assignment.time_spent_ms, assignment.note = time_spent_ms, ""
    order = {key: i for i, key in enumerate(dimension_ids)}
    assignment.written = (
        [{"dimension": a.dimension, "strength": a.strength} for a in sorted(answers, key=lambda a: order[a.dimension])],
        [{"video": r.video_id, "dimension": r.dimension, "score": r.score}
         for r in sorted(ratings, key=lambda r: (r.video_id, order[r.dimension]))],
        [g.as_payload() for g in segments],  # already in stored order
    )
    return assignment, False


def _release(*, assignment_id: int, annotator, client_key: str, state: str, now: datetime | None,
             note: str = "", flag_reason: str | None = None, flag_video_id: int | None = None,
             time_spent_ms: int | None = None) -> tuple[Assignment, bool]:
    now = now or timezone.now()
    _validate_client_key(client_key)
    if len(note) > 500:
        raise ValidationFailed("note is limited to 500 characters.")
    with transaction.atomic():
        assignment = _lock_assignment(assignment_id=assignment_id, annotator=annotator)
        if _check_replay_or_live(assignment, client_key=client_key, finishing_state=state, now=now):
            return assignment, True
        if flag_reason is not None:
            if flag_reason not in FlagReason.values:
                raise ValidationFailed(f"reason must be one of: {', '.join(FlagReason.values)}.")
            pair = assignment.pair
            if flag_video_id is not None and flag_video_id not in (pair.video_a_id, pair.video_b_id):
                raise ValidationFailed("video must be one of the two videos of this pair.")
            Flag.objects.create(assignment=assignment, video_id=flag_video_id, reason=flag_reason, note=note,
                                created_by_id=assignment.annotator_id)
        _finish(assignment, state=state, client_key=client_key, now=now, time_spent_ms=time_spent_ms, note=note)
        # The slot goes back to the pool: someone else judges this pair instead.
        Pair.objects.filter(pk=assignment.pair_id).update(taken=F("taken") - 1)
    return assignment, False


def assignment_skip(*, assignment_id: int, annotator, client_key: str, note: str = "",
                    time_spent_ms: int | None = None, now: datetime | None = None) -> tuple[Assignment, bool]:
    return _release(assignment_id=assignment_id, annotator=annotator, client_key=client_key,
                    state=AssignmentState.SKIPPED, note=note, now=now, time_spent_ms=time_spent_ms)


def assignment_flag(*, assignment_id: int, annotator, client_key: str, reason: str, note: str = "",
                    video_id: int | None = None, now: datetime | None = None) -> tuple[Assignment, bool]:
    return _release(assignment_id=assignment_id, annotator=annotator, client_key=client_key,
                    state=AssignmentState.FLAGGED, note=note, now=now, flag_reason=reason, flag_video_id=video_id)


def assignment_heartbeat(*, assignment_id: int, annotator, now: datetime | None = None) -> Assignment:
    """Extend a live lease by the campaign's TTL."""
    now = now or timezone.now()
    with transaction.atomic():
        assignment = _lock_assignment(assignment_id=assignment_id, annotator=annotator)
        _refuse_if_paused(assignment.campaign, AnnotatorStatus.objects.filter(
            campaign_id=assignment.campaign_id, annotator=annotator, state=AnnotatorState.PAUSED,
        ).values_list("reason", flat=True).first())
        if assignment.state != AssignmentState.LEASED:
            raise LeaseFinished(MSG_LEASE_FINISHED.format(state=assignment.state))
        if assignment.expires_at <= now:
            raise LeaseExpired(MSG_LEASE_EXPIRED)
        assignment.heartbeat_at = now
        assignment.expires_at = now + timedelta(seconds=assignment.campaign.lease_ttl_seconds)
        assignment.save(update_fields=["heartbeat_at", "expires_at"])
    return assignment
