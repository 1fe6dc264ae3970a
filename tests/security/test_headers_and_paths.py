"""Security headers, request size limits, and no path traversal through media, dataset
downloads, manifests or uploaded file names."""
from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from annotation.models import Video

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/accounts/login/", "/api/me/", "/api/campaigns/"])
def test_security_headers(url, alice):
    client = Client()
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin", "no-referrer",
                                           "strict-origin"}


def test_an_oversized_json_body_is_refused(alice, client_for, settings):
    from tests.factories import CampaignFactory

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    body = json.dumps({"exclude": [1] * 5000})
    response = client_for(alice).post(f"/api/campaigns/{CampaignFactory().pk}/next/", body,
                                      content_type="application/json")
    assert response.status_code in (400, 413)


def test_an_oversized_upload_is_refused_with_413_and_nothing_stored(carol, client_for, settings, media_root, tmp_path):
    settings.MEDIA_MAX_FILE_BYTES = 2048
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    big = io.BytesIO(b"\x00" * 200_000)
    big.name = "big.mp4"
    response = client_for(carol).post("/api/uploads/", {"file": big, "generator": "g", "prompt": "p"},
                                      format="multipart")
    assert response.status_code == 413
    assert Video.objects.count() == 0 and not any(media_root.rglob("*.mp4"))


TRAVERSALS = ["../secret.txt", "..%2Fsecret.txt", "%2e%2e/secret.txt", "%2e%2e%2fsecret.txt", "..%5csecret.txt",
              "videos/../../secret.txt", "videos/%2e%2e/%2e%2e/secret.txt", "%252e%252e/secret.txt",
              "/etc/passwd", "%2Fetc%2Fpasswd", "../../../../../../etc/passwd", "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
              "....//secret.txt", "..\\secret.txt", "videos/%00../secret.txt"]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_media_paths_cannot_leave_media_root(path, media_root, alice):
    (media_root.parent / "secret.txt").write_text("TOP SECRET")
    (media_root / "videos").mkdir()
    client = Client()
    client.force_login(alice)
    response = client.get("/media/" + path)
    assert response.status_code in (400, 404), (path, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"TOP SECRET" not in body and b"root:" not in body


@pytest.mark.parametrize("path", TRAVERSALS + ["README.md/../../../../secret.txt", "./README.md/../x"])
def test_dataset_downloads_cannot_leave_the_version_folder(path, world, rita, client_for, datasets_root):
    (datasets_root / "secret.txt").write_text("TOP SECRET")
    response = client_for(rita).get(f"/api/datasets/{world.version.pk}/files/{path}")
    assert response.status_code in (400, 404), (path, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"TOP SECRET" not in body and b"root:" not in body


@pytest.mark.parametrize("video", ["/etc/passwd", "../../../../etc/passwd", "../outside.mp4",
                                   "sub/../../outside.mp4", "~/x.mp4"])
def test_manifests_cannot_reference_files_outside_the_import_roots(video, carol, client_for, settings, tmp_path,
                                                                    media_root):
    root = tmp_path / "imports"
    root.mkdir()
    (tmp_path / "outside.mp4").write_bytes(b"\x00" * 64)
    settings.IMPORT_ROOTS = [root.resolve()]
    row = {"prompt": "p", "initial_image": "/etc/hostname", "video": video, "generator": "g", "seed": 1,
           "action_label": "x"}
    manifest = io.BytesIO(json.dumps(row).encode())
    manifest.name = "m.jsonl"
    response = client_for(carol).post("/api/imports/", {"manifest": manifest}, format="multipart")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"video", "initial_image"} <= fields
    assert Video.objects.count() == 0


def test_the_import_base_dir_cannot_leave_the_roots(carol, client_for, settings, tmp_path):
    settings.IMPORT_ROOTS = [(tmp_path / "imports").resolve()]
    manifest = io.BytesIO(b"{}")
    manifest.name = "m.jsonl"
    for base_dir in ["/etc", str(tmp_path / "imports" / ".." / "x"), str(tmp_path)]:
        response = client_for(carol).post("/api/imports/", {"manifest": manifest, "base_dir": base_dir},
                                          format="multipart")
        manifest.seek(0)
        assert response.status_code == 400 and "outside" in response.json()["detail"], base_dir
