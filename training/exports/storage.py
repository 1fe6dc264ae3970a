"""Dataset versions in object storage (STORAGE_BACKEND=s3).

A version is always built on local disk (DATASETS_ROOT/<id>, services.py). When media live in a
bucket, the finished folder is also published under `datasets/<id>/` (training.artifacts) before
the version is marked ready; its DatasetFile hashes must equal what was uploaded. The bucket is
then the copy of record: downloads redirect to signed URLs, and a worker on another host that
trains on the version fetches it into its own DATASETS_ROOT/<id> (checked byte for byte).
With filesystem storage nothing is published and everything reads DATASETS_ROOT as before.
"""
from __future__ import annotations

from pathlib import Path

from training.artifacts import (
    ArtifactError,
    ArtifactFile,
    artifact_exists,
    artifact_url,
    delete_prefix,
    fetch_folder,
    publish_folder,
    read_manifest,
    storage_is_local,
)

KEY_ROOT = "datasets"
MSG_HASH_MISMATCH = ("dataset version {id}: {path} is {actual} in the bucket but {expected} in the build; "
                     "publishing again (rebuild) replaces it")
MSG_MISSING = "dataset version {id}: the build wrote {missing} but the bucket does not list them"


def dataset_key_prefix(version_id: int) -> str:
    return f"{KEY_ROOT}/{int(version_id)}"


def dataset_file_key(version_id: int, path: str) -> str:
    return f"{dataset_key_prefix(version_id)}/{path}"


def datasets_published() -> bool:
    """Whether versions go to the bucket: media storage is remote (STORAGE_BACKEND=s3)."""
    return not storage_is_local()


def dataset_version_publish(*, version_id: int, folder: Path, expected: dict[str, str]) -> list[ArtifactFile]:
    """Upload the built folder and check it against the build's own hashes (`expected`: path ->
    sha256). Anything half-uploaded is deleted again when this raises."""
    prefix = dataset_key_prefix(version_id)
    try:
        published = publish_folder(folder, prefix)
        by_path = {f.key[len(prefix) + 1:]: f.sha256 for f in published}
        for path, sha in expected.items():
            if path in by_path and by_path[path] != sha:
                raise ArtifactError(MSG_HASH_MISMATCH.format(id=version_id, path=path, actual=by_path[path],
                                                             expected=sha))
        missing = sorted(set(expected) - set(by_path))
        if missing:
            raise ArtifactError(MSG_MISSING.format(id=version_id, missing=", ".join(missing)))
        return published
    except BaseException:
        delete_prefix(prefix)
        raise


def dataset_version_unpublish(*, version_id: int) -> int:
    """Remove a version's objects (a failed or abandoned build). Returns how many were deleted."""
    return delete_prefix(dataset_key_prefix(version_id)) if datasets_published() else 0


def dataset_version_local_folder(*, version, folder: Path) -> Path:
    """`folder` holding every file of the ready `version`, fetched from the bucket when versions
    are published (idempotent: files already there with the right sha256 are kept). The
    bucket's manifest must agree with the version's DatasetFile hashes."""
    if not datasets_published():
        return folder
    expected = dict(version.files.values_list("path", "sha256"))
    listed = {e["path"]: e["sha256"] for e in read_manifest(dataset_key_prefix(version.pk))}
    for path, sha in expected.items():
        if listed.get(path) != sha:
            raise ArtifactError(MSG_HASH_MISMATCH.format(id=version.pk, path=path, actual=listed.get(path),
                                                         expected=sha))
    fetch_folder(dataset_key_prefix(version.pk), folder)
    return folder


def dataset_file_url(*, version_id: int, path: str, content_type: str) -> str | None:
    """A signed URL of one published file, or None when versions are not published or this one
    predates publishing (built before STORAGE_BACKEND=s3): the caller then serves the local file."""
    if not datasets_published():
        return None
    key = dataset_file_key(version_id, path)
    if not artifact_exists(key):
        return None
    return artifact_url(key, filename=Path(path).name, content_type=content_type)
