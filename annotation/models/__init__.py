from annotation.models.campaigns import (
    Campaign, CampaignProtocol, CampaignStatus, Dimension, DimensionGroup, PairingStrategy, SelectionPolicy,
)
from annotation.models.history import JudgmentRevision, PairComment
from annotation.models.media import Prompt, Video, VideoStatus
from annotation.models.quality import Adjudication, AnnotatorState, AnnotatorStatus, VideoScore
from annotation.models.work import (
    Assignment,
    AssignmentState,
    Flag,
    FlagReason,
    GoldAnswer,
    Judgment,
    Pair,
    Rating,
    Segment,
)

__all__ = [
    "Adjudication", "AnnotatorState", "AnnotatorStatus", "SelectionPolicy", "VideoScore",
    "Assignment",
    "AssignmentState",
    "Campaign",
    "CampaignProtocol",
    "CampaignStatus",
    "Dimension",
    "DimensionGroup",
    "Flag",
    "PairingStrategy",
    "FlagReason",
    "GoldAnswer",
    "Judgment",
    "JudgmentRevision",
    "PairComment",
    "Pair",
    "Prompt",
    "Rating",
    "Segment",
    "Video",
    "VideoStatus",
]
