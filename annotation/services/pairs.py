"""Pair generation. The media issue adds budgets per prompt with balanced generator coverage;
for now every unordered pair of a prompt's ready videos becomes one pair."""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

from django.db import transaction

from annotation.models import Campaign, Pair, Video, VideoStatus


def pairs_create_for_prompts(*, campaign: Campaign, prompt_ids: Iterable[int], seed: int | None = None) -> int:
    """Create all missing pairs among each prompt's ready videos. Returns the number created."""
    rng = random.Random(seed)
    by_prompt: dict[int, list[int]] = defaultdict(list)
    videos = Video.objects.filter(prompt_id__in=list(prompt_ids), status=VideoStatus.READY).order_by("id")
    for video_id, prompt_id in videos.values_list("id", "prompt_id"):
        by_prompt[prompt_id].append(video_id)
    with transaction.atomic():
        existing = set(Pair.objects.filter(campaign=campaign).values_list("video_a_id", "video_b_id"))
        new_pairs = [
            Pair(campaign=campaign, video_a_id=a, video_b_id=b, overlap=campaign.overlap, random_key=rng.random())
            for ids in by_prompt.values()
            for a, b in combinations(sorted(ids), 2)
            if (a, b) not in existing
        ]
        Pair.objects.bulk_create(new_pairs, batch_size=2000)
    return len(new_pairs)
