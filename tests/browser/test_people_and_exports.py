"""The admin pages in headless Chromium: people management invites an annotator whose one-time
link signs them in (and works only once); the exports page freezes a dataset version, follows
its build and downloads it as one archive that opens with pyarrow and `datasets` offline."""
from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, Studio, sign_in
from tests.browser.flows import accept_invite, download_archive, export_build_from_page, invite_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def admin_studio(live_server, settings, frontend_dist) -> Studio:
    """A live server, an admin (carol) and a judged campaign; database work before Chromium starts."""
    from tests.export.conftest import make_judged_campaign
    from tests.factories import UserFactory

    settings.STATICFILES_DIRS = [frontend_dist]
    UserFactory(username="carol", roles=["admin"])
    campaign = make_judged_campaign(n_images=3)[0]
    return Studio(url=live_server.url, campaign_id=campaign.pk, fps=12.0)


def test_people_management_invites_an_annotator_who_signs_in_with_the_link_once(admin_studio, context_factory):
    from django.contrib.auth import get_user_model

    from studio_platform.roles import user_roles

    admin = context_factory(1280, 900).new_page()
    sign_in(admin, admin_studio, "carol", "/studio/people/")
    link = invite_person(admin, username="dora", email="dora@example.org", role="annotator")  # keyboard only
    assert "/accounts/welcome/" in link
    admin.wait_for_selector("[data-person] [data-status=invited]")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    admin.screenshot(path=str(SCREENSHOTS / "people-invited.png"), full_page=True)

    dora = context_factory(390, 844).new_page()
    accept_invite(dora, admin_studio, link, "a long pass phrase")
    assert "dora" in dora.locator("header").inner_text()
    assert user_roles(get_user_model().objects.get(username="dora")) == {"annotator"}

    again = context_factory(390, 844).new_page()
    response = again.goto(link)
    assert response.status == 410
    assert "not valid" in again.locator("[data-error=link]").inner_text()

    admin.reload()
    row = admin.locator("[data-person]", has_text="dora")
    row.locator("[data-status=active]").wait_for()


def test_the_exports_page_builds_a_version_and_downloads_it_as_one_archive(admin_studio, context_factory, tmp_path,
                                                                          monkeypatch, settings):
    import pyarrow.parquet as pq

    from training.exports import services

    settings.DATASETS_ROOT = tmp_path / "datasets"
    queued: list[int] = []
    monkeypatch.setattr(services, "_enqueue", queued.append)  # no worker here: the test builds it below

    page = context_factory(1280, 900).new_page()
    sign_in(page, admin_studio, "carol", "/studio/exports/")
    page.locator("#test_fraction").fill("0.4")
    page.locator("[name=dimensions][value=motion]").check()
    version = export_build_from_page(page, queued)  # queued, built here, shown ready by the page's poll
    assert list(version.dimension_keys) == ["motion"]
    assert page.locator("[data-hash]").inner_text() == version.sha256
    page.wait_for_function("() => document.querySelector('.dataset-card')?.textContent.startsWith('---')")

    folder = download_archive(page, version, tmp_path)
    table = pq.read_table(folder / "data" / "judgments" / "train-00000-of-00001.parquet")
    assert table.num_rows == version.row_counts["judgments"]["train"]
    page.screenshot(path=str(SCREENSHOTS / "exports-ready.png"), full_page=True)


def test_people_management_pauses_resumes_resets_and_edits_roles(admin_studio, context_factory):
    from django.contrib.auth import get_user_model

    from annotation.models import AnnotatorState, AnnotatorStatus
    from studio_platform.models import AuditLog
    from studio_platform.roles import user_roles

    page = context_factory(1280, 900).new_page()
    page.on("dialog", lambda dialog: dialog.accept("answers too fast to have watched") if dialog.type == "prompt"
            else dialog.accept())
    sign_in(page, admin_studio, "carol", "/studio/people/")
    from annotation.models import Assignment

    # An annotator of the judged campaign (factory names depend on what ran before: pick by id).
    person = get_user_model().objects.get(pk=Assignment.objects.order_by("id").values_list("annotator_id", flat=True)[0])
    row = page.locator(f"[data-person='{person.pk}']")
    row.wait_for()

    row.locator("[data-action=pause]").click()
    row.locator("[data-status=paused]").wait_for()
    assert AnnotatorStatus.objects.get(annotator=person).state == AnnotatorState.PAUSED
    row.locator("[data-action=resume]").click()
    row.locator("[data-status=active]").wait_for()
    assert AnnotatorStatus.objects.get(annotator=person).state == AnnotatorState.ACTIVE

    row.locator("[name=role-reviewer]").check()
    row.locator("[data-action=roles]").click()
    page.wait_for_function("name => [...document.querySelectorAll('.toast')].some(t => t.textContent === `Roles of ${name} saved`)",
                           arg=person.username)
    assert user_roles(get_user_model().objects.get(pk=person.pk)) == {"annotator", "reviewer"}

    row.locator("[data-action=reset]").click()
    assert "/accounts/welcome/" in page.locator("#issued-link").input_value()
    assert not get_user_model().objects.get(pk=person.pk).has_usable_password()
    assert list(AuditLog.objects.filter(action__startswith="person.").order_by("id").values_list("action", flat=True)) == \
        ["person.pause", "person.resume", "person.roles", "person.password_reset"]


def test_a_failed_version_is_built_again_from_its_card(admin_studio, context_factory, monkeypatch, tmp_path, settings):
    from annotation.models import Campaign
    from training.exports import services
    from training.models import DatasetVersion

    settings.DATASETS_ROOT = tmp_path / "datasets"
    queued: list[int] = []
    monkeypatch.setattr(services, "_enqueue", queued.append)
    version = services.dataset_version_create(campaigns=[Campaign.objects.get(pk=admin_studio.campaign_id)],
                                              enqueue=False)
    DatasetVersion.objects.filter(pk=version.pk).update(status="failed", error="worker lost (test)")

    page = context_factory(1280, 900).new_page()
    sign_in(page, admin_studio, "carol", "/studio/exports/")
    page.locator(f"[data-version='{version.pk}']").click()
    assert "worker lost (test)" in page.locator("[data-card=version] [role=alert]").inner_text()
    page.locator("[data-action=build-again]").click()
    page.wait_for_selector("[data-card=version] [data-status=queued]")
    assert queued == [version.pk] and DatasetVersion.objects.get(pk=version.pk).status == "queued"
