"""Gold (honeypot) pairs and who may keep annotating.

Gold pairs are ordinary pairs with `is_gold` and one expected strength per dimension. Every
annotator should see each gold pair once, so a gold pair's `overlap` is the column's maximum:
the counter and its CHECK (`taken <= overlap`) stay exactly as for real pairs, and leasing needs
no second code path. Gold pairs are left out of agreement, consensus and scores: they measure
annotators, not videos.

The automatic check pauses an annotator whose gold direction accuracy falls below the campaign's
`min_gold_accuracy` once `min_gold_answers` gold pairs are answered. Leasing runs it before
every claim, so a failing annotator gets no further pair; `campaign_quality_refresh` runs it for
everyone. Reviewers pause, resume or override (exempt from the check) by hand.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from annotation.models import AnnotatorState, AnnotatorStatus, Campaign, GoldAnswer, Pair, Video
from annotation.selectors.quality_gold import gold_scores
from annotation.services.review_scope import campaign_reviewable_check
from studio_platform.errors import ReviewerScopeDenied, ValidationFailed
from studio_platform.roles import ADMIN, ANNOTATOR, user_has_role

# PositiveSmallIntegerField's maximum: in practice "every annotator", and the CHECK still holds.
GOLD_OVERLAP = 32767

MSG_GOLD_PAUSE_REASON = (
    "gold accuracy {accuracy:.0%} on your last {n} gold pairs is below the campaign's minimum of {minimum:.0%}."
)
MSG_PAUSE_NEEDS_REASON = "Give a reason when pausing an annotator; they see it."
MSG_UNKNOWN_ACTION = "action must be one of: pause, resume, override (got {action!r})."
MSG_GOLD_BAD_ANSWERS = (
    "gold answers must give every campaign dimension ({dimensions}) an integer strength -2..2 (problem: {problem})."
)
MSG_GOLD_PAIR_EXISTS = "These videos already form pair {pair} in this campaign; mark that pair as gold instead."
MSG_GOLD_SAME_VIDEO = "A gold pair needs two different videos."
MSG_STATUS_SELF = "You cannot pause, resume or override yourself; ask another reviewer or an admin."
MSG_STATUS_ADMIN = "Reviewers cannot pause, resume or override an admin; ask another admin."
MSG_STATUS_NOT_ANNOTATOR = "{name} does not hold the annotator role, so there is nothing to pause or exempt."

ACTIONS = {"pause": AnnotatorState.PAUSED, "resume": AnnotatorState.ACTIVE, "override": AnnotatorState.OVERRIDE}


@dataclass(frozen=True)
class GoldStanding:
    """What leasing needs to know: gold pairs answered so far, and the pause if there is one."""

    gold_pairs_answered: int
    paused: AnnotatorStatus | None


def campaign_uses_gold(campaign: Campaign) -> bool:
    return campaign.gold_rate > 0 or campaign.qualification_gold_count > 0


def _validated_answers(campaign: Campaign, answers: dict[str, int]) -> dict[int, int]:
    wanted = dict(campaign.dimensions.values_list("key", "id"))
    problem = None
    if set(answers) != set(wanted):
        problem = f"got {sorted(answers)}"
    elif any(isinstance(s, bool) or not isinstance(s, int) or not -2 <= s <= 2 for s in answers.values()):
        problem = f"strengths {answers}"
    if problem:
        raise ValidationFailed(MSG_GOLD_BAD_ANSWERS.format(dimensions=", ".join(sorted(wanted)), problem=problem))
    return {wanted[key]: strength for key, strength in answers.items()}


def pair_mark_gold(*, pair: Pair, answers: dict[str, int]) -> Pair:
    """Turn an existing pair into a gold pair with the given expected strengths (A/B terms)."""
    by_dimension = _validated_answers(pair.campaign, answers)
    with transaction.atomic():
        Pair.objects.filter(pk=pair.pk).update(is_gold=True, overlap=GOLD_OVERLAP)
        GoldAnswer.objects.filter(pair=pair).delete()
        GoldAnswer.objects.bulk_create(
            GoldAnswer(pair=pair, dimension_id=dim_id, strength=strength) for dim_id, strength in by_dimension.items()
        )
    pair.refresh_from_db()
    return pair


def gold_pair_create(*, campaign: Campaign, video_a: Video, video_b: Video, answers: dict[str, int],
                     random_key: float = 0.5) -> Pair:
    """A new gold pair. `answers` speak of `video_a`/`video_b` as given; the stored pair keeps the
    canonical order (smaller id first), flipping the signs when it has to swap."""
    if video_a.pk == video_b.pk:
        raise ValidationFailed(MSG_GOLD_SAME_VIDEO)
    if video_a.pk > video_b.pk:
        video_a, video_b = video_b, video_a
        answers = {key: -strength for key, strength in answers.items()}
    _validated_answers(campaign, answers)
    with transaction.atomic():
        existing = Pair.objects.filter(campaign=campaign, video_a=video_a, video_b=video_b).first()
        if existing is not None:
            raise ValidationFailed(MSG_GOLD_PAIR_EXISTS.format(pair=existing.pk))
        pair = Pair.objects.create(campaign=campaign, video_a=video_a, video_b=video_b, is_gold=True,
                                   overlap=GOLD_OVERLAP, random_key=random_key)
        return pair_mark_gold(pair=pair, answers=answers)


# Default of annotator_gold_check's `status`: not loaded by the caller, read it here.
STATUS_NOT_LOADED = object()


def annotator_gold_check(*, campaign: Campaign, annotator, now: datetime | None = None,
                         status: AnnotatorStatus | None | object = STATUS_NOT_LOADED) -> GoldStanding:
    """Apply the automatic gold rule to one annotator, pausing them if it fails.

    Runs inside the caller's transaction (leasing holds the annotator's advisory lock). The
    evidence is every gold answer, or only those after a reviewer last changed the state.
    `status` is the annotator's AnnotatorStatus row (None: there is none) when the caller has
    already read it in the same transaction; leasing reads it together with the live leases."""
    now = now or timezone.now()
    if status is STATUS_NOT_LOADED:
        status = AnnotatorStatus.objects.filter(campaign=campaign, annotator=annotator).first()
    if status is not None and status.state == AnnotatorState.PAUSED:
        return GoldStanding(gold_pairs_answered=0, paused=status)
    if not campaign_uses_gold(campaign):
        return GoldStanding(gold_pairs_answered=0, paused=None)
    overall = gold_scores(campaign=campaign, annotator_id=annotator.pk).get(annotator.pk)
    answered = overall.n_pairs if overall else 0
    if (status is not None and status.state == AnnotatorState.OVERRIDE) or campaign.min_gold_accuracy <= 0:
        return GoldStanding(gold_pairs_answered=answered, paused=None)
    evidence = overall
    if status is not None and status.changed_by_id is not None:
        evidence = gold_scores(campaign=campaign, annotator_id=annotator.pk, since=status.changed_at).get(annotator.pk)
    if evidence is None or evidence.n_pairs < max(1, campaign.min_gold_answers):
        return GoldStanding(gold_pairs_answered=answered, paused=None)
    if evidence.direction_accuracy >= campaign.min_gold_accuracy:
        return GoldStanding(gold_pairs_answered=answered, paused=None)
    reason = MSG_GOLD_PAUSE_REASON.format(accuracy=evidence.direction_accuracy, n=evidence.n_pairs,
                                          minimum=campaign.min_gold_accuracy)
    status, _ = AnnotatorStatus.objects.update_or_create(
        campaign=campaign, annotator=annotator,
        defaults={"state": AnnotatorState.PAUSED, "reason": reason, "changed_by": None, "changed_at": now},
    )
    annotator_leases_release(campaign=campaign, annotator=annotator, now=now)
    return GoldStanding(gold_pairs_answered=answered, paused=status)


def annotators_gold_check(*, campaign: Campaign, now: datetime | None = None) -> list[int]:
    """Run the automatic check for everyone with gold answers; returns who is paused now."""
    if not campaign_uses_gold(campaign):
        return []
    user_model = get_user_model()
    paused = []
    for annotator_id in sorted(gold_scores(campaign=campaign)):
        with transaction.atomic():
            standing = annotator_gold_check(campaign=campaign, annotator=user_model(pk=annotator_id), now=now)
        if standing.paused is not None:
            paused.append(annotator_id)
    return paused


def annotator_status_set(*, campaign: Campaign, annotator, action: str, reviewer, reason: str = "",
                         now: datetime | None = None) -> AnnotatorStatus:
    """A reviewer pauses, resumes or overrides (exempts from the gold check) an annotator.

    Nobody acts on themselves, only admins act on admins, and reviewers act only in campaigns
    they may review (`campaign_reviewable_check`). A pause also releases the annotator's live
    leases in the campaign: they cannot submit what they already hold."""
    if action not in ACTIONS:
        raise ValidationFailed(MSG_UNKNOWN_ACTION.format(action=action))
    reason = reason.strip()
    if action == "pause" and not reason:
        raise ValidationFailed(MSG_PAUSE_NEEDS_REASON)
    if len(reason) > 500:
        raise ValidationFailed("reason is limited to 500 characters.")
    campaign_reviewable_check(campaign=campaign, reviewer=reviewer)
    if annotator.pk == reviewer.pk:
        raise ReviewerScopeDenied(MSG_STATUS_SELF)
    if user_has_role(annotator, ADMIN) and not user_has_role(reviewer, ADMIN):
        raise ReviewerScopeDenied(MSG_STATUS_ADMIN)
    if not user_has_role(annotator, ANNOTATOR):
        raise ValidationFailed(MSG_STATUS_NOT_ANNOTATOR.format(name=annotator.get_username()))
    now = now or timezone.now()
    with transaction.atomic():
        status, _ = AnnotatorStatus.objects.update_or_create(
            campaign=campaign, annotator=annotator,
            defaults={"state": ACTIONS[action], "reason": reason, "changed_by": reviewer, "changed_at": now},
        )
        if status.state == AnnotatorState.PAUSED:
            status.released_leases = annotator_leases_release(campaign=campaign, annotator=annotator, now=now)
    return status


_RELEASE_SQL = """
WITH released AS (
    UPDATE annotation_assignment
    SET state = 'expired', finished_at = %(now)s
    WHERE annotator_id = %(annotator_id)s AND campaign_id = %(campaign_id)s AND state = 'leased'
    RETURNING pair_id
), per_pair AS (
    SELECT pair_id, count(*) AS n FROM released GROUP BY pair_id
)
UPDATE annotation_pair p
SET taken = p.taken - per_pair.n
FROM per_pair
WHERE p.id = per_pair.pair_id
RETURNING per_pair.n
"""


def annotator_leases_release(*, campaign: Campaign, annotator, now: datetime) -> int:
    """End a paused annotator's leases in the campaign (as if expired) and give their slots back."""
    with connection.cursor() as cursor:
        cursor.execute(_RELEASE_SQL, {"now": now, "annotator_id": annotator.pk, "campaign_id": campaign.pk})
        return sum(row[0] for row in cursor.fetchall())
