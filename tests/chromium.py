"""Launching Debian's Chromium for browser tests (never a browser a tool downloads)."""
from __future__ import annotations

import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


def launch_chromium(playwright):
    """A headless Debian Chromium through Playwright; fails the test with the fix when it is missing."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (scripts/bootstrap does this)")
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
