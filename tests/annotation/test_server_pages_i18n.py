"""The server-rendered pages (home, sign-in, the sign-in link page) in English, Simplified Chinese
and Japanese: the language comes from the django_language cookie (set by the switcher on every
page, this one included) or the browser's Accept-Language, as on the TypeScript pages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def _po_entries(code: str) -> dict[str, str]:
    text = (LOCALE / code / "LC_MESSAGES" / "django.po").read_text()
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', text, flags=re.M)
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in pairs}


@pytest.mark.parametrize("code,lang", [("zh_Hans", "zh-hans"), ("ja", "ja")])
def test_every_catalog_entry_is_compiled(code, lang):
    entries = _po_entries(code)
    assert len(entries) > 30
    with translation.override(lang):
        for msgid, msgstr in entries.items():
            assert translation.gettext(msgid) == msgstr, f"{code}: {msgid!r} (run manage.py compilemessages)"


@pytest.mark.parametrize("headers,expected,absent", [
    ({}, ["Sign in", "Username", 'lang="en"'], ["サインイン"]),
    ({"HTTP_ACCEPT_LANGUAGE": "ja"}, ["サインイン", "ユーザー名", 'lang="ja"'], ["Username"]),
    ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, ["登录", "用户名", 'lang="zh-hans"'], ["Username"]),
])
def test_the_sign_in_page_follows_the_browser_language(headers, expected, absent):
    body = Client().get("/accounts/login/", **headers).content.decode()
    for text in expected:
        assert text in body
    for text in absent:
        assert text not in body


def test_the_switcher_sets_the_cookie_and_the_home_page_follows_it(carol):
    client = Client()
    client.force_login(carol)
    assert "Campaigns" in client.get("/").content.decode()

    switched = client.post("/i18n/setlang/", {"language": "ja", "next": "/"})

    assert switched.status_code == 302 and client.cookies["django_language"].value == "ja"
    home = client.get("/").content.decode()
    for text in ("キャンペーン", "あなたの役割", "管理者", "データセットの書き出し", "メンバー", "サインアウト"):
        assert text in home, text
    assert 'value="ja" lang="ja" selected' in home


def test_the_bad_password_message_is_translated():
    body = Client().post("/accounts/login/", {"username": "nobody", "password": "wrong"},
                         HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "用户名或密码不正确" in body
