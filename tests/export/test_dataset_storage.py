"""Dataset versions in the bucket (STORAGE_BACKEND=s3, on the local S3 server): a ready version
is published under datasets/<id>/ with the hashes it records, downloads redirect to signed
URLs that serve those bytes, a failed publish leaves nothing behind, and a worker on another
host fetches the version and the reward trainer's loader reads it."""
from __future__ import annotations

import hashlib
import shutil
import urllib.request

import pytest

from tests.export.conftest import make_judged_campaign
from tests.s3 import bucket_keys
from training.artifacts import MANIFEST, ArtifactError
from training.exports import storage
from training.exports.errors import DatasetNotReady
from training.exports.services import (
    dataset_version_build,
    dataset_version_create,
    dataset_version_local,
    version_folder,
)
from training.models import DatasetStatus

pytestmark = pytest.mark.usefixtures("datasets_root")


@pytest.fixture
def campaign(db):
    return make_judged_campaign(n_images=3)[0]


def _build(campaign):
    version = dataset_version_create(campaigns=[campaign], enqueue=False, test_fraction=0.4)
    return dataset_version_build(version_id=version.pk)


def _object_sha(client, bucket, key) -> str:
    return hashlib.sha256(client.get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest()


def test_a_ready_version_is_published_with_the_hashes_it_records(s3_bucket, campaign):
    client, bucket = s3_bucket
    version = _build(campaign)
    assert version.status == DatasetStatus.READY, version.error
    files = dict(version.files.values_list("path", "sha256"))
    prefix = f"datasets/{version.pk}"

    assert bucket_keys(client, bucket) == sorted([f"{prefix}/{p}" for p in files] + [f"{prefix}/{MANIFEST}"])
    assert {p: _object_sha(client, bucket, f"{prefix}/{p}") for p in files} == files


def test_downloads_redirect_to_a_signed_url_that_serves_the_recorded_bytes(s3_bucket, campaign, client_for, rita):
    version = _build(campaign)
    record = version.files.get(path="data/judgments/train-00000-of-00001.parquet")

    response = client_for(rita).get(f"/api/datasets/{version.pk}/files/{record.path}")

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    signed = response["Location"]
    assert "X-Amz-Signature=" in signed and f"datasets/{version.pk}/data/judgments/" in signed
    with urllib.request.urlopen(signed, timeout=10) as download:  # the local S3 server
        body = download.read()
        assert download.headers["Content-Disposition"] == 'attachment; filename="train-00000-of-00001.parquet"'
        assert download.headers["Content-Type"] == "application/vnd.apache.parquet"
    assert hashlib.sha256(body).hexdigest() == record.sha256 and body[:4] == b"PAR1"


def test_a_version_built_before_the_switch_to_s3_is_still_streamed_from_disk(campaign, client_for, rita, settings,
                                                                             request):
    version = _build(campaign)  # filesystem storage: nothing published
    request.getfixturevalue("s3_bucket")  # then media move to a bucket
    response = client_for(rita).get(f"/api/datasets/{version.pk}/files/README.md")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"---")


def test_a_failed_publish_fails_the_version_and_leaves_nothing_behind(s3_bucket, campaign, monkeypatch):
    client, bucket = s3_bucket
    real_publish = storage.publish_folder

    def publish_then_lose_the_connection(folder, prefix):
        real_publish(folder, prefix)
        raise ConnectionError("connection reset while uploading")

    monkeypatch.setattr(storage, "publish_folder", publish_then_lose_the_connection)
    version = _build(campaign)

    assert version.status == DatasetStatus.FAILED and "connection reset" in version.error
    assert bucket_keys(client, bucket) == []
    assert not version_folder(version.pk).exists()


def test_another_host_fetches_the_version_and_the_reward_loader_reads_it(s3_bucket, campaign):
    from training.reward.data import load_dataset_version

    version = _build(campaign)
    original = load_dataset_version(version_folder(version.pk))
    shutil.rmtree(version_folder(version.pk))  # a gpu worker on another host has no copy

    folder = dataset_version_local(version=version)

    assert folder == version_folder(version.pk)
    fetched = load_dataset_version(folder)
    assert fetched.version == original.version
    assert [(p.video_a, p.video_b, p.split, p.strength) for p in fetched.pairs] == \
        [(p.video_a, p.video_b, p.split, p.strength) for p in original.pairs]
    assert len(fetched.pairs) == 6


def test_a_bucket_that_disagrees_with_the_recorded_hashes_is_refused(s3_bucket, campaign):
    client, bucket = s3_bucket
    version = _build(campaign)
    client.put_object(Bucket=bucket, Key=f"datasets/{version.pk}/README.md", Body=b"replaced")
    shutil.rmtree(version_folder(version.pk))
    with pytest.raises(ArtifactError, match="manifest says"):
        dataset_version_local(version=version)


def test_filesystem_storage_keeps_versions_on_disk_only(campaign, media_root):
    version = _build(campaign)
    assert dataset_version_local(version=version) == version_folder(version.pk)
    assert not (media_root / "datasets").exists()


def test_unfinished_versions_have_no_local_folder(campaign):
    version = dataset_version_create(campaigns=[campaign], enqueue=False)
    with pytest.raises(DatasetNotReady):
        dataset_version_local(version=version)
