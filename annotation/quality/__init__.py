"""Pure annotation-quality math: agreement, consensus, Bradley-Terry with ties, leaderboards,
active pair selection. Plain Python/numpy in, frozen dataclasses out; no Django, no ORM, so
selectors, services, notebooks and training code can all call it.
"""

from .agreement import (
    AnnotatorAgreement,
    alpha_interval,
    cohen_kappa,
    cohen_kappa_direction,
    icc_ratings,
    krippendorff_alpha_ordinal,
    mean_cohen_kappa_direction,
    per_annotator_agreement,
    rating_matrix,
    reliability_matrix,
)
from .bradley_terry import (
    BootstrapCI,
    BTResult,
    Comparison,
    bootstrap_ci,
    fit_bradley_terry,
    neg_log_posterior,
    outcome_probabilities,
    scale_scores,
    votes_to_comparisons,
)
from .consensus import PairConsensus, direction_confidence, pair_consensus, summarize_strengths
from .icc import ICCResult, icc_1_1, icc_2_1
from .leaderboard import LeaderboardRow, comparisons_to_generators, generator_leaderboard, leaderboard_from_comparisons
from .records import RatingVote, Vote, strength_direction
from .selection import (
    POLICIES,
    adaptive_overlap_target,
    model_hardness,
    pair_priorities,
    rank_pairs,
    votes_contradict,
)

__all__ = [
    "AnnotatorAgreement", "BootstrapCI", "adaptive_overlap_target", "model_hardness", "votes_contradict", "BTResult", "Comparison", "ICCResult", "LeaderboardRow",
    "PairConsensus", "POLICIES", "RatingVote", "Vote", "alpha_interval", "bootstrap_ci", "cohen_kappa",
    "cohen_kappa_direction", "comparisons_to_generators", "direction_confidence", "fit_bradley_terry",
    "generator_leaderboard", "icc_1_1", "icc_2_1", "icc_ratings", "krippendorff_alpha_ordinal",
    "leaderboard_from_comparisons", "mean_cohen_kappa_direction", "neg_log_posterior", "outcome_probabilities",
    "pair_consensus", "pair_priorities", "per_annotator_agreement", "rank_pairs", "rating_matrix",
    "reliability_matrix", "scale_scores", "strength_direction", "summarize_strengths", "votes_to_comparisons",
]
