"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against pytest-django's
live_server, the built front end, and a tiny demo data set imported into a campaign.

No tool may download a browser here: Chromium comes from `apt-get install chromium`
(scripts/bootstrap does it) and Playwright only drives it through executable_path.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Playwright's sync API keeps an asyncio loop running in the test thread, which makes Django refuse
# ORM calls from that thread ("async unsafe"); the test thread never shares a connection with it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402

from tests.chromium import launch_chromium  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PASSWORD = "pw-for-tests"  # tests.factories.UserFactory


def _stale(dist_file: Path) -> bool:
    if not dist_file.exists():
        return True
    built = dist_file.stat().st_mtime
    sources = [p for p in (FRONTEND / "src").rglob("*") if p.is_file()]
    return any(p.stat().st_mtime > built for p in sources)


@pytest.fixture(scope="session")
def frontend_dist() -> Path:
    """frontend/dist, built now if missing or older than the sources (vite build: a few seconds)."""
    if _stale(DIST / "studio" / "label.js"):
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to build frontend/ for the browser tests; run scripts/bootstrap")
        if not (FRONTEND / "node_modules").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=FRONTEND, check=True)
        subprocess.run([npm, "run", "--silent", "build"], cwd=FRONTEND, check=True)
    return DIST


@pytest.fixture
def chromium():
    """Chromium, started per test.

    Playwright's sync API keeps an asyncio loop running in the test thread, and while it runs
    Django's thread-critical connection storage switches to a context-local one: ORM calls in the
    test body get a second connection that lacks the serialized snapshot serialized_rollback
    restores from. Starting the browser inside the test (after pytest-django's database setup) and
    stopping it before the database teardown keeps the flush-and-restore on the original connection,
    so the seeded dimensions and role groups survive for every later test.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()  # the loop-context connections the test body opened


@pytest.fixture(scope="session")
def demo_dataset(tmp_path_factory) -> Path:
    """2 prompts × 3 simulated generators → 6 clips (36 frames, 12 fps, 256×144) → 6 pairs."""
    from demo import GENERATORS, build_demo_dataset

    out = tmp_path_factory.mktemp("demo-dataset")
    build_demo_dataset(out, n_prompts=2, generators=GENERATORS[:3], num_frames=36, fps=12, width=256, height=144)
    return out


@dataclass
class Studio:
    url: str
    campaign_id: int
    fps: float

    def label_url(self) -> str:
        return f"{self.url}/label/{self.campaign_id}/"


@pytest.fixture
def studio(live_server, settings, tmp_path, frontend_dist, demo_dataset) -> Studio:
    """A live server with the built front end and a campaign holding the demo pairs."""
    from annotation.models import Pair, Video
    from annotation.services.demo import demo_videos_process
    from annotation.services.imports import videos_import_manifest
    from tests.factories import CampaignFactory

    settings.STATICFILES_DIRS = [frontend_dist]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    settings.IMPORT_ROOTS = [demo_dataset.resolve()]
    campaign = CampaignFactory(name="Browser test campaign", overlap=1, lease_ttl_seconds=600,
                               instructions="Watch both clips at least once before answering.")
    videos_import_manifest(text=(demo_dataset / "manifest.jsonl").read_text(), manifest_name="manifest.jsonl",
                           base_dir=demo_dataset, campaign=campaign, on_duplicate="skip")
    assert Pair.objects.filter(campaign=campaign).count() == 6
    demo_videos_process(campaign=campaign)  # pairs are leased once both videos have their renditions
    return Studio(url=live_server.url, campaign_id=campaign.pk, fps=Video.objects.first().fps)


@pytest.fixture
def context_factory(chromium):
    contexts = []

    def make(width=1440, height=900, **kwargs):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="en-US", **kwargs)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(page, studio: Studio, username: str, next_url: str):
    """Through the login form, keyboard only: type, Tab, type, Enter."""
    page.goto(f"{studio.url}/accounts/login/?next={next_url}")
    page.locator("#id_username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{next_url}")


def wait_for_pair(page, *, previous: int | None = None, next_ready: bool = True) -> dict:
    """Wait until a pair other than `previous` is shown (and, by default, the next one preloaded)."""
    page.wait_for_function(
        """([prev, wantNext]) => {
            const root = document.getElementById('label-root');
            const id = Number(root?.dataset.assignment || 0);
            return id && id !== prev && (!wantNext || root.dataset.nextReady === 'true');
        }""",
        arg=[previous or 0, next_ready],
    )
    return page.evaluate(
        "() => { const r = document.getElementById('label-root').dataset;"
        " return {assignment: Number(r.assignment), left: r.left}; }"
    )
