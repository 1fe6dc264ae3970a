"""The reviewer queue finds disagreements; an adjudication settles them and replaces the
crowd's answer in consensus and scores; paused annotators do not count."""

import pytest
from django.utils import timezone

from annotation.models import AnnotatorState, AnnotatorStatus, Dimension, VideoScore
from annotation.selectors.quality import campaign_consensus
from annotation.selectors.quality_review import review_queue
from annotation.services.adjudication import MSG_ADJUDICATE_GOLD
from annotation.services.gold import pair_mark_gold
from annotation.services.quality import video_scores_refresh
from tests.factories import CampaignFactory, UserFactory, make_pairs

from tests.quality_db.support import submitted_vote  # noqa: E402

pytestmark = pytest.mark.django_db


_vote = submitted_vote


@pytest.fixture
def disputed(alice, bob):
    """Pair 0: alice says A on motion, bob says B (opposite). Pair 1: appeal (2, 0, 0), std 0.94
    without opposite sides. Pair 2: everyone agrees."""
    campaign = CampaignFactory(overlap=3)
    pairs = make_pairs(campaign, n_pairs=3)
    _vote(pairs[0], alice, {"motion": -2})
    _vote(pairs[0], bob, {"motion": 1})
    _vote(pairs[1], alice, {"appeal": 2})
    _vote(pairs[1], bob, {"appeal": 0})
    carl = UserFactory(roles=["annotator"])
    _vote(pairs[1], carl, {"appeal": 0})
    _vote(pairs[2], alice, {}, default=1)
    _vote(pairs[2], bob, {}, default=1)
    return campaign, pairs


def test_the_queue_lists_opposite_directions_and_wide_spreads_with_every_answer(disputed, rita, client_for):
    campaign, pairs = disputed
    client = client_for(rita)
    body = client.get(f"/api/campaigns/{campaign.pk}/quality/review-queue/").json()
    assert body["count"] == 1 and body["results"][0]["pair"] == pairs[0].pk
    item = body["results"][0]
    assert [(d["dimension"], d["reason"]) for d in item["disputes"]] == [("motion", "opposite_directions")]
    assert sorted(a["annotator"]["username"] for a in item["answers"]) == ["alice", "bob"]
    assert {a["strengths"]["motion"] for a in item["answers"]} == {-2, 1}
    assert item["video_a"]["id"] == pairs[0].video_a_id and "generator" not in str(item)

    wide = client.get(f"/api/campaigns/{campaign.pk}/quality/review-queue/?min_std=0.5").json()
    assert [r["pair"] for r in wide["results"]] == [pairs[0].pk, pairs[1].pk]
    assert wide["results"][1]["disputes"][0]["reason"] == "spread"


def test_an_adjudication_settles_the_dispute_and_becomes_the_consensus(disputed, rita, client_for):
    campaign, pairs = disputed
    client = client_for(rita)
    response = client.post(f"/api/pairs/{pairs[0].pk}/adjudicate/",
                           {"answers": [{"dimension": "motion", "strength": 1}], "note": "A freezes at 1 s."},
                           format="json")
    assert response.status_code == 201, response.content
    assert client.get(f"/api/campaigns/{campaign.pk}/quality/review-queue/").json()["count"] == 0
    consensus = campaign_consensus(campaign=campaign)[(pairs[0].pk, "motion")]
    assert consensus.direction == "b" and consensus.mean_strength == 1 and consensus.votes == 2
    # a second adjudication replaces the first
    client.post(f"/api/pairs/{pairs[0].pk}/adjudicate/", {"answers": [{"dimension": "motion", "strength": -1}]},
                format="json")
    assert campaign_consensus(campaign=campaign)[(pairs[0].pk, "motion")].direction == "a"
    video_scores_refresh(campaign=campaign)
    motion = dict(VideoScore.objects.filter(campaign=campaign, dimension__key="motion")
                  .values_list("video_id", "bt_score"))
    assert motion[pairs[0].video_a_id] > motion[pairs[0].video_b_id]


@pytest.mark.parametrize("body, fragment", [
    ({"answers": [{"dimension": "sparkle", "strength": 1}]}, "not part of this pair's campaign"),
    ({"answers": [{"dimension": "motion", "strength": 3}]}, "invalid"),
    ({"answers": []}, "invalid"),
    ({"answers": [{"dimension": "motion", "strength": 1}, {"dimension": "motion", "strength": 2}]}, "once per request"),
])
def test_bad_adjudications_are_refused_and_nothing_is_stored(disputed, rita, client_for, body, fragment):
    _, pairs = disputed
    response = client_for(rita).post(f"/api/pairs/{pairs[0].pk}/adjudicate/", body, format="json")
    assert response.status_code == 400 and fragment in response.content.decode()
    assert not pairs[0].adjudications.exists()


def test_gold_pairs_are_not_adjudicated(disputed, rita, client_for):
    _, pairs = disputed
    pair_mark_gold(pair=pairs[2], answers=dict.fromkeys(Dimension.objects.values_list("key", flat=True), 1))
    response = client_for(rita).post(f"/api/pairs/{pairs[2].pk}/adjudicate/",
                                     {"answers": [{"dimension": "motion", "strength": 1}]}, format="json")
    assert response.status_code == 400 and response.json()["detail"] == MSG_ADJUDICATE_GOLD.format(pair=pairs[2].pk)


def test_paused_annotators_leave_the_queue_and_the_consensus(disputed, bob, rita):
    campaign, pairs = disputed
    assert review_queue(campaign=campaign)["count"] == 1
    AnnotatorStatus.objects.create(campaign=campaign, annotator=bob, state=AnnotatorState.PAUSED,
                                   reason="spam", changed_by=rita, changed_at=timezone.now())
    assert review_queue(campaign=campaign)["count"] == 0
    consensus = campaign_consensus(campaign=campaign)
    assert consensus[(pairs[0].pk, "motion")].votes == 1
    assert consensus[(pairs[0].pk, "motion")].direction == "a"
