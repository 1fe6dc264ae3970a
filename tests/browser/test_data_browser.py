"""The data pages in headless Chromium: an annotator labels a pair on the labelling page, opens
"my history" and changes one answer within the campaign's edit window; a reviewer filters the
data browser by annotator and dimension, opens the pair page from the row and finds the edited
judgment with its history (and the original answer kept)."""
from __future__ import annotations

import pytest

from annotation.models import Adjudication, Assignment, AssignmentState, Judgment, JudgmentRevision, Pair
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.flows import edit_answer, filter_judgments, label_one_pair, open_history_item
from tests.browser.test_labelling import expected_strengths
from tests.export.conftest import judge
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHOICES = [0, 1, 2, 3, 4, 1]  # motion (2nd row) = "Left better"


def _label_one_pair(page, studio) -> dict:
    sign_in(page, studio, "alice", f"/label/{studio.campaign_id}/")
    return label_one_pair(page, CHOICES)


def _edit_motion_in_history(page, studio, pair: dict) -> None:
    item = open_history_item(page, studio, pair["assignment"])
    assert item.locator("[data-editable=true]").is_visible()
    assert item.locator("dd[data-dim=motion]").get_attribute("data-choice") == "1"
    item.locator(".comment-text").fill("half-typed")  # kept while the card re-renders below
    edit_answer(page, item, pair["assignment"], "motion", 4)  # now: Right much better
    assert "Left better" in item.locator("dd[data-dim=motion]").inner_text()  # "(was: Left better)"
    assert page.evaluate("document.activeElement.dataset.edit") == str(pair["assignment"])
    assert item.locator(".comment-text").input_value() == "half-typed"
    page.screenshot(path=str(SCREENSHOTS / "data-my-history.png"), full_page=True)


def test_an_edited_answer_is_found_by_a_reviewer_with_its_history(studio, context_factory):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    alice = UserFactory(username="alice", roles=["annotator"])
    bob = UserFactory(username="bob", roles=["annotator"])
    UserFactory(username="rita", roles=["reviewer"])
    annotator_page = context_factory().new_page()
    pair = _label_one_pair(annotator_page, studio)
    assignment = Assignment.objects.get(pk=pair["assignment"])
    assert assignment.state == AssignmentState.SUBMITTED
    # bob judged another pair: the annotator filter must leave his rows out
    other = Pair.objects.filter(campaign_id=studio.campaign_id, taken=0).first()  # not leased to alice
    judge(other, bob, {"motion": 2, "smoothness": 2})

    _edit_motion_in_history(annotator_page, studio, pair)
    motion = Judgment.objects.get(assignment=assignment, dimension__key="motion")
    original = expected_strengths(CHOICES, pair["left"])["motion"]
    assert motion.strength == expected_strengths([0, 4, 0, 0, 0, 0], pair["left"])["motion"]
    assert list(JudgmentRevision.objects.values_list("from_strength", "to_strength")) == [(original, motion.strength)]

    page = context_factory().new_page()
    sign_in(page, studio, "rita", "/studio/data/")
    page.wait_for_function("() => document.getElementById('data-page')?.dataset.loaded === 'true'")
    page.locator("#tab-judgments").focus()
    assert page.locator("#tab-judgments").get_attribute("aria-selected") == "true"
    filter_judgments(page, annotator_id=alice.pk, dimension="motion", count=1)
    # the page re-renders on every filter: the keyboard stays on the menu it was using
    assert page.evaluate("document.activeElement.id") == "filter-dimension"
    row_link = page.locator(f"[data-pair-link='{assignment.pair_id}']")
    assert row_link.count() == 1 and page.locator("[data-edited=true]").count() == 1
    assert "bob" not in page.locator(".data-table").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "data-browser.png"), full_page=True)

    row_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/studio/pairs/{assignment.pair_id}/")
    page.locator("[data-history='alice:motion']").wait_for()
    assert page.locator(".data-table [data-edited=true]").count() == 1
    assert page.locator("#adjudicate").is_visible()
    sources = page.eval_on_selector_all("video", "vs => vs.map(v => v.getAttribute('src'))")
    assert sources and all("/renditions/" in s for s in sources), sources  # never the originals
    page.screenshot(path=str(SCREENSHOTS / "data-pair-page.png"), full_page=True)

    # "a" opens the review page's adjudication panel for this pair; Esc closes it, focus comes back
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("a")
    page.locator("#adjudication").wait_for(state="visible")
    # the "a" that opened the panel must not reach the focused answer menu ("A much better")
    chosen = page.eval_on_selector_all("#adjudication select[data-dimension]", "ss => ss.map(s => s.value)")
    assert chosen and set(chosen) == {""}, chosen
    page.keyboard.press("Escape")
    page.locator("#adjudication").wait_for(state="hidden")
    page.wait_for_function("() => document.activeElement?.id === 'adjudicate'")
    page.keyboard.press("Enter")
    page.locator("#adj-motion").select_option("-1")
    page.evaluate("document.querySelector('.pair-videos video').dataset.seen = 'before'")
    page.locator("#adj-save").click()
    page.locator("#adjudication").wait_for(state="hidden")
    page.wait_for_function("() => document.querySelector('.data-table')?.innerText.includes('(rita)')")
    # the page re-rendered with the adjudication: the same <video> element, so playback was not reset
    assert page.evaluate("document.querySelector('.pair-videos video').dataset.seen") == "before"
    assert Adjudication.objects.get(pair_id=assignment.pair_id).strength == -1

    # an old link to a page past the end shows the first page, not "Invalid page." over an empty list
    page.goto(f"{studio.url}/studio/data/?tab=judgments&page=50")
    page.wait_for_function("() => document.getElementById('data-page')?.dataset.loaded === 'true'")
    assert "page=" not in page.url and page.locator("[data-banner=load]").count() == 0


def test_an_edit_sent_after_the_window_closed_shows_the_answer_locked(studio, context_factory):
    from annotation.models import Campaign

    UserFactory(username="alice", roles=["annotator"])
    page = context_factory().new_page()
    pair = _label_one_pair(page, studio)
    page.goto(f"{studio.url}/studio/mine/")
    item = page.locator(f"[data-assignment='{pair['assignment']}']")
    item.locator(f"[data-edit='{pair['assignment']}']").click()
    item.locator("select[data-edit-dim=motion]").select_option("4")
    Campaign.objects.filter(pk=studio.campaign_id).update(edit_window_minutes=0)  # an admin, meanwhile
    item.locator("[data-edit-form] button[type=submit]").click()
    page.locator("[data-banner=edit]").wait_for()
    item.locator("[data-editable=false]").wait_for()
    assert item.locator("[data-edit-form]").count() == 0 and item.locator("[data-edit]").count() == 0
    assert not JudgmentRevision.objects.exists()
