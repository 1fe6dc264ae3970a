"""Renditions play in headless Chromium (Debian's build, driven by Playwright, never downloaded):
each one is loaded in a <video>, played, and a frame drawn to a canvas must not be black.

All database work happens before Playwright starts: while its event loop runs in the test thread,
Django hands out a separate connection there, outside the test's transaction and never closed."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.test import Client
from rest_framework.test import APIClient

from annotation.models import Video
from annotation.services.media_pipeline import video_process
from tests.chromium import launch_chromium
from tests.factories import CampaignFactory, UserFactory
from tests.media_pipeline.conftest import import_rows, manifest_rows

pytestmark = pytest.mark.browser

# Plays the clip for a moment, then draws the current frame and returns its mean brightness.
PLAY_AND_SAMPLE = """async ([url, crossOrigin]) => {
    const video = document.createElement('video');
    video.muted = true; video.playsInline = true; video.preload = 'auto';
    if (crossOrigin) video.crossOrigin = 'anonymous';
    document.body.appendChild(video);
    const failed = new Promise((_, reject) => video.addEventListener('error',
        () => reject(new Error('media error ' + (video.error && video.error.code)))));
    video.src = url;
    await Promise.race([new Promise(r => video.addEventListener('loadeddata', r, {once: true})), failed]);
    await Promise.race([video.play(), failed]);
    while (video.currentTime < 0.35 && !video.ended) await new Promise(r => setTimeout(r, 20));
    video.pause();
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(video, 0, 0);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 4) sum += (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3;
    const result = {width: video.videoWidth, height: video.videoHeight, time: video.currentTime,
                    mean: sum / (pixels.length / 4)};
    video.removeAttribute('src'); video.load();  // drop the media connection before the page goes
    return result;
}"""


@contextmanager
def chromium_page(origin: str | None = None, cookies: list[dict] | None = None):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context()
            context.set_default_timeout(15_000)
            if cookies:
                context.add_cookies(cookies)
            page = context.new_page()
            if origin:
                page.goto(f"{origin}/no-such-page/")  # the server's origin, without touching the database
            yield page
        finally:
            browser.close()


def _import_and_process(pipeline, good_clips, names, **kwargs) -> list[Video]:
    import_rows(pipeline, manifest_rows(pipeline, {n: good_clips[n] for n in names}), **kwargs)
    videos = list(Video.objects.order_by("id"))
    assert [video_process(video_id=v.pk) for v in videos] == ["ready"] * len(videos)
    return [Video.objects.get(pk=v.pk) for v in videos]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_rendition_of_every_clip_plays_and_shows_a_picture(pipeline, good_clips, live_server):
    videos = _import_and_process(pipeline, good_clips, list(good_clips))
    client = Client()
    client.force_login(UserFactory(roles=["annotator"]))  # the media view wants a signed-in user
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    clips = [(v.source_name, v.rendition.url) for v in videos]

    with chromium_page(live_server.url, [cookie]) as page:
        results = {name: page.evaluate(PLAY_AND_SAMPLE, [url, False]) for name, url in clips}

    for name, result in results.items():
        assert (result["width"], result["height"]) == (64, 48), (name, result)
        assert result["time"] > 0.3 and result["mean"] > 40, (name, result)  # ~frame 8: grey 64, not black


@pytest.mark.django_db
def test_a_signed_s3_url_from_the_lease_payload_plays(pipeline, good_clips, s3_bucket, moto_endpoint):
    campaign = CampaignFactory(overlap=1)
    _import_and_process(pipeline, good_clips, ["mpeg4.avi", "vp9.webm"], campaign=campaign)
    api = APIClient()
    api.force_authenticate(UserFactory(roles=["annotator"]))
    lease = api.post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json").json()
    urls = [lease[side]["url"] for side in ("video_a", "video_b")]
    assert all(url.startswith(moto_endpoint) and "X-Amz-Signature=" in url for url in urls)

    # about:blank: the bucket is another origin; its CORS rule lets the page read the pixels it draws.
    with chromium_page() as page:
        results = [page.evaluate(PLAY_AND_SAMPLE, [url, True]) for url in urls]

    for result in results:
        assert result["time"] > 0.3 and result["mean"] > 40, result
