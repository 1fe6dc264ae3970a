"""Agreement over time for the reviewer dashboard: the snapshots written by
`services.agreement_history`, one series per dimension plus the review-queue size."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.utils import timezone

from annotation.models import Campaign
from annotation.models.quality import AgreementSnapshot
from annotation.selectors.quality import campaign_dimension_keys

DEFAULT_HISTORY_DAYS = 30
MAX_HISTORY_DAYS = 365
# A year of hourly snapshots is 8,760 points per line; a chart a few hundred pixels wide shows
# no more than this many, so longer windows are thinned evenly (the newest point always kept).
MAX_HISTORY_POINTS = 400


def thin_evenly(items: list, max_points: int) -> list:
    """At most `max_points` items, evenly spaced, keeping the first and the last."""
    if max_points < 2:
        raise ValueError("max_points must be at least 2 (the first and the last item)")
    n = len(items)
    if n <= max_points:
        return list(items)
    step = (n - 1) / (max_points - 1)
    return [items[round(i * step)] for i in range(max_points)]


def campaign_agreement_history(*, campaign: Campaign, days: int = DEFAULT_HISTORY_DAYS,
                               now: datetime | None = None) -> dict:
    """Snapshots of the last `days` days: per dimension (display order) a list of points
    {at, alpha, kappa, n_judgments, n_disputed}, and the queue size per snapshot time."""
    since = (now or timezone.now()) - timedelta(days=days)
    snapshots = AgreementSnapshot.objects.filter(campaign=campaign, computed_at__gte=since)
    # Thin the snapshot times first (one narrow column), then load full rows for the kept ones
    # only: a year of hourly snapshots is 52k rows, of which a chart shows 2,400.
    times = thin_evenly(list(snapshots.order_by("computed_at").values_list("computed_at", flat=True).distinct()),
                        MAX_HISTORY_POINTS)
    rows = (
        snapshots.filter(computed_at__in=times).order_by("computed_at")
        .values_list("computed_at", "dimension_id", "alpha", "kappa", "n_judgments", "n_disputed", "queue_size")
    )
    by_time: dict[datetime, list[tuple]] = defaultdict(list)
    for row in rows:
        by_time[row[0]].append(row)
    keys = campaign_dimension_keys(campaign=campaign)
    points: dict[int, list[dict]] = {dim_id: [] for dim_id in keys}
    queue = []
    for at in times:
        stamp = at.isoformat()
        snapshot = by_time[at]
        queue.append({"at": stamp, "size": snapshot[0][6]})
        for _, dim_id, alpha, kappa, n_judgments, n_disputed, _ in snapshot:
            if dim_id in points:
                points[dim_id].append({"at": stamp, "alpha": alpha, "kappa": kappa, "n_judgments": n_judgments,
                                       "n_disputed": n_disputed})
    return {
        "campaign": campaign.pk,
        "since": since.isoformat(),
        "days": days,
        "dimensions": [{"dimension": key, "points": points[dim_id]} for dim_id, key in keys.items()],
        "queue": queue,
    }
