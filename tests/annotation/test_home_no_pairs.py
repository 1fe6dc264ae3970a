"""The home page (annotation/templates/annotation/home.html) for a campaign without pairs: no
"Start labelling" link to an empty queue, and for admins a link to import videos into it (issue #20)."""
from __future__ import annotations

import pytest
from django.utils import translation

from annotation.models import CampaignStatus
from tests.factories import CampaignFactory, make_pairs

pytestmark = pytest.mark.django_db


def test_a_campaign_without_pairs_says_so_instead_of_offering_labelling(client, alice):
    empty = CampaignFactory(status=CampaignStatus.ACTIVE)
    make_pairs(CampaignFactory(status=CampaignStatus.ACTIVE), n_pairs=1)
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert page.count("Start labelling") == 1 and f'href="/label/{empty.pk}/"' not in page
    assert "No pairs yet" in page and "/studio/imports/" not in page


def test_admins_get_a_link_to_import_into_the_empty_campaign(client, carol):
    empty = CampaignFactory(status=CampaignStatus.ACTIVE)
    client.force_login(carol)
    page = client.get("/").content.decode()
    assert f'href="/studio/imports/?campaign={empty.pk}"' in page


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "还没有视频对"), ("ja", "まだペアがありません")])
def test_no_pairs_yet_is_translated(client, alice, language, text):
    CampaignFactory(status=CampaignStatus.ACTIVE)
    client.force_login(alice)
    client.cookies["django_language"] = language
    with translation.override(language):
        assert text in client.get("/").content.decode()
