"""Which pairs to create among a prompt's videos (ORM-free).

`all`: every unordered pair. With a budget per prompt, pairs are picked greedily so that
generator match-ups stay balanced across the whole campaign: each pick takes the pair whose
(generator, generator) match-up has been used least so far, then the pair whose videos have
been shown least, then a seeded random order. Same-generator pairs come last because they say
nothing about which generator is better.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations

VideoRef = tuple[int, str]  # (video id, generator name)


def plan_pairs(
    videos_by_prompt: Mapping[int, Sequence[VideoRef]],
    *,
    budget_per_prompt: int | None = None,
    seed: int = 0,
    existing: set[tuple[int, int]] = frozenset(),
    used_per_prompt: Mapping[int, int] | None = None,
) -> list[tuple[int, int]]:
    """Return new (video_a, video_b) pairs with video_a < video_b, in a deterministic order.
    `used_per_prompt`: pairs a prompt already has, taken off its budget (so importing a prompt's
    videos in several batches never exceeds the budget)."""
    if budget_per_prompt is not None and budget_per_prompt < 1:
        raise ValueError("budget_per_prompt must be at least 1 (or None for all pairs)")
    rng = random.Random(seed)
    matchups: Counter = Counter()
    shown: Counter = Counter()
    planned: list[tuple[int, int]] = []
    for prompt_id in sorted(videos_by_prompt):
        refs = sorted(videos_by_prompt[prompt_id])
        generator_of = dict(refs)
        candidates = [(a, b) for (a, _), (b, _) in combinations(refs, 2) if (a, b) not in existing]
        rng.shuffle(candidates)
        left = None if budget_per_prompt is None else budget_per_prompt - (used_per_prompt or {}).get(prompt_id, 0)
        budget = len(candidates) if left is None else max(0, min(left, len(candidates)))
        for _ in range(budget):
            def cost(pair):
                ga, gb = sorted((generator_of[pair[0]], generator_of[pair[1]]))
                return (ga == gb, matchups[(ga, gb)], shown[pair[0]] + shown[pair[1]])

            best = min(candidates, key=cost)  # min is stable: ties keep the shuffled order
            candidates.remove(best)
            ga, gb = sorted((generator_of[best[0]], generator_of[best[1]]))
            matchups[(ga, gb)] += 1
            shown[best[0]] += 1
            shown[best[1]] += 1
            planned.append(best)
    return planned
