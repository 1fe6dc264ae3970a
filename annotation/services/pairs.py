"""Pair generation for a campaign: all pairs within each prompt's ready videos, or a budget per
prompt with balanced generator coverage (see annotation/pairing.py)."""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count

from annotation.models import Campaign, PairingStrategy, Pair, Video, VideoStatus
from annotation.pairing import plan_pairs


def pairs_create_for_prompts(
    *, campaign: Campaign, prompt_ids: Iterable[int], budget_per_prompt: int | None = None, seed: int | None = None,
    statuses: Iterable[str] = (VideoStatus.READY,),
) -> int:
    """Create the missing pairs among each prompt's videos in `statuses` (ready ones by default; the
    import also pairs pending ones, see annotation/services/media_pipeline.py). Without an explicit
    `budget_per_prompt` the campaign's pairing setting decides (all pairs, or its budget per prompt).
    Returns the number created."""
    if budget_per_prompt is None and campaign.pairing == PairingStrategy.BUDGET:
        budget_per_prompt = campaign.pair_budget_per_prompt
    by_prompt: dict[int, list[tuple[int, str]]] = defaultdict(list)
    videos = Video.objects.filter(prompt_id__in=list(prompt_ids), status__in=list(statuses)).order_by("id")
    for video_id, prompt_id, generator in videos.values_list("id", "prompt_id", "generator"):
        by_prompt[prompt_id].append((video_id, generator))
    rng = random.Random(seed)
    with transaction.atomic():
        existing = set(Pair.objects.filter(campaign=campaign).values_list("video_a_id", "video_b_id"))
        used = None
        if budget_per_prompt is not None:
            used = dict(Pair.objects.filter(campaign=campaign, video_a__prompt_id__in=list(by_prompt))
                        .order_by().values("video_a__prompt_id").annotate(n=Count("id"))
                        .values_list("video_a__prompt_id", "n"))
        planned = plan_pairs(by_prompt, budget_per_prompt=budget_per_prompt, seed=seed or 0, existing=existing,
                             used_per_prompt=used)
        Pair.objects.bulk_create(
            [Pair(campaign=campaign, video_a_id=a, video_b_id=b, overlap=campaign.overlap, random_key=rng.random())
             for a, b in planned],
            batch_size=2000,
        )
    return len(planned)
