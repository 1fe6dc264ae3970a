"""The promoted reward model's per-video scores, for active pair selection.

Read through the app registry: the annotation app does not import the training app, and a
studio without reward models (or before its migrations) simply has no scores to offer.
"""
from __future__ import annotations

from django.apps import apps
from django.db.models import Q

from annotation.models import Campaign, Pair


def campaign_model_scores(*, campaign: Campaign, dimension_keys) -> dict[int, dict[str, float]]:
    """video id -> {dimension key: score in [0, 1]} of the promoted reward model, for the videos
    of the campaign's pairs and the given dimensions; {} when no model is promoted."""
    try:
        score_model = apps.get_model("training", "RewardModelScore")
    except LookupError:
        return {}
    keys = set(dimension_keys)
    pairs = Pair.objects.filter(campaign=campaign)
    rows = (score_model.objects.filter(model_version__promoted=True)
            .filter(Q(video__in=pairs.values("video_a")) | Q(video__in=pairs.values("video_b")))
            .values_list("video_id", "scores"))
    out = {}
    for video_id, scores in rows:
        picked = {k: float(v) for k, v in (scores or {}).items() if k in keys and isinstance(v, (int, float))}
        if picked:
            out[video_id] = picked
    return out
