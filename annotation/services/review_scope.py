"""Where reviewers may act. Reviewers review every campaign that has started (active, paused or
closed); a draft is still being set up and only admins touch it. Admins act everywhere."""
from __future__ import annotations

from annotation.models import Campaign, CampaignStatus
from studio_platform.errors import ReviewerScopeDenied
from studio_platform.roles import ADMIN, user_has_role

MSG_CAMPAIGN_DRAFT = "Campaign {name!r} is a draft; reviewers act on it once an admin starts it."


def campaign_reviewable_check(*, campaign: Campaign, reviewer) -> None:
    """Raise ReviewerScopeDenied (403) when `reviewer` may not act in `campaign`."""
    if campaign.status == CampaignStatus.DRAFT and not user_has_role(reviewer, ADMIN):
        raise ReviewerScopeDenied(MSG_CAMPAIGN_DRAFT.format(name=campaign.name))
