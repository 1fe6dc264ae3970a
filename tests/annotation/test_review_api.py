import pytest

from annotation.models import Assignment
from tests.annotation.support import lease_next, submit_body
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db


def _url(campaign_id: int) -> str:
    return f"/api/review/campaigns/{campaign_id}/annotators/"


@pytest.fixture
def worked_campaign(alice, bob, client_for, new_key):
    """alice submits two pairs (4 s and 8 s) and skips one; bob submits one (10 s)."""
    campaign = CampaignFactory(overlap=2)
    make_pairs(campaign, n_pairs=3)
    a = client_for(alice)
    for ms in (4000, 8000):
        lease = lease_next(a, campaign.pk)
        assert a.post(f"/api/assignments/{lease['assignment']}/submit/", submit_body(lease, time_spent_ms=ms),
                      format="json").status_code == 201
    lease = lease_next(a, campaign.pk)
    assert a.post(f"/api/assignments/{lease['assignment']}/skip/", {"client_key": new_key()},
                  format="json").status_code == 201
    b = client_for(bob)
    lease = lease_next(b, campaign.pk)
    assert b.post(f"/api/assignments/{lease['assignment']}/submit/", submit_body(lease, time_spent_ms=10000),
                  format="json").status_code == 201
    return campaign


def test_reviewers_see_counts_and_median_time_per_annotator(worked_campaign, rita, client_for):
    response = client_for(rita).get(_url(worked_campaign.pk))
    assert response.status_code == 200
    rows = {r["username"]: r for r in response.json()}
    assert rows["alice"]["submitted"] == 2 and rows["alice"]["skipped"] == 1 and rows["alice"]["flagged"] == 0
    assert rows["alice"]["median_time_ms"] == 6000  # skips do not count toward the median
    assert rows["bob"]["submitted"] == 1 and rows["bob"]["median_time_ms"] == 10000
    assert [r["username"] for r in response.json()] == ["alice", "bob"]  # busiest first
    assert rows["alice"]["last_finished_at"] is not None


def test_an_annotator_or_outsider_cannot_read_annotator_stats(worked_campaign, alice, mallory, client_for):
    assert client_for(alice).get(_url(worked_campaign.pk)).status_code == 403
    assert client_for(mallory).get(_url(worked_campaign.pk)).status_code == 403
    assert client_for(None).get(_url(worked_campaign.pk)).status_code in (401, 403)


def test_a_campaign_nobody_worked_on_has_no_rows(rita, client_for):
    campaign = CampaignFactory()
    assert client_for(rita).get(_url(campaign.pk)).json() == []
    assert not Assignment.objects.exists()
