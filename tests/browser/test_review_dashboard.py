"""The review page's quality dashboards in headless Chromium: agreement, generator leaderboard
with CI whiskers, gold accuracy per annotator and the review queue, over a small seeded campaign
(3 annotators, a few disagreeing judgments, two gold pairs); plus a screenshot."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, Judgment, Pair, Prompt
from tests.browser.conftest import SCREENSHOTS, Studio, sign_in
from tests.factories import CampaignFactory, UserFactory, make_pairs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Per annotator, per pair: one base strength for every dimension (A/B terms). Pairs 0 and 1 split
# in direction (→ review queue); the rest mostly agree; pairs 4 and 5 become gold.
PLAN = {
    "ann": [2, -1, 1, 1, 1, -2],
    "ben": [-2, 1, 1, 2, 1, -2],
    "cai": [1, 0, 2, 1, -1, 2],
}
GOLD = {4: 1, 5: -2}


@dataclass
class Seeded:
    studio: Studio
    pairs: list[Pair]


@pytest.fixture
def seeded(live_server, settings, tmp_path, frontend_dist) -> Seeded:
    """All database work happens here, before Chromium starts (conftest's `chromium` doc)."""
    from annotation.services.gold import pair_mark_gold
    from annotation.services.quality import quality_reports_warm

    settings.STATICFILES_DIRS = [frontend_dist]
    # The quality reports are cached per campaign id; a private cache keeps an earlier run's
    # "latest" report (same id after the database is recreated) from being served as stale.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "review-dashboard"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    campaign = CampaignFactory(name="Dashboard campaign", overlap=3, min_gold_accuracy=0.7)
    pairs = make_pairs(campaign, n_pairs=6)
    dims = list(campaign.dimensions.order_by("order", "key"))
    for index, strength in GOLD.items():
        pair_mark_gold(pair=pairs[index], answers={d.key: strength for d in dims})
    now = timezone.now()
    for username, strengths in PLAN.items():
        user = UserFactory(username=username, roles=["annotator"])
        for i, (pair, base) in enumerate(zip(pairs, strengths)):
            assignment = Assignment.objects.create(
                pair=pair, campaign=campaign, annotator=user, a_on_left=bool(i % 2), state=AssignmentState.SUBMITTED,
                leased_at=now - timedelta(minutes=5), expires_at=now + timedelta(minutes=5), heartbeat_at=now,
                finished_at=now - timedelta(seconds=30 * i), time_spent_ms=4000 + 700 * i, client_key=f"{username}-{i}")
            Judgment.objects.bulk_create(
                Judgment(assignment=assignment, pair=pair, annotator=user, dimension=d,
                         strength=max(-2, min(2, base - (k % 2 if base > 0 else 0))))
                for k, d in enumerate(dims))
    Pair.objects.filter(campaign=campaign).update(taken=3, completed=3)
    UserFactory(username="rita", roles=["reviewer"])
    # What the quality refresh does on a worker: web requests never bootstrap the leaderboard's intervals.
    quality_reports_warm(campaign=campaign)
    return Seeded(studio=Studio(url=live_server.url, campaign_id=campaign.pk, fps=12.0), pairs=pairs)


def test_review_dashboards_render_charts_and_the_queue(seeded, context_factory):
    studio = seeded.studio
    page = context_factory(1440, 900).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, studio, "rita", f"/review/{studio.campaign_id}/")

    for name in ("agreement", "leaderboard", "gold", "queue"):
        page.wait_for_selector(f"[data-dash={name}]")
    for name in ("agreement", "leaderboard", "gold"):
        chart = page.locator(f"[data-dash={name}] svg.chart")
        chart.wait_for()
        assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label")
    # Every chart has its numbers in a table too (visually hidden, or visible for the annotators).
    for name in ("agreement", "leaderboard", "gold"):
        assert page.locator(f"[data-dash={name}] table").count() >= 1, name
    assert page.locator("[data-dash] .sr-only table").count() >= 2
    assert "NaN" not in page.inner_text("#review-root")

    # The two pairs split in direction (and not gold) are queued.
    count = page.locator("[data-queue-count]")
    assert count.inner_text() == "2"
    assert "pairs to adjudicate" in page.inner_text("[data-dash=queue]")
    assert page.locator(".queue-list li").count() == 2

    # Whiskers: one interval per generator, and the keyboard switches the dimension.
    assert page.locator("[data-dash=leaderboard] .chart-whisker").count() >= 3
    before = page.locator("[data-dash=leaderboard] svg.chart").get_attribute("aria-label")
    page.locator("#lb-dim").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "(prev) => document.querySelector('[data-dash=leaderboard] svg.chart')?.getAttribute('aria-label') !== prev",
        arg=before,
    )
    assert page.evaluate("() => document.activeElement?.id") == "lb-dim"

    # Gold accuracy: each annotator with a status word, not just a colour.
    gold = page.inner_text("[data-dash=gold]")
    for username in PLAN:
        assert username in gold
    assert "active" in gold
    assert "updated" in page.inner_text("[data-dash=agreement] .freshness")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review-dashboard.png"), full_page=True)
    assert (SCREENSHOTS / "review-dashboard.png").stat().st_size > 10_000

    # On a phone the dashboards stack in one column and the page never scrolls sideways (the charts'
    # hidden number tables, and a long prompt in a queue row, once made it 600 px wide at 390).
    long_prompt = "A girl with twin-tailed green hair in a blue school uniform jumps in front of a sunset city."
    Prompt.objects.update(text=long_prompt)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector(f".queue-row >> text={long_prompt[:40]}")
    page.wait_for_function("() => document.documentElement.scrollWidth <= 390", timeout=5_000)
    assert not errors, errors
