"""Handing out pairs: lease, heartbeat, reap.

The lease is claimed by one SQL statement: a CTE picks the best open pair with
`FOR UPDATE SKIP LOCKED` and the outer UPDATE takes one overlap slot from it. Concurrent
requests therefore never wait on each other's rows and never see the same free slot; the
CHECK constraint `taken <= overlap` backs the invariant if anything else goes wrong. A
transaction-scoped advisory lock per annotator serialises one person's own requests (a page
reload racing its prefetch), which keeps "at most K live leases" and "resume the open lease"
exact without touching any shared row.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from annotation.errors import (
    MSG_CAMPAIGN_NOT_ACTIVE,
    MSG_TOO_MANY_LEASES,
    CampaignNotActive,
    TooManyLeases,
)
from annotation.models import Assignment, AssignmentState, Campaign, CampaignStatus

# Namespace of pg_advisory_xact_lock(namespace, annotator_id) so other advisory locks never collide.
_ANNOTATOR_LOCK_NAMESPACE = 7301

# Order: pairs already in progress first (finish them, breadth of the campaign comes after),
# then priority (active selection writes it), then a fixed random key.
_CLAIM_SQL = """
WITH candidate AS (
    SELECT p.id
    FROM annotation_pair p
    WHERE p.campaign_id = %(campaign_id)s
      AND p.taken < p.overlap
      AND NOT EXISTS (
          SELECT 1 FROM annotation_assignment a
          WHERE a.pair_id = p.id AND a.annotator_id = %(annotator_id)s
      )
    ORDER BY p.taken DESC, p.priority DESC, p.random_key
    LIMIT 1
    FOR UPDATE OF p SKIP LOCKED
)
UPDATE annotation_pair p
SET taken = p.taken + 1
FROM candidate
WHERE p.id = candidate.id
RETURNING p.id
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


def _lock_annotator(annotator_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ANNOTATOR_LOCK_NAMESPACE, annotator_id])


def _claim_pair_id(*, campaign_id: int, annotator_id: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, {"campaign_id": campaign_id, "annotator_id": annotator_id})
        row = cursor.fetchone()
    return row[0] if row else None


def assignment_lease_next(
    *,
    campaign: Campaign,
    annotator,
    exclude_assignment_ids: Sequence[int] = (),
    now: datetime | None = None,
) -> Assignment | None:
    """Return a live lease for `annotator`: an open one not in `exclude_assignment_ids`
    (a reload resumes its pair), else a newly claimed pair. None when nothing is left."""
    now = now or timezone.now()
    campaign.refresh_from_db(fields=["status", "lease_ttl_seconds", "name"])
    if campaign.status != CampaignStatus.ACTIVE:
        raise CampaignNotActive(MSG_CAMPAIGN_NOT_ACTIVE.format(name=campaign.name, status=campaign.status))

    with transaction.atomic():
        _lock_annotator(annotator.pk)
        live = Assignment.objects.filter(annotator=annotator, state=AssignmentState.LEASED, expires_at__gt=now)
        resumable = (
            live.filter(campaign=campaign).exclude(pk__in=list(exclude_assignment_ids)).order_by("leased_at", "pk").first()
        )
        if resumable is not None:
            return resumable
        open_count = live.count()
        if open_count >= settings.MAX_LIVE_LEASES_PER_ANNOTATOR:
            raise TooManyLeases(MSG_TOO_MANY_LEASES.format(count=open_count))

        pair_id = _claim_pair_id(campaign_id=campaign.pk, annotator_id=annotator.pk)
        if pair_id is None and leases_reap_expired(now=now, campaign_id=campaign.pk):
            # Expired leases were still holding slots; they are free now.
            pair_id = _claim_pair_id(campaign_id=campaign.pk, annotator_id=annotator.pk)
        if pair_id is None:
            return None
        return Assignment.objects.create(
            pair_id=pair_id,
            campaign=campaign,
            annotator=annotator,
            a_on_left=random.SystemRandom().random() < 0.5,
            state=AssignmentState.LEASED,
            leased_at=now,
            heartbeat_at=now,
            expires_at=now + timedelta(seconds=campaign.lease_ttl_seconds),
        )


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
