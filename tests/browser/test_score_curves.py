"""AnimeReward's score curves (issue #22) in headless Chromium: with a promoted model that has
per-frame heads, a reviewer's pair page plots video A's curve under its player (one line per temporal
dimension, a playhead that follows the player) and says video B is not scored yet; the
scoring run's page shows the video it picked with its curve. Scores are written directly (training is
not what this test is about)."""
from __future__ import annotations

import pytest

from annotation.models import Pair
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FRAME_DIMS = ["smoothness", "motion", "character"]


def _promoted_model_with_curves(campaign_id: int, video) -> tuple[object, object]:
    """A promoted model whose run config has per-frame heads, its score of `video` with a curve that
    dips in the middle, and the succeeded scoring run that picked it."""
    from annotation.models import Campaign
    from training.exports.services import dataset_version_create
    from training.models import RewardModelScore, RewardModelVersion, RunState, TrainingRun

    dataset = dataset_version_create(campaigns=[Campaign.objects.get(pk=campaign_id)], enqueue=False, test_fraction=0.0)
    run = TrainingRun.objects.create(kind="reward", state=RunState.SUCCEEDED, dataset_version=dataset,
                                     config={"preset": "tiny", "frame_dimensions": FRAME_DIMS})
    version = RewardModelVersion.objects.create(run=run, dataset_version=dataset, dataset_sha256="0" * 64,
                                                checkpoint_uri="x", metrics={}, accuracy=0.8, promoted=True)
    n = 8
    curves = {"positions": [k / (n - 1) for k in range(n)],
              "curves": {"smoothness": [0.8, 0.8, 0.7, 0.2, 0.3, 0.8, 0.8, 0.8], "motion": [0.6] * n,
                         "character": [0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.5, 0.5]}}
    RewardModelScore.objects.create(model_version=version, video=video, scores={"overall": 0.6}, curves=curves)
    scoring = TrainingRun.objects.create(kind="scoring", state=RunState.SUCCEEDED, reward_model=version, step=1,
                                         total_steps=1, attempt=1, metrics={"videos": 12, "curve_videos": [video.pk]})
    return version, scoring


def test_the_pair_page_plots_the_promoted_models_curve_under_the_player_and_the_run_page_shows_it(studio, context_factory):
    UserFactory(username="rita", roles=["reviewer"])
    pair = Pair.objects.filter(campaign_id=studio.campaign_id).select_related("video_a", "video_b").order_by("pk").first()
    _, scoring = _promoted_model_with_curves(studio.campaign_id, pair.video_a)
    page = context_factory(1440, 1100).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, studio, "rita", f"/studio/pairs/{pair.pk}/")
    page.wait_for_selector(".pair-curves[data-curves=loaded]")

    plot_a, plot_b = page.locator(".pair-curves .curve-plot").all()
    assert plot_a.get_attribute("data-curve") == "drawn" and plot_a.locator(".chart-line-path").count() == 3
    legend = plot_a.locator(".legend-item").all_inner_texts()
    assert len(legend) == 3 and legend[0] == "Visual smoothness", legend  # the campaign's display names, model order
    assert plot_a.locator(".curve-dip").inner_text().startswith("Deepest dip: Visual smoothness")
    assert plot_b.get_attribute("data-curve") == "none" and "Not scored yet" in plot_b.inner_text()
    # the plots sit under the players, A's under A's
    video_box = page.locator(".pair-videos > .data-clip").first.bounding_box()
    plot_box = plot_a.bounding_box()
    middle = plot_box["x"] + plot_box["width"] / 2
    assert plot_box["y"] > video_box["y"] + video_box["height"] - 1
    assert video_box["x"] < middle < video_box["x"] + video_box["width"]

    # the playhead follows player A while it plays
    playhead = plot_a.locator(".chart-playhead")
    start_x = float(playhead.get_attribute("x1"))
    page.evaluate("() => document.querySelector('.pair-videos > .data-clip video').play()")
    page.wait_for_function("() => Number(document.querySelector('.pair-curves .chart-playhead').dataset.time) > 0.3")
    assert float(playhead.get_attribute("x1")) > start_x
    page.screenshot(path=str(SCREENSHOTS / "pair-score-curves.png"), full_page=True)

    page.goto(f"{studio.url}/runs/{scoring.pk}/")
    item = page.locator(f"[data-card=curves] .curve-item[data-video='{pair.video_a_id}']")
    item.wait_for()
    assert item.locator("video").count() == 1 and item.locator(".curve-plot[data-curve=drawn]").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "run-score-curves.png"), full_page=True)
    assert errors == []
