"""Per-annotator quality report for reviewers: status, gold accuracy, leave-one-out agreement."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from annotation.models import AnnotatorState, AnnotatorStatus, Assignment, AssignmentState, Campaign
from annotation.selectors.quality import campaign_annotator_agreement
from annotation.selectors.quality_gold import gold_scores


def _status_dict(status: AnnotatorStatus | None) -> dict:
    if status is None:
        return {"state": AnnotatorState.ACTIVE.value, "reason": "", "changed_by": None, "changed_at": None,
                "automatic": False}
    return {
        "state": status.state,
        "reason": status.reason,
        "changed_by": status.changed_by.username if status.changed_by_id else None,
        "changed_at": status.changed_at.isoformat(),
        "automatic": status.changed_by_id is None,
    }


def _overall_agreement(per_dimension: dict) -> float | None:
    """Direction agreement over all dimensions, weighted by how many pairs each rests on."""
    total = sum(d["n"] for d in per_dimension.values() if d["direction_agreement"] is not None)
    if not total:
        return None
    return sum(d["n"] * d["direction_agreement"] for d in per_dimension.values()
               if d["direction_agreement"] is not None) / total


def campaign_annotator_report(*, campaign: Campaign) -> dict:
    """Everyone who worked on the campaign or has a status in it, worst gold accuracy first."""
    counts = {
        row["annotator_id"]: row
        for row in Assignment.objects.filter(campaign=campaign).order_by().values("annotator_id").annotate(
            submitted=Count("id", filter=Q(state=AssignmentState.SUBMITTED)),
            skipped=Count("id", filter=Q(state=AssignmentState.SKIPPED)),
            flagged=Count("id", filter=Q(state=AssignmentState.FLAGGED)),
            gold_submitted=Count("id", filter=Q(state=AssignmentState.SUBMITTED, pair__is_gold=True)),
        )
    }
    statuses = {
        s.annotator_id: s for s in AnnotatorStatus.objects.filter(campaign=campaign).select_related("changed_by")
    }
    gold = gold_scores(campaign=campaign)
    agreement = campaign_annotator_agreement(campaign=campaign)
    ids = set(counts) | set(statuses)
    names = dict(get_user_model().objects.filter(pk__in=ids).values_list("id", "username"))
    annotators = []
    for annotator_id in ids:
        row = counts.get(annotator_id, {})
        per_dimension = agreement.get(annotator_id, {})
        annotators.append({
            "id": annotator_id,
            "username": names.get(annotator_id, ""),
            "status": _status_dict(statuses.get(annotator_id)),
            "assignments": {k: row.get(k, 0) for k in ("submitted", "skipped", "flagged", "gold_submitted")},
            "gold": gold[annotator_id].as_dict() if annotator_id in gold else None,
            "agreement": {"direction_agreement": _overall_agreement(per_dimension), "per_dimension": per_dimension},
        })

    def worst_first(entry):
        accuracy = entry["gold"]["direction_accuracy"] if entry["gold"] else None
        return (accuracy is None, accuracy if accuracy is not None else 0.0, entry["username"])

    annotators.sort(key=worst_first)
    return {
        "campaign": campaign.pk,
        "rules": {"qualification_gold_count": campaign.qualification_gold_count,
                  "min_gold_accuracy": campaign.min_gold_accuracy, "min_gold_answers": campaign.min_gold_answers,
                  "gold_rate": campaign.gold_rate},
        "annotators": annotators,
    }
