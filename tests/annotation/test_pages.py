"""The server-rendered shells of the labelling and review pages: roles, 403 page, configuration."""
import json

import pytest
from django.test import Client

from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _config(response) -> dict:
    html = response.content.decode()
    start = html.index('id="studio-config"')
    body = html[html.index(">", start) + 1: html.index("</script>", start)]
    return json.loads(body)


def test_the_labelling_page_loads_its_script_and_configuration_for_annotators(alice):
    campaign = CampaignFactory(name="Spring batch", instructions="Watch twice.")
    response = _client(alice).get(f"/label/{campaign.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/studio/label.js" in html and "/static/studio/label.css" in html
    config = _config(response)
    assert config["campaign"] == {"id": campaign.pk, "name": "Spring batch", "protocol": "pairwise",
                                  "instructions": "Watch twice."}
    assert "csrftoken" in response.cookies


def test_the_labelling_page_refuses_users_without_the_annotator_role(mallory):
    campaign = CampaignFactory()
    response = _client(mallory).get(f"/label/{campaign.pk}/")
    assert response.status_code == 403
    assert "annotator" in response.content.decode()


def test_the_labelling_page_sends_anonymous_visitors_to_the_login_form():
    campaign = CampaignFactory()
    response = _client().get(f"/label/{campaign.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_review_page_is_for_reviewers_only(alice, rita):
    campaign = CampaignFactory()
    assert _client(alice).get(f"/review/{campaign.pk}/").status_code == 403
    response = _client(rita).get(f"/review/{campaign.pk}/")
    assert response.status_code == 200
    assert [d["key"] for d in _config(response)["dimensions"]] == [
        "smoothness", "motion", "appeal", "text_video", "image_video", "character"]


def test_an_unknown_campaign_is_a_404(alice):
    assert _client(alice).get("/label/999999/").status_code == 404


def test_the_favicon_is_an_icon_not_a_404(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
