"""Per-video Bradley-Terry scores recover the simulated generators' known quality order, and
the refresh task keeps the VideoScore table (what exports and GAPO read) current."""
from collections import defaultdict
from itertools import combinations

import numpy as np
import pytest
from scipy.stats import spearmanr

from annotation.models import CampaignProtocol, VideoScore
from annotation.services.quality import campaign_quality_refresh
from annotation.tasks import compute_leaderboard, refresh_quality
from demo import DIMENSIONS, GENERATORS, expected_truth
from tests.factories import CampaignFactory
from tests.quality_db.support import build_world, judge_pairs

pytestmark = pytest.mark.django_db

SEPARATION = 0.05


def _separated(values: dict[str, float]) -> list[str]:
    """Generators whose expected values are more than SEPARATION apart, best first (greedy)."""
    kept = []
    for name in sorted(values, key=values.get, reverse=True):
        if not kept or values[kept[-1]] - values[name] > SEPARATION:
            kept.append(name)
    return kept


def _generator_means(campaign, world) -> dict[str, dict[str, float]]:
    scores = defaultdict(list)
    for video_id, key, scaled in VideoScore.objects.filter(campaign=campaign).values_list(
            "video_id", "dimension__key", "bt_scaled"):
        scores[(key, world.generator[video_id])].append(scaled)
    return {key: {g.name: float(np.mean(scores[(key, g.name)])) for g in GENERATORS} for key in DIMENSIONS}


def test_bradley_terry_scores_recover_the_generator_quality_order(make_raters, rita, client_for):
    campaign = CampaignFactory(overlap=3)
    world = build_world(campaign, n_prompts=10)
    judge_pairs(campaign, world, make_raters(4, noise=0.05), per_pair=3)
    campaign_quality_refresh(campaign=campaign, warm_cache=False)

    assert VideoScore.objects.filter(campaign=campaign).count() == 50 * 6
    assert VideoScore.objects.filter(campaign=campaign, bt_scaled__gte=0, bt_scaled__lte=1, n=12).count() == 300
    means = _generator_means(campaign, world)
    url = f"/api/campaigns/{campaign.pk}/quality/leaderboard/?n_boot=50"
    assert client_for(rita).get(url).json()["intervals_pending"] is True  # the request never bootstraps
    compute_leaderboard.apply(args=[campaign.pk, 50])  # what the worker does
    leaderboard = client_for(rita).get(url).json()
    board = {d["dimension"]: {r["generator"]: r for r in d["rows"]} for d in leaderboard["dimensions"]}
    for key in DIMENSIONS:
        expected = {g.name: expected_truth(g)[key] for g in GENERATORS}
        kept = _separated(expected)
        rho = spearmanr([expected[g] for g in kept], [means[key][g] for g in kept])[0]
        assert rho >= 0.9, (key, kept, means[key])
        assert spearmanr(list(expected.values()), [means[key][g] for g in expected])[0] >= 0.8, key
        for g1, g2 in combinations(expected, 2):
            if abs(expected[g1] - expected[g2]) > SEPARATION:
                assert (means[key][g1] > means[key][g2]) == (expected[g1] > expected[g2]), (key, g1, g2)
                assert (board[key][g1]["score"] > board[key][g2]["score"]) == (expected[g1] > expected[g2])
        assert all(r["ci_low"] <= r["score"] <= r["ci_high"] for r in board[key].values())


def test_the_refresh_task_writes_scores_and_mean_ratings(make_raters):
    campaign = CampaignFactory(overlap=2, protocol=CampaignProtocol.BOTH)
    world = build_world(campaign, n_prompts=2)
    judge_pairs(campaign, world, make_raters(2, noise=0.05), ratings=True)
    refresh_quality.apply(args=[campaign.pk]).get()
    rows = VideoScore.objects.filter(campaign=campaign)
    assert rows.count() == 10 * 6
    assert all(r.mean_rating is not None and 1 <= r.mean_rating <= 5 and r.n_ratings == 8 and r.n == 8 for r in rows)
    # a second refresh replaces the rows instead of adding to them
    refresh_quality.apply(args=[campaign.pk]).get()
    assert VideoScore.objects.filter(campaign=campaign).count() == 60


def test_the_quality_refresh_is_scheduled_by_beat(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="annotation.tasks.refresh_quality")
    assert task.enabled and task.interval.every == 300
