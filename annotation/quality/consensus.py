"""Per-pair consensus of pairwise strength votes, with explicit ties.

For each ``(pair_id, dimension)``:

* ``mean_strength = mean(strength)`` over annotators (one vote each; last one wins);
* ``direction``: ``"tie"`` when ``|mean_strength| < tie_band`` (default 0.5: half a "better"
  step) **or** ``n_a == n_b`` (as many people for A as for B is a contest, not a preference,
  whatever the strengths); otherwise ``"a"`` if the mean is negative, ``"b"`` if positive.
  With the default band the mean's side never contradicts the vote majority (for
  ``|strength| <= 2`` that would need ``|mean| < 0.5``); a narrower band can, and the
  confidence below then drops under 0.5 to say so;
* ``gap = |mean_strength| / 2`` in [0, 1], the preference gap GAPO weights pairs by;
* ``confidence``: a Bayesian answer to "how likely is this direction right?". Each vote is a
  draw from a categorical (A, same, B) with probabilities ``theta``; under a uniform
  ``Dirichlet(1, 1, 1)`` prior the posterior is ``Dirichlet(1 + n_a, 1 + n_tie, 1 + n_b)``.

  - ``"a"``: ``P(theta_a > theta_b)`` which equals ``P(p > 1/2)`` for
    ``p ~ Beta(1 + n_a, 1 + n_b)`` (a Bayesian sign test; "same" votes carry no side).
    Example: votes (-2, -1, 0) give ``1 - 0.5**3 = 0.875``.
  - ``"b"``: ``P(theta_b > theta_a)``, symmetric.
  - ``"tie"``: ``P(theta_same > theta_a and theta_same > theta_b)``, the probability that
    "same" is the plurality answer. A tie produced by a split vote (-2, +2) therefore gets
    low confidence, while (0, 0, 0) gets high confidence: exactly the distinction a
    reviewer needs. Votes (-1, 0, +1) give 1/3 by symmetry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from scipy import integrate, stats

from .records import Vote, latest_by_key

DEFAULT_TIE_BAND = 0.5


@dataclass(frozen=True)
class PairConsensus:
    """Consensus of all annotators on one pair and dimension (see module doc for formulas)."""

    pair_id: int
    dimension: str
    votes: int
    mean_strength: float
    direction: str
    gap: float
    confidence: float
    n_a: int
    n_b: int
    n_tie: int


def pair_consensus(votes: Iterable[Vote], *, tie_band: float = DEFAULT_TIE_BAND) -> list[PairConsensus]:
    """Consensus per ``(pair_id, dimension)``, sorted by ``(pair_id, dimension)``."""
    if tie_band < 0:
        raise ValueError(f"tie_band must be >= 0 (0 means only an exact zero mean is a tie), got {tie_band!r}")
    latest = latest_by_key(votes, lambda v: (v.pair_id, v.dimension, v.annotator_id))
    grouped: dict[tuple[int, str], list[int]] = defaultdict(list)
    for (pair_id, dimension, _), vote in latest.items():
        grouped[(pair_id, dimension)].append(vote.strength)
    return [
        summarize_strengths(pair_id, dimension, grouped[(pair_id, dimension)], tie_band=tie_band)
        for pair_id, dimension in sorted(grouped)
    ]


def summarize_strengths(
    pair_id: int, dimension: str, strengths: list[int], *, tie_band: float = DEFAULT_TIE_BAND
) -> PairConsensus:
    """Consensus of one pair's strengths; exposed so callers with raw lists need no Votes."""
    if not strengths:
        raise ValueError("a consensus needs at least one vote")
    n = len(strengths)
    n_a = sum(1 for s in strengths if s < 0)
    n_b = sum(1 for s in strengths if s > 0)
    n_tie = n - n_a - n_b
    mean = sum(strengths) / n
    if abs(mean) < tie_band or n_a == n_b or mean == 0:
        direction = "tie"
    else:
        direction = "a" if mean < 0 else "b"
    return PairConsensus(
        pair_id=pair_id,
        dimension=dimension,
        votes=n,
        mean_strength=mean,
        direction=direction,
        gap=abs(mean) / 2,
        confidence=direction_confidence(direction, n_a, n_b, n_tie),
        n_a=n_a,
        n_b=n_b,
        n_tie=n_tie,
    )


def direction_confidence(direction: str, n_a: int, n_b: int, n_tie: int) -> float:
    """Posterior probability that ``direction`` is right (module doc, Dirichlet(1,1,1) prior)."""
    if direction == "a":
        return float(stats.beta.sf(0.5, 1 + n_a, 1 + n_b))
    if direction == "b":
        return float(stats.beta.sf(0.5, 1 + n_b, 1 + n_a))
    if direction == "tie":
        return _tie_plurality_probability(n_a, n_b, n_tie)
    raise ValueError(f"direction must be 'a', 'b' or 'tie', got {direction!r}")


@lru_cache(maxsize=4096)
def _tie_plurality_probability(n_a: int, n_b: int, n_tie: int) -> float:
    """``P(theta_t > max(theta_a, theta_b))`` for ``Dirichlet(1+n_a, 1+n_tie, 1+n_b)``.

    Stick-breaking: ``T = theta_t ~ Beta(at, aa + ab)`` and independently
    ``B = theta_a / (1 - T) ~ Beta(aa, ab)``. "same" wins iff ``1 - r < B < r`` with
    ``r = T / (1 - T)``: always when ``T >= 1/2``, never when ``T <= 1/3``, so::

        P = P(T >= 1/2) + integral_{1/3}^{1/2} f_T(t) [F_B(r) - F_B(1 - r)] dt

    A 1-D quadrature is exact to ~1e-10 and cached: vote counts are small integers.
    """
    aa, at, ab = 1 + n_a, 1 + n_tie, 1 + n_b
    t_dist, b_dist = stats.beta(at, aa + ab), stats.beta(aa, ab)

    def integrand(t: float) -> float:
        r = t / (1 - t)
        return t_dist.pdf(t) * (b_dist.cdf(r) - b_dist.cdf(1 - r))

    middle, _ = integrate.quad(integrand, 1 / 3, 1 / 2, epsabs=1e-12)
    return float(min(1.0, t_dist.sf(0.5) + middle))
