from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, Campaign, CampaignStatus, Dimension, Judgment, Pair
from studio_platform.roles import REVIEWER, user_has_role


def campaign_list_for_user(*, user) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.prefetch_related("dimensions")
    if user_has_role(user, REVIEWER):
        return campaigns
    return campaigns.filter(status=CampaignStatus.ACTIVE)


def campaign_empty_reason(*, campaign: Campaign, annotator) -> dict:
    """Why `next` returned nothing: finished for good, or wait for leases held by others."""
    open_pairs = Pair.objects.filter(campaign=campaign, completed__lt=F("overlap")).exclude(assignments__annotator=annotator)
    if not open_pairs.exists():
        return {"reason": "nothing_left", "detail": "You have judged every pair you can in this campaign. Thank you!"}
    next_expiry = (
        Assignment.objects.filter(pair__in=open_pairs, state=AssignmentState.LEASED)
        .order_by("expires_at").values_list("expires_at", flat=True).first()
    )
    retry_after = 30
    if next_expiry is not None:
        retry_after = max(1, min(300, int((next_expiry - timezone.now()).total_seconds()) + 1))
    return {
        "reason": "all_taken",
        "detail": "Every remaining pair is being judged by someone else right now; try again shortly.",
        "retry_after_s": retry_after,
    }


def campaign_progress(*, campaign: Campaign, user) -> dict:
    """Campaign-wide and own counters. Gold pairs have an open-ended overlap (every annotator sees
    them), so they are not campaign work; but an annotator must not learn from the counters which
    pair was gold. Annotators therefore see `assignments_submitted` count every submission, gold
    included (capped at `assignments_needed`), and no `pairs_complete` (a real submission can complete
    a pair, a gold one never does): each of their submissions moves the numbers alike. Reviewers,
    who see the gold pairs anyway, get the exact real-work figures."""
    reviewer = user_has_role(user, REVIEWER)
    real = Q(is_gold=False)
    pairs = Pair.objects.filter(campaign=campaign).aggregate(
        total=Count("id", filter=real),
        complete=Count("id", filter=real & Q(completed__gte=F("overlap"))),
        judged_slots=Sum("completed", filter=real),
        judged_all=Sum("completed"),
        slots=Sum("overlap", filter=real),
    )
    since = timezone.now() - timedelta(days=1)
    mine = Assignment.objects.filter(campaign=campaign, annotator=user).aggregate(
        submitted=Count("id", filter=Q(state=AssignmentState.SUBMITTED)),
        submitted_last_24h=Count("id", filter=Q(state=AssignmentState.SUBMITTED, finished_at__gte=since)),
        skipped=Count("id", filter=Q(state=AssignmentState.SKIPPED)),
        flagged=Count("id", filter=Q(state=AssignmentState.FLAGGED)),
    )
    needed = pairs["slots"] or 0
    result = {
        "campaign": campaign.pk,
        "pairs_total": pairs["total"],
        "assignments_submitted": min(pairs["judged_all"] or 0, needed),
        "assignments_needed": needed,
        "mine": mine,
    }
    if reviewer:
        result.update(pairs_complete=pairs["complete"], assignments_submitted=pairs["judged_slots"] or 0)
        result["live_leases"] = Assignment.objects.filter(
            campaign=campaign, state=AssignmentState.LEASED, expires_at__gt=timezone.now()
        ).count()
        result["judgments_per_dimension"] = dict(
            Judgment.objects.filter(pair__campaign=campaign)
            .values_list("dimension__key").annotate(n=Count("id")).values_list("dimension__key", "n")
        )
    return result


def dimension_list() -> list[dict]:
    """Every dimension as the pages' scripts read them (the API's DimensionSerializer fields), in
    display order; training's pages use it too, so they need nothing from annotation.api."""
    fields = ("key", "group", "name", "definition", "guideline", "order")
    return list(Dimension.objects.order_by("order", "key").values(*fields))
