"""The training-run pages in headless Chromium: a reward run followed live on /runs/<id>/ (progress
bar, loss/accuracy curves growing as the worker writes metric rows, polling that stops once the run
is final, the per-dimension held-out table), the runs list with the reward-model comparison and
the admin actions, and the role check (annotators get 403). Screenshots go to artifacts/screenshots/."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import SCREENSHOTS, Studio, sign_in
from tests.factories import CampaignFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DIMS = ("smoothness", "motion", "character")


def _values(step: int) -> dict:
    """A plausible curve: the loss falls, the per-dimension accuracy rises with the step."""
    values = {"loss": round(0.7 - 0.04 * step, 4), "lr": 1e-4, "seconds": 0.5}
    for k, dim in enumerate(DIMS):
        values[f"{dim}/loss"] = round(0.7 - 0.03 * step - 0.01 * k, 4)
        values[f"{dim}/accuracy"] = round(min(1.0, 0.45 + 0.05 * step + 0.02 * k), 4)
    return values


def _add_metrics(run, steps) -> None:
    from training.models import RunMetric

    RunMetric.objects.bulk_create(RunMetric(run=run, step=s, values=_values(s)) for s in steps)


def _report(accuracy: dict[str, float]) -> dict:
    dims = {d: {"pairs": 24, "ties": 3, "accuracy": a, "accuracy_ties": a - 0.05, "ece": 0.04, "spearman": 0.6,
                "per_generator": {"gen-a": a + 0.05, "gen-b": a - 0.1}, "calibration": []}
            for d, a in accuracy.items()}
    mean = sum(accuracy.values()) / len(accuracy)
    return {"pairs": 24, "dimensions": dims, "overall": {"accuracy": mean, "accuracy_ties": mean - 0.05}}


@dataclass
class Seeded:
    studio: Studio
    run: object
    dataset: object


@pytest.fixture
def seeded(live_server, settings, frontend_dist) -> Seeded:
    """Database work before Chromium starts (conftest's `chromium` doc): a running reward run with
    three metric rows, a reviewer, an annotator and an admin."""
    from training.exports.services import dataset_version_create
    from training.models import RunState, TrainingRun

    settings.STATICFILES_DIRS = [frontend_dist]
    dataset = dataset_version_create(campaigns=[CampaignFactory(name="Runs campaign")], enqueue=False,
                                     test_fraction=0.0)  # no judgments: nothing to hold out
    now = timezone.now()
    run = TrainingRun.objects.create(kind="reward", state=RunState.RUNNING, dataset_version=dataset, step=3,
                                     total_steps=10, attempt=1, worker="gpu-host:4242", heartbeat_at=now,
                                     started_at=now - timedelta(minutes=2), log_tail="[12:00:01] step 3/10")
    _add_metrics(run, range(1, 4))
    UserFactory(username="rita", roles=["reviewer"])
    UserFactory(username="alice", roles=["annotator"])
    UserFactory(username="carol", roles=["admin"])
    return Seeded(studio=Studio(url=live_server.url, campaign_id=0, fps=12.0), run=run, dataset=dataset)


def _register_model(run, dataset, accuracy: dict[str, float], *, promoted: bool, note: str):
    from training.models import RewardModelVersion

    report = _report(accuracy)
    return RewardModelVersion.objects.create(
        run=run, dataset_version=dataset, dataset_sha256="0" * 64, checkpoint_uri=f"runs/{run.pk}/final",
        metrics=report, accuracy=report["overall"]["accuracy"], promoted=promoted, promotion_note=note)


def test_the_run_page_follows_a_live_run_and_stops_polling_when_it_succeeds(seeded, context_factory):
    from training.models import RunState, TrainingRun

    run = seeded.run
    page = context_factory(1440, 900).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    detail_calls: list[str] = []
    page.on("request", lambda req: detail_calls.append(req.url) if req.url.endswith(f"/api/runs/{run.pk}/") else None)
    sign_in(page, seeded.studio, "rita", f"/runs/{run.pk}/")

    page.wait_for_selector("[data-live=true][data-state=running]")
    bar = page.locator("[data-card=status] [role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "30"
    assert "3 / 10" in page.inner_text("[data-card=status]")
    assert "gpu-host:4242" in page.inner_text("[data-card=status]")
    loss = page.locator("[data-chart=loss] svg.chart path.chart-line-path")
    loss.wait_for()
    assert page.locator("[data-chart=accuracy] svg.chart path.chart-line-path").count() == len(DIMS)
    assert page.locator("[data-chart=accuracy] svg.chart").get_attribute("role") == "img"
    # Dimension names come from the platform, not the raw keys.
    assert "Visual motion" in page.inner_text("[data-chart=accuracy]")
    assert page.locator("#run-cancel").count() == 0  # reviewers read; only admins cancel
    before = loss.get_attribute("d")
    page.evaluate("() => { window.__sameDocument = true; }")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "run-page-running.png"), full_page=True)

    # The worker moves on: three more metric rows and step 6. The page catches up by itself.
    _add_metrics(run, range(4, 7))
    TrainingRun.objects.filter(pk=run.pk).update(step=6, heartbeat_at=timezone.now(),
                                                 log_tail="[12:00:01] step 3/10\n[12:00:04] step 6/10")
    page.wait_for_selector("[data-step='6']")
    assert bar.get_attribute("aria-valuenow") == "60"
    assert loss.get_attribute("d") != before and loss.get_attribute("d").count("L") == 5  # 6 points
    assert "step 6/10" in page.inner_text("[data-card=log]")
    assert page.evaluate("() => window.__sameDocument") is True  # updated without a reload

    # The run succeeds with its held-out report: the table appears and polling stops.
    accuracy = {"smoothness": 0.7, "motion": 0.8125, "character": 0.6}
    TrainingRun.objects.filter(pk=run.pk).update(
        state=RunState.SUCCEEDED, step=10, finished_at=timezone.now(),
        metrics={"report": _report(accuracy), "accuracy": 0.7042,
                 "promotion": {"promoted": True, "compared_with": None, "promoted_accuracy": None,
                               "note": "first reward model: promoted"}})
    _register_model(TrainingRun.objects.get(pk=run.pk), seeded.dataset, accuracy, promoted=True,
                    note="first reward model: promoted")
    page.wait_for_selector("[data-live=false][data-state=succeeded]")
    assert bar.get_attribute("aria-valuenow") == "100"
    table = page.locator("[data-card=metrics] table.report-table")
    table.wait_for()
    text = table.inner_text()
    for name in ("Visual smoothness", "Visual motion", "Character consistency", "Overall"):
        assert name in text, name
    assert "81.3%" in text  # motion, 0.8125
    assert "first reward model: promoted" in page.inner_text("[data-card=metrics]")
    assert page.locator("[data-promoted=true]").count() == 1
    calls = len(detail_calls)
    page.wait_for_timeout(5_000)  # 2.5 polling periods
    assert len(detail_calls) == calls, "the page kept polling a finished run"
    assert "NaN" not in page.inner_text("#runs-root")
    page.screenshot(path=str(SCREENSHOTS / "run-page-succeeded.png"), full_page=True)
    assert (SCREENSHOTS / "run-page-succeeded.png").stat().st_size > 10_000
    assert not errors, errors


def test_the_runs_list_compares_reward_models_and_lets_an_admin_promote(seeded, context_factory):
    from training.models import RetrainPolicy, RunState, TrainingRun

    # Two finished reward runs: v1 promoted, v2 better on motion but worse on average.
    older = TrainingRun.objects.create(kind="reward", state=RunState.SUCCEEDED, dataset_version=seeded.dataset,
                                       step=10, total_steps=10, finished_at=timezone.now())
    v1 = _register_model(older, seeded.dataset, {"smoothness": 0.75, "motion": 0.7, "character": 0.65},
                         promoted=True, note="first reward model: promoted")
    newer = TrainingRun.objects.create(kind="reward", state=RunState.SUCCEEDED, dataset_version=seeded.dataset,
                                       step=10, total_steps=10, finished_at=timezone.now())
    v2 = _register_model(newer, seeded.dataset, {"smoothness": 0.6, "motion": 0.9, "character": 0.55},
                         promoted=False, note="not promoted: 0.683 < 0.700 + 0.01")
    RetrainPolicy.objects.create(name="nightly", campaign_ids=list(seeded.dataset.campaign_ids))

    page = context_factory(1440, 900).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, seeded.studio, "carol", "/")
    page.wait_for_function("() => location.pathname === '/'")
    page.get_by_role("link", name="Training runs").click()  # the home page links reviewers and admins here
    page.wait_for_url("**/runs/")

    runs = page.locator("[data-card=runs] table.runs-table")
    runs.wait_for()
    for r in (seeded.run, older, newer):
        assert page.locator(f"[data-run-link='{r.pk}']").count() == 1
    assert page.locator("[data-card=runs] [role=progressbar]").count() == 3
    assert "running" in runs.inner_text() and "succeeded" in runs.inner_text()
    models = page.locator("[data-card=models] table.models-table")
    text = models.inner_text()
    for header in ("Visual smoothness", "Visual motion", "Character consistency"):
        assert header in text
    assert f"v{v1.pk}" in text and f"v{v2.pk}" in text
    assert "★ 90.0%" in text  # v2's motion is the best in its column
    assert page.locator("[data-card=models] .promoted-mark").count() == 1
    assert page.locator("[data-card=actions] [data-action=gapo]").count() == 1
    assert page.locator("[data-card=actions] [data-policy]").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "runs-list.png"), full_page=True)

    # Keyboard: the state filter narrows the table to the running run.
    page.locator("#filter-state").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # All -> queued -> running
    page.wait_for_function("() => document.querySelectorAll('[data-run-link]').length === 1")
    assert page.locator(f"[data-run-link='{seeded.run.pk}']").count() == 1
    assert "state=running" in page.url

    # Promote v2 (a real CSRF-protected POST): the mark moves.
    page.locator(f"[data-action=promote-{v2.pk}]").click()
    page.wait_for_function(
        "(id) => [...document.querySelectorAll('[data-card=models] tbody tr')].some("
        "  (tr) => tr.textContent.includes('v' + id) && tr.querySelector('.promoted-mark'))",
        arg=v2.pk,
    )
    v2.refresh_from_db()
    assert v2.promoted
    assert not errors, errors


def test_annotators_are_refused_the_run_pages(seeded, context_factory):
    page = context_factory(1280, 800).new_page()
    sign_in(page, seeded.studio, "alice", "/")
    # "**/" also matches the login form's own URL (?next=/): wait until the sign-in really landed.
    page.wait_for_function("() => location.pathname === '/'")
    assert page.locator("a[href='/runs/']").count() == 0
    for path in ("/runs/", f"/runs/{seeded.run.pk}/"):
        response = page.goto(f"{seeded.studio.url}{path}")
        assert response.status == 403, path
        assert "reviewer" in page.inner_text("body")


@pytest.fixture
def gapo_run(seeded, settings, tmp_path):
    """A finished GAPO run as executors/gapo.py records it: the evaluation under "eval", and sample rows
    whose base and trained clips (real MP4s) are served by the run file view."""
    import numpy as np

    from media_io import write_mp4
    from training.models import RunState, TrainingRun

    settings.RUNS_ROOT = tmp_path / "runs"
    run = TrainingRun.objects.create(kind="gapo", state=RunState.SUCCEEDED, step=8, total_steps=8, attempt=1,
                                     finished_at=timezone.now())
    rng = np.random.default_rng(0)
    samples = []
    for i, prompt in enumerate(["A girl waves at the camera", "Two friends hug in the rain"]):
        row = {"key": f"prompt-{i}", "prompt": prompt, "sample": 0}
        for name, shade in (("base", 60), ("trained", 180)):
            frames = np.clip(rng.normal(shade, 20, size=(12, 72, 128, 3)), 0, 255).astype(np.uint8)
            relative = f"gapo/eval/videos/prompt-{i}__0__{name}.mp4"
            write_mp4(frames, settings.RUNS_ROOT / str(run.pk) / relative, 12)
            row[f"{name}_url"] = f"/api/runs/{run.pk}/files/{relative}"
            row[f"{name}_scores"] = {"motion": 0.4 + 0.2 * (name == "trained"), "appeal": 0.5}
        samples.append(row)
    evaluation = {"prompts": 2, "samples": 2, "base": {"motion": 0.4, "appeal": 0.5},
                  "trained": {"motion": 0.5, "appeal": 0.5}, "delta": {"motion": 0.1, "appeal": 0.0},
                  "win_rate": {"motion": 0.75, "appeal": 0.5}}
    run.metrics = {"pairs": 12, "eval": evaluation, "reward_model": None, "samples": samples}
    run.save(update_fields=["metrics"])
    return run


def test_gapo_samples_play_in_the_browser_next_to_their_scores(seeded, gapo_run, context_factory):
    page = context_factory(1440, 900).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, seeded.studio, "rita", f"/runs/{gapo_run.pk}/")

    page.wait_for_selector("[data-live=false][data-state=succeeded]")
    videos = page.locator("[data-card=samples] video")
    videos.first.wait_for()
    assert videos.count() == 4
    assert all(videos.nth(i).get_attribute("controls") is not None for i in range(4))
    # Chromium read every clip's metadata: the files are served and decodable, not just linked.
    page.wait_for_function("() => [...document.querySelectorAll('[data-card=samples] video')]"
                           ".every((v) => v.readyState >= 1 && v.duration > 0)")
    samples = page.inner_text("[data-card=samples]")
    assert "A girl waves at the camera" in samples and "Visual motion" in samples
    gapo = page.locator("[data-card=metrics] table.gapo-table")
    assert "+0.100" in gapo.inner_text() and "75%" in gapo.inner_text()
    # "Play both" starts the base and the trained clip of a sample together, from the start.
    page.locator("[data-sample='0'] [data-action=play-both]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => [...document.querySelectorAll(\"[data-sample='0'] video\")]"
                           ".every((v) => !v.paused)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "run-page-gapo.png"), full_page=True)
    assert not errors, errors


def test_an_admin_cancels_a_running_run_and_the_page_follows_it_to_cancelled(seeded, context_factory):
    from training.models import RunState, TrainingRun

    run = seeded.run
    page = context_factory(1280, 800).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, seeded.studio, "carol", f"/runs/{run.pk}/")
    page.wait_for_selector("[data-live=true][data-state=running]")

    page.locator("#run-cancel").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-card=status] .notice")  # "cancel requested": it stops at its next step
    assert page.locator("#run-cancel").count() == 0
    assert TrainingRun.objects.get(pk=run.pk).cancel_requested

    # The worker notices at its next step and stops.
    TrainingRun.objects.filter(pk=run.pk).update(state=RunState.CANCELLED, finished_at=timezone.now())
    page.wait_for_selector("[data-live=false][data-state=cancelled]")
    assert "cancelled" in page.inner_text(".page-head")
    assert not errors, errors
