"""Walk the closed loop in a browser against a running `scripts/run`, the way an admin does it, and
time it: sign in, /runs/ → "Retrain now" → wait until the reward run succeeded and is promoted →
"Run GAPO" → wait until it succeeded → read the score change and its interval from the run page and
save a screenshot. Nothing but clicks in the page (the database is never touched).

    scripts/run &                                   # fresh clone: first start renders and seeds the demo
    .venv/bin/python benchmarks/walk_closed_loop.py --url http://127.0.0.1:8000 --out benchmarks/results/loop

Writes <out>/loop.json (timings, the GAPO table as shown) and <out>/*.png.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chromium import launch_chromium  # noqa: E402

FINAL = ".runs-page[data-state='succeeded'], .runs-page[data-state='failed'], .runs-page[data-state='cancelled']"


def _newest_run_link(page, kind_text: str, before: set[str]) -> str:
    """The href of a run link that was not on the list before the click."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        page.reload()
        page.wait_for_selector("a[data-run-link]", timeout=120_000)  # a busy 2-core machine renders slowly
        links = page.eval_on_selector_all("a[data-run-link]", "els => els.map(e => e.getAttribute('href'))")
        new = [href for href in links if href not in before]
        if new:
            return new[0]
        time.sleep(1)
    raise SystemExit(f"no new {kind_text} run appeared on /runs/")


def _wait_final(page, url: str, timeout_s: float) -> str:
    page.goto(url)
    page.wait_for_selector(FINAL, timeout=timeout_s * 1000)
    return page.get_attribute(".runs-page", "data-state")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin-demo-pass")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "loop")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for each run")
    parser.add_argument("--gapo-only", action="store_true", help="skip 'Retrain now' (a model is promoted already)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    record: dict = {"url": args.url, "machine": f"{platform.node()} {platform.processor() or platform.machine()}",
                    "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US").new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"{args.url}/accounts/login/?next=/runs/")
        page.locator("#id_username").fill(args.user)
        page.locator("#id_password").fill(args.password)
        page.keyboard.press("Enter")
        page.wait_for_url("**/runs/")
        page.wait_for_selector("button[data-action^='retrain-']", timeout=120_000)
        before = set(page.eval_on_selector_all("a[data-run-link]", "els => els.map(e => e.getAttribute('href'))"))
        if not args.gapo_only:
            _retrain(page, args, before, record)
            if record["reward"]["state"] != "succeeded" or not record["reward"]["promoted"]:
                print(json.dumps(record, indent=1))
                return 1
        _gapo(page, args, record)
        browser.close()
    (args.out / "loop.json").write_text(json.dumps(record, indent=1, ensure_ascii=False))
    print(json.dumps(record, indent=1, ensure_ascii=False))
    return 0 if record.get("gapo", {}).get("state") == "succeeded" else 1


def _retrain(page, args, before: set[str], record: dict) -> None:
    started = time.monotonic()
    page.locator("button[data-action^='retrain-']").first.click()
    reward_url = args.url + _newest_run_link(page, "reward", before)
    state = _wait_final(page, reward_url, args.timeout)
    page.wait_for_selector(".promotion", timeout=30_000)
    promoted = page.get_attribute(".promotion", "data-promoted") == "true"
    record["reward"] = {"url": reward_url, "state": state, "promoted": promoted,
                        "seconds_to_promoted": round(time.monotonic() - started, 1),
                        "note": page.locator(".promotion").inner_text()}
    page.screenshot(path=str(args.out / "reward-run.png"), full_page=True)


def _gapo(page, args, record: dict) -> None:
    page.goto(f"{args.url}/runs/")
    page.wait_for_selector("button[data-action='gapo']", timeout=120_000)
    before = set(page.eval_on_selector_all("a[data-run-link]", "els => els.map(e => e.getAttribute('href'))"))
    started = time.monotonic()
    page.locator("button[data-action='gapo']").click()
    gapo_url = args.url + _newest_run_link(page, "GAPO", before)
    state = _wait_final(page, gapo_url, args.timeout)
    record["gapo"] = {"url": gapo_url, "state": state, "seconds": round(time.monotonic() - started, 1)}
    if state == "succeeded":
        page.wait_for_selector(".gapo-table")
        rows = page.eval_on_selector_all(
            ".gapo-table tbody tr", "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.innerText))")
        record["gapo"]["table"] = rows
        page.locator(".sample button[data-action='play-both']").first.click()
        page.wait_for_timeout(1500)
    page.screenshot(path=str(args.out / "gapo-run.png"), full_page=True)


if __name__ == "__main__":
    sys.exit(main())
