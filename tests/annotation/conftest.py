"""Fixtures shared by the annotation API tests."""
import pytest

from tests.annotation.support import lease_next
from tests.factories import CampaignFactory, make_pairs


@pytest.fixture
def leased(alice, client_for):
    """(alice's API client, her lease of a pair in a fresh 2-pair campaign with overlap 2)."""
    campaign = CampaignFactory(overlap=2)
    make_pairs(campaign, n_pairs=2)
    client = client_for(alice)
    return client, lease_next(client, campaign.pk)
