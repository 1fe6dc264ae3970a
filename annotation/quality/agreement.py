"""Inter-annotator agreement for pairwise strengths (-2..+2) and 1..5 ratings.

Everything takes plain :class:`~annotation.quality.records.Vote` /
:class:`~annotation.quality.records.RatingVote` lists and one dimension key. Duplicate votes
of one annotator on one unit collapse to the last one (an upsert), so a resubmitted judgment
never counts twice.

Formulas
--------
* Krippendorff's alpha: ``alpha = 1 - D_o / D_e`` (observed over expected disagreement on the
  coincidence matrix; Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"),
  computed by the ``krippendorff`` package. Strengths use the *ordinal* metric
  ``delta^2(c, k) = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2``: "much better" vs "better" is a
  rank, not a distance. Ratings default to *interval* (``delta^2 = (c - k)^2``) because the
  paper averages 1..5 scores as numbers; ``level="ordinal"`` is available.
* Cohen's kappa: ``kappa = (p_o - p_e) / (1 - p_e)`` on the 3-way direction A / same / B.
* ICC: see :func:`icc_ratings` (ICC(2,1) when the design is fully crossed, else ICC(1,1)).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable, Literal

import krippendorff
import numpy as np

from .icc import ICCResult, icc_1_1, icc_2_1
from .records import RatingVote, Vote, latest_by_key, strength_direction

STRENGTH_DOMAIN = (-2, -1, 0, 1, 2)
SCORE_DOMAIN = (1, 2, 3, 4, 5)
DIRECTIONS = ("a", "tie", "b")


def reliability_matrix(votes: Iterable[Vote], dimension: str):
    """Annotators x pairs matrix of strengths (NaN = not judged) for one dimension.

    Returns ``(matrix, annotator_ids, pair_ids)``; rows and columns are sorted by id.
    """
    latest = latest_by_key((v for v in votes if v.dimension == dimension), lambda v: (v.annotator_id, v.pair_id))
    return _matrix({k: v.strength for k, v in latest.items()})


def rating_matrix(ratings: Iterable[RatingVote], dimension: str):
    """Annotators x videos matrix of 1..5 scores (NaN = not rated) for one dimension."""
    latest = latest_by_key((r for r in ratings if r.dimension == dimension), lambda r: (r.annotator_id, r.video_id))
    return _matrix({k: r.score for k, r in latest.items()})


def _matrix(values: dict[tuple, float]):
    rows = sorted({a for a, _ in values})
    cols = sorted({u for _, u in values})
    row_of = {a: i for i, a in enumerate(rows)}
    col_of = {u: j for j, u in enumerate(cols)}
    matrix = np.full((len(rows), len(cols)), np.nan)
    for (a, u), value in values.items():
        matrix[row_of[a], col_of[u]] = value
    return matrix, rows, cols


def _alpha(matrix: np.ndarray, domain, level: str) -> float | None:
    """Alpha, or None when it is undefined.

    Undefined means fewer than 2 *pairable* values (values in units judged at least twice:
    only those enter the coincidence matrix) or a single distinct pairable value, where
    ``D_e = 0`` and alpha is 0/0. Returning None keeps a dashboard from showing a fake 1.0.
    """
    if matrix.size == 0:
        return None
    counts = np.sum(~np.isnan(matrix), axis=0)
    pairable = matrix[:, counts >= 2]
    values = pairable[~np.isnan(pairable)]
    if values.size < 2 or np.unique(values).size < 2:
        return None
    return float(krippendorff.alpha(reliability_data=matrix, value_domain=list(domain), level_of_measurement=level))


def krippendorff_alpha_ordinal(votes: Iterable[Vote], dimension: str) -> float | None:
    """Ordinal Krippendorff's alpha of pairwise strengths (-2..+2) on one dimension."""
    matrix, _, _ = reliability_matrix(votes, dimension)
    return _alpha(matrix, STRENGTH_DOMAIN, "ordinal")


def alpha_interval(
    ratings: Iterable[RatingVote], dimension: str, *, level: Literal["interval", "ordinal"] = "interval"
) -> float | None:
    """Krippendorff's alpha of 1..5 ratings; interval metric by default (see module doc)."""
    if level not in ("interval", "ordinal"):
        raise ValueError(f"level must be 'interval' or 'ordinal', got {level!r}")
    matrix, _, _ = rating_matrix(ratings, dimension)
    return _alpha(matrix, SCORE_DOMAIN, level)


@dataclass(frozen=True)
class AnnotatorAgreement:
    """One annotator against the leave-one-out consensus of the others.

    ``n``: pairs where at least one other annotator voted; ``direction_agreement``: share of
    those where ``sign(own) == sign(mean of others)``; ``mean_abs_error``:
    ``mean |own - mean of others|`` in strength units (0..4). Both are None when ``n == 0``.
    """

    n: int
    direction_agreement: float | None
    mean_abs_error: float | None


def per_annotator_agreement(votes: Iterable[Vote], dimension: str) -> dict[int, AnnotatorAgreement]:
    """Each annotator vs the mean strength of the OTHER annotators on the same pairs.

    Leaving the annotator out matters: with 2-3 votes per pair their own vote would pull the
    consensus toward them and hide a careless annotator. "Same" (0) only agrees with an
    exact-zero consensus mean, so hedging on contested pairs is not rewarded.
    """
    latest = latest_by_key((v for v in votes if v.dimension == dimension), lambda v: (v.annotator_id, v.pair_id))
    by_pair: dict[int, dict[int, int]] = defaultdict(dict)
    for (annotator, pair), vote in latest.items():
        by_pair[pair][annotator] = vote.strength

    agree: dict[int, list[bool]] = defaultdict(list)
    errors: dict[int, list[float]] = defaultdict(list)
    annotators = sorted({a for a, _ in latest})
    for strengths in by_pair.values():
        total, count = sum(strengths.values()), len(strengths)
        if count < 2:
            continue
        for annotator, own in strengths.items():
            others = (total - own) / (count - 1)
            agree[annotator].append(np.sign(own) == np.sign(others))
            errors[annotator].append(abs(own - others))

    out = {}
    for annotator in annotators:
        n = len(agree[annotator])
        out[annotator] = AnnotatorAgreement(
            n=n,
            direction_agreement=float(np.mean(agree[annotator])) if n else None,
            mean_abs_error=float(np.mean(errors[annotator])) if n else None,
        )
    return out


def cohen_kappa(labels_1, labels_2, categories=DIRECTIONS) -> float | None:
    """Cohen's kappa ``(p_o - p_e) / (1 - p_e)`` of two aligned label sequences.

    ``p_e = sum_c p1(c) * p2(c)`` from each rater's own marginals. None when ``p_e == 1``
    (both raters used one and the same category throughout: chance explains everything,
    kappa is 0/0) or when there are no items.
    """
    if len(labels_1) != len(labels_2):
        raise ValueError("both raters must label the same items (equal lengths)")
    if not labels_1:
        return None
    index = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for x, y in zip(labels_1, labels_2):
        table[index[x], index[y]] += 1
    table /= table.sum()
    p_o = np.trace(table)
    p_e = float(table.sum(axis=1) @ table.sum(axis=0))
    if np.isclose(p_e, 1.0):
        return None
    return float((p_o - p_e) / (1 - p_e))


def cohen_kappa_direction(
    votes: Iterable[Vote], dimension: str, *, min_shared: int = 2
) -> dict[tuple[int, int], float]:
    """Pairwise Cohen's kappa on direction (A / same / B) for every annotator pair.

    Keys are ``(a1, a2)`` with ``a1 < a2``; only annotator pairs with at least ``min_shared``
    commonly judged pairs and a defined kappa are included.
    """
    latest = latest_by_key((v for v in votes if v.dimension == dimension), lambda v: (v.annotator_id, v.pair_id))
    by_annotator: dict[int, dict[int, str]] = defaultdict(dict)
    for (annotator, pair), vote in latest.items():
        by_annotator[annotator][pair] = strength_direction(vote.strength)

    out = {}
    for a1, a2 in combinations(sorted(by_annotator), 2):
        shared = sorted(by_annotator[a1].keys() & by_annotator[a2].keys())
        if len(shared) < max(min_shared, 1):
            continue
        kappa = cohen_kappa([by_annotator[a1][p] for p in shared], [by_annotator[a2][p] for p in shared])
        if kappa is not None:
            out[(a1, a2)] = kappa
    return out


def mean_cohen_kappa_direction(votes: Iterable[Vote], dimension: str, *, min_shared: int = 2) -> float | None:
    """Unweighted mean of :func:`cohen_kappa_direction` (Light's kappa); None if no pair qualifies."""
    kappas = cohen_kappa_direction(votes, dimension, min_shared=min_shared)
    return float(np.mean(list(kappas.values()))) if kappas else None


def icc_ratings(
    ratings: Iterable[RatingVote], dimension: str, *, model: Literal["auto", "icc2_1", "icc1_1"] = "auto"
) -> ICCResult | None:
    """Intraclass correlation of 1..5 ratings on one dimension, tolerant of missing ratings.

    * ``"icc2_1"``: Shrout & Fleiss ICC(2,1) (two-way random, absolute agreement, single
      rater) on the complete-case matrix: annotators who rated every kept video, videos
      rated by all of them (videos are dropped until the block is complete).
    * ``"icc1_1"``: one-way random ICC(1,1) for unbalanced groups, which is the right model
      when each video is rated by a different subset of annotators (the usual crowd design).
    * ``"auto"``: ICC(2,1) when the videos with >= 2 ratings form a fully crossed design,
      otherwise ICC(1,1) on all videos with >= 2 ratings (no rating is thrown away).

    Returns None when fewer than 2 videos qualify or the ratings have no variance.
    """
    if model not in ("auto", "icc2_1", "icc1_1"):
        raise ValueError(f"model must be one of 'auto', 'icc2_1', 'icc1_1', got {model!r}")
    matrix, _, _ = rating_matrix(ratings, dimension)
    if matrix.size == 0:
        return None
    matrix = matrix[:, np.sum(~np.isnan(matrix), axis=0) >= 2]
    matrix = matrix[np.any(~np.isnan(matrix), axis=1)]
    if model == "icc1_1" or (model == "auto" and np.isnan(matrix).any()):
        return icc_1_1([col[~np.isnan(col)] for col in matrix.T])
    if np.isnan(matrix).any():
        # ICC(2,1) needs a complete block. Dropping every video with a gap could erase all of
        # them, so keep the raters with the widest coverage, then the videos they all rated.
        coverage = np.sum(~np.isnan(matrix), axis=1)
        matrix = matrix[coverage == coverage.max()]
        matrix = matrix[:, ~np.isnan(matrix).any(axis=0)]
    return icc_2_1(matrix.T)
