"""Artifacts (dataset versions, training checkpoints) between local disk and Django's default
storage: the single place where they move.

A published folder is a set of objects under a key prefix plus a manifest, written last, that
lists every file with its size and sha256::

    <prefix>/<relative path>            one object per file
    <prefix>/.artifact-manifest.json    {"files": [{"path", "size", "sha256"}, ...]}

Readers trust only the manifest: with S3's read-after-write consistency, a prefix whose
manifest exists is complete, and `fetch_folder` checks every byte it downloads against it.
Keys are validated (relative, no `.` or `..` segment, only `A-Z a-z 0-9 . _ -` and `/`) so an
artifact can never name a key outside its prefix.

With filesystem storage the objects are files under MEDIA_ROOT and `artifact_url` is the
Range-capable media view's path; with S3 (STORAGE_BACKEND=s3) `artifact_url` is a signed URL.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
import shutil
from pathlib import Path
from typing import NamedTuple

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

MANIFEST = ".artifact-manifest.json"
CHUNK = 1 << 20
MAX_KEY_LENGTH = 1024
_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")

MSG_BAD_KEY = ("artifact key {key!r} is not allowed: use a relative path of segments made of A-Z a-z 0-9 . _ - "
               "(no empty, '.' or '..' segment, at most {limit} characters)")
MSG_NO_MANIFEST = ("no published artifact under {prefix!r} ({manifest} is missing): publish it with "
                   "publish_folder, or check STORAGE_BACKEND and the bucket")
MSG_CORRUPT = "{key}: downloaded {actual} but the manifest says {expected}; the object changed after publishing"
MSG_NOT_A_FOLDER = "{path} is not a folder; publish_folder takes the folder to upload"
MSG_LINK = "{path} is a symbolic link; artifacts hold regular files only"
MSG_SAVED_ELSEWHERE = "storage saved {key!r} as {saved!r}; artifact keys must be stored exactly as given"


class ArtifactError(Exception):
    """A key, folder or published artifact that cannot be used as asked."""


class ArtifactFile(NamedTuple):
    """One file of a published artifact: storage key, size in bytes, sha256 (hex)."""

    key: str
    size: int
    sha256: str


def validate_key(key: str) -> str:
    """The key itself, or ArtifactError when it could escape its prefix or is not portable."""
    segments = key.split("/") if isinstance(key, str) else []
    if (not segments or len(key) > MAX_KEY_LENGTH
            or any(s in ("", ".", "..") or not _SEGMENT.match(s) for s in segments)):
        raise ArtifactError(MSG_BAD_KEY.format(key=key, limit=MAX_KEY_LENGTH))
    return key


def _prefix(key_prefix: str) -> str:
    return validate_key(key_prefix.rstrip("/") if isinstance(key_prefix, str) else key_prefix)


def storage_is_local(storage=None) -> bool:
    """Whether the storage keeps files on this machine's disk (FileSystemStorage) rather than in a bucket."""
    try:
        (storage or default_storage).path("")
        return True
    except NotImplementedError:
        return False


def file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _local_files(local_dir: Path) -> list[tuple[str, Path]]:
    if not local_dir.is_dir():
        raise ArtifactError(MSG_NOT_A_FOLDER.format(path=local_dir))
    files = []
    for path in sorted(local_dir.rglob("*")):
        if path.is_symlink():
            raise ArtifactError(MSG_LINK.format(path=path))
        if path.is_file():
            files.append((path.relative_to(local_dir).as_posix(), path))
    return files


def _save(storage, key: str, content) -> None:
    overwrites = getattr(storage, "file_overwrite", False) or getattr(storage, "allow_overwrite", False)
    if not overwrites and storage.exists(key):  # it would otherwise store the bytes under another name
        storage.delete(key)
    saved = storage.save(key, content)
    if saved != key:
        storage.delete(saved)
        raise ArtifactError(MSG_SAVED_ELSEWHERE.format(key=key, saved=saved))


def publish_folder(local_dir: str | Path, key_prefix: str, *, storage=None) -> list[ArtifactFile]:
    """Upload every regular file under `local_dir` to `<key_prefix>/<relative path>`, then the
    manifest. Returns the files (key, size, sha256), sorted by key; the manifest is not listed.
    Publishing again overwrites: the old manifest goes first, so while the new bytes upload a
    reader finds the prefix unpublished instead of mixing old and new files."""
    storage = storage or default_storage
    prefix = _prefix(key_prefix)
    local_dir = Path(local_dir)
    files = _local_files(local_dir)
    for relative, _ in files:  # every name is checked before anything in storage changes
        key = validate_key(f"{prefix}/{relative}")
        if relative == MANIFEST:
            raise ArtifactError(MSG_BAD_KEY.format(key=key, limit=MAX_KEY_LENGTH) + f"; {MANIFEST} is reserved")
    if storage.exists(f"{prefix}/{MANIFEST}"):
        storage.delete(f"{prefix}/{MANIFEST}")
    published, entries = [], []
    for relative, path in files:
        key = f"{prefix}/{relative}"
        sha, size = file_sha256(path)
        with open(path, "rb") as handle:
            _save(storage, key, File(handle, name=path.name))
        published.append(ArtifactFile(key, size, sha))
        entries.append({"path": relative, "size": size, "sha256": sha})
    manifest = json.dumps({"files": entries}, indent=1, sort_keys=True).encode()
    _save(storage, f"{prefix}/{MANIFEST}", ContentFile(manifest, name=MANIFEST))
    return published


def read_manifest(key_prefix: str, *, storage=None) -> list[dict]:
    """The manifest's file entries ({"path", "size", "sha256"}); ArtifactError when not published."""
    storage = storage or default_storage
    prefix = _prefix(key_prefix)
    key = f"{prefix}/{MANIFEST}"
    if not storage.exists(key):
        raise ArtifactError(MSG_NO_MANIFEST.format(prefix=prefix, manifest=MANIFEST))
    with storage.open(key, "rb") as handle:
        entries = json.loads(handle.read())["files"]
    for entry in entries:
        validate_key(f"{prefix}/{entry['path']}")
    return entries


def fetch_folder(key_prefix: str, local_dir: str | Path, *, storage=None) -> dict[str, int]:
    """Download a published artifact into `local_dir`. Idempotent: a file whose size and sha256
    already match the manifest is not downloaded again. Each download goes to a temporary file
    in the target folder, is checked against the manifest, then renamed into place, so a crash
    never leaves a half-written file under the real name. Files not in the manifest are left alone.
    Returns {"downloaded": n, "skipped": n}."""
    storage = storage or default_storage
    prefix = _prefix(key_prefix)
    local_dir = Path(local_dir)
    counts = {"downloaded": 0, "skipped": 0}
    for entry in read_manifest(prefix, storage=storage):
        target = local_dir / entry["path"]
        if target.is_file() and not target.is_symlink() and target.stat().st_size == entry["size"] \
                and file_sha256(target)[0] == entry["sha256"]:
            counts["skipped"] += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
        key = f"{prefix}/{entry['path']}"
        try:
            _download(storage, key, partial)
            actual = file_sha256(partial)[0]
            if actual != entry["sha256"]:
                raise ArtifactError(MSG_CORRUPT.format(key=key, actual=actual, expected=entry["sha256"]))
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        counts["downloaded"] += 1
    return counts


def _download(storage, key: str, target: Path) -> None:
    bucket_object = getattr(storage, "bucket", None)
    if bucket_object is not None and hasattr(storage, "_normalize_name"):
        # django-storages' S3Storage: stream straight into the file (ranged, parallel GETs);
        # storage.open would first spool the whole object into a temporary file.
        from storages.utils import clean_name

        with open(target, "wb") as dst:
            bucket_object.Object(storage._normalize_name(clean_name(key))).download_fileobj(
                dst, Config=getattr(storage, "transfer_config", None))
        return
    with storage.open(key, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)


def artifact_url(key: str, *, filename: str | None = None, content_type: str | None = None, storage=None) -> str:
    """Where a client downloads one object: a signed URL on S3 (served as an attachment named
    `filename`, with `content_type`, when given), the media view's path on filesystem storage."""
    storage = storage or default_storage
    key = validate_key(key)
    if storage_is_local(storage):
        return storage.url(key)
    parameters = {}
    if filename:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
        parameters["ResponseContentDisposition"] = f'attachment; filename="{safe}"'
    if content_type:
        parameters["ResponseContentType"] = content_type
    return storage.url(key, parameters=parameters or None)


def artifact_exists(key: str, *, storage=None) -> bool:
    return (storage or default_storage).exists(validate_key(key))


def _walk(storage, folder: str):
    dirs, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for name in dirs:
        yield from _walk(storage, f"{folder}/{name}")


def delete_prefix(key_prefix: str, *, storage=None) -> int:
    """Delete a published artifact: the manifest first (readers stop trusting the prefix), then
    every object under the prefix. Returns how many objects were deleted; 0 when none existed."""
    storage = storage or default_storage
    prefix = _prefix(key_prefix)
    deleted = 0
    manifest = f"{prefix}/{MANIFEST}"
    if storage.exists(manifest):
        storage.delete(manifest)
        deleted += 1
    try:
        keys = list(_walk(storage, prefix))
    except FileNotFoundError:  # filesystem storage: the folder was never created
        return deleted
    for key in keys:
        storage.delete(key)
        deleted += 1
    if storage_is_local(storage):  # folders are real on disk; objects in a bucket leave none behind
        shutil.rmtree(storage.path(prefix), ignore_errors=True)
    return deleted
