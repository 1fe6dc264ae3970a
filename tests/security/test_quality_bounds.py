"""Finding 5: a reviewer cannot stall the web tier through the quality endpoints.

Before the fix `quality/leaderboard/?n_boot=2000` ran 2001 Bradley-Terry fits per dimension in the
request (~12 s) and every n_boot value was a new cache entry, so a few concurrent requests made an
annotator's `/api/me/` take 21 s. Now every parameter has a range (400 outside) and the bootstrap
runs only in a worker, one per campaign at a time; the request serves the cache or the scores
without intervals."""
from __future__ import annotations

import pytest

import annotation.quality.leaderboard as leaderboard_module
from annotation.api import quality_views
from annotation.selectors import quality_leaderboard
from annotation.tasks import compute_leaderboard
from demo import SimulatedAnnotator
from tests.factories import CampaignFactory, UserFactory
from tests.quality_db.support import build_world, judge_pairs

pytestmark = pytest.mark.django_db


@pytest.fixture
def judged_campaign():
    campaign = CampaignFactory(overlap=2)
    world = build_world(campaign, n_prompts=2)
    raters = [(UserFactory(roles=["annotator"]), SimulatedAnnotator(noise=0.05, seed=i)) for i in range(2)]
    judge_pairs(campaign, world, raters)
    return campaign


@pytest.mark.parametrize("query", [
    "quality/leaderboard/?n_boot=2000", "quality/leaderboard/?n_boot=1001", "quality/leaderboard/?n_boot=5",
    "quality/leaderboard/?n_boot=1e9", "quality/review-queue/?offset=1000000000", "quality/review-queue/?limit=101",
    "quality/review-queue/?min_std=nan", "quality/review-queue/?min_std=5", "quality/agreement/history/?days=366",
])
def test_parameters_outside_their_range_get_a_clear_400(query, rita, client_for):
    campaign = CampaignFactory()
    response = client_for(rita).get(f"/api/campaigns/{campaign.pk}/{query}")
    assert response.status_code == 400, (query, response.content)
    assert response.json()["fields"]  # names the parameter and its range


def test_the_leaderboard_request_never_runs_the_bootstrap(judged_campaign, rita, client_for, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(quality_views.compute_leaderboard, "delay", lambda *args: queued.append(args))
    bootstrap = leaderboard_module.bootstrap_ci

    def no_bootstrap_in_requests(*args, **kwargs):
        raise AssertionError("the web request ran the bootstrap")

    monkeypatch.setattr(leaderboard_module, "bootstrap_ci", no_bootstrap_in_requests)
    fits = []
    scores_only = quality_leaderboard.campaign_leaderboard
    monkeypatch.setattr(quality_leaderboard, "campaign_leaderboard",
                        lambda **kwargs: fits.append(kwargs["n_boot"]) or scores_only(**kwargs))
    client = client_for(rita)
    url = f"/api/campaigns/{judged_campaign.pk}/quality/leaderboard/"
    with django_capture_on_commit_callbacks(execute=True):
        reports = [client.get(f"{url}?n_boot={n}").json() for n in (1000, 999, 998, 1000)]
    for report in reports:
        assert report["intervals_pending"] is True and report["stale"] is True
        rows = [row for dimension in report["dimensions"] for row in dimension["rows"]]
        assert rows and all(row["ci_low"] is None and isinstance(row["score"], float) for row in rows)
    assert queued == [(judged_campaign.pk, 1000)]  # one bootstrap per campaign at a time, however asked
    assert fits == [0]  # the scores without intervals: computed once, shared by every n_boot

    monkeypatch.setattr(leaderboard_module, "bootstrap_ci", bootstrap)
    compute_leaderboard.apply(args=[judged_campaign.pk, 50])  # the worker, with the real bootstrap
    monkeypatch.setattr(leaderboard_module, "bootstrap_ci", no_bootstrap_in_requests)
    served = client.get(f"{url}?n_boot=50").json()
    assert served["stale"] is False and "intervals_pending" not in served and served["n_boot"] == 50
    assert all(row["ci_low"] <= row["score"] <= row["ci_high"]
               for dimension in served["dimensions"] for row in dimension["rows"])
