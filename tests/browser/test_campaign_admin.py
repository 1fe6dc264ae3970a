"""The admin pages in headless Chromium: an admin creates a campaign on /studio/campaigns/ (the
service's field error shows next to its field first), then on /studio/imports/ checks the demo
manifest with one bad row added (the dry run groups the problem, nothing is stored), imports the
fixed manifest from the server folder and watches the media pipeline finish."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotation.models import Campaign, Pair, Prompt, Video, VideoStatus
from tests.browser.conftest import SCREENSHOTS, Studio, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@dataclass
class AdminWorld:
    studio: Studio
    bad_manifest: Path
    upload_files: list[Path]
    server_manifest: Path


@pytest.fixture
def admin_world(live_server, settings, tmp_path, frontend_dist, demo_dataset) -> AdminWorld:
    """Database and file work before Chromium starts (see conftest's `chromium`): an admin, the demo
    clips in a server folder under IMPORT_ROOTS, and a local copy of its manifest with a bad row."""
    settings.STATICFILES_DIRS = [frontend_dist]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    root = tmp_path / "imports"
    shutil.copytree(demo_dataset, root / "demo")
    settings.IMPORT_ROOTS = [root.resolve()]
    rows = [json.loads(line) for line in (demo_dataset / "manifest.jsonl").read_text().splitlines() if line.strip()]
    bad_row = {**rows[0], "video": "videos/never-rendered.mp4", "seed": 99}
    bad = tmp_path / "upload" / "manifest.jsonl"
    bad.parent.mkdir()
    bad.write_text("\n".join(json.dumps(r) for r in [*rows, bad_row]) + "\n")
    files = sorted({demo_dataset / r["video"] for r in rows} | {demo_dataset / r["initial_image"] for r in rows})
    UserFactory(username="carol", roles=["admin"])
    return AdminWorld(Studio(url=live_server.url, campaign_id=0, fps=12.0), bad, files, root / "demo" / "manifest.jsonl")


def _create_campaign(page) -> Campaign:
    page.wait_for_selector("[data-action=new]")
    page.keyboard.press("n")
    page.wait_for_selector("#f-name:focus")
    page.keyboard.type("Browser campaign")
    page.fill("#f-slug", "browser-i2v")
    page.select_option("#f-status", "active")
    page.fill("#f-overlap", "2")
    page.uncheck("#f-dim-character")
    page.select_option("#f-pairing", "budget")
    page.keyboard.press("Control+Enter")
    error = page.wait_for_selector("#err-pair_budget_per_prompt")
    assert "budget" in error.inner_text()
    assert page.get_attribute("#f-pair_budget_per_prompt", "aria-invalid") == "true"
    assert not Campaign.objects.exists(), "a refused form stores nothing"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "campaign-form-error.png"), full_page=True)
    page.fill("#f-pair_budget_per_prompt", "2")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-list=open] tr[data-campaign] >> text=Browser campaign")
    page.screenshot(path=str(SCREENSHOTS / "campaigns-list.png"), full_page=True)
    campaign = Campaign.objects.get(slug="browser-i2v")
    assert (campaign.status, campaign.overlap, campaign.pairing, campaign.pair_budget_per_prompt) == ("active", 2, "budget", 2)
    assert "character" not in set(campaign.dimensions.values_list("key", flat=True))
    return campaign


def test_an_admin_creates_a_campaign_and_imports_the_demo_clips(admin_world, context_factory):
    from annotation.services.media_pipeline import video_process

    page = context_factory().new_page()
    sign_in(page, admin_world.studio, "carol", "/studio/campaigns/")
    campaign = _create_campaign(page)

    assert page.is_visible(".admin-nav >> text=Imports")  # the studio header links both admin pages
    page.click(f"tr[data-campaign='{campaign.pk}'] >> text=Import")
    page.wait_for_url(f"**/studio/imports/?campaign={campaign.pk}")
    page.wait_for_function(f"() => document.querySelector('#i-campaign')?.value === '{campaign.pk}'")

    # Upload the manifest with its bad row, plus the files: the dry run groups the problem, stores nothing.
    page.set_input_files("#i-manifest", str(admin_world.bad_manifest))
    page.set_input_files("#i-files", [str(p) for p in admin_world.upload_files])
    page.click("[data-action=check]")
    preview = page.wait_for_selector("[data-card=preview][data-ok=false]")
    groups = page.query_selector_all(".error-group")
    assert len(groups) == 1 and groups[0].get_attribute("data-field") == "video"
    assert "never-rendered.mp4" in groups[0].inner_text() and "7" in groups[0].inner_text()
    assert page.is_disabled("[data-action=import]"), "no import before a clean check"
    assert "Nothing was stored" in preview.inner_text()
    assert (Video.objects.count(), Prompt.objects.count(), Pair.objects.count()) == (0, 0, 0)
    page.screenshot(path=str(SCREENSHOTS / "imports-dry-run.png"), full_page=True)

    # The fixed manifest, from the server folder: a clean check, then the import.
    page.check("input[name=source][value=server]")
    page.select_option("#i-server", str(admin_world.server_manifest.resolve()))
    page.click("[data-action=check]")
    page.wait_for_selector("[data-card=preview][data-ok=true]")
    page.click("[data-action=import]")
    page.wait_for_selector("[data-card=progress][data-pending='6']")
    assert page.locator("[data-card=summary]").count() == 0, "no 'Imported 6' while all 6 are waiting"
    assert Pair.objects.filter(campaign=campaign).count() == 4  # a budget of 2 pairs per prompt

    # The media worker's job, done here: the page's polling follows it to the end.
    for pk in Video.objects.filter(status=VideoStatus.PENDING).values_list("pk", flat=True):
        video_process(video_id=pk)
    page.wait_for_selector("[data-card=progress][data-pending='0'] .done")
    summary = {el.get_attribute("data-summary"): el.inner_text() for el in page.query_selector_all("[data-summary]")}
    assert summary == {"imported": "6", "duplicates": "0", "failed": "0", "prompts": "2", "pairs": "4"}
    page.screenshot(path=str(SCREENSHOTS / "imports-finished.png"), full_page=True)


def test_the_admin_pages_are_closed_to_non_admins(admin_world, context_factory):
    UserFactory(username="rita", roles=["reviewer"])
    page = context_factory().new_page()
    sign_in(page, admin_world.studio, "rita", "/studio/campaigns/")
    page.wait_for_selector("text=This page is for admins")
    response = page.goto(f"{admin_world.studio.url}/studio/imports/")
    assert response.status == 403


def test_an_archived_campaign_moves_down_without_an_import_link(admin_world, context_factory):
    from annotation.models import CampaignStatus
    from studio_platform.models import AuditLog
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(name="Old spring", slug="old-spring")
    page = context_factory().new_page()
    sign_in(page, admin_world.studio, "carol", "/studio/campaigns/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(f"tr[data-campaign='{campaign.pk}'] [data-action=archive]").click()
    row = page.locator(f"[data-list=archived] tr[data-campaign='{campaign.pk}']")
    row.wait_for()
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED
    assert AuditLog.objects.filter(action="campaign.archive", target_id=str(campaign.pk), actor_username="carol").exists()
    # the imports page lists open campaigns only, so "Import into" would lose the campaign
    assert row.locator("[data-action=archive]").count() == 0 and row.locator("a[href*='/studio/imports/']").count() == 0
    page.wait_for_function(f"() => document.activeElement?.closest('tr')?.dataset.campaign === '{campaign.pk}'")


def test_esc_asks_before_it_throws_away_a_changed_form(admin_world, context_factory):
    page = context_factory().new_page()
    sign_in(page, admin_world.studio, "carol", "/studio/campaigns/")
    page.wait_for_selector("[data-action=new]")
    page.keyboard.press("n")
    page.wait_for_selector("#f-name:focus")
    page.keyboard.press("Escape")  # untouched: closes at once
    page.wait_for_selector("form[data-form=campaign]", state="detached")
    page.keyboard.press("n")
    page.wait_for_selector("#f-name:focus")
    page.keyboard.type("Half-typed campaign")
    answers = iter([False, True])
    messages = []
    page.on("dialog", lambda d: (messages.append(d.message), d.accept() if next(answers) else d.dismiss()))
    page.keyboard.press("Escape")
    assert page.input_value("#f-name") == "Half-typed campaign", "dismissed: the form and its text stay"
    page.keyboard.press("Escape")
    page.wait_for_selector("form[data-form=campaign]", state="detached")
    assert len(messages) == 2 and "lose" in messages[0]
