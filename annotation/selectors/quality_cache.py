"""Cache for campaign-wide quality reports, keyed by what they are computed from.

A report only changes when a judgment is submitted or edited, an adjudication is written or an
annotator's status changes, so the key carries the campaign's creation time (ids repeat after a
database is recreated), the count and latest time of submitted assignments, the latest
adjudication, the latest status change and the latest answer edit: one indexed query. A report
for the current version is served as is (`"stale": false`).

While annotators work the version changes with every submission, and a report over 100k
judgments takes seconds to compute (the leaderboard's bootstrap most of all). Callers that pass
`on_stale` therefore get stale-while-revalidate: the last report, marked `"stale": true` with
its `computed_at`, is returned at once and `on_stale()` is called (at most once per
WARM_LOCK_SECONDS per campaign) to recompute in the background. A report older than
STALE_MAX_SECONDS is never served: then the request computes, so staleness stays bounded even
without a Celery worker. The refresh task recomputes every report after each run.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone

from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 3600
STALE_MAX_SECONDS = 300
WARM_LOCK_SECONDS = 120

_VERSION_SQL = """
SELECT
    (SELECT created_at FROM annotation_campaign WHERE id = %(campaign_id)s),
    (SELECT count(*) FROM annotation_assignment WHERE campaign_id = %(campaign_id)s AND state = 'submitted'),
    (SELECT max(finished_at) FROM annotation_assignment WHERE campaign_id = %(campaign_id)s AND state = 'submitted'),
    (SELECT max(ad.updated_at) FROM annotation_adjudication ad
        JOIN annotation_pair p ON p.id = ad.pair_id WHERE p.campaign_id = %(campaign_id)s),
    (SELECT max(changed_at) FROM annotation_annotatorstatus WHERE campaign_id = %(campaign_id)s),
    (SELECT max(r.id) FROM annotation_judgmentrevision r
        JOIN annotation_pair p ON p.id = r.pair_id WHERE p.campaign_id = %(campaign_id)s)
"""


def campaign_quality_version(*, campaign_id: int) -> str:
    """A short digest that changes whenever any input of a quality report changes."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, {"campaign_id": campaign_id})
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode()).hexdigest()[:16]


def quality_cache_key(*, kind: str, campaign_id: int, params: str = "", version: str | None = None) -> str:
    """The cache key of a report; `version="latest"` names the last report computed."""
    version = version or campaign_quality_version(campaign_id=campaign_id)
    return f"quality:{kind}:{campaign_id}:{params}:{version}"


def warm_lock_key(campaign_id: int) -> str:
    return f"quality:warming:{campaign_id}"


def cache_call(method: str, *args, default=None):
    """A cache operation that degrades to a miss when Redis is down: reports are then computed per
    request (slower, still correct) instead of failing with a 500."""
    try:
        return getattr(cache, method)(*args)
    except Exception as exc:  # redis.ConnectionError, timeouts: the backend's errors have no common base
        log.warning("quality cache unavailable (%s: %s); computing without it", type(exc).__name__, exc)
        return default


def quality_report_cached(*, kind: str, campaign_id: int, compute: Callable[[], dict], params: str = "",
                          on_stale: Callable[[], None] | None = None) -> dict:
    """The report for the current version, computed once; or, with `on_stale`, the last report
    while a fresh one is computed in the background (module doc)."""
    key = quality_cache_key(kind=kind, campaign_id=campaign_id, params=params)
    report = cache_call("get", key)
    if report is not None:
        return report
    latest_key = quality_cache_key(kind=kind, campaign_id=campaign_id, params=params, version="latest")
    if on_stale is not None:
        latest = cache_call("get", latest_key)
        if latest is not None and time.time() - latest["computed_ts"] < STALE_MAX_SECONDS:
            if cache_call("add", warm_lock_key(campaign_id), 1, WARM_LOCK_SECONDS, default=False):
                on_stale()
            return {**latest, "stale": True}
    now = time.time()
    report = {**compute(), "stale": False, "computed_ts": now,
              "computed_at": datetime.fromtimestamp(now, tz=timezone.utc).isoformat()}
    cache_call("set_many", {key: report, latest_key: report}, CACHE_SECONDS)
    return report
