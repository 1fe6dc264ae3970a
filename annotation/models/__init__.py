from annotation.models.campaigns import Campaign, CampaignProtocol, CampaignStatus, Dimension, DimensionGroup
from annotation.models.media import Prompt, Video, VideoStatus
from annotation.models.work import (
    Assignment,
    AssignmentState,
    Flag,
    FlagReason,
    GoldAnswer,
    Judgment,
    Pair,
    Rating,
)

__all__ = [
    "Assignment",
    "AssignmentState",
    "Campaign",
    "CampaignProtocol",
    "CampaignStatus",
    "Dimension",
    "DimensionGroup",
    "Flag",
    "FlagReason",
    "GoldAnswer",
    "Judgment",
    "Pair",
    "Prompt",
    "Rating",
    "Video",
    "VideoStatus",
]
