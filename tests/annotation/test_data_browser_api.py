"""The data browser, pair page, history and comments API (annotation/api/data_views.py):
filters, server-side paging with a constant number of queries per page, what each role sees."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotation.models import Flag, FlagReason, PairComment
from annotation.services.answer_edits import assignment_answers_edit
from tests.export.conftest import judge
from tests.factories import CampaignFactory, UserFactory, make_pairs

pytestmark = pytest.mark.django_db
DIMS = ["smoothness", "motion"]


@pytest.fixture
def data(alice, bob):
    """Campaign of 6 pairs: alice judges pairs 0-3, bob 0-5; pair 0 disputed on motion; pair 5 gold."""
    campaign = CampaignFactory(overlap=3, dimensions=DIMS)
    pairs = make_pairs(campaign, n_pairs=5) + make_pairs(campaign, n_pairs=1, is_gold=True)
    mine = [judge(p, alice, {"smoothness": 1, "motion": -2 if i == 0 else 1}) for i, p in enumerate(pairs[:4])]
    theirs = [judge(p, bob, {"smoothness": 1, "motion": 1}) for p in pairs]
    Flag.objects.create(assignment=theirs[2], reason=FlagReason.OTHER, note="odd", created_by=bob)
    return campaign, pairs, mine


def _get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_judgments_filter_by_annotator_dimension_and_agreement(data, rita, alice, client_for):
    campaign, pairs, _ = data
    client = client_for(rita)
    everything = _get(client, "/api/data/judgments/", campaign=campaign.pk)
    assert everything["count"] == (4 + 6) * 2
    alice_motion = _get(client, "/api/data/judgments/", annotator=alice.pk, dimension="motion")
    assert alice_motion["count"] == 4
    assert {r["annotator_name"] for r in alice_motion["results"]} == {"alice"}
    assert {r["dimension_key"] for r in alice_motion["results"]} == {"motion"}
    disputed = _get(client, "/api/data/judgments/", agreement="disputed")
    assert {(r["pair_id"], r["dimension_key"]) for r in disputed["results"]} == {(pairs[0].pk, "motion")}
    assert _get(client, "/api/data/judgments/", gold="yes")["count"] == 2


def test_pairs_filter_by_generator_status_annotator_and_agreement(data, rita, alice, client_for):
    campaign, pairs, _ = data
    client = client_for(rita)
    assert _get(client, "/api/data/pairs/", campaign=campaign.pk)["count"] == 6
    assert [r["id"] for r in _get(client, "/api/data/pairs/", agreement="disputed")["results"]] == [pairs[0].pk]
    assert _get(client, "/api/data/pairs/", agreement="disputed", dimension="smoothness")["count"] == 0
    assert _get(client, "/api/data/pairs/", annotator=alice.pk)["count"] == 4
    assert _get(client, "/api/data/pairs/", status="in_progress")["count"] == 6
    generator = pairs[1].video_a.generator
    rows = _get(client, "/api/data/pairs/", generator=generator)["results"]
    assert rows and all(generator in (r["generator_a"], r["generator_b"]) for r in rows)
    flags = _get(client, "/api/data/flags/", status="open")
    assert [r["pair_id"] for r in flags["results"]] == [pairs[2].pk]


def test_videos_show_renditions_never_originals(data, rita, client_for):
    campaign, _, _ = data
    rows = _get(client_for(rita), "/api/data/videos/", campaign=campaign.pk, page_size=100)["results"]
    assert len(rows) == 12
    text = json.dumps(rows)
    assert "renditions/" in text and "videos/" not in text.replace("/api/data/videos/", "")


@pytest.mark.parametrize("tab", ["videos", "pairs", "judgments", "flags"])
def test_a_page_costs_the_same_queries_whatever_its_size(data, rita, client_for, tab):
    client = client_for(rita)
    _get(client, f"/api/data/{tab}/", page_size=1)  # the roles are read once per user object
    counts = []
    for size in (1, 20):
        with CaptureQueriesContext(connection) as queries:
            _get(client, f"/api/data/{tab}/", page_size=size)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_bad_filters_are_a_400_and_past_the_last_page_a_404(data, rita, client_for):
    client = client_for(rita)
    for params in ({"status": "complete"}, {"dimension": "nope"}, {"agreement": "x"}, {"campaign": "abc"},
                   {"annotator": 0}):
        assert client.get("/api/data/judgments/", params).status_code == 400, params
    assert client.get("/api/data/judgments/", {"page": 99}).status_code == 404


def test_the_pair_page_shows_every_answer_with_its_edit_history(data, rita, alice, client_for):
    _, pairs, mine = data
    assignment_answers_edit(assignment_id=mine[0].pk, annotator=alice, answers=[("motion", 1)])
    client = client_for(rita)
    with CaptureQueriesContext(connection) as queries:
        detail = _get(client, f"/api/pairs/{pairs[0].pk}/")
    assert len(queries) <= 12
    answers = {a["annotator"]["username"]: a for a in detail["answers"]}
    assert answers["alice"]["strengths"] == {"smoothness": 1, "motion": 1}
    assert [(h["from"], h["to"], h["by"]) for h in answers["alice"]["history"]["motion"]] == [(-2, 1, "alice")]
    assert answers["bob"]["history"] == {}
    assert detail["video_a"]["url"].startswith("/media/renditions/") and "generator" in detail["video_a"]
    assert "/media/videos/" not in json.dumps(detail), "originals are never linked"


def test_history_lists_my_answers_and_edits_through_the_api(data, alice, bob, client_for):
    _, pairs, mine = data
    client = client_for(alice)
    history = _get(client, "/api/me/history/")
    assert history["count"] == 4
    text = json.dumps(history)
    assert '"generator"' not in text and "secret-gen" not in text and "bob" not in text and "is_gold" not in text
    item = next(i for i in history["results"] if i["assignment"] == mine[0].pk)
    assert item["editable"] and item["editable_until"]
    response = client.post(f"/api/assignments/{mine[0].pk}/answers/",
                           {"answers": [{"dimension": "motion", "strength": 2}]}, format="json")
    assert response.status_code == 200, response.content
    motion = next(a for a in response.json()["answers"] if a["dimension"] == "motion")
    assert (motion["strength"], motion["original"], motion["edits"]) == (2, -2, 1)
    assert client_for(bob).post(f"/api/assignments/{mine[0].pk}/answers/",
                                {"answers": [{"dimension": "motion", "strength": 0}]},
                                format="json").status_code == 404


def test_history_does_not_tell_gold_pairs_apart(alice, client_for):
    campaign = CampaignFactory(overlap=3, dimensions=DIMS)
    gold, real = make_pairs(campaign, n_pairs=1, is_gold=True) + make_pairs(campaign, n_pairs=1)
    judge(gold, alice, {"smoothness": 1, "motion": 1})
    judge(real, alice, {"smoothness": 1, "motion": 1})
    client = client_for(alice)
    items = {i["pair"]: i for i in _get(client, "/api/me/history/")["results"]}

    def shape(item):  # everything that could single a gold pair out
        return {key: item[key] for key in ("campaign", "editable", "answers", "comments")}

    assert shape(items[gold.pk]) == shape(items[real.pk]) and items[gold.pk]["editable"]
    response = client.post(f"/api/assignments/{items[gold.pk]['assignment']}/answers/",
                           {"answers": [{"dimension": "motion", "strength": 2}]}, format="json")
    assert response.status_code == 200, response.content


def test_comments_for_people_who_judged_the_pair_and_for_reviewers(data, alice, rita, client_for):
    _, pairs, _ = data
    judged, not_judged = pairs[0], pairs[4]
    alice_client = client_for(alice)
    added = alice_client.post(f"/api/pairs/{judged.pk}/comments/", {"text": "  The left clip stutters.  "},
                              format="json")
    assert added.status_code == 201 and added.json()["text"] == "The left clip stutters."
    assert alice_client.post(f"/api/pairs/{not_judged.pk}/comments/", {"text": "hi"}, format="json").status_code == 404
    assert alice_client.get(f"/api/pairs/{not_judged.pk}/comments/").status_code == 404
    assert alice_client.post(f"/api/pairs/{judged.pk}/comments/", {"text": "   "}, format="json").status_code == 400
    reviewer = client_for(rita)
    assert reviewer.post(f"/api/pairs/{not_judged.pk}/comments/", {"text": "checked"}, format="json").status_code == 201
    assert [c["author"] for c in _get(reviewer, f"/api/pairs/{judged.pk}/")["comments"]] == ["alice"]
    history = _get(alice_client, "/api/me/history/")["results"]
    assert [c["text"] for i in history if i["pair"] == judged.pk for c in i["comments"]] == ["The left clip stutters."]
    assert PairComment.objects.count() == 2


def test_pages_need_their_role(data, client, alice, rita):
    mallory = UserFactory(username="nobody")
    client.force_login(mallory)
    assert client.get("/studio/mine/").status_code == 403
    client.force_login(alice)
    assert client.get("/studio/mine/").status_code == 200
    assert client.get("/studio/data/").status_code == 403
    client.force_login(rita)
    assert client.get("/studio/data/").status_code == 200
    assert client.get(f"/studio/pairs/{data[1][0].pk}/").status_code == 200
    assert client.get("/studio/pairs/999999/").status_code == 404


def test_edits_and_comments_are_read_only_in_the_django_admin(data, client, alice):
    _, pairs, mine = data
    assignment_answers_edit(assignment_id=mine[0].pk, annotator=alice, answers=[("motion", 1)])
    PairComment.objects.create(pair=pairs[0], author=alice, text="hello")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for model in ("judgmentrevision", "paircomment"):
        assert client.get(f"/admin/annotation/{model}/").status_code == 200
        assert client.get(f"/admin/annotation/{model}/add/").status_code == 403


def test_a_history_page_costs_the_same_queries_whatever_its_size(data, alice, client_for):
    client = client_for(alice)
    _get(client, "/api/me/history/", page_size=1)
    counts = []
    for size in (1, 4):
        with CaptureQueriesContext(connection) as queries:
            assert len(_get(client, "/api/me/history/", page_size=size)["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
