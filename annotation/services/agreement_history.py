"""Agreement over time: append-only snapshots of each campaign's agreement per dimension and of
its review queue, taken by the hourly `annotation.tasks.snapshot_agreement`.

The numbers come from the same selectors the reviewer dashboards read (`campaign_agreement`
through the report cache, `review_disputes`), so a snapshot always equals what the dashboard
showed at that moment. A campaign whose data version has not changed since its last snapshot is
skipped: an idle campaign adds no rows, and the chart's last point still holds.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from annotation.models import Campaign
from annotation.models.quality import AgreementSnapshot
from annotation.selectors.quality import campaign_agreement, campaign_dimension_keys
from annotation.selectors.quality_cache import campaign_quality_version, quality_report_cached
from annotation.selectors.quality_review import review_disputes

# pg_advisory_xact_lock(namespace, campaign id): two overlapping beat runs must not both write a
# snapshot of the same version. Leasing uses 7301, the media pipeline 7302.
_SNAPSHOT_LOCK_NAMESPACE = 7303


def agreement_snapshot_take(*, campaign: Campaign, now: datetime | None = None) -> list[AgreementSnapshot]:
    """Write one snapshot row per dimension of the campaign, unless its data has not changed
    since the last snapshot (then nothing is written and [] is returned)."""
    now = now or timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_SNAPSHOT_LOCK_NAMESPACE, campaign.pk])
        # Read the version before the numbers: if data arrives meanwhile, the stored version is the
        # older one and the next run snapshots again, never the other way round.
        version = campaign_quality_version(campaign_id=campaign.pk)
        last = (AgreementSnapshot.objects.filter(campaign=campaign).order_by("-computed_at")
                .values_list("data_version", flat=True).first())
        if last == version:
            return []
        report = quality_report_cached(kind="agreement", campaign_id=campaign.pk,
                                       compute=lambda: campaign_agreement(campaign=campaign))
        disputes = review_disputes(campaign=campaign)
        disputed = Counter(d["dimension"] for entry in disputes for d in entry["disputes"])
        dimension_ids = {key: dim_id for dim_id, key in campaign_dimension_keys(campaign=campaign).items()}
        rows = [
            AgreementSnapshot(
                campaign=campaign, dimension_id=dimension_ids[dim["dimension"]], alpha=dim["alpha_ordinal"],
                kappa=dim["kappa_direction"]["mean"], n_judgments=dim["n_votes"],
                n_disputed=disputed.get(dim["dimension"], 0), queue_size=len(disputes), data_version=version,
                computed_at=now,
            )
            for dim in report["dimensions"] if dim["dimension"] in dimension_ids
        ]
        return AgreementSnapshot.objects.bulk_create(rows)
