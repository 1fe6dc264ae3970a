"""The home and sign-in pages on a phone (390×844): the header (brand, language switcher, user name,
sign-out) wraps onto a second line instead of making the page scroll sideways."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDE = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)
    .slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_home_and_sign_in_fit_a_phone(studio, context_factory):
    UserFactory(username="alice", roles=["annotator"])
    page = context_factory(390, 844).new_page()
    page.goto(f"{studio.url}/accounts/login/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, page.evaluate(WIDE)
    sign_in(page, studio, "alice", "/")
    page.wait_for_url(f"{studio.url}/")  # exactly home: "**/" also matches the login page's ?next=/
    page.locator("header form[action$='logout/']").wait_for()
    assert "alice" in page.locator("header").inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, page.evaluate(WIDE)
