"""django-axes: AXES_FAILURE_LIMIT (5) bad passwords for one username from one IP lock that pair
out for AXES_COOLOFF_TIME (15 min); during the lockout even the right password is refused."""
from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PASSWORD = "pw-for-tests"


def _login(client, password, username="alice", ip="10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def alice_pw(db):
    return UserFactory(username="alice", roles=["annotator"])


def test_the_settings_are_sane(settings):
    assert settings.AXES_ENABLED and settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_a_good_login_works_and_resets_the_count(alice_pw):
    client = Client()
    for _ in range(4):
        assert _login(client, "wrong").status_code == 200  # the form again, with its error
    response = _login(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert not AccessAttempt.objects.filter(username="alice").exists()  # AXES_RESET_ON_SUCCESS


def test_five_bad_passwords_lock_out_until_the_cool_off(alice_pw):
    client = Client()
    statuses = [_login(client, f"wrong-{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    locked = _login(Client(), PASSWORD)
    assert locked.status_code == 429
    assert b"too many login attempts" in locked.content.lower()
    assert "_auth_user_id" not in Client().session  # nobody got a session

    # the lock is per username + IP: the same person from another address, and others, still get in
    assert _login(Client(), PASSWORD, ip="10.0.0.8").status_code == 302
    UserFactory(username="bob", roles=["annotator"])
    assert _login(Client(), PASSWORD, username="bob").status_code == 302

    # after the cool-off the right password works again
    AccessAttempt.objects.filter(username="alice").update(
        attempt_time=AccessAttempt.objects.get(username="alice", ip_address="10.0.0.7").attempt_time
        - timedelta(minutes=16))
    assert _login(Client(), PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(alice_pw):
    client = Client()
    for i in range(5):
        response = client.post("/admin/login/?next=/admin/", {"username": "alice", "password": f"bad{i}"},
                               REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429


def test_tests_can_switch_axes_off(alice_pw, settings):
    """Suites that sign in many times with client.login() can set AXES_ENABLED = False."""
    settings.AXES_ENABLED = False
    client = Client()
    for _ in range(8):
        _login(client, "wrong")
    assert client.login(username="alice", password=PASSWORD)
