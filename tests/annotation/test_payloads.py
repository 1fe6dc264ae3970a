"""The hot path's plain-dict payloads (annotation/api/payloads.py) are exactly what the documented
DRF serializers produce, and `next` / `submit` stay within a fixed, small number of queries."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.authtoken.models import Token

from annotation.api import serializers as s
from annotation.models import Assignment, Pair, Video
from annotation.selectors.assignments import assignment_for_payload
from tests.annotation.support import submit_body
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _next(client, campaign_id: int) -> dict:
    response = client.post(f"/api/campaigns/{campaign_id}/next/", {}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("media", ["processed_before_rendition_facts", "ready_with_rendition"])
def test_the_lease_payload_equals_the_lease_serializer(alice, media):
    campaign = CampaignFactory(overlap=1)
    pair = make_pairs(campaign, n_pairs=1)[0]
    if media == "processed_before_rendition_facts":  # made before migration 0010: no rendition size yet
        Video.objects.filter(pk__in=[pair.video_a_id, pair.video_b_id]).update(
            poster="", rendition_width=None, rendition_height=None, rendition_fps=None)
    else:
        Video.objects.filter(pk=pair.video_a_id).update(rendition="renditions/a.mp4", poster="posters/a.jpg")
    lease = _next(_token_client(alice), campaign.pk)

    documented = s.LeaseSerializer(assignment_for_payload(assignment_id=lease["assignment"], annotator=alice)).data
    assert lease == documented
    if media == "ready_with_rendition":
        assert lease["video_a"]["url"].endswith("renditions/a.mp4") and lease["video_a"]["poster_url"]
        assert (lease["video_a"]["width"], lease["video_a"]["height"]) == (256, 144)


@pytest.mark.parametrize("protocol", ["pairwise", "rating", "both"])
def test_the_submit_result_equals_the_result_serializer_for_the_request_and_its_replay(alice, protocol):
    campaign = CampaignFactory(overlap=1, protocol=protocol)
    make_pairs(campaign, n_pairs=1)
    client = _token_client(alice)
    lease = _next(client, campaign.pk)
    body = submit_body(lease, strength=-1)
    if protocol == "rating":
        body["answers"] = []
    if protocol in ("rating", "both"):
        body["ratings"] = [{"video": lease[side]["id"], "dimension": d["key"], "score": 4}
                           for side in ("video_a", "video_b") for d in lease["dimensions"]]
    body["segments"] = [  # spans come back in stored order, not the order sent
        {"video": lease["video_b"]["id"], "dimension": "motion", "start_frame": 3, "end_frame": 7, "severity": 2},
        {"video": lease["video_a"]["id"], "dimension": "smoothness", "start_frame": 9, "end_frame": 9, "note": "pop"},
        {"video": lease["video_a"]["id"], "dimension": "smoothness", "start_frame": 0, "end_frame": 4},
    ]
    url = f"/api/assignments/{lease['assignment']}/submit/"

    first = client.post(url, body, format="json")
    replay = client.post(url, body, format="json")

    assert (first.status_code, replay.status_code) == (201, 200), (first.content, replay.content)
    documented = s.AssignmentResultSerializer(Assignment.objects.get(pk=lease["assignment"])).data
    assert first.json() == {**documented, "replayed": False}
    assert replay.json() == {**documented, "replayed": True}
    assert len(first.json()["judgments"]) == (6 if protocol != "rating" else 0)
    a, b = lease["video_a"]["id"], lease["video_b"]["id"]  # a < b (pair_videos_ordered)
    assert [(g["video"], g["start_frame"]) for g in first.json()["segments"]] == [(a, 0), (a, 9), (b, 3)]


def test_next_and_submit_use_a_fixed_small_number_of_queries(alice, bob):
    campaign = CampaignFactory(overlap=2)
    make_pairs(campaign, n_pairs=4)
    _next(_token_client(bob), campaign.pk)  # someone else's lease and history do not add queries
    client = _token_client(alice)

    with CaptureQueriesContext(connection) as next_queries:
        lease = _next(client, campaign.pk)
    url = f"/api/assignments/{lease['assignment']}/submit/"
    body = submit_body(lease)
    with CaptureQueriesContext(connection) as submit_queries:
        assert client.post(url, body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as replay_queries:
        assert client.post(url, body, format="json").status_code == 200

    # token+roles, campaign+dimensions, advisory lock, live leases+status, claim+insert+pair media
    # (inside a test transaction: savepoints instead of BEGIN/COMMIT)
    def real(captured):
        return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in (q["sql"] or "")]

    assert len(real(next_queries)) == 5, real(next_queries)
    # token+roles, locking read, one write (the response shows what was written)
    assert len(real(submit_queries)) == 3, real(submit_queries)
    # token+roles, locking read, the stored judgments
    assert len(real(replay_queries)) == 3, real(replay_queries)
    assert Pair.objects.get(pk=Assignment.objects.get(pk=lease["assignment"]).pair_id).completed == 1
