"""Celery adapters for annotation services."""
from celery import shared_task

from annotation.models import Campaign, CampaignStatus
from annotation.services.agreement_history import agreement_snapshot_take
from annotation.services.leasing import leases_reap_expired
from annotation.services.quality import (
    campaign_model_scores,
    campaign_quality_refresh,
    leaderboard_report_warm,
    quality_reports_warm,
)


@shared_task(name="annotation.tasks.reap_expired_leases", ignore_result=True)
def reap_expired_leases() -> int:
    return leases_reap_expired()


@shared_task(name="annotation.tasks.refresh_quality", ignore_result=True)
def refresh_quality(campaign_id: int | None = None) -> list[dict]:
    """Gold check, per-video scores, pair priorities (with the configured reward model's scores)
    and warm report caches for one campaign, or for every active campaign (the beat schedule's call)."""
    campaigns = Campaign.objects.filter(pk=campaign_id) if campaign_id is not None else \
        Campaign.objects.filter(status=CampaignStatus.ACTIVE)
    return [campaign_quality_refresh(campaign=campaign, model_scores=campaign_model_scores(campaign=campaign))
            for campaign in campaigns.order_by("id")]


@shared_task(name="annotation.tasks.refresh_quality_reports", ignore_result=True)
def refresh_quality_reports(campaign_id: int) -> None:
    """Recompute the cached reviewer reports after the data changed (stale-while-revalidate)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is not None:
        quality_reports_warm(campaign=campaign)


@shared_task(name="annotation.tasks.compute_leaderboard", ignore_result=True)
def compute_leaderboard(campaign_id: int, n_boot: int) -> None:
    """The leaderboard with bootstrap intervals, which web requests never compute."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is not None:
        leaderboard_report_warm(campaign=campaign, n_boot=n_boot)


@shared_task(name="annotation.tasks.snapshot_agreement", ignore_result=True)
def snapshot_agreement(campaign_id: int | None = None) -> int:
    """Hourly (beat): record agreement per dimension and the review-queue size of one campaign,
    or of every active campaign; campaigns whose data did not change are skipped. Returns the
    number of rows written."""
    campaigns = Campaign.objects.filter(pk=campaign_id) if campaign_id is not None else \
        Campaign.objects.filter(status=CampaignStatus.ACTIVE)
    return sum(len(agreement_snapshot_take(campaign=campaign)) for campaign in campaigns.order_by("id"))


from annotation.media_tasks import process_video  # noqa: E402,F401  (media.* tasks; autodiscovery reads this module)
