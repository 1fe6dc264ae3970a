"""The closed loop from the browser, on the state `scripts/run` creates (the same `seed_demo
--simulate` command, on a smaller demo render): the admin clicks "Retrain now", waits for the reward
run to succeed and be promoted, clicks "Run GAPO", waits for it, and sees sample videos that play and
a score change with its interval. Real Celery workers as `scripts/run` starts them: one on the gpu
queue and one on default,media. No API or CLI step in between."""
from __future__ import annotations

import json
import re
import uuid

import pytest
from django.core.management import call_command

from tests.browser.conftest import SCREENSHOTS
from tests.runs.conftest import TRANSACTIONAL, run_roots  # noqa: F401 (a fixture)
from tests.runs.test_runs_worker import Workers, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, TRANSACTIONAL]

# Sized for CI's two cores: the default install pretrains the generator for 400 steps and trains GAPO
# for 60; the code path is the same.
FAST_GAPO = {"preset": "tiny", "steps": 4, "lr": 1e-3, "batch_size": 1, "device": "cpu", "lora_rank": 4,
             "lora_alpha": 4}
FAST_GENERATOR_STEPS = 20


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    """The demo renderer at test size (6 prompts x 5 generators, 128x72, 24 frames)."""
    from demo import build_demo_dataset

    out = tmp_path_factory.mktemp("loop-demo")
    build_demo_dataset(out, n_prompts=6, width=128, height=72, num_frames=24)
    return out


@pytest.fixture
def loop_studio(live_server, settings, frontend_dist, small_demo, run_roots):
    settings.STATICFILES_DIRS = [frontend_dist]
    settings.IMPORT_ROOTS = [small_demo.resolve()]
    settings.RUNS_QUEUE = f"loop-gpu-{uuid.uuid4().hex[:8]}"
    settings.GENERATORS_ROOT = run_roots / "generators"
    settings.GAPO_DEFAULT_CONFIG = FAST_GAPO
    settings.GAPO_DEFAULT_OPTIONS = {**settings.GAPO_DEFAULT_OPTIONS, "k": 3, "sample_steps": 4,
                                     "eval_samples_per_prompt": 1}
    call_command("seed_demo", "--dataset-dir", str(small_demo), "--simulate", "2")
    gpu = Workers(settings.RUNS_QUEUE, run_roots, settings.REDIS_URL)
    gpu.env.update({"DEMO_GENERATOR_STEPS": str(FAST_GENERATOR_STEPS), "GENERATORS_ROOT": str(settings.GENERATORS_ROOT)})
    gpu.start()
    yield live_server.url
    output = gpu.stop_all()
    assert "Traceback" not in output, output


def _sign_in_as_demo_admin(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/runs/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill("admin-demo-pass")
    page.keyboard.press("Enter")
    page.wait_for_url("**/runs/")


FINAL = ".runs-page[data-state='succeeded'], .runs-page[data-state='failed'], .runs-page[data-state='cancelled']"


def test_admin_retrains_promotes_and_runs_gapo_from_the_browser(loop_studio, context_factory):
    from training.models import RewardModelVersion, RunState, TrainingRun

    base = loop_studio
    page = context_factory().new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() of both buttons
    _sign_in_as_demo_admin(page, base)

    page.locator("button[data-action^='retrain-']").first.click()
    reward = wait_for(lambda: TrainingRun.objects.filter(kind="reward").first(), timeout=30, what="the reward run")
    page.wait_for_selector(f"a[data-run-link='{reward.pk}']", timeout=30_000)  # the list shows it
    page.goto(f"{base}/runs/{reward.pk}/")
    page.wait_for_selector(FINAL, timeout=300_000)
    reward.refresh_from_db()
    assert reward.state == RunState.SUCCEEDED, reward.error
    page.wait_for_selector(".promotion[data-promoted='true']", timeout=15_000)
    assert RewardModelVersion.objects.get(promoted=True).run_id == reward.pk

    page.goto(f"{base}/runs/")
    page.locator("button[data-action='gapo']").click()
    gapo = wait_for(lambda: TrainingRun.objects.filter(kind="gapo").first(), timeout=30, what="the GAPO run")
    assert gapo.options["base_generator"] == "demo" and gapo.config["steps"] == FAST_GAPO["steps"]
    page.goto(f"{base}/runs/{gapo.pk}/")
    page.wait_for_selector(FINAL, timeout=480_000)
    gapo.refresh_from_db()
    assert gapo.state == RunState.SUCCEEDED, gapo.error + gapo.log_tail

    # a score change with its interval over held-out prompts
    page.wait_for_selector(".gapo-table")
    overall = page.locator(".gapo-table tbody tr").filter(has_text="Overall")
    interval = overall.locator("td.interval").inner_text()
    assert re.fullmatch(r"\[[+\u2212]?\d\.\d{3}, [+\u2212]?\d\.\d{3}\]", interval), interval
    assert gapo.metrics["eval"]["delta_ci"]["overall"]["prompts"] >= 2
    assert "pretraining" in gapo.log_tail, "the demo generator was pretrained on the campaign's clips"

    # sample videos that play
    videos = page.locator(".sample video")
    assert videos.count() >= 2
    page.locator(".sample button[data-action='play-both']").first.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.sample')[0].querySelectorAll('video')]"
        ".every(v => v.readyState >= 2 && v.videoWidth >= 64 && v.currentTime > 0)", timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "closed-loop-gapo.png"), full_page=True)
    assert json.dumps(gapo.metrics).count("NaN") == 0
