"""Finding 9: reviewer powers are scoped and audited, and a pause takes effect at once.

Before the fix a reviewer exempted herself from gold checks (`override` on herself), paused an
admin and acted on a draft campaign; pause/override/adjudication left no audit row; and a paused
annotator could still heartbeat and submit the leases they already held."""
from __future__ import annotations

import pytest

from annotation.models import AnnotatorStatus, Assignment, AssignmentState, CampaignStatus, Pair
from studio_platform.models import AuditLog
from tests.annotation.support import lease_next, submit_body
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db


def _status(client, campaign, user, action, reason=""):
    return client.post(f"/api/campaigns/{campaign.pk}/annotators/{user.pk}/status/",
                       {"action": action, "reason": reason}, format="json")


def _adjudicate(client, pair):
    return client.post(f"/api/pairs/{pair.pk}/adjudicate/", {"answers": [{"dimension": "motion", "strength": 1}]},
                       format="json")


def test_a_reviewer_cannot_exempt_or_pause_herself(rita, client_for):
    campaign = CampaignFactory()
    for action in ("override", "pause", "resume"):
        response = _status(client_for(rita), campaign, rita, action, reason="x")
        assert response.status_code == 403 and response.json()["code"] == "reviewer_scope", action
    assert not AnnotatorStatus.objects.exists()


def test_a_reviewer_cannot_pause_an_admin_but_an_admin_can_pause_a_reviewer(rita, carol, client_for):
    campaign = CampaignFactory()
    response = _status(client_for(rita), campaign, carol, "pause", reason="spite")
    assert response.status_code == 403 and "admin" in response.json()["detail"]
    assert not AnnotatorStatus.objects.filter(annotator=carol).exists()
    assert _status(client_for(carol), campaign, rita, "pause", reason="Check your answers.").status_code == 200


def test_a_reviewer_cannot_act_on_a_draft_campaign(rita, alice, carol, client_for):
    draft = CampaignFactory(status=CampaignStatus.DRAFT)
    pair = make_pairs(draft, n_pairs=1)[0]
    assert _status(client_for(rita), draft, alice, "override").status_code == 403
    response = _adjudicate(client_for(rita), pair)
    assert response.status_code == 403 and "draft" in response.json()["detail"]
    assert not AnnotatorStatus.objects.exists() and not pair.adjudications.exists()
    assert _adjudicate(client_for(carol), pair).status_code == 201  # admins set drafts up


def test_pause_override_and_adjudication_are_audited(rita, alice, client_for):
    campaign = CampaignFactory()
    pair = make_pairs(campaign, n_pairs=1)[0]
    client = client_for(rita)
    assert _status(client, campaign, alice, "pause", reason="Answers without watching.").status_code == 200
    assert _status(client, campaign, alice, "override").status_code == 200
    assert _adjudicate(client, pair).status_code == 201

    rows = list(AuditLog.objects.filter(action__in=("annotator.status", "adjudication")).order_by("id")
                .values_list("action", "actor_username", "target_id", "details"))
    assert [(action, actor) for action, actor, _, _ in rows] == [
        ("annotator.status", "rita"), ("annotator.status", "rita"), ("adjudication", "rita")]
    assert rows[0][2] == str(alice.pk) and rows[0][3]["action"] == "pause"
    assert rows[0][3]["reason"] == "Answers without watching." and rows[0][3]["campaign"] == campaign.pk
    assert rows[1][3]["state"] == "override"
    assert rows[2][2] == str(pair.pk) and rows[2][3]["answers"] == {"motion": 1}


def test_a_pause_releases_held_leases_and_refuses_heartbeat_and_submit(rita, alice, client_for):
    campaign = CampaignFactory()
    make_pairs(campaign, n_pairs=3)
    alice_client = client_for(alice)
    first = lease_next(alice_client, campaign.pk)
    second = lease_next(alice_client, campaign.pk, exclude=[first["assignment"]])

    response = _status(client_for(rita), campaign, alice, "pause", reason="Answers without watching.")
    assert response.status_code == 200
    assert set(Assignment.objects.filter(annotator=alice).values_list("state", flat=True)) == {AssignmentState.EXPIRED}
    assert sum(Pair.objects.filter(campaign=campaign).values_list("taken", flat=True)) == 0  # slots given back

    for lease in (first, second):
        heartbeat = alice_client.post(f"/api/assignments/{lease['assignment']}/heartbeat/")
        assert heartbeat.status_code == 403 and heartbeat.json()["code"] == "annotator_paused"
        submit = alice_client.post(f"/api/assignments/{lease['assignment']}/submit/", submit_body(lease),
                                   format="json")
        assert submit.status_code == 403 and submit.json()["reason"] == "Answers without watching."
    assert not Assignment.objects.filter(state=AssignmentState.SUBMITTED).exists()
