"""Active pair selection: which candidate pairs should annotators judge next.

Pure functions over candidate ``(pair_id, item_a, item_b)`` triples. :func:`pair_priorities`
returns a priority per pair (higher = sooner), so leasing can store it on the pair row;
:func:`rank_pairs` returns pair ids in preferred order.

Policies:

* ``"random"``: uniform random priority (the baseline every active policy must beat).
* ``"breadth_first"``: ``priority = -votes_so_far``; fewest votes first, so coverage grows
  evenly before any pair gets a third vote.
* ``"uncertainty"``: ``priority = H(P(a), P(b), P(tie))``, the entropy (nats) of the outcome
  under the current Bradley-Terry-with-ties fit at ``d = s_a - s_b``; the closest pair is the
  most informative one. With ``uncertainties`` (score standard deviations ``u``) the
  difference is moderated as in MacKay (1992)::

      d_eff = d / sqrt(1 + pi * (u_a^2 + u_b^2) / 8)

  which approximates averaging the win probability over the score uncertainty: a pair of
  poorly known items looks closer to a coin flip and moves up. Items missing from ``scores``
  sit at the prior mean 0 with standard deviation ``prior_sd``.

Ties in priority are broken by fewer votes (uncertainty policy), then by a seeded shuffle
when ``rng`` is given, else by input order, so results are deterministic either way.

A reward model's per-video scores (in [0, 1] per dimension) add :func:`model_hardness`: the
binary entropy of ``sigmoid((m_a - m_b) / scale)``, averaged over the dimensions both videos
have, so a pair the model cannot tell apart is worth asking people about.

Adaptive overlap (:func:`adaptive_overlap_target`) decides how many votes a pair gets: every pair
first gets ``min_votes``; a pair whose votes already agree stops there, a pair whose votes
contradict each other in some dimension (one annotator says A is better, another B) is opened
up to ``max_votes``. "Same" (0) contradicts neither side: it says the difference is small, and a
third vote on a near tie buys less ranking accuracy than a first vote on a fresh pair.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Literal, Mapping

import numpy as np

from .bradley_terry import TieModel, outcome_probabilities

Policy = Literal["random", "breadth_first", "uncertainty"]
MIN_ADAPTIVE_VOTES = 2
# A reward-model score gap of this size reads as a 73 % preference (logistic scale).
MODEL_SCORE_SCALE = 0.1
POLICIES = ("random", "breadth_first", "uncertainty")
RANDOM_NEEDS_RNG = "the 'random' policy needs rng (a seed or numpy Generator) so a selection can be reproduced"


def _normalize(candidates) -> list[tuple[Hashable, Hashable, Hashable]]:
    """Accept ``(pair_id, item_a, item_b)`` triples or bare pair ids (non-uncertainty policies)."""
    out = []
    for c in candidates:
        out.append(tuple(c) if isinstance(c, (tuple, list)) else (c, None, None))
    ids = [c[0] for c in out]
    if len(set(ids)) != len(ids):
        raise ValueError("candidate pair ids must be unique")
    return out


def _as_rng(rng) -> np.random.Generator | None:
    return rng if isinstance(rng, np.random.Generator) or rng is None else np.random.default_rng(rng)


def pair_priorities(
    candidates: Iterable, policy: Policy, *, scores: Mapping | None = None,
    uncertainties: Mapping | None = None, votes_so_far: Mapping | None = None,
    tie_param: float = 0.0, ties: TieModel = "davidson", prior_sd: float = 1.0, rng=None,
) -> dict:
    """Priority per pair id (higher = judge sooner); see the module doc for each policy."""
    candidates = _normalize(candidates)
    rng = _as_rng(rng)
    votes_so_far = votes_so_far or {}
    if policy == "random":
        if rng is None:
            raise ValueError(RANDOM_NEEDS_RNG)
        return {c[0]: float(p) for c, p in zip(candidates, rng.random(len(candidates)))}
    if policy == "breadth_first":
        return {c[0]: -float(votes_so_far.get(c[0], 0)) for c in candidates}
    if policy == "uncertainty":
        if scores is None:
            raise ValueError("the 'uncertainty' policy needs scores (item -> latent BT score) from a current fit")
        if any(c[1] is None for c in candidates):
            raise ValueError("the 'uncertainty' policy needs (pair_id, item_a, item_b) candidates, not bare ids")
        d = np.array([scores.get(a, 0.0) - scores.get(b, 0.0) for _, a, b in candidates], dtype=float)
        if uncertainties is not None:
            var = np.array(
                [uncertainties.get(a, prior_sd) ** 2 + uncertainties.get(b, prior_sd) ** 2 for _, a, b in candidates]
            )
            d = d / np.sqrt(1 + np.pi * var / 8)
        p = outcome_probabilities(d, tie_param, ties) if len(d) else np.zeros((0, 3))
        entropy = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=1)
        return {c[0]: float(h) for c, h in zip(candidates, entropy)}
    raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")


def rank_pairs(
    candidates: Iterable, policy: Policy, *, scores: Mapping | None = None,
    uncertainties: Mapping | None = None, votes_so_far: Mapping | None = None,
    tie_param: float = 0.0, ties: TieModel = "davidson", prior_sd: float = 1.0, rng=None,
) -> list:
    """Pair ids, most preferred first, under ``policy`` (deterministic for a given seed)."""
    candidates = _normalize(candidates)
    rng = _as_rng(rng)
    priority = pair_priorities(
        candidates, policy, scores=scores, uncertainties=uncertainties, votes_so_far=votes_so_far,
        tie_param=tie_param, ties=ties, prior_sd=prior_sd, rng=rng,
    )
    votes_so_far = votes_so_far or {}
    shuffle = rng.permutation(len(candidates)) if rng is not None else np.arange(len(candidates))
    order = sorted(
        range(len(candidates)),
        key=lambda i: (
            -priority[candidates[i][0]],
            votes_so_far.get(candidates[i][0], 0) if policy == "uncertainty" else 0,
            shuffle[i],
        ),
    )
    return [candidates[i][0] for i in order]


def votes_contradict(strengths_by_dimension: Mapping[str, Iterable[int]]) -> bool:
    """Whether some dimension has votes on both sides (one for A, one for B)."""
    for strengths in strengths_by_dimension.values():
        strengths = list(strengths)
        if any(s < 0 for s in strengths) and any(s > 0 for s in strengths):
            return True
    return False


def adaptive_overlap_target(
    strengths_by_dimension: Mapping[str, Iterable[int]], *, voters: int, min_votes: int, max_votes: int,
    discarded: int = 0,
) -> int:
    """Votes a pair should end up with under adaptive overlap (module doc).

    ``voters``: annotators whose votes count (``strengths_by_dimension`` holds theirs);
    ``discarded``: submitted votes that do not count (e.g. from a paused annotator) but still hold
    a slot, so they are added on top, never beyond ``max_votes``. The caller never lowers a pair
    below the slots it has already handed out."""
    if min_votes < MIN_ADAPTIVE_VOTES:
        raise ValueError(f"min_votes must be >= {MIN_ADAPTIVE_VOTES}: one vote cannot agree or disagree with "
                         f"anything (got {min_votes!r})")
    if max_votes < 1 or voters < 0 or discarded < 0:
        raise ValueError(f"need max_votes >= 1, voters >= 0, discarded >= 0 (got {max_votes}, {voters}, {discarded})")
    min_votes = min(min_votes, max_votes)
    if voters < min_votes:
        wanted = min_votes
    elif votes_contradict(strengths_by_dimension):
        wanted = max_votes
    else:
        wanted = voters
    return min(max_votes, wanted + discarded)


def model_hardness(candidates: Iterable, model_scores: Mapping[Hashable, Mapping[str, float]], *,
                   scale: float = MODEL_SCORE_SCALE) -> dict:
    """Entropy (nats, at most ln 2) of the reward model's predicted preference per pair, averaged
    over the dimensions scored for both videos; pairs with an unscored video are left out."""
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale!r}")
    hardness = {}
    for pair_id, a, b in _normalize(candidates):
        scores_a, scores_b = model_scores.get(a), model_scores.get(b)
        if not scores_a or not scores_b:
            continue
        dims = sorted(set(scores_a) & set(scores_b))
        if not dims:
            continue
        d = np.array([scores_a[k] - scores_b[k] for k in dims], dtype=float) / scale
        p = 1.0 / (1.0 + np.exp(-d))
        entropy = -(p * np.log(np.clip(p, 1e-12, 1.0)) + (1 - p) * np.log(np.clip(1 - p, 1e-12, 1.0)))
        hardness[pair_id] = float(entropy.mean())
    return hardness
