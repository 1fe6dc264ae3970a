"""The runs pages' earlier fixes, checked in the browser (issue #20): a failed run's bar names the
outcome instead of "100%", its traceback sits behind a closed "details" toggle under the message,
a delta that rounds to 0.000 is neither signed nor coloured, tables scroll inside their card on a
phone instead of widening the page, and /favicon.ico is an icon."""
from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.test_run_page import _add_metrics, seeded  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TRACEBACK = """GAPO evaluation failed after training
Traceback (most recent call last):
  File "training/runs/executors/gapo.py", line 120, in execute
    evaluation = evaluate(pipe, prompts)
RuntimeError: CUDA out of memory while sampling the held-out prompts"""


@pytest.fixture
def failed_gapo(seeded):  # noqa: F811
    from training.models import RunState, TrainingRun

    evaluation = {"base": {"motion": 0.4, "appeal": 0.5, "smoothness": 0.61},
                  "trained": {"motion": 0.5, "appeal": 0.5004, "smoothness": 0.6104},
                  "delta": {"motion": 0.1, "appeal": 0.0004, "smoothness": 0.0004},
                  "delta_ci": {"motion": {"low": 0.05, "high": 0.15, "prompts": 8},
                               "appeal": {"low": 0.0001, "high": 0.0007, "prompts": 8},
                               "smoothness": {"low": -0.01, "high": 0.01, "prompts": 8}}}
    run = TrainingRun.objects.create(kind="gapo", state=RunState.FAILED, step=8, total_steps=8, attempt=1,
                                     finished_at=timezone.now(), error=TRACEBACK,
                                     metrics={"pairs": 12, "eval": evaluation,
                                              **{f"extra_metric_with_a_long_name_{i}": i for i in range(12)}})
    _add_metrics(run, range(1, 9))  # curves: the charts' two-column grid must fold to one on a phone
    return run


def test_a_failed_run_page_reads_plainly_on_a_phone(seeded, failed_gapo, context_factory):  # noqa: F811
    page = context_factory(390, 844).new_page()
    sign_in(page, seeded.studio, "rita", f"/runs/{failed_gapo.pk}/")
    page.wait_for_selector("[data-live=false][data-state=failed]")
    page.wait_for_selector(".chart-grid-2 .run-chart svg")  # the curves are drawn (a 420 px track each before)

    bar = page.locator("[role=progressbar]").first
    assert "100%" not in bar.inner_text() and "failed" in bar.inner_text().lower()
    error = page.locator(".run-error")
    assert "GAPO evaluation failed after training" in error.inner_text()  # the message, in view
    details = error.locator("details")
    assert details.get_attribute("open") is None  # the traceback, behind the toggle
    assert "CUDA out of memory" not in error.inner_text() and "CUDA out of memory" in details.locator("pre").text_content()

    rows = {r.locator("th").inner_text(): r for r in page.locator("table.gapo-table tbody tr").all()}
    cells = {name: (row.locator("td").nth(2).inner_text(), row.locator("td").nth(2).get_attribute("class") or "")
             for name, row in rows.items()}
    assert cells["Visual motion"][0] == "+0.100" and "up" in cells["Visual motion"][1]
    for name in ("Visual appeal", "Visual smoothness"):
        text, cls = cells[name]
        assert text == "0.000" and "up" not in cls and "down" not in cls, (name, text, cls)

    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
        .filter(e => !e.parentElement.closest('.table-wrap')).slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, f"the page is wider than the phone: {wide}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "run-failed-phone.png"), full_page=True)

    icon = page.request.get(f"{seeded.studio.url}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/")
