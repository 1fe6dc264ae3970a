from datetime import timedelta

import pytest
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, CampaignProtocol, Flag, Judgment, Pair, Rating
from tests.annotation.support import lease_next, submit_body, submit_lease
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db


def test_a_submission_stores_one_judgment_per_dimension(leased):
    client, lease = leased
    response = submit_lease(client, lease, submit_body(lease, strength=-2))
    assert response.status_code == 201
    assert response.json()["state"] == "submitted"
    assert sorted(Judgment.objects.values_list("strength", flat=True)) == [-2] * 6
    pair = Pair.objects.get(pk=Assignment.objects.get(pk=lease["assignment"]).pair_id)
    assert (pair.taken, pair.completed) == (1, 1)


def test_a_retried_submission_returns_the_same_result_and_stores_nothing_twice(leased):
    client, lease = leased
    body = submit_body(lease, strength=1)
    first = submit_lease(client, lease, body)
    again = submit_lease(client, lease, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert {k: v for k, v in first.json().items() if k != "replayed"} == {
        k: v for k, v in again.json().items() if k != "replayed"}
    assert Judgment.objects.count() == 6
    assert Pair.objects.get(assignments__pk=lease["assignment"]).completed == 1


def test_a_retry_after_the_lease_expired_still_gets_its_stored_result(leased):
    client, lease = leased
    body = submit_body(lease)
    assert submit_lease(client, lease, body).status_code == 201
    Assignment.objects.filter(pk=lease["assignment"]).update(expires_at=timezone.now() - timedelta(hours=1))
    assert submit_lease(client, lease, body).status_code == 200


def test_a_second_submission_with_a_new_key_is_refused(leased):
    client, lease = leased
    assert submit_lease(client, lease, submit_body(lease)).status_code == 201
    response = submit_lease(client, lease, submit_body(lease, strength=-1))
    assert response.status_code == 409 and response.json()["code"] == "lease_finished"
    assert Judgment.objects.count() == 6


def test_reusing_a_client_key_for_another_pair_is_a_conflict(leased):
    client, lease = leased
    body = submit_body(lease)
    assert submit_lease(client, lease, body).status_code == 201
    other = lease_next(client, lease["campaign"])
    response = submit_lease(client, other, {**submit_body(other), "client_key": body["client_key"]})
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda b: b["answers"].pop(), id="missing-dimension"),
        pytest.param(lambda b: b["answers"].append({"dimension": "vibes", "strength": 0}), id="unknown-dimension"),
        pytest.param(lambda b: b["answers"].append(dict(b["answers"][0])), id="duplicate-dimension"),
        pytest.param(lambda b: b["answers"][0].update(strength=3), id="strength-too-large"),
        pytest.param(lambda b: b["answers"][0].update(strength="1"), id="strength-as-string"),
        pytest.param(lambda b: b["answers"][0].update(strength=1.5), id="strength-fraction"),
        pytest.param(lambda b: b["answers"][0].update(strength=True), id="strength-boolean"),
        pytest.param(lambda b: b.update(video_a=b["video_b"]), id="wrong-videos"),
        pytest.param(lambda b: b.pop("client_key"), id="no-client-key"),
        pytest.param(lambda b: b.update(client_key="k" * 65), id="client-key-too-long"),
        pytest.param(lambda b: b.update(answers="all good"), id="answers-not-a-list"),
        pytest.param(lambda b: b.update(time_spent_ms=-5), id="negative-time"),
        pytest.param(lambda b: b.update(ratings=[{"video": b["video_a"], "dimension": "motion", "score": 3}]),
                     id="ratings-in-pairwise-campaign"),
    ],
)
def test_malformed_submissions_get_400_and_store_nothing(leased, mutate):
    client, lease = leased
    body = submit_body(lease)
    mutate(body)
    response = submit_lease(client, lease, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and response.json()["detail"]
    assert Judgment.objects.count() == 0
    assert Assignment.objects.get(pk=lease["assignment"]).state == AssignmentState.LEASED


def test_a_body_that_is_not_json_gets_400(leased):
    client, lease = leased
    response = client.post(f"/api/assignments/{lease['assignment']}/submit/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert Judgment.objects.count() == 0


def test_a_submission_on_an_expired_lease_is_refused_and_stores_nothing(leased):
    client, lease = leased
    Assignment.objects.filter(pk=lease["assignment"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = submit_lease(client, lease, submit_body(lease))
    assert response.status_code == 409 and response.json()["code"] == "lease_expired"
    assert Judgment.objects.count() == 0


def test_nobody_can_submit_on_another_annotators_lease(leased, bob, carol, client_for):
    _, lease = leased
    for intruder in (bob, carol):
        response = submit_lease(client_for(intruder), lease, submit_body(lease))
        assert response.status_code == 404
    assert Judgment.objects.count() == 0


def test_a_direct_api_call_cannot_add_judgments_without_a_lease(alice, client_for):
    campaign = CampaignFactory(overlap=1)
    (pair,) = make_pairs(campaign, n_pairs=1)
    response = client_for(alice).post("/api/assignments/999999/submit/", {
        "client_key": "x", "video_a": pair.video_a_id, "video_b": pair.video_b_id, "answers": []}, format="json")
    assert response.status_code == 404
    assert Judgment.objects.count() == 0


def test_skip_frees_the_slot_and_is_idempotent(leased, new_key):
    client, lease = leased
    body = {"client_key": new_key(), "note": "cannot decide"}
    first = client.post(f"/api/assignments/{lease['assignment']}/skip/", body, format="json")
    again = client.post(f"/api/assignments/{lease['assignment']}/skip/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assignment = Assignment.objects.get(pk=lease["assignment"])
    assert assignment.state == AssignmentState.SKIPPED
    assert assignment.pair.taken == 0


def test_flag_records_the_reason_and_frees_the_slot(leased, new_key):
    client, lease = leased
    body = {"client_key": new_key(), "reason": "broken_video", "note": "B is black", "video": lease["video_b"]["id"]}
    assert client.post(f"/api/assignments/{lease['assignment']}/flag/", body, format="json").status_code == 201
    flag = Flag.objects.get()
    assert (flag.reason, flag.video_id, flag.note) == ("broken_video", lease["video_b"]["id"], "B is black")
    assert Assignment.objects.get(pk=lease["assignment"]).pair.taken == 0


def test_flag_with_an_unknown_reason_is_400(leased, new_key):
    client, lease = leased
    response = client.post(f"/api/assignments/{lease['assignment']}/flag/",
                           {"client_key": new_key(), "reason": "boring"}, format="json")
    assert response.status_code == 400
    assert Flag.objects.count() == 0


def test_the_rating_protocol_takes_one_score_per_video_and_dimension(alice, client_for):
    campaign = CampaignFactory(protocol=CampaignProtocol.RATING, dimensions=["motion", "appeal"])
    make_pairs(campaign, n_pairs=1)
    client = client_for(alice)
    lease = lease_next(client, campaign.pk)
    ratings = [{"video": lease[v]["id"], "dimension": d, "score": 4}
               for v in ("video_a", "video_b") for d in ("motion", "appeal")]
    body = {**submit_body(lease), "answers": [], "ratings": ratings[:-1]}
    assert submit_lease(client, lease, body).status_code == 400
    body["ratings"] = ratings
    assert submit_lease(client, lease, body).status_code == 201
    assert Rating.objects.count() == 4 and Judgment.objects.count() == 0


def test_the_both_protocol_needs_answers_and_ratings(alice, client_for):
    campaign = CampaignFactory(protocol=CampaignProtocol.BOTH, dimensions=["motion"])
    make_pairs(campaign, n_pairs=1)
    client = client_for(alice)
    lease = lease_next(client, campaign.pk)
    ratings = [{"video": lease[v]["id"], "dimension": "motion", "score": 2} for v in ("video_a", "video_b")]
    assert submit_lease(client, lease, submit_body(lease)).status_code == 400
    assert submit_lease(client, lease, {**submit_body(lease), "ratings": ratings}).status_code == 201
    assert (Judgment.objects.count(), Rating.objects.count()) == (1, 2)
