"""A cleared number field of the campaign form arrives as null: the API answers with the service's
"Required." (annotation/api/campaign_serializers.py), not DRF's "This field may not be null." (issue #20)."""
from __future__ import annotations

import pytest

from annotation.services import campaigns as svc
from tests.annotation.test_campaign_settings import GOOD
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["overlap", "lease_ttl_seconds", "gold_rate", "qualification_gold_count",
                                  "min_gold_accuracy", "min_gold_answers", "adaptive_min_votes", "edit_window_minutes"])
def test_a_null_number_is_required(client_for, carol, name):
    response = client_for(carol).patch(f"/api/campaigns/{CampaignFactory().pk}/", {name: None}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {name: [str(svc.MSG_REQUIRED)]}


def test_a_null_number_is_required_on_create_too_in_the_request_language(client_for, carol):
    response = client_for(carol).post("/api/campaigns/", {**GOOD, "overlap": None}, format="json",
                                      HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    assert response.json()["fields"]["overlap"] == ["必須です。"]


def test_a_null_pair_budget_still_means_none(client_for, carol):
    campaign = CampaignFactory()
    response = client_for(carol).patch(f"/api/campaigns/{campaign.pk}/", {"pair_budget_per_prompt": None},
                                       format="json")
    assert response.status_code == 200, response.content
