"""Generator leaderboard per dimension: Bradley-Terry with ties on generators plus bootstrap CIs.

Every vote on a pair of videos becomes a comparison between the videos' *generators*
(``video_generator`` map). Pairs whose two videos come from the same generator say nothing
about generators and are dropped. Scores are latent BT scores (log-strength, Davidson ties by
default; see :mod:`annotation.quality.bradley_terry`), CIs are percentile bootstrap intervals
over resampled votes, and::

    win_rate = (wins + ties / 2) / n

(the chess convention: a tie is half a win), with wins/losses/ties counted per vote,
unweighted, so they read as plain counts on a dashboard even when the fit weights strength.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Hashable, Iterable, Mapping

from .bradley_terry import Comparison, TieModel, bootstrap_ci, fit_bradley_terry, votes_to_comparisons
from .records import Vote


@dataclass(frozen=True)
class LeaderboardRow:
    generator: Hashable
    score: float
    ci_low: float | None  # None when computed without the bootstrap (n_boot=0)
    ci_high: float | None
    scaled: float
    wins: int
    losses: int
    ties: int
    n: int
    win_rate: float


def comparisons_to_generators(
    comparisons: Iterable[Comparison], video_generator: Mapping[Hashable, Hashable]
) -> list[Comparison]:
    """Relabel video comparisons with generators; drop same-generator comparisons."""
    out = []
    for c in comparisons:
        missing = [v for v in (c.item_a, c.item_b) if v not in video_generator]
        if missing:
            raise ValueError(f"videos {missing} have no generator in video_generator; add them to the map")
        gen_a, gen_b = video_generator[c.item_a], video_generator[c.item_b]
        if gen_a != gen_b:
            out.append(Comparison(gen_a, gen_b, c.outcome, c.weight))
    return out


def leaderboard_from_comparisons(
    comparisons: Iterable[Comparison], *, ties: TieModel = "davidson", l2: float = 0.01,
    n_boot: int = 200, level: float = 0.95, seed: int = 0,
) -> list[LeaderboardRow]:
    """Rank the items of ``comparisons`` by BT score (best first), with CIs and counts.
    ``n_boot=0`` skips the bootstrap (one fit instead of n_boot + 1): the CIs are then None."""
    comparisons = list(comparisons)
    items = sorted({c.item_a for c in comparisons} | {c.item_b for c in comparisons}, key=str)
    if not items:
        return []
    fit = fit_bradley_terry(comparisons, items, ties=ties, l2=l2)
    ci = bootstrap_ci(comparisons, items, n_boot=n_boot, level=level, seed=seed, ties=ties, l2=l2) if n_boot else None
    wins, losses, tied = Counter(), Counter(), Counter()
    for c in comparisons:
        if c.outcome == "tie":
            tied[c.item_a] += 1
            tied[c.item_b] += 1
        else:
            winner, loser = (c.item_a, c.item_b) if c.outcome == "a" else (c.item_b, c.item_a)
            wins[winner] += 1
            losses[loser] += 1
    rows = []
    for item in items:
        n = wins[item] + losses[item] + tied[item]
        rows.append(
            LeaderboardRow(
                generator=item, score=fit.scores[item], ci_low=ci.low[item] if ci else None,
                ci_high=ci.high[item] if ci else None,
                scaled=fit.scaled[item], wins=wins[item], losses=losses[item], ties=tied[item], n=n,
                win_rate=(wins[item] + tied[item] / 2) / n if n else 0.0,
            )
        )
    return sorted(rows, key=lambda r: (-r.score, str(r.generator)))


def generator_leaderboard(
    votes: Iterable[Vote], pair_videos: Mapping[int, tuple], video_generator: Mapping[Hashable, Hashable],
    dimension: str, *, ties: TieModel = "davidson", l2: float = 0.01, n_boot: int = 200,
    level: float = 0.95, seed: int = 0, strength_weight: bool = True,
) -> list[LeaderboardRow]:
    """Leaderboard of generators on one dimension from raw pairwise votes (module doc)."""
    video_comparisons = votes_to_comparisons(votes, pair_videos, dimension, strength_weight=strength_weight)
    generator_comparisons = comparisons_to_generators(video_comparisons, video_generator)
    return leaderboard_from_comparisons(generator_comparisons, ties=ties, l2=l2, n_boot=n_boot, level=level, seed=seed)
