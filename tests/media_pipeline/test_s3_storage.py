"""With default storage on S3 (a local moto server): imports and uploads land in the bucket, the
pipeline reads and writes there, and the lease payload hands out signed URLs that fetch the bytes."""
from __future__ import annotations

import io

import httpx
import pytest

from annotation.models import Video, VideoStatus
from annotation.services.media_pipeline import output_names, video_process
from tests.factories import CampaignFactory
from tests.media_pipeline.conftest import bucket_keys, import_rows, manifest_rows, stored_files

pytestmark = pytest.mark.django_db


def test_imported_videos_are_processed_in_the_bucket_and_leased_with_signed_urls(
        pipeline, good_clips, media_root, s3_bucket, alice, client_for):
    client, bucket = s3_bucket
    campaign = CampaignFactory(overlap=1)
    import_rows(pipeline, manifest_rows(pipeline, {n: good_clips[n] for n in ("h264.mp4", "mpeg4.avi")}),
                campaign=campaign)
    videos = list(Video.objects.order_by("id"))
    waiting = client_for(alice).post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json").json()
    assert waiting["assignment"] is None  # pending videos are never leased: annotators never get originals

    for video in videos:
        assert video_process(video_id=video.pk) == "ready"

    keys = bucket_keys(client, bucket)
    for video in videos:
        assert video.file.name in keys
        assert set(output_names(video.media_token).values()) <= set(keys)
    assert stored_files(media_root) == []  # nothing on the local disk

    lease = client_for(alice).post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json").json()
    shown = lease["video_a"]
    video = Video.objects.get(pk=shown["id"])
    assert video.status == VideoStatus.READY and "X-Amz-Signature=" in shown["url"]
    assert shown["url"].split("?")[0].endswith(video.rendition.name)
    fetched = httpx.get(shown["url"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == client.get_object(Bucket=bucket, Key=video.rendition.name)["Body"].read()
    assert httpx.get(shown["url"], headers={"Range": "bytes=0-99"}, timeout=10).status_code == 206
    assert httpx.get(shown["poster_url"], timeout=10).content[:3] == b"\xff\xd8\xff"  # a JPEG
    assert httpx.get(shown["url"].split("?")[0], timeout=10).status_code == 403  # unsigned: refused


def test_an_upload_lands_in_the_bucket(pipeline, good_clips, media_root, s3_bucket, carol, client_for):
    client, bucket = s3_bucket
    handle = io.BytesIO(good_clips["vp9.webm"].read_bytes())
    handle.name = "clip.webm"
    image = io.BytesIO(_png())
    image.name = "first.png"
    response = client_for(carol).post("/api/uploads/", {"file": handle, "generator": "g", "prompt": "waves",
                                                        "initial_image": image}, format="multipart")
    assert response.status_code == 201, response.content
    video = Video.objects.get(pk=response.json()["id"])
    assert video.file.name in bucket_keys(client, bucket)
    assert video_process(video_id=video.pk) == "ready"
    assert set(output_names(video.media_token).values()) <= set(bucket_keys(client, bucket))
    assert stored_files(media_root) == []


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 80, 80)).save(out, format="PNG")
    return out.getvalue()
