"""The labelling page in headless Chromium: keyboard-only labelling that survives a reload and a
dropped connection, submit → next latency, two-video sync, screenshots and clip playback."""
from __future__ import annotations

import json
import platform
import statistics
from datetime import datetime, timezone

import pytest

from annotation.models import Assignment, AssignmentState, Judgment
from tests.browser.conftest import ROOT, SCREENSHOTS, sign_in, wait_for_pair
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DIMENSION_ORDER = ["smoothness", "motion", "appeal", "text_video", "image_video", "character"]


def expected_strengths(choices: list[int], left: str) -> dict[str, int]:
    """Screen choice (0 = Left much better … 4 = Right much better) → A/B strength, given the side of A."""
    return {dim: (c - 2) if left == "a" else -(c - 2) for dim, c in zip(DIMENSION_ORDER, choices)}


def press_choices(page, choices):
    for c in choices:
        page.keyboard.press(str(c + 1))


def checked_rows(page) -> dict[str, int]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.row[data-kind=strength]')]
            .map(r => [r.dataset.dim, r.querySelector('[aria-checked=true]')])
            .filter(([, b]) => b).map(([d, b]) => [d, Number(b.dataset.value)]))"""
    )


def open_label_page(context_factory, studio, width=1440, height=900):
    UserFactory(username="alice", roles=["annotator"])
    page = context_factory(width, height).new_page()
    sign_in(page, studio, "alice", f"/label/{studio.campaign_id}/")
    return page


def test_keyboard_only_labelling_survives_a_reload_and_a_dropped_connection(studio, context_factory):
    page = open_label_page(context_factory, studio)
    context = page.context
    expected: dict[int, dict[str, int]] = {}
    lefts: dict[int, str] = {}

    # Pair 1: six keys and Enter.
    pair = wait_for_pair(page)
    first = [0, 1, 2, 3, 4, 1]
    press_choices(page, first)
    expected[pair["assignment"]] = expected_strengths(first, pair["left"])
    lefts[pair["assignment"]] = pair["left"]
    page.keyboard.press("Enter")

    # Pair 2: half answered, then the tab is reloaded; the answers come back from autosave.
    pair = wait_for_pair(page, previous=pair["assignment"])
    second = [4, 4, 3, 0, 2, 1]
    press_choices(page, second[:3])
    before = checked_rows(page)
    assert len(before) == 3
    page.reload()
    restored = wait_for_pair(page, next_ready=False)
    assert restored["assignment"] == pair["assignment"], "a reload resumes the open lease"
    assert checked_rows(page) == before
    press_choices(page, second[3:])  # focus was restored to the first unanswered row
    expected[pair["assignment"]] = expected_strengths(second, pair["left"])
    lefts[pair["assignment"]] = pair["left"]
    page.wait_for_function("() => document.getElementById('label-root').dataset.nextReady === 'true'")
    page.keyboard.press("Enter")

    # Pair 3: submitted while offline; the next (preloaded) pair still shows at once.
    pair = wait_for_pair(page, previous=pair["assignment"])
    third = [2, 2, 2, 0, 4, 3]
    press_choices(page, third)
    expected[pair["assignment"]] = expected_strengths(third, pair["left"])
    lefts[pair["assignment"]] = pair["left"]
    context.set_offline(True)
    page.keyboard.press("Enter")
    shown = wait_for_pair(page, previous=pair["assignment"], next_ready=False)
    page.wait_for_function("() => document.getElementById('label-root').dataset.queue === '1'")
    assert page.evaluate("() => window.__studio.page.player.bothReady(3)"), "the preloaded pair plays offline"
    assert page.locator(".chip-queue[data-state=offline]").is_visible()
    page.wait_for_timeout(600)
    assert not Judgment.objects.filter(assignment_id=pair["assignment"]).exists()

    context.set_offline(False)
    page.wait_for_function("() => document.getElementById('label-root').dataset.queue === '0'", timeout=20_000)
    assert page.locator(".chip-queue[data-state=saved]").is_visible()

    # Exactly the three submissions, each dimension once, in A/B terms.
    stored: dict[int, dict[str, int]] = {}
    for assignment_id, key, strength in Judgment.objects.values_list("assignment_id", "dimension__key", "strength"):
        stored.setdefault(assignment_id, {})[key] = strength
    assert stored == expected
    assert Judgment.objects.count() == 18
    submitted = Assignment.objects.filter(state=AssignmentState.SUBMITTED)
    assert set(submitted.values_list("pk", flat=True)) == set(expected)
    assert all(a.client_key and a.time_spent_ms is not None for a in submitted)
    # The side the page showed A on is the side the server randomised (and the mapping above used).
    assert {a.pk: "a" if a.a_on_left else "b" for a in submitted} == lefts
    assert Assignment.objects.get(pk=shown["assignment"]).state == AssignmentState.LEASED


def test_the_next_pair_is_playable_right_after_submit(studio, context_factory):
    page = open_label_page(context_factory, studio)
    previous = None
    for _ in range(5):
        pair = wait_for_pair(page, previous=previous)
        press_choices(page, [2] * 6)
        page.keyboard.press("Enter")
        previous = pair["assignment"]
    wait_for_pair(page, previous=previous, next_ready=False)
    page.wait_for_function("() => window.__studio.page.swaps.length === 5")
    swaps = page.evaluate("() => window.__studio.page.swaps.map(s => s.ms)")
    median = statistics.median(swaps)
    report = {
        "median_ms": round(median, 1),
        "samples_ms": [round(s, 1) for s in swaps],
        "machine": f"{platform.node()} {platform.machine()} ({platform.processor() or 'cpu'}), {platform.system()}",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "ui-latency.json").write_text(json.dumps(report, indent=2))
    print(f"\nsubmit → next playable: median {median:.1f} ms over {swaps}")
    # The target is < 150 ms; the bound here leaves room for a loaded CI machine while still failing
    # if the swap ever waits for the network again (that costs seconds with the clips' download).
    assert median < 400, report

    # The sixth and last pair: afterwards the campaign has nothing left for alice, and says so.
    press_choices(page, [2] * 6)
    page.keyboard.press("Enter")
    page.wait_for_selector(".state-card[data-state=nothing_left]")
    assert "All done" in page.inner_text(".state-card")
    page.wait_for_function("() => document.getElementById('label-root').dataset.queue === '0'")
    assert Judgment.objects.count() == 6 * 6


def test_both_videos_stay_within_one_frame_while_playing(studio, context_factory):
    page = open_label_page(context_factory, studio)
    wait_for_pair(page)
    page.wait_for_function("() => window.__studio.page.player.isPlaying() && window.__studio.page.player.bothReady(3)")
    result = page.evaluate(
        """async () => {
            const [a, b] = window.__studio.page.player.videos;
            const duration = Math.max(a.duration, b.duration);
            const samples = [];
            const end = performance.now() + 4000;  // more than one loop of the 3 s clips
            while (performance.now() < end) {
                await new Promise(r => requestAnimationFrame(r));
                if (a.paused || b.paused || a.seeking || b.seeking) continue;
                let d = Math.abs(a.currentTime - b.currentTime);
                d = Math.min(d, duration - d);  // a loop boundary is not a drift
                samples.push(d);
            }
            return {samples: samples.length, max: Math.max(...samples), duration};
        }"""
    )
    frame = 1 / studio.fps
    assert result["samples"] > 60, result
    assert result["max"] <= frame, f"drift {result['max'] * 1000:.1f} ms exceeds one frame ({frame * 1000:.1f} ms)"

    # Knock the follower 3 frames off: the player must pull it back within a frame, quickly.
    recovery = page.evaluate(
        """async (fps) => {
            const [a, b] = window.__studio.page.player.videos;
            const duration = Math.max(a.duration, b.duration);
            const gap = () => { const d = Math.abs(a.currentTime - b.currentTime); return Math.min(d, duration - d); };
            while (a.currentTime > duration - 1 || a.paused) await new Promise(r => requestAnimationFrame(r));
            b.currentTime = Math.min(duration - 0.2, a.currentTime + 3 / fps);
            const start = performance.now();
            while (performance.now() - start < 2000) {
                await new Promise(r => requestAnimationFrame(r));
                if (!b.seeking && !a.paused && !b.paused && gap() <= 0.5 / fps) return performance.now() - start;
            }
            return null;
        }""",
        studio.fps,
    )
    assert recovery is not None and recovery < 1000, f"follower not resynced (took {recovery} ms)"
    print(f"\nmax drift while playing: {result['max'] * 1000:.1f} ms over {result['samples']} samples; "
          f"3-frame offset corrected in {recovery:.0f} ms")


def test_the_test_clips_play_and_draw_real_frames(studio, context_factory):
    page = open_label_page(context_factory, studio)
    wait_for_pair(page)
    page.wait_for_function("() => window.__studio.page.player.bothReady(2)")
    page.wait_for_timeout(300)
    stats = page.evaluate(
        """() => window.__studio.page.player.videos.map(v => {
            const c = document.createElement('canvas');
            c.width = v.videoWidth; c.height = v.videoHeight;
            const ctx = c.getContext('2d');
            ctx.drawImage(v, 0, 0);
            const px = ctx.getImageData(0, 0, c.width, c.height).data;
            let sum = 0, bright = 0;
            for (let i = 0; i < px.length; i += 4) {
                const y = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
                sum += y; if (y > 40) bright++;
            }
            return {readyState: v.readyState, w: v.videoWidth, h: v.videoHeight, t: v.currentTime,
                    mean: sum / (px.length / 4), brightShare: bright / (px.length / 4)};
        })"""
    )
    for s in stats:
        assert s["readyState"] >= 2 and (s["w"], s["h"]) == (256, 144), stats
        assert s["mean"] > 20 and s["brightShare"] > 0.2, f"frame looks black: {stats}"


def _bob_judges_two_pairs(campaign_id: int) -> None:
    """Some work by a second annotator, so the review page has numbers to show."""
    from annotation.models import Campaign
    from annotation.services.leasing import assignment_lease_next
    from annotation.services.submissions import Answer, judgment_submit

    bob = UserFactory(username="bob", roles=["annotator"])
    campaign = Campaign.objects.get(pk=campaign_id)
    for i, (strength, ms) in enumerate([(1, 5200), (-2, 8800)]):
        lease = assignment_lease_next(campaign=campaign, annotator=bob, exclude_assignment_ids=[])
        judgment_submit(assignment_id=lease.pk, annotator=bob, client_key=f"bob-{i}", video_a_id=lease.pair.video_a_id,
                        video_b_id=lease.pair.video_b_id, time_spent_ms=ms,
                        answers=[Answer(d.key, strength) for d in campaign.dimensions.all()])


def test_screenshots_of_the_labelling_and_review_pages(studio, context_factory):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_label_page(context_factory, studio)
    wait_for_pair(page)
    press_choices(page, [1, 3, 2])
    page.keyboard.press("Space")  # pause, so the frame and the controls are stable
    page.wait_for_timeout(200)
    page.screenshot(path=str(SCREENSHOTS / "label-desktop.png"))
    page.keyboard.press("?")
    page.wait_for_selector(".help")
    page.screenshot(path=str(SCREENSHOTS / "label-help.png"))
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    page.wait_for_selector(".guide")
    page.screenshot(path=str(SCREENSHOTS / "label-guidelines.png"))
    page.keyboard.press("Escape")
    page.keyboard.press("f")
    page.wait_for_timeout(150)
    page.screenshot(path=str(SCREENSHOTS / "label-flicker.png"))
    page.keyboard.press("f")
    page.select_option("#lang-select", "ja")
    page.wait_for_timeout(100)
    page.screenshot(path=str(SCREENSHOTS / "label-ja.png"))
    page.select_option("#lang-select", "en")
    page.keyboard.press("Enter")  # incomplete: a hint, and the focus jumps to the first open row
    page.wait_for_selector(".toast")

    page.set_viewport_size({"width": 420, "height": 900})
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 420, "no sideways scrolling"
    page.screenshot(path=str(SCREENSHOTS / "label-narrow.png"))
    page.evaluate("() => window.scrollTo(0, document.querySelector('.answers').getBoundingClientRect().top + scrollY - 150)")
    page.wait_for_timeout(100)
    page.screenshot(path=str(SCREENSHOTS / "label-narrow-answers.png"))

    press_choices(page, [0, 4, 2])
    labelled = page.evaluate("() => Number(document.getElementById('label-root').dataset.assignment)")
    page.keyboard.press("Enter")
    wait_for_pair(page, next_ready=False, previous=labelled)
    page.wait_for_function("() => document.getElementById('label-root').dataset.queue === '0'")
    _bob_judges_two_pairs(studio.campaign_id)
    UserFactory(username="rita", roles=["reviewer"])
    review = context_factory(1440, 900).new_page()
    sign_in(review, studio, "rita", f"/review/{studio.campaign_id}/")
    review.wait_for_selector(".chart")
    review.wait_for_selector(".table")
    review.screenshot(path=str(SCREENSHOTS / "review-desktop.png"), full_page=True)
    for name in ("label-desktop", "label-narrow", "review-desktop"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000


def test_an_expired_lease_says_plainly_that_the_answers_were_not_stored(studio, context_factory):
    from datetime import timedelta

    from django.utils import timezone

    from annotation.services.leasing import leases_reap_expired

    page = open_label_page(context_factory, studio)
    first = wait_for_pair(page)
    press_choices(page, [1] * 6)
    # The annotator walked away too long: the lease ran out, and the reaper handed the slot back.
    Assignment.objects.filter(pk=first["assignment"]).update(expires_at=timezone.now() - timedelta(seconds=5))
    assert leases_reap_expired(campaign_id=studio.campaign_id) >= 1
    page.keyboard.press("Enter")
    banner = page.locator(f"[data-banner=lost-{first['assignment']}]")
    banner.wait_for()
    assert "were not stored" in banner.inner_text() and "someone else" in banner.inner_text()
    wait_for_pair(page, previous=first["assignment"], next_ready=False)
    page.wait_for_function("() => document.getElementById('label-root').dataset.queue === '0'")
    assert not Judgment.objects.filter(assignment_id=first["assignment"]).exists()
    assert Assignment.objects.get(pk=first["assignment"]).state == AssignmentState.EXPIRED
