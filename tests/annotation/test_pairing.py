from collections import Counter

import pytest

from annotation.pairing import plan_pairs

GENERATORS = ["aurora", "bolt", "cel", "dusk", "ember"]

def _campaign(n_prompts=20):
    return {p: [(p * 10 + i, g) for i, g in enumerate(GENERATORS)] for p in range(n_prompts)}

def test_without_a_budget_every_unordered_pair_is_planned_once():
    planned = plan_pairs(_campaign(3))
    assert len(planned) == 3 * 10 and len(set(planned)) == 30
    assert all(a < b for a, b in planned)

def test_a_budget_spreads_generator_matchups_evenly():
    videos = _campaign(20)
    gen = {v: g for refs in videos.values() for v, g in refs}
    planned = plan_pairs(videos, budget_per_prompt=3, seed=1)
    assert len(planned) == 60
    matchups = Counter(tuple(sorted((gen[a], gen[b]))) for a, b in planned)
    assert len(matchups) == 10  # all 10 generator match-ups appear
    assert max(matchups.values()) - min(matchups.values()) <= 1

def test_existing_pairs_are_not_planned_again():
    videos = _campaign(1)
    first = plan_pairs(videos, budget_per_prompt=4)
    rest = plan_pairs(videos, existing=set(first))
    assert set(first).isdisjoint(rest) and len(first) + len(rest) == 10

def test_same_generator_pairs_come_last():
    videos = {0: [(1, "a"), (2, "a"), (3, "b")]}
    planned = plan_pairs(videos, budget_per_prompt=2)
    assert (1, 2) not in planned

def test_planning_is_deterministic_for_a_seed():
    assert plan_pairs(_campaign(5), budget_per_prompt=2, seed=7) == plan_pairs(_campaign(5), budget_per_prompt=2, seed=7)

def test_a_zero_budget_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        plan_pairs(_campaign(1), budget_per_prompt=0)

def test_single_video_prompts_yield_nothing():
    assert plan_pairs({0: [(1, "a")]}) == []
