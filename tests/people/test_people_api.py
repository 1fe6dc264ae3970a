"""/api/people/ and the pages: admins only; the invitation link signs the person in once;
statistics come from the campaigns' annotator reports."""
from __future__ import annotations

import pytest
from django.test import Client

from studio_platform.models import AuditLog
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_only_admins_list_invite_and_change_people(client_for, alice, rita, mallory, carol):
    for actor in (None, mallory, alice, rita):
        client = client_for(actor)
        assert client.get("/api/people/").status_code in (401, 403)
        assert client.post("/api/people/", {"username": "x", "roles": ["annotator"]}, format="json").status_code in (401, 403)
        for action in ("roles", "pause", "resume", "reset-password"):
            assert client.post(f"/api/people/{alice.pk}/{action}/", {}, format="json").status_code in (401, 403)
    assert not AuditLog.objects.filter(action__startswith="person.").exists()


def test_an_admin_invites_and_the_link_signs_the_person_in_once(client_for, carol, settings):
    response = client_for(carol).post("/api/people/", {"username": "dora", "roles": ["annotator"]}, format="json")
    assert response.status_code == 201, response.content
    link = response.json()["link"]
    assert "/accounts/welcome/" in link
    path = link[link.index("/accounts/"):]

    browser = Client()
    form = browser.get(path)
    assert form.status_code == 200 and form["Referrer-Policy"] == "same-origin"
    assert b"dora" in form.content
    mismatch = browser.post(path, {"password": "a long pass phrase", "password_again": "other"})
    assert mismatch.status_code == 400 and b"differ" in mismatch.content
    done = browser.post(path, {"password": "a long pass phrase", "password_again": "a long pass phrase"})
    assert done.status_code == 302 and done["Location"] == settings.LOGIN_REDIRECT_URL
    assert browser.get("/").status_code == 200  # signed in

    again = Client().get(path)
    assert again.status_code == 410 and b"not valid" in again.content
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="dora").check_password("a long pass phrase")


def test_the_people_table_has_roles_status_and_stats(client_for, carol, alice, rita):
    CampaignFactory()
    client = client_for(carol)
    pause = client.post(f"/api/people/{alice.pk}/pause/", {"reason": "too fast"}, format="json")
    assert pause.status_code == 200 and len(pause.json()["campaigns"]) == 1
    invite = client.post("/api/people/", {"username": "dora", "roles": ["reviewer"]}, format="json")
    assert invite.status_code == 201

    people = {p["username"]: p for p in client.get("/api/people/").json()}

    assert people["alice"]["status"] == "paused" and people["alice"]["paused_campaigns"] == 1
    assert people["dora"]["status"] == "invited" and people["dora"]["roles"] == ["reviewer"]
    assert people["rita"]["status"] == "active" and people["carol"]["roles"] == ["admin"]
    assert {"submitted", "gold_accuracy", "agreement", "last_login"} <= set(people["alice"])
    assert list(people)[0] == "carol"  # admins first


def test_roles_resume_and_reset_through_the_api(client_for, carol, alice):
    client = client_for(carol)
    assert client.post(f"/api/people/{alice.pk}/roles/", {"roles": ["reviewer"]}, format="json").json() == {"roles": ["reviewer"]}
    bad = client.post(f"/api/people/{alice.pk}/roles/", {"roles": ["owner"]}, format="json")
    assert bad.status_code == 400
    assert client.post(f"/api/people/{alice.pk}/resume/", format="json").json() == {"campaigns": []}
    reset = client.post(f"/api/people/{alice.pk}/reset-password/", format="json")
    assert reset.status_code == 200 and "/accounts/welcome/" in reset.json()["link"]
    assert client.post("/api/people/999999/pause/", {"reason": "x"}, format="json").status_code == 404
    assert list(AuditLog.objects.filter(action__startswith="person.").order_by("id").values_list("action", flat=True)) == \
        ["person.roles", "person.resume", "person.password_reset"]


def test_the_admin_pages_are_for_admins(carol, rita):
    browser = Client()
    assert browser.get("/studio/people/").status_code == 302  # to the login form
    browser.force_login(rita)
    assert browser.get("/studio/people/").status_code == 403
    assert browser.get("/studio/exports/").status_code == 403
    browser.force_login(carol)
    for url in ("/studio/people/", "/studio/exports/"):
        page = browser.get(url)
        assert page.status_code == 200 and b'id="studio-config"' in page.content, url


def test_the_welcome_page_speaks_the_persons_language(client_for, carol):
    link = client_for(carol).post("/api/people/", {"username": "dora", "roles": ["annotator"]}, format="json").json()["link"]
    page = Client().get(link[link.index("/accounts/"):], HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "ようこそ" in page and "新しいパスワード" in page and "パスワードを設定してサインイン" in page
    path = link[link.index("/accounts/"):]
    differ = Client().post(path, {"password": "a long pass phrase", "password_again": "x"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert "2 つのパスワードが一致しません" in differ.content.decode()
    Client().post(path, {"password": "a long pass phrase", "password_again": "a long pass phrase"})
    used = Client().get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert used.status_code == 410 and "此登录链接无效" in used.content.decode()


def test_campaign_protocol_and_status_are_translated_on_home(carol):
    CampaignFactory(name="Scenes")
    client = Client()
    client.force_login(carol)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "強さ付きの一対比較" in home and "進行中" in home


def test_sign_in_links_are_read_only_in_the_django_admin(carol):
    from people.models import SignInLink

    client = Client()
    client.force_login(carol)
    carol.is_staff = carol.is_superuser = True
    carol.save()
    page = client.get("/admin/people/signinlink/")
    assert page.status_code == 200
    assert client.get("/admin/people/signinlink/add/").status_code == 403
    assert SignInLink.objects.count() == 0
