"""Quality endpoints are for reviewers and admins only; their reports are cached per data
version and served stale (marked) while a worker recomputes them."""
import re
import time
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotation.api import quality_views
from annotation.selectors import quality_cache
from annotation.tasks import refresh_quality_reports
from tests.factories import CampaignFactory, make_pairs
from tests.quality_db.support import build_world, judge_pairs

# The judgments table itself (the cache version reads annotation_judgmentrevision, a small table).
READS_JUDGMENTS = re.compile(r"\bannotation_judgment\b")

pytestmark = pytest.mark.django_db

GETS = ["quality/agreement/", "quality/leaderboard/", "quality/annotators/", "quality/review-queue/"]


def _requests(campaign, pair, user):
    yield from (("get", f"/api/campaigns/{campaign.pk}/{tail}", None) for tail in GETS)
    yield "post", f"/api/campaigns/{campaign.pk}/quality/refresh/", {}
    yield "post", f"/api/pairs/{pair.pk}/adjudicate/", {"answers": [{"dimension": "motion", "strength": 1}]}
    yield "post", f"/api/campaigns/{campaign.pk}/annotators/{user.pk}/status/", {"action": "pause", "reason": "x"}


@pytest.mark.parametrize("who", ["alice", "mallory"])
def test_annotators_and_outsiders_get_403_on_every_quality_endpoint(who, request, client_for):
    user = request.getfixturevalue(who)
    campaign = CampaignFactory()
    (pair,) = make_pairs(campaign, n_pairs=1)
    client = client_for(user)
    for method, url, body in _requests(campaign, pair, user):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, url
        assert "secret-gen" not in response.content.decode()
    assert not pair.adjudications.exists()
    for method, url, body in _requests(campaign, pair, user):
        assert getattr(client_for(), method)(url, body, format="json").status_code in (401, 403)


def test_reviewers_and_admins_read_every_report(rita, carol, alice, client_for, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    (pair,) = make_pairs(campaign, n_pairs=1)
    for user in (rita, carol):
        client = client_for(user)
        for url in GETS:
            assert client.get(f"/api/campaigns/{campaign.pk}/{url}").status_code == 200, url
    response = client_for(carol).get(f"/api/campaigns/{campaign.pk}/quality/leaderboard/?n_boot=5")
    assert response.status_code == 400  # fewer than 10 replicates makes no interval
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client_for(rita).post(f"/api/campaigns/{campaign.pk}/quality/refresh/").status_code == 202
    assert len(callbacks) == 1  # the task is queued only once the request commits
    assert client_for(rita).get("/api/campaigns/999999/quality/agreement/").status_code == 404


def test_reports_are_cached_and_served_stale_while_a_worker_recomputes(
        make_raters, rita, client_for, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(quality_views.refresh_quality_reports, "delay", queued.append)
    campaign = CampaignFactory(overlap=3)
    world = build_world(campaign, n_prompts=2)
    raters = make_raters(3, noise=0.05)
    judge_pairs(campaign, world, raters, pairs=world.pairs[:10], per_pair=2)
    client = client_for(rita)
    url = f"/api/campaigns/{campaign.pk}/quality/agreement/"
    first = client.get(url).json()
    assert first["stale"] is False and first["computed_at"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).json() == first
    assert not any(READS_JUDGMENTS.search(q["sql"]) for q in queries.captured_queries)

    judge_pairs(campaign, world, raters, pairs=world.pairs[10:], per_pair=2)
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        stale = client.get(url).json()
        client.get(url)
    assert stale["stale"] is True and stale["dimensions"] == first["dimensions"]
    assert not any(READS_JUDGMENTS.search(q["sql"]) for q in queries.captured_queries)
    assert queued == [campaign.pk]  # one recompute at a time per campaign

    refresh_quality_reports.apply(args=[campaign.pk])  # what the worker does
    fresh = client.get(url).json()
    assert fresh["stale"] is False
    assert fresh["dimensions"][0]["n_votes"] == 2 * first["dimensions"][0]["n_votes"]


def test_a_report_too_old_to_serve_stale_is_recomputed_in_the_request(make_raters, rita, client_for, monkeypatch):
    monkeypatch.setattr(quality_views.refresh_quality_reports, "delay", lambda campaign_id: None)
    campaign = CampaignFactory(overlap=3)
    world = build_world(campaign, n_prompts=1)
    raters = make_raters(2, noise=0.05)
    judge_pairs(campaign, world, raters, pairs=world.pairs[:5])
    url = f"/api/campaigns/{campaign.pk}/quality/agreement/"
    client = client_for(rita)
    client.get(url)
    judge_pairs(campaign, world, raters, pairs=world.pairs[5:])
    later = time.time() + quality_cache.STALE_MAX_SECONDS + 1
    monkeypatch.setattr(quality_cache, "time", SimpleNamespace(time=lambda: later))
    report = client.get(url).json()
    assert report["stale"] is False and report["dimensions"][0]["n_votes"] == 20


def test_reports_are_computed_without_the_cache_when_redis_is_down(settings, rita, client):
    """A dead cache server degrades the reports to per-request computation, never a 500."""
    from tests.factories import CampaignFactory

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1
    campaign = CampaignFactory()
    client.force_login(rita)
    response = client.get(f"/api/campaigns/{campaign.pk}/quality/agreement/")
    assert response.status_code == 200, response.content
    assert response.json()["stale"] is False
