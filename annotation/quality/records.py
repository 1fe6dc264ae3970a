"""Plain input records for the quality modules.

These are deliberately not Django models: selectors turn ORM rows into these frozen
dataclasses, and everything in ``annotation.quality`` stays pure, fast to test and reusable
from notebooks or training code.

Sign convention (shared with the annotation UI): a pairwise ``strength`` in -2..+2 where
**negative means video A is better**, positive means video B is better and 0 means "same".
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Hashable

STRENGTH_MIN, STRENGTH_MAX = -2, 2
SCORE_MIN, SCORE_MAX = 1, 5

STRENGTH_OUT_OF_RANGE = "strength must be an integer in -2..+2 (negative = A better, positive = B better), got {!r}"
SCORE_OUT_OF_RANGE = "rating score must be an integer in 1..5, got {!r}"


@dataclass(frozen=True)
class Vote:
    """One pairwise judgment of one annotator on one dimension."""

    pair_id: int
    annotator_id: int
    dimension: str
    strength: int

    def __post_init__(self) -> None:
        # bool is an int subclass; True/False would silently mean +1/0.
        if isinstance(self.strength, bool) or not isinstance(self.strength, Integral) or not (
            STRENGTH_MIN <= self.strength <= STRENGTH_MAX
        ):
            raise ValueError(STRENGTH_OUT_OF_RANGE.format(self.strength))

    @property
    def direction(self) -> str:
        """``"a"``, ``"b"`` or ``"tie"`` from the sign of ``strength``."""
        return strength_direction(self.strength)


@dataclass(frozen=True)
class RatingVote:
    """One 1..5 rating of one video on one dimension (the paper's protocol)."""

    video_id: int
    annotator_id: int
    dimension: str
    score: int

    def __post_init__(self) -> None:
        if isinstance(self.score, bool) or not isinstance(self.score, Integral) or not (
            SCORE_MIN <= self.score <= SCORE_MAX
        ):
            raise ValueError(SCORE_OUT_OF_RANGE.format(self.score))


def strength_direction(strength: float) -> str:
    """Map a (mean) strength to ``"a"`` (< 0), ``"b"`` (> 0) or ``"tie"`` (== 0)."""
    if strength < 0:
        return "a"
    if strength > 0:
        return "b"
    return "tie"


def latest_by_key(records, key) -> dict[Hashable, object]:
    """Collapse duplicates: the last record per ``key(record)`` wins, like an upsert would."""
    out: dict[Hashable, object] = {}
    for record in records:
        out[key(record)] = record
    return out
