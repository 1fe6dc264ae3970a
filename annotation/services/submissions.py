"""Finishing a lease: submit answers, skip, flag, heartbeat.

Every finishing write runs in one transaction holding the assignment's row lock, and is
idempotent on the client's key: a retried request with the same key returns the stored
result and writes nothing; the same key on another request is a conflict.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotation.errors import (
    MSG_IDEMPOTENCY_CONFLICT,
    MSG_LEASE_EXPIRED,
    MSG_LEASE_FINISHED,
    MSG_LEASE_NOT_YOURS,
    MSG_MISSING_DIMENSIONS,
    MSG_PAIR_MISMATCH,
    MSG_UNKNOWN_DIMENSIONS,
    IdempotencyConflict,
    LeaseExpired,
    LeaseFinished,
    NotFound,
    ValidationFailed,
)
from annotation.models import Assignment, AssignmentState, Flag, FlagReason, Judgment, Pair, Rating

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


def _check_replay_or_live(assignment: Assignment, *, client_key: str, finishing_state: str, now: datetime) -> bool:
    """True when this request is a replay of the one that already finished the assignment."""
    if assignment.state != AssignmentState.LEASED:
        if assignment.state == finishing_state and assignment.client_key == client_key:
            return True
        raise LeaseFinished(MSG_LEASE_FINISHED.format(state=assignment.state))
    if assignment.expires_at <= now:
        raise LeaseExpired(MSG_LEASE_EXPIRED)
    key_taken = (
        Assignment.objects.filter(annotator_id=assignment.annotator_id, client_key=client_key)
        .exclude(pk=assignment.pk)
        .exists()
    )
    if key_taken:
        raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT.format(key=client_key))
    return False


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


def judgment_submit(
    *,
    assignment_id: int,
    annotator,
    client_key: str,
    video_a_id: int,
    video_b_id: int,
    answers: list[Answer],
    ratings: list[RatingAnswer] = (),
    time_spent_ms: int | None = None,
    now: datetime | None = None,
) -> tuple[Assignment, bool]:
    """Store the answers of a live lease. Returns (assignment, replayed)."""
    now = now or timezone.now()
    _validate_client_key(client_key)
    if time_spent_ms is not None and not (0 <= time_spent_ms <= MAX_TIME_SPENT_MS):
        raise ValidationFailed("time_spent_ms must be between 0 and 86,400,000.")
    answers, ratings = list(answers), list(ratings)
    with transaction.atomic():
        assignment = _lock_assignment(assignment_id=assignment_id, annotator=annotator)
        if _check_replay_or_live(assignment, client_key=client_key, finishing_state=AssignmentState.SUBMITTED, now=now):
            return assignment, True
        pair = assignment.pair
        if (video_a_id, video_b_id) != (pair.video_a_id, pair.video_b_id):
            raise ValidationFailed(
                MSG_PAIR_MISMATCH.format(given=f"{video_a_id}/{video_b_id}", expected=f"{pair.video_a_id}/{pair.video_b_id}")
            )
        dimension_ids = dict(assignment.campaign.dimensions.values_list("key", "id"))
        _validate_answers(assignment, answers, ratings, dimension_ids)
        Judgment.objects.bulk_create(
            Judgment(assignment=assignment, pair=pair, annotator_id=assignment.annotator_id,
                     dimension_id=dimension_ids[a.dimension], strength=a.strength)
            for a in answers
        )
        Rating.objects.bulk_create(
            Rating(assignment=assignment, video_id=r.video_id, annotator_id=assignment.annotator_id,
                   dimension_id=dimension_ids[r.dimension], score=r.score)
            for r in ratings
        )
        _finish(assignment, state=AssignmentState.SUBMITTED, client_key=client_key, now=now, time_spent_ms=time_spent_ms)
        Pair.objects.filter(pk=pair.pk).update(completed=F("completed") + 1)
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
        if assignment.state != AssignmentState.LEASED:
            raise LeaseFinished(MSG_LEASE_FINISHED.format(state=assignment.state))
        if assignment.expires_at <= now:
            raise LeaseExpired(MSG_LEASE_EXPIRED)
        assignment.heartbeat_at = now
        assignment.expires_at = now + timedelta(seconds=assignment.campaign.lease_ttl_seconds)
        assignment.save(update_fields=["heartbeat_at", "expires_at"])
    return assignment
