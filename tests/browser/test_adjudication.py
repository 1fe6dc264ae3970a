"""A reviewer settles a disputed pair in headless Chromium, keyboard first: Enter on a review-queue
row opens the panel (both real clips, the prompt, every annotator's answer in words, the
consensus), Esc closes it, and a saved adjudication marks the row and shrinks the queue count.
The agreement-over-time card draws one line chart per dimension from the hourly snapshots."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from annotation.models import Adjudication, Assignment, AssignmentState, Judgment, Pair
from annotation.services.agreement_history import agreement_snapshot_take
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# pair index -> annotator -> motion strength; every other dimension gets OTHER[pair index] from all.
# Pair 0 splits hard on motion (A much better / B much better / B better), pair 1 mildly, pair 2 agrees.
MOTION = {0: {"ann": -2, "ben": 2, "cai": 1}, 1: {"ann": 1, "ben": -1, "cai": 0}, 2: {"ann": 1, "ben": 1, "cai": 1}}
OTHER = {0: 1, 1: 0, 2: 1}


def _judge(campaign, pair, index, users):
    now = timezone.now()
    for user in users:
        assignment = Assignment.objects.create(
            pair=pair, campaign=campaign, annotator=user, a_on_left=user.username != "ben",
            state=AssignmentState.SUBMITTED, leased_at=now - timedelta(minutes=5),
            expires_at=now + timedelta(minutes=5), heartbeat_at=now, finished_at=now, time_spent_ms=5000,
            client_key=f"{user.username}-{pair.pk}")
        Judgment.objects.bulk_create(
            Judgment(assignment=assignment, pair=pair, annotator=user, dimension=d,
                     strength=MOTION[index][user.username] if d.key == "motion" else OTHER[index])
            for d in campaign.dimensions.all())


@pytest.fixture
def disputed(studio, settings):
    """The demo campaign (real clips) judged by three annotators, with two agreement snapshots."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "adjudication-browser"}}
    from annotation.models import Campaign

    campaign = Campaign.objects.get(pk=studio.campaign_id)
    Campaign.objects.filter(pk=campaign.pk).update(overlap=3)
    Pair.objects.filter(campaign=campaign).update(overlap=3)
    pairs = list(Pair.objects.filter(campaign=campaign).order_by("id").select_related("video_a__prompt", "video_b"))
    users = [UserFactory(username=name, roles=["annotator"]) for name in ("ann", "ben", "cai")]
    UserFactory(username="rita", roles=["reviewer"])
    now = timezone.now()
    _judge(campaign, pairs[0], 0, users)
    _judge(campaign, pairs[2], 2, users)
    agreement_snapshot_take(campaign=campaign, now=now - timedelta(hours=3))
    _judge(campaign, pairs[1], 1, users)
    agreement_snapshot_take(campaign=campaign, now=now - timedelta(hours=1))
    Pair.objects.filter(pk__in=[p.pk for p in pairs[:3]]).update(taken=3, completed=3)
    return studio, pairs


def test_a_reviewer_opens_a_disputed_pair_sees_every_answer_and_adjudicates_it(disputed, context_factory):
    studio, pairs = disputed
    contested = pairs[0]
    page = context_factory(1440, 1000).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, studio, "rita", f"/review/{studio.campaign_id}/")

    page.wait_for_selector(".queue-row")
    assert page.locator("[data-queue-count]").inner_text() == "2"
    row_id = f"queue-row-{contested.pk}"
    assert page.locator(".queue-row").first.get_attribute("id") == row_id  # the widest split first

    # Enter opens the panel; Esc closes it and gives the focus back to the row.
    page.locator(f"#{row_id}").focus()
    page.keyboard.press("Enter")
    panel = page.locator("#adjudication")
    panel.wait_for(state="visible")
    page.wait_for_function("() => document.activeElement?.id === 'adj-motion'")  # first disputed dimension
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement?.id") == row_id

    page.keyboard.press("Enter")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    assert contested.video_a.prompt.text in text
    for name in ("ann", "ben", "cai"):
        assert name in text
    motion = panel.locator("tr[data-dimension=motion]").inner_text()
    assert "A much better" in motion and "B much better" in motion and "B better" in motion
    # consensus of -2, +2, +1: mean +0.33, one for A and two for B -> a tie by the server's rule
    assert "Same · mean +0.33 · A 1 / same 0 / B 2" in motion
    assert "B better · mean +1.00 · A 0 / same 0 / B 3" in panel.locator("tr[data-dimension=appeal]").inner_text()
    # both real clips, A on the left, load in the panel
    for side, video in (("a", contested.video_a), ("b", contested.video_b)):
        assert panel.locator(f"video[data-side={side}]").get_attribute("src") == video.rendition.url  # never the original
    page.wait_for_function(
        "() => [...document.querySelectorAll('#adjudication video')]"
        ".every((v) => v.readyState >= 1 && v.videoWidth > 0)")

    page.select_option("#adj-motion", "1")
    page.locator("#adj-note").fill("A freezes after one second.")
    page.locator("#adj-save").focus()
    page.keyboard.press("Enter")
    panel.wait_for(state="hidden")

    row = page.locator(f"#{row_id}")
    page.wait_for_function("() => document.querySelector('[data-queue-count]')?.textContent === '1'")
    assert row.get_attribute("data-adjudicated") == "true"
    assert "adjudicated" in row.inner_text()
    stored = Adjudication.objects.get(pair=contested)
    assert (stored.dimension.key, stored.strength, stored.note, stored.reviewer.username) == \
        ("motion", 1, "A freezes after one second.", "rita")

    # Reopening the settled pair shows the stored answer.
    row.focus()
    page.keyboard.press("Enter")
    panel.wait_for(state="visible")
    assert page.locator("#adj-motion").input_value() == "1"
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")

    # Agreement over time: one line chart per dimension plus the queue, each labelled for screen readers.
    history = page.locator("[data-dash=history]")
    charts = history.locator("svg.chart-time")
    assert charts.count() == 7  # six dimensions + the queue
    assert all(charts.nth(i).get_attribute("role") == "img" for i in range(7))
    assert history.locator("[data-history-dimension=motion] path.chart-time-line").count() == 1
    assert history.locator(".sr-only table").count() == 1
    assert "NaN" not in page.inner_text("#review-root")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review-history.png"), full_page=True)
    row.focus()
    page.keyboard.press("Enter")
    panel.wait_for(state="visible")
    page.screenshot(path=str(SCREENSHOTS / "review-adjudication.png"))
    assert not errors, errors
