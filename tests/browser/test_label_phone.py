"""The labelling page on a phone (390×844): both videos and the row being answered are on screen
together while answering, nothing covers a video or its side badge, no choice is shown as chosen
before it is, the choice labels are whole, the guidelines drawer shows the current dimension's
title, and in the flag dialog 1-3 pick a reason without sending it."""
from __future__ import annotations

import pytest

from annotation.models import Flag
from tests.browser.conftest import SCREENSHOTS, wait_for_pair
from tests.browser.test_labelling import open_label_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

W, H = 390, 844

# Every video, the badge of each pane, and the current answer row inside the viewport; at each
# video's corners (12 px in, past the rounded corners) and centre the topmost element is the video or part of its own pane.
LAYOUT_JS = """() => {
  const inside = (r) => r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.height > 0;
  const out = {problems: []};
  const row = document.querySelector('.row.is-current');
  if (!row || !inside(row.getBoundingClientRect())) out.problems.push('current row off screen: ' + JSON.stringify(row?.getBoundingClientRect()));
  for (const pane of document.querySelectorAll('.stage .pane')) {
    const video = pane.querySelector('video');
    const r = video.getBoundingClientRect();
    if (!inside(r)) out.problems.push(pane.className + ' video off screen: ' + JSON.stringify(r));
    const badge = pane.querySelector('.side-badge').getBoundingClientRect();
    if (!inside(badge)) out.problems.push(pane.className + ' badge off screen');
    const k = 12;  // past the panes' 10 px rounded corners, which clip the video
    const points = [[r.left + k, r.top + k], [r.right - k, r.top + k], [r.left + k, r.bottom - k],
                    [r.right - k, r.bottom - k], [(r.left + r.right) / 2, (r.top + r.bottom) / 2],
                    [(badge.left + badge.right) / 2, (badge.top + badge.bottom) / 2]];
    for (const [x, y] of points) {
      const hit = document.elementFromPoint(x, y);
      if (!hit || !(hit === video || pane.contains(hit))) out.problems.push(`${pane.className} covered at ${Math.round(x)},${Math.round(y)} by ${hit?.className || hit?.tagName}`);
    }
  }
  return out;
}"""


def _layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_JS)["problems"]


def test_on_a_phone_both_videos_and_the_current_row_stay_in_view_while_answering(studio, context_factory):
    page = open_label_page(context_factory, studio, W, H)
    wait_for_pair(page)
    page.keyboard.press("Space")  # pause: stable frames
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "label-phone.png"))

    # Nothing chosen yet: the current row's tab stop ("Same") has focus but no ring of its own.
    same = page.evaluate("""() => { const el = document.activeElement;
        return {value: el?.dataset.value, checked: el?.getAttribute('aria-checked'), outline: getComputedStyle(el).outlineStyle}; }""")
    assert same == {"value": "2", "checked": "false", "outline": "none"}

    # The two-line choice labels are whole ("much better", not "much bet…").
    clipped = page.evaluate("""() => [...document.querySelectorAll('.row.is-current .choice-sub, .row.is-current .choice-top')]
        .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent)""")
    assert clipped == []

    assert _layout_problems(page) == []
    for step, key in enumerate(["1", "5", "3", "2", "4"]):
        page.keyboard.press(key)
        page.wait_for_timeout(250)  # the row scroll settles
        assert _layout_problems(page) == [], f"after answer {step + 1}"
    page.screenshot(path=str(SCREENSHOTS / "label-phone-answering.png"))


def test_on_a_phone_the_guidelines_show_the_current_title_and_flag_keys_do_not_send(studio, context_factory):
    page = open_label_page(context_factory, studio, W, H)
    lease = wait_for_pair(page)
    page.keyboard.press("2")  # answer row 1: the current row is now "motion"
    page.keyboard.press("g")
    page.wait_for_selector(".guide-item.is-current")
    page.wait_for_timeout(300)
    hidden = page.evaluate("""() => { const head = document.querySelector('.overlay-drawer .overlay-head').getBoundingClientRect();
        const title = document.querySelector('.guide-item.is-current h3').getBoundingClientRect();
        return title.top < head.bottom || title.bottom > innerHeight; }""")
    assert not hidden, "the current dimension's title is under the drawer's header"
    page.screenshot(path=str(SCREENSHOTS / "label-phone-guidelines.png"))
    page.keyboard.press("Escape")

    page.keyboard.press("x")
    page.wait_for_selector("[data-reason]")
    page.keyboard.press("1")
    page.wait_for_timeout(200)
    assert page.locator("[data-reason=broken_video]").get_attribute("aria-checked") == "true"
    assert page.evaluate("() => document.activeElement.id") == "flag-note"
    assert not Flag.objects.exists(), "a digit must not send the flag"
    page.keyboard.type("left clip freezes at 1s")
    page.keyboard.press("Enter")
    wait_for_pair(page, previous=lease["assignment"], next_ready=False)
    page.wait_for_function("() => document.getElementById('label-root').dataset.queue === '0'")  # sent
    flag = Flag.objects.get()
    assert (flag.reason, flag.note) == ("broken_video", "left clip freezes at 1s")


@pytest.mark.parametrize("width,height", [(844, 390), (360, 640)])
def test_a_phone_held_sideways_or_a_small_one_keeps_the_same_promises(studio, context_factory, width, height):
    page = open_label_page(context_factory, studio, width, height)
    wait_for_pair(page)
    page.keyboard.press("Space")
    for key in ["1", "5", "3", "2"]:
        page.keyboard.press(key)
        page.wait_for_timeout(250)
        assert _layout_problems(page) == [], key
    # The header stays pinned however far the rows scrolled (the body used to end after one screen).
    assert page.evaluate("() => [scrollY > 0, document.querySelector('.studio-header').getBoundingClientRect().top]") == [True, 0]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
