"""Quality writes: per-video human scores (VideoScore), pair priorities from the campaign's
selection policy, adaptive overlap (how many votes each pair gets), and the refresh that runs
them all (Celery: `annotation.tasks.refresh_quality`).

A reward model's per-video scores (uncertainty selection) come in as an argument, `model_scores`:
annotation does not know where models live. The task asks the provider settings.QUALITY_MODEL_SCORES
names (config wires training's promoted model) through `campaign_model_scores`.

Per-video scores fit one Bradley-Terry-with-ties model per dimension over every video of the
campaign (Davidson ties, strength-weighted votes, the scoring votes of `selectors.quality`).
Pairs never cross prompts, so each prompt is its own component: scores compare videos of one
prompt, which is what GAPO's pairs are.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from annotation.models import Campaign, Pair, SelectionPolicy, VideoScore
from annotation.quality import (
    BTResult,
    adaptive_overlap_target,
    fit_bradley_terry,
    model_hardness,
    pair_priorities,
    votes_to_comparisons,
)
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
from annotation.selectors.quality_leaderboard import leaderboard_lock_key, leaderboard_params
from annotation.services.gold import annotators_gold_check
from studio_platform.errors import ValidationFailed

# Pair.priority is an integer; policies give floats (entropy in nats, uniform draws).
PRIORITY_SCALE = 1_000_000
PRIORITY_BATCH = 500
ModelScores = Mapping[int, Mapping[str, float]]  # video id -> {dimension key: score in [0, 1]}
DEFAULT_LEADERBOARD_BOOT = 200

MSG_UNKNOWN_POLICY = "selection_policy must be one of {valid} (got {policy!r})."

_PRIORITY_SQL = """
UPDATE annotation_pair p SET priority = v.priority
FROM unnest(%(ids)s::bigint[], %(priorities)s::integer[]) AS v(id, priority)
WHERE p.id = v.id AND p.priority <> v.priority
"""

# GREATEST(.., taken): a slot already handed out (live lease or vote) is never taken back, so
# `taken <= overlap` holds whatever leases or submissions ran since the votes were read. The
# row lock of the UPDATE orders it against a concurrent claim (which re-checks taken < overlap
# on the row version it locks).
_OVERLAP_SQL = """
UPDATE annotation_pair p SET overlap = GREATEST(v.overlap, p.taken)
FROM unnest(%(ids)s::bigint[], %(overlaps)s::integer[]) AS v(id, overlap)
WHERE p.id = v.id AND NOT p.is_gold AND p.overlap <> GREATEST(v.overlap, p.taken)
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


def uncertainty_priorities(candidates, fits: dict[str, DimensionFit],
                           model_scores: ModelScores | None = None) -> dict[int, float]:
    """Mean over dimensions of the outcome entropy under each dimension's fit; a video's score
    uncertainty shrinks as 1 / sqrt(1 + votes on it) (selection.py moderates d by it). With a
    reward model's per-video scores, its own uncertainty about the pair (selection.model_hardness)
    is added: a pair that is close for the fit and hard for the model goes first, and before any
    vote exists the model alone orders the pairs."""
    totals: dict[int, float] = dict.fromkeys((c[0] for c in candidates), 0.0)
    for fit in fits.values():
        uncertainties = {v: 1.0 / np.sqrt(1.0 + n) for v, n in fit.votes_per_video.items()}
        entropy = pair_priorities(candidates, "uncertainty", scores=fit.result.scores, uncertainties=uncertainties,
                                  tie_param=fit.result.tie_param)
        for pair_id, value in entropy.items():
            totals[pair_id] += value / len(fits)
    for pair_id, value in model_hardness(candidates, model_scores or {}).items():
        totals[pair_id] += value
    return totals


def campaign_model_scores(*, campaign: Campaign) -> ModelScores | None:
    """A reward model's scores of the campaign's videos for its dimensions, from the provider
    settings.QUALITY_MODEL_SCORES names (a dotted path to `f(*, campaign, dimension_keys)`); None
    when none is configured or the campaign's policy does not read them (only `uncertainty` does)."""
    path = getattr(settings, "QUALITY_MODEL_SCORES", "")
    if not path or campaign.selection_policy != SelectionPolicy.UNCERTAINTY:
        return None
    return import_string(path)(campaign=campaign, dimension_keys=campaign_dimension_keys(campaign=campaign).values())


def pair_priorities_refresh(*, campaign: Campaign, fits: dict[str, DimensionFit] | None = None,
                            seed: int | None = None, model_scores: ModelScores | None = None) -> int:
    """Write Pair.priority of the campaign's open real pairs from its selection policy
    (`uncertainty` also reads `model_scores`, a reward model's per-video scores, when given).

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
        values = uncertainty_priorities(candidates, fits, model_scores)
    # breadth_first values are already whole (minus votes so far); the others are fractions.
    scale = 1 if policy == SelectionPolicy.BREADTH_FIRST else PRIORITY_SCALE
    ids = [pair_id for pair_id, _, _ in candidates]
    priorities = [int(round(values[pair_id] * scale)) for pair_id in ids]
    return _execute_batched(_PRIORITY_SQL, ids, priorities, "priorities")


def _execute_batched(sql: str, ids: list[int], values: list[int], name: str) -> int:
    """Run an unnest UPDATE in small transactions: the claim skips rows locked here (SKIP LOCKED)
    and a large batch would hide many pairs from it at once. Returns the rows changed."""
    changed = 0
    for start in range(0, len(ids), PRIORITY_BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {"ids": ids[start:start + PRIORITY_BATCH], name: values[start:start + PRIORITY_BATCH]})
            changed += cursor.rowcount
    return changed


def pair_overlaps_refresh(*, campaign: Campaign, votes: dict | None = None) -> int:
    """Adaptive overlap: set each real pair's overlap from its votes (selection.adaptive_overlap_target):
    `adaptive_min_votes` to start, closed at its current count once those votes agree, opened up to the
    campaign's `overlap` where they contradict each other. A no-op unless the campaign turned it on.

    Reopened pairs are in progress (taken > 0), so the claim hands them out before fresh pairs.
    Counts only the scoring votes (paused annotators out, adjudications in); a discarded vote
    still holds its slot, so it is replaced. Returns how many pairs changed overlap."""
    if not campaign.adaptive_overlap:
        return 0
    votes = campaign_votes(campaign=campaign, scoring=True) if votes is None else votes
    strengths: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    voters: dict[int, set[int]] = defaultdict(set)
    for key, dim_votes in votes.items():
        for vote in dim_votes:
            strengths[vote.pair_id][key].append(vote.strength)
            voters[vote.pair_id].add(vote.annotator_id)
    ids, overlaps = [], []
    for pair_id, completed in (Pair.objects.filter(campaign=campaign, is_gold=False).order_by("id")
                               .values_list("id", "completed")):
        counted = len(voters.get(pair_id, ()))
        ids.append(pair_id)
        overlaps.append(adaptive_overlap_target(
            strengths.get(pair_id, {}), voters=counted, min_votes=campaign.adaptive_min_votes,
            max_votes=campaign.overlap, discarded=max(0, completed - counted),
        ))
    return _execute_batched(_OVERLAP_SQL, ids, overlaps, "overlaps")


def quality_reports_warm(*, campaign: Campaign) -> None:
    """Compute the cached reports for the current data so the next reviewer request is a hit."""
    try:
        quality_report_cached(kind="agreement", campaign_id=campaign.pk,
                              compute=lambda: campaign_agreement(campaign=campaign))
        quality_report_cached(kind="annotators", campaign_id=campaign.pk,
                              compute=lambda: campaign_annotator_report(campaign=campaign))
        quality_report_cached(kind="leaderboard", campaign_id=campaign.pk,
                              params=leaderboard_params(DEFAULT_LEADERBOARD_BOOT),
                              compute=lambda: campaign_leaderboard(campaign=campaign, n_boot=DEFAULT_LEADERBOARD_BOOT))
    finally:
        cache.delete(warm_lock_key(campaign.pk))


def leaderboard_report_warm(*, campaign: Campaign, n_boot: int) -> None:
    """Compute and cache the leaderboard with `n_boot` bootstrap replicates (a worker's job: see
    selectors/quality_leaderboard.py), then let the next request queue another."""
    try:
        quality_report_cached(kind="leaderboard", campaign_id=campaign.pk, params=leaderboard_params(n_boot),
                              compute=lambda: campaign_leaderboard(campaign=campaign, n_boot=n_boot))
    finally:
        cache.delete(leaderboard_lock_key(campaign.pk))


def campaign_quality_refresh(*, campaign: Campaign, warm_cache: bool = True,
                             model_scores: ModelScores | None = None) -> dict:
    """Gold check for everyone (so newly paused votes drop out), then scores, then overlaps (which
    pairs are still open), then priorities of the open pairs (with `model_scores`, see
    pair_priorities_refresh)."""
    paused = annotators_gold_check(campaign=campaign)
    votes = campaign_votes(campaign=campaign, scoring=True)
    fits = campaign_fits(campaign=campaign, votes=votes)
    scores = video_scores_refresh(campaign=campaign, fits=fits)
    overlaps = pair_overlaps_refresh(campaign=campaign, votes=votes)
    changed = pair_priorities_refresh(campaign=campaign, fits=fits, model_scores=model_scores)
    if warm_cache:
        quality_reports_warm(campaign=campaign)
    return {"campaign": campaign.pk, "paused": paused, "video_scores": scores, "overlaps_changed": overlaps,
            "priorities_changed": changed}
