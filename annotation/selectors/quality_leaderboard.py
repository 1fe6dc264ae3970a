"""The leaderboard as the endpoint serves it: the bootstrap never runs in a web request.

Bootstrap intervals cost n_boot + 1 Bradley-Terry fits per dimension (about 12 s at n_boot=2000 on a
demo campaign), and every n_boot value has its own cache entry, so computing them per request let
one reviewer tie up web workers. Here a request serves, in order:

1. the report for the current data and this n_boot, from the cache;
2. else the last one computed for this n_boot, marked `"stale": true`, while it is younger than
   STALE_MAX_SECONDS;
3. else the scores and counts without intervals (one fit per dimension, no bootstrap:
   `ci_low`/`ci_high` are null and `"intervals_pending": true`), shared by every n_boot and
   computed in a request at most once per STALE_MAX_SECONDS per campaign (about a second per
   100k votes and dimension).

In cases 2 and 3 a worker computes the full report (`annotation.tasks.compute_leaderboard`), at
most one per campaign at a time whatever n_boot values are asked for; the next request after it
finishes gets case 1.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

from annotation.models import Campaign
from annotation.selectors.quality import campaign_leaderboard
from annotation.selectors.quality_cache import STALE_MAX_SECONDS, cache_call, quality_cache_key

LEADERBOARD_BOOT_MIN = 10
LEADERBOARD_BOOT_MAX = 1000
# How long a queued bootstrap keeps others from being queued (the worker clears it when done).
LEADERBOARD_LOCK_SECONDS = 15 * 60


def leaderboard_params(n_boot: int) -> str:
    return f"boot={n_boot}"


def leaderboard_lock_key(campaign_id: int) -> str:
    return f"quality:leaderboard-computing:{campaign_id}"


def campaign_leaderboard_served(*, campaign: Campaign, n_boot: int, enqueue: Callable[[], None]) -> dict:
    """The report for `n_boot` as described in the module doc; `enqueue()` queues the worker."""
    params = leaderboard_params(n_boot)
    report = cache_call("get", quality_cache_key(kind="leaderboard", campaign_id=campaign.pk, params=params))
    if report is not None:
        return report
    if cache_call("add", leaderboard_lock_key(campaign.pk), 1, LEADERBOARD_LOCK_SECONDS, default=False):
        enqueue()
    latest = cache_call("get", quality_cache_key(kind="leaderboard", campaign_id=campaign.pk, params=params,
                                                 version="latest"))
    if latest is not None and time.time() - latest["computed_ts"] < STALE_MAX_SECONDS:
        return {**latest, "stale": True}
    scores_key = quality_cache_key(kind="leaderboard-scores", campaign_id=campaign.pk, version="latest")
    scores = cache_call("get", scores_key)
    if scores is None or time.time() - scores["computed_ts"] >= STALE_MAX_SECONDS:
        now = time.time()
        scores = {**campaign_leaderboard(campaign=campaign, n_boot=0), "intervals_pending": True, "stale": True,
                  "computed_ts": now, "computed_at": datetime.fromtimestamp(now, tz=timezone.utc).isoformat()}
        cache_call("set", scores_key, scores, STALE_MAX_SECONDS)
    return {**scores, "n_boot": n_boot}
