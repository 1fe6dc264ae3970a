"""annotation/admin_pages.py: the campaigns and imports page shells are for admins only."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

PAGES = {"/studio/campaigns/": "studio/campaigns.js", "/studio/imports/": "studio/imports.js"}


@pytest.mark.parametrize("url", PAGES)
def test_admins_get_the_page_with_its_configuration(client, carol, url):
    client.force_login(carol)
    response = client.get(url)
    assert response.status_code == 200 and PAGES[url] in response.content.decode()
    config = json.loads(json.dumps(response.context["config"]))  # what json_script hands the page
    assert [d["key"] for d in config["dimensions"]][:2] == ["smoothness", "motion"]
    assert config["choices"]["pairing"] == ["all", "budget"]
    assert 'class="admin-nav"' in response.content.decode()  # the header links both admin pages


@pytest.mark.parametrize("url", PAGES)
def test_others_are_refused(client, rita, url):
    assert client.get(url).status_code == 302  # to the sign-in form
    client.force_login(rita)
    response = client.get(url)
    assert response.status_code == 403 and "for admins" in response.content.decode()
    assert 'class="admin-nav"' not in response.content.decode()


def test_home_links_the_admin_pages_for_admins_only(client, carol, alice):
    client.force_login(alice)
    assert "/studio/imports/" not in client.get("/").content.decode()
    client.force_login(carol)
    page = client.get("/").content.decode()
    assert "/studio/campaigns/" in page and "/studio/imports/" in page
