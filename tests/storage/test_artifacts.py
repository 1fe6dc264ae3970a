"""training.artifacts: folders published to storage and fetched back, byte for byte, on the
local S3 (moto) and on filesystem storage; keys that could escape their prefix are refused."""
from __future__ import annotations

import hashlib
import json
import os
import urllib.request

import pytest

from tests.s3 import bucket_keys
from training.artifacts import (
    MANIFEST,
    ArtifactError,
    artifact_url,
    delete_prefix,
    fetch_folder,
    publish_folder,
    read_manifest,
    validate_key,
)

FILES = {"config.json": b'{"preset": "tiny"}', "weights/model.safetensors": os.urandom(3 * 1024 * 1024 + 7),
         "metrics.json": b"{}"}


def _folder(root, files=FILES):
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return root


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_publish_uploads_every_file_then_the_manifest_and_fetch_restores_them(s3_bucket, tmp_path):
    client, bucket = s3_bucket
    published = publish_folder(_folder(tmp_path / "out"), "runs/7/step-2")

    assert published == sorted((f"runs/7/step-2/{p}", len(d), _sha(d)) for p, d in FILES.items())
    assert bucket_keys(client, bucket) == sorted([f"runs/7/step-2/{p}" for p in FILES] + [f"runs/7/step-2/{MANIFEST}"])
    assert {e["path"]: e["sha256"] for e in read_manifest("runs/7/step-2")} == {p: _sha(d) for p, d in FILES.items()}

    target = tmp_path / "fetched"
    assert fetch_folder("runs/7/step-2/", target) == {"downloaded": 3, "skipped": 0}
    assert {p: (target / p).read_bytes() for p in FILES} == FILES
    assert not [p for p in target.rglob("*.part")]


def test_fetch_is_idempotent_and_repairs_a_changed_local_file(s3_bucket, tmp_path):
    publish_folder(_folder(tmp_path / "out"), "datasets/3")
    target = tmp_path / "cache"
    fetch_folder("datasets/3", target)
    (target / "metrics.json").write_bytes(b"{\"edited\": true}")

    assert fetch_folder("datasets/3", target) == {"downloaded": 1, "skipped": 2}
    assert (target / "metrics.json").read_bytes() == FILES["metrics.json"]
    assert fetch_folder("datasets/3", target) == {"downloaded": 0, "skipped": 3}


def test_an_object_changed_after_publishing_is_refused_and_never_lands_under_its_name(s3_bucket, tmp_path):
    client, bucket = s3_bucket
    publish_folder(_folder(tmp_path / "out"), "ckpt")
    client.put_object(Bucket=bucket, Key="ckpt/config.json", Body=b"tampered")

    with pytest.raises(ArtifactError, match="manifest says"):
        fetch_folder("ckpt", tmp_path / "cache")
    assert not (tmp_path / "cache" / "config.json").exists()
    assert not list((tmp_path / "cache").glob(".*part"))


def test_signed_urls_download_the_object_from_the_bucket(s3_bucket, tmp_path):
    publish_folder(_folder(tmp_path / "out"), "datasets/5")
    url = artifact_url("datasets/5/config.json", filename="config.json", content_type="application/json")

    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:  # the moto server on 127.0.0.1
        assert response.read() == FILES["config.json"]
        assert response.headers["Content-Disposition"] == 'attachment; filename="config.json"'
        assert response.headers["Content-Type"] == "application/json"


def test_delete_prefix_removes_the_manifest_and_every_object(s3_bucket, tmp_path):
    client, bucket = s3_bucket
    publish_folder(_folder(tmp_path / "out"), "datasets/9")
    publish_folder(_folder(tmp_path / "out"), "datasets/90")  # a sibling that shares the leading digits

    assert delete_prefix("datasets/9") == len(FILES) + 1
    assert all(key.startswith("datasets/90/") for key in bucket_keys(client, bucket))
    with pytest.raises(ArtifactError, match="no published artifact"):
        fetch_folder("datasets/9", tmp_path / "cache")
    assert delete_prefix("datasets/9") == 0


def test_filesystem_storage_publishes_under_media_root_and_serves_through_the_media_view(media_root, tmp_path):
    published = publish_folder(_folder(tmp_path / "out"), "runs/1/step-1")
    assert {key for key, _, _ in published} == {f"runs/1/step-1/{p}" for p in FILES}
    assert (media_root / "runs/1/step-1/weights/model.safetensors").read_bytes() == FILES["weights/model.safetensors"]
    assert artifact_url("runs/1/step-1/config.json") == "/media/runs/1/step-1/config.json"

    publish_folder(_folder(tmp_path / "out"), "runs/1/step-1")  # again: same names, no "_abc123" copies
    assert sorted(p.name for p in (media_root / "runs/1/step-1").iterdir()) == \
        sorted([MANIFEST, "config.json", "metrics.json", "weights"])
    assert fetch_folder("runs/1/step-1", tmp_path / "back") == {"downloaded": 3, "skipped": 0}
    assert delete_prefix("runs/1/step-1") == len(FILES) + 1
    assert not (media_root / "runs/1/step-1").exists()


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../x", "a/../../b", "a//b", "a/./b", "a b", "a\\b", "a/b/",
                                 "ünïcode", "a\x00b", "x" * 1025])
def test_keys_that_could_escape_or_are_not_portable_are_refused(key):
    with pytest.raises(ArtifactError, match="not allowed"):
        validate_key(key)


def test_publish_refuses_bad_prefixes_links_and_the_reserved_manifest_name(media_root, tmp_path):
    folder = _folder(tmp_path / "out")
    with pytest.raises(ArtifactError):
        publish_folder(folder, "../outside")
    (folder / "link").symlink_to("/etc/passwd")
    with pytest.raises(ArtifactError, match="symbolic link"):
        publish_folder(folder, "runs/2")
    (folder / "link").unlink()
    publish_folder(folder, "runs/2")
    (folder / MANIFEST).write_text(json.dumps({"files": []}))
    with pytest.raises(ArtifactError, match="reserved"):
        publish_folder(folder, "runs/2")
    assert len(read_manifest("runs/2")) == len(FILES)  # a refused publish leaves the published one alone
    with pytest.raises(ArtifactError, match="not a folder"):
        publish_folder(tmp_path / "missing", "runs/2")


def test_a_manifest_naming_a_path_outside_its_prefix_is_refused(s3_bucket, tmp_path):
    client, bucket = s3_bucket
    evil = {"files": [{"path": "../../etc/cron.d/x", "size": 1, "sha256": "0" * 64}]}
    client.put_object(Bucket=bucket, Key=f"datasets/4/{MANIFEST}", Body=json.dumps(evil).encode())
    with pytest.raises(ArtifactError, match="not allowed"):
        fetch_folder("datasets/4", tmp_path / "cache")
    assert not (tmp_path / "etc").exists()
