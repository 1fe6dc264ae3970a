"""Artefact spans (issue #22) in headless Chromium: an annotator, keyboard only, marks a span on
each video for the highlighted row, deletes one, nudges one, reloads (the draft keeps them),
replays one (both players loop inside it), submits, and the stored result carries the spans in
A/B terms and My history shows them; a reviewer opens the pair and sees both annotators' lanes with the agreement."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, Pair
from tests.browser.conftest import SCREENSHOTS, sign_in, wait_for_pair
from tests.browser.flows import lane_spans, open_history_item, overlay_lane_spans, press_times, spans_on_screen
from tests.browser.test_labelling import press_choices
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _bob_marks_the_same_pair(pair: Pair, left_video: int, right_video: int) -> None:
    """A second annotator's submission of the pair, with spans, through the submit service."""
    from annotation.services.segments import SegmentAnswer
    from annotation.services.submissions import Answer, judgment_submit

    bob = UserFactory(username="bob", roles=["annotator"])
    now = timezone.now()
    Pair.objects.filter(pk=pair.pk).update(taken=F("taken") + 1)  # the slot a lease takes
    lease = Assignment.objects.create(pair=pair, campaign=pair.campaign, annotator=bob, a_on_left=True,
                                      state=AssignmentState.LEASED, leased_at=now,
                                      expires_at=now + timedelta(minutes=10), heartbeat_at=now)
    judgment_submit(assignment_id=lease.pk, annotator=bob, client_key="bob-spans", video_a_id=pair.video_a_id,
                    video_b_id=pair.video_b_id, time_spent_ms=4000,
                    answers=[Answer(d.key, 0) for d in pair.campaign.dimensions.all()],
                    segments=[SegmentAnswer(left_video, "smoothness", 4, 9), SegmentAnswer(left_video, "motion", 0, 2),
                              SegmentAnswer(right_video, "smoothness", 12, 13)])


def _replay_samples(page) -> dict:
    """Both videos' media times on every animation frame for 2 s while a span replays."""
    return page.evaluate(
        """() => new Promise((resolve) => {
            const [a, b] = window.__studio.page.player.videos;
            const times = [];
            let wraps = 0, last = a.currentTime;
            const t0 = performance.now();
            const tick = () => {
                times.push(a.currentTime, b.currentTime);
                if (a.currentTime < last - 0.1) wraps++;
                last = a.currentTime;
                if (performance.now() - t0 < 2000) requestAnimationFrame(tick);
                else resolve({min: Math.min(...times), max: Math.max(...times), wraps, playing: !a.paused && !b.paused});
            };
            requestAnimationFrame(tick);
        })"""
    )


def test_an_annotator_marks_nudges_deletes_and_replays_spans_by_keyboard_and_a_reviewer_sees_them(studio, context_factory):
    UserFactory(username="alice", roles=["annotator"])
    UserFactory(username="rita", roles=["reviewer"])
    Pair.objects.filter(campaign_id=studio.campaign_id).update(overlap=2)
    page = context_factory(1440, 1000).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, studio, "alice", f"/label/{studio.campaign_id}/")
    shown = wait_for_pair(page)
    assignment = Assignment.objects.select_related("pair").get(pk=shown["assignment"])
    pair = assignment.pair
    left, right = (pair.video_a_id, pair.video_b_id) if shown["left"] == "a" else (pair.video_b_id, pair.video_a_id)

    # Answer the first row and come back to it (Delete must not clear it while a span is selected);
    # pause on frame 0 (a step pauses), then mark frames 3-8 on the left video for that row.
    page.keyboard.press("1")
    page.keyboard.press("k")
    page.keyboard.press(".")
    page.keyboard.press("Home")
    press_times(page, ".", 3)
    page.keyboard.press("i")
    assert page.locator(".lane-left .lane-pending").get_attribute("data-frame") == "3"
    press_times(page, ".", 5)
    page.keyboard.press("o")
    assert lane_spans(page, "left") == [(3, 8)]

    # v: the right video; frames 10-14, then 20-22, which Delete removes (a new span is selected).
    page.keyboard.press("v")
    assert page.locator(".lane-right").get_attribute("data-active") == "true"
    press_times(page, ".", 2)
    page.keyboard.press("i")
    press_times(page, ".", 4)
    page.keyboard.press("o")
    press_times(page, ".", 6)
    page.keyboard.press("i")
    press_times(page, ".", 2)
    page.keyboard.press("o")
    assert lane_spans(page, "right") == [(10, 14), (20, 22)]
    page.keyboard.press("Delete")
    assert lane_spans(page, "right") == [(10, 14)]
    assert page.locator(".row[data-index='0'] [aria-checked=true]").count() == 1  # the row kept its answer

    # n selects it; Shift+Alt+→ moves its end, Shift+← its start.
    page.keyboard.press("n")
    page.keyboard.press("Shift+Alt+ArrowRight")
    page.keyboard.press("Shift+ArrowLeft")
    assert lane_spans(page, "right") == [(9, 15)]

    # A reload resumes the lease with the spans from the draft.
    page.reload()
    assert wait_for_pair(page)["assignment"] == shown["assignment"]
    page.wait_for_selector(".lane-right .lane-span")
    assert spans_on_screen(page) == {"left": [(3, 8)], "right": [(9, 15)]}

    # r replays the left span in both players, looped; Esc stops it.
    page.keyboard.press("n")
    page.keyboard.press("r")
    page.wait_for_function("() => document.querySelector('.span-lanes')?.dataset.replaying === 'true'")
    samples = _replay_samples(page)
    frame = 1 / studio.fps
    assert samples["playing"] and samples["wraps"] >= 1, samples
    assert 3 * frame - 2 * frame <= samples["min"] and samples["max"] <= 9 * frame + 2 * frame, samples
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "label-spans.png"))
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('.span-lanes')?.dataset.replaying === 'false'")
    assert not page.evaluate("() => window.__studio.page.player.isPlaying()")

    # In flicker mode (f) the replay loops the same frames, from a paused player; r stops it.
    page.keyboard.press("f")
    page.keyboard.press("r")
    page.wait_for_function("() => document.querySelector('.span-lanes')?.dataset.replaying === 'true'")
    samples = _replay_samples(page)
    assert samples["playing"] and samples["wraps"] >= 1, samples
    assert 3 * frame - 2 * frame <= samples["min"] and samples["max"] <= 9 * frame + 2 * frame, samples
    page.keyboard.press("r")
    page.keyboard.press("f")
    page.wait_for_function("() => document.querySelector('.span-lanes')?.dataset.replaying === 'false'")

    # Answer every row and submit: the stored result carries both spans with the real video ids.
    press_choices(page, [0, 1, 2, 3, 4, 1])
    page.keyboard.press("Enter")
    wait_for_pair(page, previous=shown["assignment"], next_ready=False)
    page.wait_for_function("() => document.getElementById('label-root').dataset.queue === '0'", timeout=20_000)
    stored = page.evaluate("id => fetch(`/api/assignments/${id}/`).then(r => r.json())", shown["assignment"])["result"]
    expected = sorted([(left, 3, 8), (right, 9, 15)])
    assert [(s["video"], s["start_frame"], s["end_frame"]) for s in stored["segments"]] == expected
    assert {s["dimension"] for s in stored["segments"]} == {"smoothness"}
    # ...and My history shows them on the submitted card (1-based frames, as the label page shows them).
    item = open_history_item(page, studio, shown["assignment"])
    shown_spans = {video: item.locator(f".my-spans-video[data-video='{video}'] li[data-dim=smoothness]")
                   .get_attribute("data-ranges") for video in (left, right)}
    assert shown_spans == {left: "4\u20139", right: "10\u201316"}

    # A reviewer opens the pair page, a opens the panel: one lane per annotator under each video.
    _bob_marks_the_same_pair(pair, left, right)
    review = context_factory(1440, 1100).new_page()
    review.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(review, studio, "rita", f"/studio/pairs/{pair.pk}/")
    review.wait_for_selector("#adjudicate")
    under_clips = review.locator(".card .seg-overlay[data-loaded=true]")  # on the pair page itself
    under_clips.wait_for()
    assert overlay_lane_spans(under_clips.locator(f".seg-video[data-video='{left}']"), "alice") == [(3, 8)]
    review.keyboard.press("a")
    overlay = review.locator("#adjudication .seg-overlay[data-loaded=true]")
    overlay.wait_for()
    for video, alice, bob in ((left, [(3, 8)], [(4, 9)]), (right, [(9, 15)], [(12, 13)])):  # all dimensions, by start
        figure = overlay.locator(f".seg-video[data-video='{video}']")
        assert [lane.get_attribute("data-annotator") for lane in figure.locator(".seg-lane").all()] == ["alice", "bob"]
        assert overlay_lane_spans(figure, "alice") == alice
        assert overlay_lane_spans(figure, "bob") == sorted(bob + ([(0, 2)] if video == left else []))
    # temporal IoU on end-inclusive frames: 3-8 vs 4-9 share 5 of 7 frames; 9-15 vs 12-13 share 2 of 7
    agreement = {v: overlay.locator(f".seg-video[data-video='{v}'] .seg-agreement li[data-dim=smoothness]").get_attribute("data-iou")
                 for v in (left, right)}
    assert agreement == {left: "0.71", right: "0.29"}
    overlay.locator("[data-seg-filter]").select_option("smoothness")
    assert overlay_lane_spans(overlay.locator(f".seg-video[data-video='{left}']"), "bob") == [(4, 9)]
    review.screenshot(path=str(SCREENSHOTS / "review-spans.png"))
    assert errors == []
