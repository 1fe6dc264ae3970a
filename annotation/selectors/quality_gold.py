"""Gold (honeypot) accuracy per annotator: how often their answers on gold pairs match the
expected answer, per dimension, by direction (A / same / B) and by exact strength.

A gold answer is scored as first submitted: an annotator may edit it like any answer (so the
history does not single gold pairs out), but the edit never changes their gold record."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from annotation.models import Campaign, Judgment, JudgmentRevision
from annotation.quality import strength_direction


@dataclass
class DimensionGold:
    n: int = 0
    direction_correct: int = 0
    exact_correct: int = 0

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "direction_accuracy": self.direction_correct / self.n if self.n else None,
            "exact_accuracy": self.exact_correct / self.n if self.n else None,
        }


@dataclass
class GoldScore:
    """One annotator's gold record. `n_pairs` counts gold pairs answered; accuracies are
    micro-averaged over every (gold pair, dimension) answer that has an expected strength."""

    pairs: set = field(default_factory=set)
    per_dimension: dict = field(default_factory=lambda: defaultdict(DimensionGold))

    def add(self, *, pair_id: int, dimension: str, given: int, expected: int) -> None:
        self.pairs.add(pair_id)
        record = self.per_dimension[dimension]
        record.n += 1
        record.direction_correct += strength_direction(given) == strength_direction(expected)
        record.exact_correct += given == expected

    @property
    def n_pairs(self) -> int:
        return len(self.pairs)

    @property
    def n_answers(self) -> int:
        return sum(r.n for r in self.per_dimension.values())

    @property
    def direction_accuracy(self) -> float | None:
        n = self.n_answers
        return sum(r.direction_correct for r in self.per_dimension.values()) / n if n else None

    @property
    def exact_accuracy(self) -> float | None:
        n = self.n_answers
        return sum(r.exact_correct for r in self.per_dimension.values()) / n if n else None

    def as_dict(self) -> dict:
        return {
            "n_pairs": self.n_pairs,
            "n_answers": self.n_answers,
            "direction_accuracy": self.direction_accuracy,
            "exact_accuracy": self.exact_accuracy,
            "per_dimension": {key: record.as_dict() for key, record in sorted(self.per_dimension.items())},
        }


def gold_scores(*, campaign: Campaign, annotator_id: int | None = None,
                since: datetime | None = None) -> dict[int, GoldScore]:
    """Gold record per annotator, in one query (judgments joined to their gold answers).
    `annotator_id` narrows to one person, `since` to answers given after a moment (the
    automatic check's evidence window)."""
    judgments = Judgment.objects.filter(
        pair__campaign=campaign, pair__is_gold=True, pair__gold_answers__dimension_id=F("dimension_id"),
        dimension__campaigns=campaign,
    ).order_by()
    if annotator_id is not None:
        judgments = judgments.filter(annotator_id=annotator_id)
    if since is not None:
        judgments = judgments.filter(created_at__gt=since)
    scores: dict[int, GoldScore] = defaultdict(GoldScore)
    # the strength as first submitted: the first revision's `from`, else the (never edited) judgment
    first = JudgmentRevision.objects.filter(judgment=OuterRef("pk")).order_by("id").values("from_strength")[:1]
    rows = judgments.annotate(submitted=Coalesce(Subquery(first), F("strength"))).values_list(
        "annotator_id", "pair_id", "dimension__key", "submitted", "pair__gold_answers__strength")
    for annotator, pair_id, key, strength, expected in rows:
        scores[annotator].add(pair_id=pair_id, dimension=key, given=strength, expected=expected)
    return dict(scores)
