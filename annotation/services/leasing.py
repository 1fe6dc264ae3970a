"""Handing out pairs: lease, heartbeat, reap.

The lease is claimed by one SQL statement: a CTE picks the best open pair with
`FOR UPDATE SKIP LOCKED`, the next takes one overlap slot from it, the third creates the
assignment and the outer SELECT returns it with the pair's videos and prompt (the payload). Concurrent
requests therefore never wait on each other's rows and never see the same free slot; the
CHECK constraint `taken <= overlap` backs the invariant if anything else goes wrong. A
transaction-scoped advisory lock per annotator serialises one person's own requests (a page
reload racing its prefetch), which keeps "at most K live leases" and "resume the open lease"
exact without touching any shared row.

Only pairs whose two videos are `ready` (rendition, poster and strip made) are offered.

Gold pairs are mixed in at the campaign's `gold_rate` (and make up the first
`qualification_gold_count` pairs): the same statement claims either kind, filtered on `is_gold`,
and falls back to the other kind when the wanted one is used up. A gold pair the annotator skipped,
flagged or let expire comes back, and qualification ends only with enough gold answered (not
skipped). Before claiming, the gold check runs; a paused annotator gets `annotator_paused` (403)
with the reason.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from annotation.db import hot_cursor
from annotation.models import AnnotatorStatus, Assignment, AssignmentState, Campaign, CampaignStatus
from annotation.selectors.assignments import PAIR_MEDIA_COLUMNS, pair_media_from_row
from annotation.services.gold import GoldStanding, annotator_gold_check, campaign_uses_gold
from studio_platform.errors import (
    MSG_ANNOTATOR_PAUSED,
    MSG_CAMPAIGN_NOT_ACTIVE,
    MSG_TOO_MANY_LEASES,
    AnnotatorPaused,
    CampaignNotActive,
    TooManyLeases,
)

# Namespace of pg_advisory_xact_lock(namespace, annotator_id) so other advisory locks never collide.
_ANNOTATOR_LOCK_NAMESPACE = 7301

_CLAIM_SQL = """
WITH candidate AS (
    SELECT p.id
    FROM annotation_pair p
    -- Only pairs whose two videos are ready: a pending video has no rendition to show, and its
    -- original is never served to annotators.
    JOIN annotation_video rva ON rva.id = p.video_a_id AND rva.status = 'ready'
    JOIN annotation_video rvb ON rvb.id = p.video_b_id AND rvb.status = 'ready'
    {mine_join}
    WHERE p.campaign_id = %(campaign_id)s
      AND p.is_gold = %(gold)s
      AND p.taken < p.overlap
      AND {not_mine}
    ORDER BY {order}
    LIMIT 1
    FOR UPDATE OF p SKIP LOCKED
), claimed AS (
    UPDATE annotation_pair p
    SET taken = p.taken + 1
    FROM candidate
    WHERE p.id = candidate.id
    RETURNING p.id, p.video_a_id, p.video_b_id
), created AS (
    INSERT INTO annotation_assignment (pair_id, campaign_id, annotator_id, a_on_left, state, leased_at, expires_at,
                                       heartbeat_at, finished_at, client_key, time_spent_ms, note)
    SELECT claimed.id, %(campaign_id)s, %(annotator_id)s, %(a_on_left)s, 'leased', %(now)s, %(expires_at)s,
           %(now)s, NULL, '', NULL, ''
    FROM claimed
    {on_conflict}
    RETURNING id, pair_id
)
SELECT created.id, created.pair_id, {media}
FROM created
JOIN claimed ON claimed.id = created.pair_id
JOIN annotation_video va ON va.id = claimed.video_a_id
JOIN annotation_video vb ON vb.id = claimed.video_b_id
JOIN annotation_prompt pr ON pr.id = va.prompt_id
"""
# Real pairs: never twice to the same annotator; already in progress first (finish them, breadth
# of the campaign comes after), then priority (active selection writes it), then a fixed random key.
_CLAIM_REAL_SQL = _CLAIM_SQL.format(
    mine_join="",
    not_mine="NOT EXISTS (SELECT 1 FROM annotation_assignment a "
             "WHERE a.pair_id = p.id AND a.annotator_id = %(annotator_id)s)",
    order="p.taken DESC, p.priority DESC, p.random_key", on_conflict="", media=PAIR_MEDIA_COLUMNS)
# Gold pairs cannot be declined: one the annotator skipped, flagged or let expire is offered again
# (after the gold they have not seen yet), by re-leasing their assignment row; only a submitted one
# is done. The order is a fixed shuffle per annotator, so the gold sequence differs from person to person.
_CLAIM_GOLD_SQL = _CLAIM_SQL.format(
    mine_join="LEFT JOIN annotation_assignment mine ON mine.pair_id = p.id AND mine.annotator_id = %(annotator_id)s",
    not_mine="(mine.id IS NULL OR mine.state IN ('skipped', 'flagged', 'expired'))",
    order="mine.id IS NOT NULL, md5(p.id::text || ':' || %(annotator_id)s::text)",
    on_conflict="ON CONFLICT (pair_id, annotator_id) DO UPDATE SET state = 'leased', a_on_left = EXCLUDED.a_on_left, "
                "leased_at = EXCLUDED.leased_at, expires_at = EXCLUDED.expires_at, "
                "heartbeat_at = EXCLUDED.heartbeat_at, finished_at = NULL, client_key = '', time_spent_ms = NULL, "
                "note = ''",
    media=PAIR_MEDIA_COLUMNS)
# Gold pairs this annotator has not submitted yet (qualification waits for them); like the claim,
# only pairs whose videos are ready count, so a gold pair whose video failed cannot block anyone.
_GOLD_LEFT_SQL = """
SELECT EXISTS (
    SELECT 1 FROM annotation_pair p
    JOIN annotation_video rva ON rva.id = p.video_a_id AND rva.status = 'ready'
    JOIN annotation_video rvb ON rvb.id = p.video_b_id AND rvb.status = 'ready'
    WHERE p.campaign_id = %(campaign_id)s AND p.is_gold
      AND NOT EXISTS (SELECT 1 FROM annotation_assignment a WHERE a.pair_id = p.id
                      AND a.annotator_id = %(annotator_id)s AND a.state = 'submitted')
)
"""

_REAP_SQL = """
WITH expired AS (
    UPDATE annotation_assignment
    SET state = 'expired', finished_at = %(now)s
    WHERE id IN (
        SELECT id FROM annotation_assignment
        WHERE state = 'leased' AND expires_at <= %(now)s {campaign_filter}
        ORDER BY id
        LIMIT %(batch)s
        FOR UPDATE SKIP LOCKED
    )
    RETURNING pair_id
), released AS (
    SELECT pair_id, count(*) AS n FROM expired GROUP BY pair_id
)
UPDATE annotation_pair p
SET taken = p.taken - released.n
FROM released
WHERE p.id = released.pair_id
RETURNING released.n
"""


# The annotator's live leases (oldest first) and their status row in this campaign, in one round
# trip: at least one row (a.id NULL when nothing is leased), the status id repeated on each.
_LIVE_SQL = """
SELECT s.id, a.id, a.pair_id, a.campaign_id, a.a_on_left, a.leased_at, a.expires_at, a.heartbeat_at
FROM (SELECT 1) AS one
LEFT JOIN annotation_annotatorstatus s ON s.campaign_id = %(campaign_id)s AND s.annotator_id = %(annotator_id)s
LEFT JOIN annotation_assignment a
       ON a.annotator_id = %(annotator_id)s AND a.state = 'leased' AND a.expires_at > %(now)s
ORDER BY a.leased_at, a.id
"""


def _lock_annotator(annotator_id: int) -> None:
    with hot_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ANNOTATOR_LOCK_NAMESPACE, annotator_id])


def _claim_one(*, campaign: Campaign, annotator_id: int, gold: bool, now: datetime) -> Assignment | None:
    params = {"campaign_id": campaign.pk, "annotator_id": annotator_id, "gold": gold, "now": now,
              "a_on_left": random.SystemRandom().random() < 0.5,
              "expires_at": now + timedelta(seconds=campaign.lease_ttl_seconds)}
    with hot_cursor() as cursor:
        cursor.execute(_CLAIM_GOLD_SQL if gold else _CLAIM_REAL_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    assignment = _assignment(pk=row[0], pair_id=row[1], campaign_id=campaign.pk, annotator_id=annotator_id,
                             a_on_left=params["a_on_left"], leased_at=now, expires_at=params["expires_at"],
                             heartbeat_at=now)
    assignment.media = pair_media_from_row(row[2:])  # the lease payload's videos and prompt, read by the claim
    return assignment


def _assignment(**values) -> Assignment:
    """An Assignment instance for a row this module just read or wrote (no further query)."""
    assignment = Assignment(state=AssignmentState.LEASED, **values)
    assignment._state.adding, assignment._state.db = False, connection.alias
    return assignment


def _claim(*, campaign: Campaign, annotator_id: int, want_gold: bool, now: datetime,
           fallback: bool = True) -> Assignment | None:
    """The wanted kind first, the other kind when it is used up (unless `fallback` is off): every
    annotator meets every gold pair eventually, even at gold_rate 0 (then after the real work). A
    gold row locked by someone else's claim is skipped like any other; `next` then answers
    `all_taken` and the client retries."""
    for gold in (want_gold, not want_gold) if fallback else (want_gold,):
        assignment = _claim_one(campaign=campaign, annotator_id=annotator_id, gold=gold, now=now)
        if assignment is not None:
            return assignment
    return None


def _qualifying(campaign: Campaign, standing: GoldStanding) -> bool:
    """Still answering the qualification gold: no real pair until it is done."""
    return campaign_uses_gold(campaign) and standing.gold_pairs_answered < campaign.qualification_gold_count


def _wants_gold(campaign: Campaign, standing: GoldStanding) -> bool:
    if not campaign_uses_gold(campaign):
        return False
    if _qualifying(campaign, standing):
        return True
    return random.SystemRandom().random() < campaign.gold_rate


def _gold_left(*, campaign: Campaign, annotator_id: int) -> bool:
    with hot_cursor() as cursor:
        cursor.execute(_GOLD_LEFT_SQL, {"campaign_id": campaign.pk, "annotator_id": annotator_id})
        return cursor.fetchone()[0]


def assignment_lease_next(
    *,
    campaign: Campaign,
    annotator,
    exclude_assignment_ids: Sequence[int] = (),
    now: datetime | None = None,
    refresh_campaign: bool = True,
) -> Assignment | None:
    """Return a live lease for `annotator`: an open one not in `exclude_assignment_ids`
    (a reload resumes its pair), else a newly claimed pair. None when nothing is left.

    `refresh_campaign=False` when the caller read the campaign in this request (the `next` view
    does): its status and leasing fields are then already current."""
    now = now or timezone.now()
    if refresh_campaign:
        campaign.refresh_from_db(fields=["status", "lease_ttl_seconds", "name", "gold_rate", "qualification_gold_count",
                                         "min_gold_accuracy", "min_gold_answers"])
    if campaign.status != CampaignStatus.ACTIVE:
        raise CampaignNotActive(MSG_CAMPAIGN_NOT_ACTIVE.format(name=campaign.name, status=campaign.status))

    with transaction.atomic():
        _lock_annotator(annotator.pk)
        with hot_cursor() as cursor:
            cursor.execute(_LIVE_SQL, {"campaign_id": campaign.pk, "annotator_id": annotator.pk, "now": now})
            rows = cursor.fetchall()
        status_id = rows[0][0]
        live = [_assignment(pk=r[1], pair_id=r[2], campaign_id=r[3], annotator_id=annotator.pk, a_on_left=r[4],
                            leased_at=r[5], expires_at=r[6], heartbeat_at=r[7]) for r in rows if r[1] is not None]
        # A status row exists only for annotators a reviewer or the gold check has acted on.
        status = None if status_id is None else AnnotatorStatus.objects.get(pk=status_id)
        standing = annotator_gold_check(campaign=campaign, annotator=annotator, now=now, status=status)
        if standing.paused is None:
            return _lease_locked(campaign=campaign, annotator=annotator, standing=standing, live=live,
                                 exclude_assignment_ids=exclude_assignment_ids, now=now)
    # Raised after the commit: an automatic pause must be stored, not rolled back with the request.
    raise AnnotatorPaused(MSG_ANNOTATOR_PAUSED.format(name=campaign.name, reason=standing.paused.reason),
                          extra={"reason": standing.paused.reason})


def _lease_locked(*, campaign: Campaign, annotator, standing: GoldStanding, live: list[Assignment],
                  exclude_assignment_ids: Sequence[int], now: datetime) -> Assignment | None:
    # `live`: every live lease of the annotator, oldest first (at most MAX_LIVE_LEASES_PER_ANNOTATOR).
    excluded = set(exclude_assignment_ids)
    resumable = next((a for a in live if a.campaign_id == campaign.pk and a.pk not in excluded), None)
    if resumable is not None:
        return resumable
    if len(live) >= settings.MAX_LIVE_LEASES_PER_ANNOTATOR:
        raise TooManyLeases(MSG_TOO_MANY_LEASES.format(count=len(live)))

    want_gold = _wants_gold(campaign, standing)
    # An annotator in qualification gets real pairs only once no gold is left for them to answer:
    # skipping the qualification gold does not skip the qualification.
    fallback = not _qualifying(campaign, standing) or not _gold_left(campaign=campaign, annotator_id=annotator.pk)
    assignment = _claim(campaign=campaign, annotator_id=annotator.pk, want_gold=want_gold, now=now, fallback=fallback)
    if assignment is None and leases_reap_expired(now=now, campaign_id=campaign.pk):
        # Expired leases were still holding slots; they are free now.
        assignment = _claim(campaign=campaign, annotator_id=annotator.pk, want_gold=want_gold, now=now,
                            fallback=fallback)
    return assignment


def leases_reap_expired(*, now: datetime | None = None, campaign_id: int | None = None, batch: int = 5000) -> int:
    """Expire leases past their deadline and give their slots back. Returns how many were reaped."""
    now = now or timezone.now()
    params = {"now": now, "batch": batch}
    campaign_filter = ""
    if campaign_id is not None:
        campaign_filter = "AND campaign_id = %(campaign_id)s"
        params["campaign_id"] = campaign_id
    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_REAP_SQL.format(campaign_filter=campaign_filter), params)
        total = sum(row[0] for row in cursor.fetchall())
    return total
