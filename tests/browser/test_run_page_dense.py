"""Dense GAPO from /runs/ in headless Chromium (issue #22): an admin reaches "Run dense GAPO" by keyboard,
confirms, and the created run is the default setup with frame weighting 'segments' on human pairs; the
table marks it dense and its page states the weighting. The run is only created (enqueue is a no-op
here): no training runs in this test."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from tests.browser.conftest import sign_in
from tests.browser.test_run_page import _register_model, seeded  # noqa: F401  (fixture)
from tests.factories import make_pairs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _judged_pair_with_a_span(campaign) -> None:
    """One pair of the campaign submitted by an annotator who marked a span: what dense GAPO needs."""
    from annotation.models import Assignment, AssignmentState, Pair
    from annotation.services.segments import SegmentAnswer
    from annotation.services.submissions import Answer, judgment_submit
    from tests.factories import UserFactory

    pair = make_pairs(campaign, n_pairs=1)[0]
    judge = UserFactory(username="judge", roles=["annotator"])
    now = timezone.now()
    Pair.objects.filter(pk=pair.pk).update(taken=F("taken") + 1)  # the slot a lease takes
    lease = Assignment.objects.create(pair=pair, campaign=campaign, annotator=judge, a_on_left=True,
                                      state=AssignmentState.LEASED, leased_at=now,
                                      expires_at=now + timedelta(minutes=10), heartbeat_at=now)
    judgment_submit(assignment_id=lease.pk, annotator=judge, client_key="dense-span", video_a_id=pair.video_a_id,
                    video_b_id=pair.video_b_id, time_spent_ms=4000,
                    answers=[Answer(d.key, 1) for d in campaign.dimensions.all()],
                    segments=[SegmentAnswer(pair.video_b_id, "smoothness", 4, 9)])


def test_an_admin_starts_dense_gapo_from_the_runs_page(seeded, context_factory, monkeypatch):  # noqa: F811
    from annotation.models import Campaign
    from training.models import TrainingRun

    queued: list[int] = []
    monkeypatch.setattr("training.runs.services.enqueue_run", queued.append)  # created, never trained
    campaign = Campaign.objects.get(pk=seeded.dataset.campaign_ids[0])
    _judged_pair_with_a_span(campaign)
    model = _register_model(seeded.run, seeded.dataset, {"smoothness": 0.7, "motion": 0.7, "character": 0.7},
                            promoted=True, note="promoted")

    page = context_factory(1280, 800).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    sign_in(page, seeded.studio, "carol", "/runs/")
    button = page.locator("[data-card=actions] [data-action=gapo-dense]")
    button.wait_for()
    assert button.inner_text() == "Run dense GAPO"
    help_id = button.get_attribute("aria-describedby")
    assert "annotators marked an artefact span" in page.inner_text(f"#{help_id}")

    # Keyboard: from "Run GAPO", Tab reaches "Run dense GAPO"; Enter asks, then posts.
    page.locator("[data-card=actions] [data-action=gapo]").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.action") == "gapo-dense"
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-card=runs] [data-dense]")
    assert dialogs and "dense GAPO" in dialogs[0]

    run = TrainingRun.objects.get(kind="gapo")
    assert queued == [run.pk] and run.reward_model_id == model.pk and run.created_by.username == "carol"
    assert run.config["frame_weighting"] == "segments" and run.config["dense_beta"] == 1.0
    assert run.options["pair_source"] == "human"
    api = page.evaluate("(id) => fetch(`/api/runs/${id}/`).then((r) => r.json())", run.pk)
    assert api["config"]["frame_weighting"] == "segments"

    page.locator(f"[data-run-link='{run.pk}']").click()
    page.wait_for_selector("[data-card=status] [data-frame-weighting=segments]")
    assert "dense β 1" in page.inner_text("[data-card=status] [data-frame-weighting]")
    assert not errors, errors
