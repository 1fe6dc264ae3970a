"""The review queue pages (issue #20: it said 13 pairs and listed 10, with no way to the other 3):
a reviewer pages through 13 disputed pairs with the keyboard."""
from __future__ import annotations

import pytest

from tests.browser.conftest import Studio, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def thirteen_disputes(live_server, settings, frontend_dist) -> Studio:
    from annotation.models import Pair
    from tests.export.conftest import judge
    from tests.factories import CampaignFactory, PromptFactory, UserFactory, VideoFactory

    settings.STATICFILES_DIRS = [frontend_dist]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "review-paging-browser"}}
    campaign = CampaignFactory(overlap=3, dimensions=["motion"])
    people = [UserFactory(username=name, roles=["annotator"]) for name in ("ann", "ben", "cai")]
    UserFactory(username="rita", roles=["reviewer"])
    for i in range(13):
        prompt = PromptFactory(text=f"Disputed scene {i + 1}")
        pair = Pair.objects.create(campaign=campaign, video_a=VideoFactory(prompt=prompt),
                                   video_b=VideoFactory(prompt=prompt), overlap=3, random_key=0.5)
        for person, strength in zip(people, (-2, 2, 1)):  # opposite directions: every pair is disputed
            judge(pair, person, {"motion": strength})
    return Studio(url=live_server.url, campaign_id=campaign.pk, fps=12.0)


def test_a_reviewer_pages_through_thirteen_disputed_pairs(thirteen_disputes, context_factory):
    page = context_factory(1280, 900).new_page()
    sign_in(page, thirteen_disputes, "rita", f"/review/{thirteen_disputes.campaign_id}/")
    page.wait_for_selector("[data-queue-count='13']")
    rows = page.locator(".queue-list .queue-row")
    assert rows.count() == 10
    assert page.locator("[data-queue-range]").inner_text() == "1–10 of 13"
    assert page.locator("#queue-prev").is_disabled()

    first_page = set(rows.evaluate_all("els => els.map(e => e.dataset.pair)"))
    page.locator("#queue-next").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-queue-range='11-13']")
    assert rows.count() == 3
    second_page = set(rows.evaluate_all("els => els.map(e => e.dataset.pair)"))
    assert not first_page & second_page and len(first_page | second_page) == 13
    assert page.locator(".queue-list").get_attribute("start") == "11"
    assert page.locator("#queue-next").is_disabled()

    page.locator("#queue-prev").click()
    page.wait_for_selector("[data-queue-range='1-10']")
    assert set(rows.evaluate_all("els => els.map(e => e.dataset.pair)")) == first_page
