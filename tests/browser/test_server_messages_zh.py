"""The admin pages in Chinese (django_language cookie) in headless Chromium: the service's campaign
field error and the import dry run's grouped problem arrive from the server in Chinese, and the dry
run still shows one group for the bad row."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_campaign_admin import admin_world  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_admin_reads_the_servers_messages_in_chinese(admin_world, context_factory):  # noqa: F811
    context = context_factory()
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": admin_world.studio.url}])
    page = context.new_page()
    sign_in(page, admin_world.studio, "carol", "/studio/campaigns/")

    page.wait_for_selector("[data-action=new]")
    page.keyboard.press("n")
    page.wait_for_selector("#f-name:focus")
    page.keyboard.type("中文活动")
    page.fill("#f-slug", "zh-i2v")
    page.select_option("#f-pairing", "budget")
    page.keyboard.press("Control+Enter")
    error = page.wait_for_selector("#err-pair_budget_per_prompt")
    assert "需要设置每个提示词的配对数" in error.inner_text()

    page.goto(f"{admin_world.studio.url}/studio/imports/")
    page.set_input_files("#i-manifest", str(admin_world.bad_manifest))
    page.set_input_files("#i-files", [str(p) for p in admin_world.upload_files])
    page.click("[data-action=check]")
    page.wait_for_selector("[data-card=preview][data-ok=false]")
    groups = page.query_selector_all(".error-group")
    assert len(groups) == 1 and groups[0].get_attribute("data-field") == "video"
    text = groups[0].inner_text()
    # An upload names the files it lacks; either wording of a missing file is translated.
    assert "never-rendered.mp4" in text and ("不在上传的文件中" in text or "不存在或不是文件" in text), text
