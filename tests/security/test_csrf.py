"""CSRF: every API write made with a session cookie needs the CSRF token (DRF's
SessionAuthentication enforces it for signed-in users); token-authenticated clients are not
CSRF-checked, by design: a browser never attaches an Authorization header on its own."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.security.test_permission_matrix import MATRIX, run_ids  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

WRITES = [(name, template, body, fmt) for name, rows in MATRIX.items()
          for method, template, body, fmt, _ in rows if method != "get"]


def _urls(world, alice, run_ids):
    ids = {"c": world.campaign.pk, "a": world.alice_lease["assignment"], "p": world.pair.pk,
           "v": world.video.pk, "d": world.version.pk, "u": alice.pk, **run_ids}
    return [(name, template.format(**ids), body or {}, fmt or "json") for name, template, body, fmt in WRITES]


def _csrf_token(client) -> str:
    """The token a page hands the browser (works with cookie- or session-stored CSRF secrets)."""
    html = client.get("/accounts/login/").content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _post(client, url, body, fmt, **headers):
    if fmt == "multipart":
        return client.post(url, body, **headers)
    return client.post(url, body, content_type="application/json", **headers)


def test_every_api_write_is_listed():
    assert {"campaign-next", "assignment-submit", "import", "upload", "dataset-list", "pair-adjudicate"} <= {
        w[0] for w in WRITES}


def test_session_writes_without_the_token_are_refused(world, alice, carol, run_ids):  # noqa: F811
    """carol holds every role, so anything but 403 would be a real write; alice checks the annotator path."""
    for user in (carol, alice):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        for name, url, body, fmt in _urls(world, alice, run_ids):
            response = _post(client, url, body, fmt)
            assert response.status_code == 403, (user.username, name, response.status_code)
            assert "csrf" in response.content.decode().lower(), (user.username, name)


def test_session_writes_with_the_token_pass_the_csrf_check(world, alice, carol, run_ids):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.force_login(carol)
    token = _csrf_token(client)
    for name, url, body, fmt in _urls(world, alice, run_ids):
        response = _post(client, url, body, fmt, HTTP_X_CSRFTOKEN=token)
        assert response.status_code != 403, (name, response.status_code, response.content[:200])
        assert "csrf" not in response.content.decode().lower(), name


def test_the_login_form_needs_the_token(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": "pw-for-tests"})
    assert response.status_code == 403


def test_token_auth_is_not_csrf_checked(world, alice):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    response = client.post(f"/api/assignments/{world.alice_lease['assignment']}/heartbeat/", {}, format="json")
    assert response.status_code == 200
