"""Label-quality reads: votes out of the database in one query per campaign, handed to the pure
math in `annotation.quality`.

Two views of the votes:
* raw (agreement, per-annotator agreement): every non-gold judgment, as given;
* scoring (consensus, Bradley-Terry, leaderboard): without paused annotators, and with each
  adjudicated (pair, dimension) answered by the reviewer's strength in place of every crowd vote
  (so the pair keeps its weight). Gold pairs are never in either: they measure annotators.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from annotation.models import (
    Adjudication,
    AnnotatorState,
    AnnotatorStatus,
    Campaign,
    Judgment,
    Pair,
    Rating,
    Video,
)
from annotation.quality import (
    PairConsensus,
    RatingVote,
    Vote,
    alpha_interval,
    cohen_kappa_direction,
    generator_leaderboard,
    icc_ratings,
    krippendorff_alpha_ordinal,
    pair_consensus,
    per_annotator_agreement,
)

# Stand-in annotator id for an adjudication of a pair nobody has judged yet.
ADJUDICATOR_ID = 0


def campaign_dimension_keys(*, campaign: Campaign) -> dict[int, str]:
    """Dimension id -> key, in display order."""
    return dict(campaign.dimensions.order_by("order", "key").values_list("id", "key"))


def campaign_paused_annotator_ids(*, campaign: Campaign) -> set[int]:
    return set(
        AnnotatorStatus.objects.filter(campaign=campaign, state=AnnotatorState.PAUSED)
        .values_list("annotator_id", flat=True)
    )


def _checked_vote(pair_id: int, annotator_id: int, dimension: str, strength: int) -> Vote:
    """A Vote without its per-row validation: the database's CHECK (-2..2) already holds for
    every stored strength, and validating 100k rows took most of a report's load time."""
    vote = object.__new__(Vote)
    vote.__dict__.update(pair_id=pair_id, annotator_id=annotator_id, dimension=dimension, strength=strength)
    return vote


def campaign_votes(*, campaign: Campaign, scoring: bool = False) -> dict[str, list[Vote]]:
    """Non-gold pairwise votes per dimension key (module doc: raw vs scoring)."""
    keys = campaign_dimension_keys(campaign=campaign)
    rows = (
        Judgment.objects.filter(pair__campaign=campaign, pair__is_gold=False).order_by()
        .values_list("pair_id", "annotator_id", "dimension_id", "strength")
    )
    adjudicated: dict[tuple[int, int], int] = {}
    paused: set[int] = set()
    if scoring:
        paused = campaign_paused_annotator_ids(campaign=campaign)
        adjudicated = {
            (pair_id, dim_id): strength
            for pair_id, dim_id, strength in Adjudication.objects.filter(pair__campaign=campaign, pair__is_gold=False)
            .order_by().values_list("pair_id", "dimension_id", "strength")
        }
    votes: dict[str, list[Vote]] = {key: [] for key in keys.values()}
    covered = set()
    for pair_id, annotator_id, dim_id, strength in rows:
        key = keys.get(dim_id)
        if key is None or annotator_id in paused:
            continue
        if adjudicated:
            strength = adjudicated.get((pair_id, dim_id), strength)
            covered.add((pair_id, dim_id))
        votes[key].append(_checked_vote(pair_id, annotator_id, key, strength))
    for (pair_id, dim_id), strength in adjudicated.items():
        if (pair_id, dim_id) not in covered and dim_id in keys:
            votes[keys[dim_id]].append(Vote(pair_id, ADJUDICATOR_ID, keys[dim_id], strength))
    return votes


def campaign_ratings(*, campaign: Campaign) -> dict[str, list[RatingVote]]:
    """1..5 ratings per dimension key (rating and both-protocol campaigns)."""
    keys = campaign_dimension_keys(campaign=campaign)
    out: dict[str, list[RatingVote]] = {key: [] for key in keys.values()}
    rows = (
        Rating.objects.filter(assignment__campaign=campaign, assignment__pair__is_gold=False).order_by()
        .values_list("video_id", "annotator_id", "dimension_id", "score")
    )
    for video_id, annotator_id, dim_id, score in rows:
        if dim_id in keys:
            out[keys[dim_id]].append(RatingVote(video_id, annotator_id, keys[dim_id], score))
    return out


def campaign_pair_videos(*, campaign: Campaign) -> dict[int, tuple[int, int]]:
    """Pair id -> (video_a id, video_b id) for the campaign's non-gold pairs."""
    rows = (Pair.objects.filter(campaign=campaign, is_gold=False).order_by()
            .values_list("id", "video_a_id", "video_b_id"))
    return {pair_id: (a, b) for pair_id, a, b in rows}


def _kappa_summary(votes: list[Vote], key: str) -> dict:
    kappas = cohen_kappa_direction(votes, key)
    return {
        "mean": float(np.mean(list(kappas.values()))) if kappas else None,
        "pairs": [{"annotators": [a1, a2], "kappa": kappa} for (a1, a2), kappa in sorted(kappas.items())],
    }


def _icc_dict(ratings: list[RatingVote], key: str) -> dict | None:
    result = icc_ratings(ratings, key)
    if result is None:
        return None
    return {"icc": result.icc, "model": result.model, "n_videos": result.n_videos, "n_ratings": result.n_ratings}


def campaign_agreement(*, campaign: Campaign) -> dict:
    """Agreement per dimension: ordinal alpha and direction kappa of pairwise strengths, and
    interval alpha and ICC of 1..5 ratings (None where undefined, e.g. too few overlaps)."""
    votes = campaign_votes(campaign=campaign)
    ratings = campaign_ratings(campaign=campaign)
    dimensions = []
    for key in campaign_dimension_keys(campaign=campaign).values():
        dim_votes, dim_ratings = votes.get(key, []), ratings.get(key, [])
        dimensions.append({
            "dimension": key,
            "n_votes": len(dim_votes),
            "n_pairs": len({v.pair_id for v in dim_votes}),
            "n_annotators": len({v.annotator_id for v in dim_votes}),
            "alpha_ordinal": krippendorff_alpha_ordinal(dim_votes, key),
            "kappa_direction": _kappa_summary(dim_votes, key),
            "ratings": {
                "n": len(dim_ratings),
                "alpha_interval": alpha_interval(dim_ratings, key) if dim_ratings else None,
                "icc": _icc_dict(dim_ratings, key) if dim_ratings else None,
            },
        })
    return {"campaign": campaign.pk, "dimensions": dimensions}


def campaign_annotator_agreement(*, campaign: Campaign, votes: dict[str, list[Vote]] | None = None) -> dict[int, dict]:
    """Annotator id -> {dimension: leave-one-out agreement}, from raw votes."""
    votes = campaign_votes(campaign=campaign) if votes is None else votes
    out: dict[int, dict] = defaultdict(dict)
    for key, dim_votes in votes.items():
        for annotator_id, agreement in per_annotator_agreement(dim_votes, key).items():
            out[annotator_id][key] = {"n": agreement.n, "direction_agreement": agreement.direction_agreement,
                                      "mean_abs_error": agreement.mean_abs_error}
    return dict(out)


def campaign_consensus(*, campaign: Campaign, votes: dict[str, list[Vote]] | None = None
                       ) -> dict[tuple[int, str], PairConsensus]:
    """(pair id, dimension key) -> consensus of the scoring votes (adjudications applied)."""
    votes = campaign_votes(campaign=campaign, scoring=True) if votes is None else votes
    return {(c.pair_id, c.dimension): c for dim_votes in votes.values() for c in pair_consensus(dim_votes)}


def campaign_video_generators(*, pair_videos: dict[int, tuple[int, int]]) -> dict[int, str]:
    video_ids = {v for pair in pair_videos.values() for v in pair}
    return dict(Video.objects.filter(pk__in=video_ids).order_by().values_list("id", "generator"))


def campaign_leaderboard(*, campaign: Campaign, n_boot: int = 200, level: float = 0.95) -> dict:
    """Generator leaderboard per dimension (Bradley-Terry with ties, bootstrap CIs) from the
    scoring votes. Names generators: reviewers and admins only."""
    votes = campaign_votes(campaign=campaign, scoring=True)
    pair_videos = campaign_pair_videos(campaign=campaign)
    video_generator = campaign_video_generators(pair_videos=pair_videos)
    dimensions = []
    for key, dim_votes in votes.items():
        rows = generator_leaderboard(dim_votes, pair_videos, video_generator, key, n_boot=n_boot, level=level)
        dimensions.append({
            "dimension": key,
            "n_votes": len(dim_votes),
            "rows": [
                {"rank": rank, "generator": row.generator, "score": row.score, "ci_low": row.ci_low,
                 "ci_high": row.ci_high, "scaled": row.scaled, "wins": row.wins, "losses": row.losses,
                 "ties": row.ties, "n": row.n, "win_rate": row.win_rate}
                for rank, row in enumerate(rows, start=1)
            ],
        })
    return {"campaign": campaign.pk, "level": level, "n_boot": n_boot, "dimensions": dimensions}
