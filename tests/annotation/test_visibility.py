"""Annotators never see generator names, other people's work or admin data."""
import pytest

from tests.annotation.support import lease_next, submit_body
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db

ANNOTATOR_GETS = ["/api/me/", "/api/campaigns/", "/api/campaigns/{c}/", "/api/campaigns/{c}/progress/",
                  "/api/assignments/{a}/"]


@pytest.fixture
def campaign_with_work(alice, bob, client_for):
    campaign = CampaignFactory(overlap=2)
    make_pairs(campaign, n_pairs=2)
    bob_client = client_for(bob)
    bob_lease = lease_next(bob_client, campaign.pk)
    bob_client.post(f"/api/assignments/{bob_lease['assignment']}/submit/", submit_body(bob_lease, strength=2),
                    format="json")
    alice_lease = lease_next(client_for(alice), campaign.pk)
    return campaign, alice_lease, bob_lease


def test_no_annotator_response_mentions_a_generator(campaign_with_work, alice, client_for):
    campaign, alice_lease, _ = campaign_with_work
    client = client_for(alice)
    for url in ANNOTATOR_GETS:
        response = client.get(url.format(c=campaign.pk, a=alice_lease["assignment"]))
        assert response.status_code == 200, url
        assert "secret-gen" not in response.content.decode() and '"generator"' not in response.content.decode(), url
    assert "secret-gen" not in str(lease_next(client, campaign.pk))


def test_an_annotator_cannot_read_someone_elses_assignment_or_answers(campaign_with_work, alice, client_for):
    _, _, bob_lease = campaign_with_work
    client = client_for(alice)
    assert client.get(f"/api/assignments/{bob_lease['assignment']}/").status_code == 404
    assert client.post(f"/api/assignments/{bob_lease['assignment']}/heartbeat/").status_code == 404
    progress = client.get(f"/api/campaigns/{campaign_with_work[0].pk}/progress/").json()
    assert "judgments_per_dimension" not in progress and "live_leases" not in progress


def test_reviewers_see_campaign_wide_progress(campaign_with_work, rita, client_for):
    progress = client_for(rita).get(f"/api/campaigns/{campaign_with_work[0].pk}/progress/").json()
    assert progress["judgments_per_dimension"]["motion"] == 1


@pytest.mark.parametrize("user_fixture", ["alice", "rita", "mallory"])
def test_only_admins_may_import(user_fixture, request, client_for):
    user = request.getfixturevalue(user_fixture)
    response = client_for(user).post("/api/imports/", {}, format="multipart")
    assert response.status_code == 403


def test_anonymous_requests_are_refused(client_for, db):
    for url in ["/api/me/", "/api/campaigns/", "/api/imports/"]:
        assert client_for().get(url).status_code in (401, 403)
    assert client_for().post("/api/campaigns/1/next/", {}, format="json").status_code in (401, 403)


def test_a_user_without_a_role_cannot_annotate(mallory, client_for):
    campaign = CampaignFactory()
    make_pairs(campaign, n_pairs=1)
    response = client_for(mallory).post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json")
    assert response.status_code == 403


def test_annotators_are_kept_out_of_the_django_admin(alice, client):
    client.force_login(alice)
    response = client.get("/admin/annotation/video/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_openapi_schema_is_served(alice, client_for):
    response = client_for(alice).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/campaigns/{id}/next/" in paths and "/api/assignments/{id}/submit/" in paths
