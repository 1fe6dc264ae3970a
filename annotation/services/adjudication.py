"""Reviewers settle disputed pairs: the adjudicated strength replaces the crowd's on that
(pair, dimension) in consensus, scores and the leaderboard (see `selectors.quality`)."""
from __future__ import annotations

from django.db import transaction

from annotation.models import Adjudication, Pair
from annotation.services.answer_values import MSG_ANSWERS_EMPTY, strengths_check
from annotation.services.review_scope import campaign_reviewable_check
from studio_platform.errors import NotFound, ValidationFailed

MSG_PAIR_NOT_FOUND = "No such pair."
MSG_ADJUDICATE_GOLD = "Pair {pair} is a gold pair; change its gold answers instead of adjudicating it."
MSG_ADJUDICATE_DIMENSIONS = "These dimensions are not part of this pair's campaign: {unknown}."
MSG_ADJUDICATE_DUPLICATE = "Each dimension may be adjudicated once per request (repeated: {repeated})."
MAX_NOTE = 1000


def pair_adjudicate(*, pair_id: int, reviewer, answers: list[tuple[str, int]], note: str = "") -> list[Adjudication]:
    """Record (or replace) the reviewer's answer for each given dimension of a pair."""
    answers = list(answers)
    if not answers:
        raise ValidationFailed(MSG_ANSWERS_EMPTY)
    if len(note) > MAX_NOTE:
        raise ValidationFailed(f"note is limited to {MAX_NOTE} characters.")
    strengths_check(answers, msg_repeated=MSG_ADJUDICATE_DUPLICATE)
    with transaction.atomic():
        pair = Pair.objects.select_related("campaign").filter(pk=pair_id).first()
        if pair is None:
            raise NotFound(MSG_PAIR_NOT_FOUND)
        campaign_reviewable_check(campaign=pair.campaign, reviewer=reviewer)
        if pair.is_gold:
            raise ValidationFailed(MSG_ADJUDICATE_GOLD.format(pair=pair.pk))
        dimension_ids = dict(pair.campaign.dimensions.values_list("key", "id"))
        unknown = sorted({key for key, _ in answers} - set(dimension_ids))
        if unknown:
            raise ValidationFailed(MSG_ADJUDICATE_DIMENSIONS.format(unknown=", ".join(unknown)))
        return [
            Adjudication.objects.update_or_create(
                pair=pair, dimension_id=dimension_ids[key],
                defaults={"strength": strength, "reviewer": reviewer, "note": note},
            )[0]
            for key, strength in answers
        ]
