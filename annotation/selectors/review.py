"""Reads for the reviewer pages: per-annotator throughput and behaviour in one campaign."""
from __future__ import annotations

from django.db.models import Aggregate, Count, FloatField, Max, Q

from annotation.models import Assignment, AssignmentState, Campaign


class Median(Aggregate):
    """PostgreSQL's continuous median (percentile_cont(0.5)); NULL inputs are ignored."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def campaign_annotator_stats(*, campaign: Campaign) -> list[dict]:
    """One row per annotator who ever held a lease in the campaign, busiest first.

    median_time_ms is over submitted pairs only (skips are quick by nature and would flatter it).
    """
    submitted = Q(state=AssignmentState.SUBMITTED)
    rows = (
        Assignment.objects.filter(campaign=campaign)
        .values("annotator_id", "annotator__username")
        .annotate(
            submitted=Count("id", filter=submitted),
            skipped=Count("id", filter=Q(state=AssignmentState.SKIPPED)),
            flagged=Count("id", filter=Q(state=AssignmentState.FLAGGED)),
            expired=Count("id", filter=Q(state=AssignmentState.EXPIRED)),
            median_time_ms=Median("time_spent_ms", filter=submitted),
            last_finished_at=Max("finished_at"),
        )
        .order_by("-submitted", "annotator__username")
    )
    return [
        {
            "annotator": r["annotator_id"],
            "username": r["annotator__username"],
            "submitted": r["submitted"],
            "skipped": r["skipped"],
            "flagged": r["flagged"],
            "expired": r["expired"],
            "median_time_ms": None if r["median_time_ms"] is None else round(r["median_time_ms"]),
            "last_finished_at": r["last_finished_at"],
        }
        for r in rows
    ]
