"""Security fixtures: one small world with every kind of object the API exposes."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.annotation.support import lease_next
from tests.factories import CampaignFactory, VideoFactory, make_pairs

SECRET = "secret-gen"  # every factory generator name contains it


@dataclass
class World:
    campaign: object
    pair: object
    alice_lease: dict
    bob_lease: dict
    video: object
    version: object  # a ready dataset version with files


@pytest.fixture
def world(alice, bob, rita, carol, mallory, client_for, datasets_root):
    from tests.export.conftest import make_judged_campaign
    from training.exports.services import dataset_version_build, dataset_version_create

    campaign = CampaignFactory(overlap=2)
    pairs = make_pairs(campaign, n_pairs=3)
    alice_lease = lease_next(client_for(alice), campaign.pk)
    bob_lease = lease_next(client_for(bob), campaign.pk)
    judged, _, _ = make_judged_campaign(n_images=2)
    version = dataset_version_build(
        version_id=dataset_version_create(campaigns=[judged], enqueue=False, created_by=carol).pk)
    return World(campaign=campaign, pair=pairs[0], alice_lease=alice_lease, bob_lease=bob_lease,
                 video=VideoFactory(), version=version)
