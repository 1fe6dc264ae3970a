from datetime import timedelta

import pytest
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, CampaignStatus, Pair
from annotation.services.leasing import assignment_lease_next, leases_reap_expired
from tests.annotation.support import lease_next, submit_body
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db


def test_next_returns_a_blind_lease_in_a_b_terms(alice, client_for):
    campaign = CampaignFactory()
    (pair,) = make_pairs(campaign, n_pairs=1)
    lease = lease_next(client_for(alice), campaign.pk)
    assert {lease["video_a"]["id"], lease["video_b"]["id"]} == {pair.video_a_id, pair.video_b_id}
    assert lease["video_a"]["id"] == pair.video_a_id
    assert lease["left"] in ("a", "b")
    assert [d["key"] for d in lease["dimensions"]] == [
        "smoothness", "motion", "appeal", "text_video", "image_video", "character"]
    assignment = Assignment.objects.get(pk=lease["assignment"])
    assert assignment.a_on_left == (lease["left"] == "a")
    assert "generator" not in str(lease) and "secret-gen" not in str(lease)


def test_left_right_order_is_randomised_per_assignment(alice, client_for):
    campaign = CampaignFactory(overlap=1)
    make_pairs(campaign, n_pairs=40)
    for _ in range(40):
        assignment = assignment_lease_next(campaign=campaign, annotator=alice)
        Assignment.objects.filter(pk=assignment.pk).update(state=AssignmentState.SUBMITTED)
    sides = set(Assignment.objects.values_list("a_on_left", flat=True))
    assert sides == {True, False}


def test_a_reload_resumes_the_open_lease_and_a_prefetch_gets_another_pair(alice, client_for):
    campaign = CampaignFactory()
    make_pairs(campaign, n_pairs=3)
    client = client_for(alice)
    first = lease_next(client, campaign.pk)
    assert lease_next(client, campaign.pk)["assignment"] == first["assignment"]
    prefetched = lease_next(client, campaign.pk, exclude=[first["assignment"]])
    assert prefetched["assignment"] != first["assignment"]
    assert Assignment.objects.filter(annotator=alice, state=AssignmentState.LEASED).count() == 2


def test_it_never_hands_the_same_pair_twice_to_one_annotator(alice, client_for):
    campaign = CampaignFactory(overlap=3)
    make_pairs(campaign, n_pairs=4)
    client = client_for(alice)
    seen = []
    while True:
        lease = lease_next(client, campaign.pk)
        if lease["assignment"] is None:
            break
        seen.append((lease["video_a"]["id"], lease["video_b"]["id"]))
        assert client.post(f"/api/assignments/{lease['assignment']}/submit/", submit_body(lease), format="json").status_code == 201
    assert len(seen) == 4 == len(set(seen))
    assert lease["reason"] == "nothing_left"


def test_pairs_in_progress_are_finished_before_fresh_ones(alice, bob, client_for):
    campaign = CampaignFactory(overlap=2)
    low, high = make_pairs(campaign, n_pairs=2)
    Pair.objects.filter(pk=high.pk).update(priority=10)
    assert assignment_lease_next(campaign=campaign, annotator=alice).pair_id == high.pk
    # bob finishes the started pair although `low` has the same priority as nothing else
    Pair.objects.filter(pk=low.pk).update(priority=20)
    assert assignment_lease_next(campaign=campaign, annotator=bob).pair_id == high.pk


def test_priority_orders_fresh_pairs(alice):
    campaign = CampaignFactory()
    pairs = make_pairs(campaign, n_pairs=3)
    Pair.objects.filter(pk=pairs[1].pk).update(priority=5)
    assert assignment_lease_next(campaign=campaign, annotator=alice).pair_id == pairs[1].pk


def test_an_annotator_cannot_hoard_leases(alice, client_for, settings):
    settings.MAX_LIVE_LEASES_PER_ANNOTATOR = 2
    campaign = CampaignFactory()
    make_pairs(campaign, n_pairs=5)
    client = client_for(alice)
    held = []
    for _ in range(2):
        held.append(lease_next(client, campaign.pk, exclude=held)["assignment"])
    response = client.post(f"/api/campaigns/{campaign.pk}/next/", {"exclude": held}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "too_many_leases"


def test_a_paused_campaign_hands_out_nothing(alice, client_for):
    campaign = CampaignFactory(status=CampaignStatus.PAUSED)
    make_pairs(campaign, n_pairs=1)
    response = client_for(alice).post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json")
    assert response.status_code == 404  # annotators do not even see paused campaigns


def test_heartbeat_extends_a_live_lease(alice, client_for):
    campaign = CampaignFactory(lease_ttl_seconds=60)
    make_pairs(campaign, n_pairs=1)
    client = client_for(alice)
    lease = lease_next(client, campaign.pk)
    Assignment.objects.filter(pk=lease["assignment"]).update(expires_at=timezone.now() + timedelta(seconds=5))
    response = client.post(f"/api/assignments/{lease['assignment']}/heartbeat/")
    assert response.status_code == 200
    assert Assignment.objects.get(pk=lease["assignment"]).expires_at > timezone.now() + timedelta(seconds=50)


def test_heartbeat_on_an_expired_lease_says_so(alice, client_for):
    campaign = CampaignFactory()
    make_pairs(campaign, n_pairs=1)
    client = client_for(alice)
    lease = lease_next(client, campaign.pk)
    Assignment.objects.filter(pk=lease["assignment"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(f"/api/assignments/{lease['assignment']}/heartbeat/")
    assert response.status_code == 409 and response.json()["code"] == "lease_expired"


def test_expired_leases_are_reaped_and_offered_to_someone_else(alice, bob):
    campaign = CampaignFactory(overlap=1)
    (pair,) = make_pairs(campaign, n_pairs=1)
    stale = assignment_lease_next(campaign=campaign, annotator=alice)
    assert assignment_lease_next(campaign=campaign, annotator=bob) is None
    Assignment.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert leases_reap_expired() == 1
    stale.refresh_from_db()
    assert stale.state == AssignmentState.EXPIRED
    assert Pair.objects.get(pk=pair.pk).taken == 0
    assert assignment_lease_next(campaign=campaign, annotator=bob).pair_id == pair.pk


def test_next_reaps_expired_leases_itself_when_nothing_else_is_free(alice, bob):
    campaign = CampaignFactory(overlap=1)
    (pair,) = make_pairs(campaign, n_pairs=1)
    stale = assignment_lease_next(campaign=campaign, annotator=alice)
    Assignment.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert assignment_lease_next(campaign=campaign, annotator=bob).pair_id == pair.pk


def test_the_reaper_task_reaps(alice):
    from annotation.tasks import reap_expired_leases

    campaign = CampaignFactory()
    make_pairs(campaign, n_pairs=1)
    stale = assignment_lease_next(campaign=campaign, annotator=alice)
    Assignment.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert reap_expired_leases.apply().get() == 1


def test_when_others_hold_the_last_pairs_the_client_is_told_to_wait(alice, bob, client_for):
    campaign = CampaignFactory(overlap=1)
    make_pairs(campaign, n_pairs=1)
    lease_next(client_for(alice), campaign.pk)
    body = lease_next(client_for(bob), campaign.pk)
    assert body["assignment"] is None
    assert body["reason"] == "all_taken" and 1 <= body["retry_after_s"] <= 300
