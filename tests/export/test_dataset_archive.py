"""/api/datasets/<id>/archive/: a ready version as one streamed zip/tar/tar.gz that unpacks to the
exported Hugging Face layout, opens with `datasets` offline, and never holds a whole file."""
from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
import zipfile

import pytest

from tests.export.conftest import make_judged_campaign
from tests.export.test_load_with_datasets import offline_datasets  # noqa: F401  (fixture)
from training.exports import archive
from training.exports.services import dataset_version_build, dataset_version_create, version_folder
from training.models import DatasetVersion

pytestmark = pytest.mark.usefixtures("datasets_root")


@pytest.fixture
def ready_version(db, carol):
    campaign = make_judged_campaign(n_images=3)[0]
    version = dataset_version_create(campaigns=[campaign], enqueue=False, created_by=carol, test_fraction=0.4)
    return dataset_version_build(version_id=version.pk)


def _download(client, version, kind: str):
    response = client.get(f"/api/datasets/{version.pk}/archive/", {"kind": kind})
    assert response.status_code == 200, response.content[:300]
    assert response.streaming, "the archive must be streamed, not built in memory"
    pieces = list(response.streaming_content)
    return response, pieces, b"".join(pieces)


def _unpack(body: bytes, kind: str, target):
    if kind == "zip":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            assert z.testzip() is None
            z.extractall(target)
    else:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as t:
            t.extractall(target, filter="data")


def _hashes(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_the_archive_unpacks_to_the_exported_files_and_loads_offline(ready_version, kind, client_for, rita, tmp_path,
                                                                    offline_datasets):  # noqa: F811
    datasets, cache_dir = offline_datasets
    response, _, body = _download(client_for(rita), ready_version, kind)
    assert response["Content-Type"] == archive.CONTENT_TYPES[kind]
    assert response["Content-Disposition"] == \
        f'attachment; filename="dataset-{ready_version.pk}-{ready_version.sha256[:12]}{archive.FORMATS[kind]}"'

    _unpack(body, kind, tmp_path / "out")
    folder = tmp_path / "out" / f"dataset-{ready_version.pk}"
    assert _hashes(folder) == dict(ready_version.files.values_list("path", "sha256"))
    for table in ("consensus", "judgments"):
        loaded = datasets.load_dataset(str(folder), table, cache_dir=cache_dir)
        assert {split: loaded[split].num_rows for split in loaded} == ready_version.row_counts[table], table


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_a_large_member_streams_in_chunk_sized_pieces(kind):
    """8 MiB of incompressible bytes leave in pieces of about one read chunk, never as one file."""
    import os

    data = os.urandom(8 << 20)
    member = archive.ArchiveMember("data/big.bin", len(data), hashlib.sha256(data).hexdigest(),
                                   lambda: io.BytesIO(data))
    version = DatasetVersion(pk=1, sha256="ab" * 32)
    pieces = list(archive.archive_stream(version=version, members=[member], fmt=kind))
    # A chunk plus deflate's / tarfile's own small buffers.
    assert max(len(p) for p in pieces) < archive.CHUNK + (64 << 10) + 2 * tarfile.RECORDSIZE
    assert len(pieces) >= len(data) // archive.CHUNK
    body = io.BytesIO(b"".join(pieces))
    if kind == "zip":
        with zipfile.ZipFile(body) as z:
            assert z.read("dataset-1/data/big.bin") == data
    else:
        with tarfile.open(fileobj=body, mode="r:*") as t:
            assert t.extractfile("dataset-1/data/big.bin").read() == data


def test_a_file_changed_on_disk_stops_the_stream(ready_version, client_for, rita):
    (version_folder(ready_version.pk) / "README.md").write_text("tampered")
    response = client_for(rita).get(f"/api/datasets/{ready_version.pk}/archive/")
    with pytest.raises(Exception, match="README.md is"):
        b"".join(response.streaming_content)


def test_a_published_version_streams_from_the_bucket_without_a_local_copy(db, carol, client_for, rita, tmp_path,
                                                                         s3_bucket):
    campaign = make_judged_campaign(n_images=3)[0]
    version = dataset_version_build(version_id=dataset_version_create(campaigns=[campaign], enqueue=False).pk)
    shutil.rmtree(version_folder(version.pk))  # the web host never had it

    _, _, body = _download(client_for(rita), version, "tar.gz")

    _unpack(body, "tar.gz", tmp_path)
    assert _hashes(tmp_path / f"dataset-{version.pk}") == dict(version.files.values_list("path", "sha256"))


def test_refusals_come_before_any_byte(ready_version, client_for, rita, alice):
    client = client_for(rita)
    url = f"/api/datasets/{ready_version.pk}/archive/"
    bad = client.get(url, {"kind": "rar"})
    assert bad.status_code == 400 and "kind must be one of: zip, tar, tar.gz" in bad.json()["detail"]
    assert client_for(alice).get(url).status_code == 403
    assert client_for().get(url).status_code in (401, 403)
    assert client.get("/api/datasets/999999/archive/").status_code == 404

    queued = dataset_version_create(campaigns=[make_judged_campaign(n_images=2)[0]], enqueue=False)
    conflict = client.get(f"/api/datasets/{queued.pk}/archive/")
    assert conflict.status_code == 409 and conflict.json()["code"] == "dataset_not_ready"

    shutil.rmtree(version_folder(ready_version.pk))
    gone = client.get(url)
    assert gone.status_code == 409 and gone.json()["code"] == "dataset_files_missing"
    assert DatasetVersion.objects.filter(pk=ready_version.pk, status="ready").exists()
