"""Steps several browser tests walk, each done on the page as a person does it (keyboard where the
page is keyboard-first): invite someone and accept the link, label a pair, edit an answer in My
history, filter the data browser's judgments, build a dataset version on the exports page and
download it as a zip. Assertions particular to one test stay in that test."""
from __future__ import annotations

import zipfile
from pathlib import Path

from tests.browser.conftest import Studio, wait_for_pair
from tests.browser.test_labelling import press_choices


def invite_person(page, *, username: str, email: str, role: str) -> str:
    """On the open people page: username, Tab, email, the role, Enter on the button. Returns the link."""
    page.wait_for_selector("[data-person]")
    page.locator("#invite-username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(email)
    page.locator("#invite-role").select_option(role)
    page.locator("[data-form=invite] button[type=submit]").focus()
    page.keyboard.press("Enter")
    return page.locator("#issued-link").input_value(timeout=10_000)


def accept_invite(page, studio: Studio, link: str, password: str) -> None:
    """Open the one-time link, choose a password; the welcome page signs in and goes home."""
    page.goto(link)
    page.locator("#id_password").fill(password)
    page.locator("#id_password_again").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{studio.url}/")


def label_one_pair(page, choices: list[int]) -> dict:
    """On the open label page: one key per row, Enter, and wait until the submission left the queue."""
    pair = wait_for_pair(page)
    press_choices(page, choices)
    page.keyboard.press("Enter")
    wait_for_pair(page, previous=pair["assignment"], next_ready=False)
    page.wait_for_function("() => document.getElementById('label-root').dataset.queue === '0'", timeout=20_000)
    return pair


def open_history_item(page, studio: Studio, assignment: int):
    """My history (/studio/mine/), and the card of one submitted assignment."""
    page.goto(f"{studio.url}/studio/mine/")
    item = page.locator(f"[data-assignment='{assignment}']")
    item.wait_for()
    return item


def edit_answer(page, item, assignment: int, dimension: str, choice: int) -> None:
    """Keyboard only: Enter on 'Edit answer' opens the form on its first menu; pick, Enter on Save."""
    item.locator(f"[data-edit='{assignment}']").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement?.matches('[data-edit-form] select')")
    item.locator(f"select[data-edit-dim={dimension}]").select_option(str(choice))
    item.locator("[data-edit-form] button[type=submit]").focus()
    page.keyboard.press("Enter")
    item.locator(f"dd[data-dim={dimension}][data-choice='{choice}']").wait_for()


def filter_judgments(page, *, annotator_id: int, dimension: str, count: int) -> None:
    """On the data browser (judgments tab): filter to one annotator, then one dimension (the
    keyboard on its menu), and wait for the server's row count."""
    page.wait_for_function("() => document.getElementById('data-page')?.dataset.loaded === 'true'")
    page.locator("#filter-annotator").select_option(str(annotator_id))
    page.wait_for_url("**annotator=*")
    page.locator("#filter-dimension").focus()
    page.locator("#filter-dimension").select_option(dimension)
    page.wait_for_function("n => document.querySelector('[data-count]')?.dataset.count === n", arg=str(count))


def export_build_from_page(page, queued: list[int]):
    """Submit the exports form as filled, build the queued version here, wait for the page to show it ready.

    No Celery worker runs in these tests: the caller monkeypatched `training.exports.services._enqueue`
    to `queued.append`, and the build runs in the test thread while the page polls.
    """
    from training.exports import services
    from training.models import DatasetVersion

    page.locator("[data-form=export] button[type=submit]").click()
    page.wait_for_selector("[data-card=version] [data-status=queued]")
    assert queued and DatasetVersion.objects.get(pk=queued[-1]).status == "queued"
    services.dataset_version_build(version_id=queued[-1])
    page.wait_for_selector("[data-card=version] [data-status=ready]", timeout=20_000)
    return DatasetVersion.objects.get(pk=queued[-1])


def download_archive(page, version, target: Path) -> Path:
    """Click the ready card's download link, save the zip, unpack it; returns the version's folder."""
    with page.expect_download() as download:
        page.locator("[data-action=download]").click()
    assert download.value.suggested_filename == f"dataset-{version.pk}-{version.sha256[:12]}.zip"
    body = target / "archive.zip"
    download.value.save_as(body)
    with zipfile.ZipFile(body) as archive:
        archive.extractall(target / "out")
    return target / "out" / f"dataset-{version.pk}"


def press_times(page, key: str, n: int) -> None:
    """Press one key n times (frame steps on the label page)."""
    for _ in range(n):
        page.keyboard.press(key)


def lane_spans(page, side: str) -> list[tuple[int, int]]:
    """The label page's spans for the highlighted row on one video's lane, as (start, end) frames."""
    return [(int(s.get_attribute("data-start")), int(s.get_attribute("data-end")))
            for s in page.locator(f".lane-{side} .lane-span.is-current").all()]


def spans_on_screen(page) -> dict[str, list[tuple[int, int]]]:
    return {side: lane_spans(page, side) for side in ("left", "right")}


def overlay_lane_spans(figure, annotator: str) -> list[tuple[int, int]]:
    """The reviewer overlay's spans of one annotator under one video, as (start, end) frames."""
    return [(int(s.get_attribute("data-start")), int(s.get_attribute("data-end")))
            for s in figure.locator(f".seg-lane[data-annotator='{annotator}'] .seg-span").all()]
