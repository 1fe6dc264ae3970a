"""Quality writes: per-video human scores (VideoScore), pair priorities from the campaign's
selection policy, and the refresh that runs both (Celery: `annotation.tasks.refresh_quality`).

Per-video scores fit one Bradley-Terry-with-ties model per dimension over every video of the
campaign (Davidson ties, strength-weighted votes, the scoring votes of `selectors.quality`).
Pairs never cross prompts, so each prompt is its own component: scores compare videos of one
prompt, which is what GAPO's pairs are.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from annotation.errors import ValidationFailed
from annotation.models import Campaign, Pair, SelectionPolicy, VideoScore
from annotation.quality import BTResult, fit_bradley_terry, pair_priorities, votes_to_comparisons
from annotation.selectors.quality import (
    campaign_agreement,
    campaign_dimension_keys,
    campaign_leaderboard,
    campaign_pair_videos,
    campaign_ratings,
    campaign_votes,
)
from annotation.selectors.quality_annotators import campaign_annotator_report
from annotation.selectors.quality_cache import quality_report_cached, warm_lock_key
from annotation.services.gold import annotators_gold_check

# Pair.priority is an integer; policies give floats (entropy in nats, uniform draws).
PRIORITY_SCALE = 1_000_000
PRIORITY_BATCH = 500
DEFAULT_LEADERBOARD_BOOT = 200

MSG_UNKNOWN_POLICY = "selection_policy must be one of {valid} (got {policy!r})."

_PRIORITY_SQL = """
UPDATE annotation_pair p SET priority = v.priority
FROM unnest(%(ids)s::bigint[], %(priorities)s::integer[]) AS v(id, priority)
WHERE p.id = v.id AND p.priority <> v.priority
"""


@dataclass(frozen=True)
class DimensionFit:
    result: BTResult
    votes_per_video: Counter


def campaign_fits(*, campaign: Campaign, votes=None, pair_videos=None) -> dict[str, DimensionFit]:
    """Bradley-Terry fit per dimension key over the campaign's compared videos."""
    votes = campaign_votes(campaign=campaign, scoring=True) if votes is None else votes
    pair_videos = campaign_pair_videos(campaign=campaign) if pair_videos is None else pair_videos
    fits = {}
    for key, dim_votes in votes.items():
        comparisons = votes_to_comparisons(dim_votes, pair_videos, key)
        counts = Counter()
        for c in comparisons:
            counts[c.item_a] += 1
            counts[c.item_b] += 1
        fits[key] = DimensionFit(fit_bradley_terry(comparisons, sorted(counts)), counts)
    return fits


def video_scores_refresh(*, campaign: Campaign, fits: dict[str, DimensionFit] | None = None,
                         now: datetime | None = None) -> int:
    """Replace the campaign's VideoScore rows with fresh fits and mean ratings; returns the row count."""
    now = now or timezone.now()
    fits = campaign_fits(campaign=campaign) if fits is None else fits
    ratings = campaign_ratings(campaign=campaign)
    rows = []
    for dim_id, key in campaign_dimension_keys(campaign=campaign).items():
        fit = fits.get(key)
        scores: dict[int, list[int]] = defaultdict(list)
        for rating in ratings.get(key, []):
            scores[rating.video_id].append(rating.score)
        compared = fit.votes_per_video if fit else Counter()
        for video_id in sorted(set(compared) | set(scores)):
            rated = scores.get(video_id, [])
            rows.append(VideoScore(
                campaign=campaign, video_id=video_id, dimension_id=dim_id,
                bt_score=fit.result.scores[video_id] if video_id in compared else None,
                bt_scaled=fit.result.scaled[video_id] if video_id in compared else None,
                mean_rating=float(np.mean(rated)) if rated else None,
                n=compared.get(video_id, 0), n_ratings=len(rated), computed_at=now,
            ))
    with transaction.atomic():
        VideoScore.objects.filter(campaign=campaign).delete()
        VideoScore.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def uncertainty_priorities(candidates, fits: dict[str, DimensionFit]) -> dict[int, float]:
    """Mean over dimensions of the outcome entropy under each dimension's fit; a video's score
    uncertainty shrinks as 1 / sqrt(1 + votes on it) (selection.py moderates d by it)."""
    totals: dict[int, float] = defaultdict(float)
    for fit in fits.values():
        uncertainties = {v: 1.0 / np.sqrt(1.0 + n) for v, n in fit.votes_per_video.items()}
        entropy = pair_priorities(candidates, "uncertainty", scores=fit.result.scores, uncertainties=uncertainties,
                                  tie_param=fit.result.tie_param)
        for pair_id, value in entropy.items():
            totals[pair_id] += value / len(fits)
    return totals


def pair_priorities_refresh(*, campaign: Campaign, fits: dict[str, DimensionFit] | None = None,
                            seed: int | None = None) -> int:
    """Write Pair.priority of the campaign's open real pairs from its selection policy.

    Leasing still hands out in-progress pairs first (ORDER BY taken DESC, priority DESC), so the
    policy decides which pair is started next. Written in small batches: the claim skips rows
    locked here (SKIP LOCKED) and a large batch would hide many pairs from it at once.
    Returns how many pairs changed priority."""
    policy = campaign.selection_policy
    if policy not in SelectionPolicy.values:
        raise ValidationFailed(MSG_UNKNOWN_POLICY.format(valid=", ".join(SelectionPolicy.values), policy=policy))
    open_pairs = list(
        Pair.objects.filter(campaign=campaign, is_gold=False, taken__lt=F("overlap")).order_by("id")
        .values_list("id", "video_a_id", "video_b_id", "completed")
    )
    candidates = [(pair_id, a, b) for pair_id, a, b, _ in open_pairs]
    if policy == SelectionPolicy.RANDOM:
        values = pair_priorities(candidates, "random", rng=np.random.default_rng(seed))
    elif policy == SelectionPolicy.BREADTH_FIRST:
        values = pair_priorities(candidates, "breadth_first", votes_so_far={p: n for p, _, _, n in open_pairs})
    else:
        fits = campaign_fits(campaign=campaign) if fits is None else fits
        values = uncertainty_priorities(candidates, fits) if fits else dict.fromkeys([c[0] for c in candidates], 0.0)
    # breadth_first values are already whole (minus votes so far); the others are fractions.
    scale = 1 if policy == SelectionPolicy.BREADTH_FIRST else PRIORITY_SCALE
    ids = [pair_id for pair_id, _, _ in candidates]
    priorities = [int(round(values[pair_id] * scale)) for pair_id in ids]
    changed = 0
    for start in range(0, len(ids), PRIORITY_BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_PRIORITY_SQL, {"ids": ids[start:start + PRIORITY_BATCH],
                                           "priorities": priorities[start:start + PRIORITY_BATCH]})
            changed += cursor.rowcount
    return changed


def quality_reports_warm(*, campaign: Campaign) -> None:
    """Compute the cached reports for the current data so the next reviewer request is a hit."""
    try:
        quality_report_cached(kind="agreement", campaign_id=campaign.pk,
                              compute=lambda: campaign_agreement(campaign=campaign))
        quality_report_cached(kind="annotators", campaign_id=campaign.pk,
                              compute=lambda: campaign_annotator_report(campaign=campaign))
        quality_report_cached(kind="leaderboard", campaign_id=campaign.pk, params=f"boot={DEFAULT_LEADERBOARD_BOOT}",
                              compute=lambda: campaign_leaderboard(campaign=campaign, n_boot=DEFAULT_LEADERBOARD_BOOT))
    finally:
        cache.delete(warm_lock_key(campaign.pk))


def campaign_quality_refresh(*, campaign: Campaign, warm_cache: bool = True) -> dict:
    """Gold check for everyone (so newly paused votes drop out), then scores, then priorities."""
    paused = annotators_gold_check(campaign=campaign)
    fits = campaign_fits(campaign=campaign)
    scores = video_scores_refresh(campaign=campaign, fits=fits)
    changed = pair_priorities_refresh(campaign=campaign, fits=fits)
    if warm_cache:
        quality_reports_warm(campaign=campaign)
    return {"campaign": campaign.pk, "paused": paused, "video_scores": scores, "priorities_changed": changed}
