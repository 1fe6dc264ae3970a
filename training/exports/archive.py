"""One ready dataset version as a single archive (zip, tar or tar.gz), streamed.

The archive holds the version folder exactly as exported (the Hugging Face layout: README.md
card, data/<table>/<split>-*.parquet, jsonl/...) under one top folder, `dataset-<id>/`, so it
unpacks to a folder `datasets.load_dataset(folder, table)` reads. Nothing is staged: each file
is read from its store (the bucket when the version was published there, else DATASETS_ROOT) in
CHUNK-sized pieces and each archive piece is handed to the response as soon as it is written,
so memory holds one chunk, never a file or the version. Every file's sha256 is checked while it
streams; a mismatch stops the stream (the client gets a truncated archive, never a wrong one).
"""
from __future__ import annotations

import hashlib
import io
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from training.artifacts import CHUNK, ArtifactError, artifact_exists
from training.exports.storage import dataset_file_key, datasets_published

FORMATS = {"zip": ".zip", "tar": ".tar", "tar.gz": ".tar.gz"}
CONTENT_TYPES = {"zip": "application/zip", "tar": "application/x-tar", "tar.gz": "application/gzip"}
MSG_FORMAT = "kind must be one of: {choices} (got {got!r})."
MSG_MISSING = ("dataset version {id}: {path} is neither in the bucket nor under DATASETS_ROOT; "
               "rebuild the version to download it as an archive")
MSG_CHANGED = "dataset version {id}: {path} is {actual} now but {expected} when built; the archive was stopped"


@dataclass(frozen=True)
class ArchiveMember:
    """One file of the version: its path inside the version, size, sha256 and how to open it."""

    path: str
    size: int
    sha256: str
    open: Callable[[], BinaryIO]


def archive_name(*, version, fmt: str) -> str:
    return f"dataset-{version.pk}-{(version.sha256 or '')[:12]}{FORMATS[fmt]}".replace("-.", ".")


def _bucket_opener(key: str) -> Callable[[], BinaryIO]:
    def open_stream() -> BinaryIO:
        from django.core.files.storage import default_storage

        bucket = getattr(default_storage, "bucket", None)
        if bucket is not None and hasattr(default_storage, "_normalize_name"):
            # django-storages' S3Storage: the GET body itself (storage.open would spool the object).
            from storages.utils import clean_name

            return bucket.Object(default_storage._normalize_name(clean_name(key))).get()["Body"]
        return default_storage.open(key, "rb")

    return open_stream


def archive_members(*, version, folder: Path) -> list[ArchiveMember]:
    """Every listed file of `version` with where it is read from; raises ArtifactError before
    anything is sent when one is in neither store (so the client gets a 4xx, not half a file)."""
    published = datasets_published()
    members = []
    for record in version.files.order_by("path"):
        key = dataset_file_key(version.pk, record.path)
        if published and artifact_exists(key):
            opener = _bucket_opener(key)
        else:
            local = (folder / record.path).resolve()
            if folder.resolve() not in local.parents or not local.is_file():
                raise ArtifactError(MSG_MISSING.format(id=version.pk, path=record.path))
            opener = (lambda p=local: open(p, "rb"))
        members.append(ArchiveMember(record.path, record.size_bytes, record.sha256, opener))
    return members


class _Pipe(io.RawIOBase):
    """A write-only, unseekable sink whose written bytes are taken out by the generator after
    each step: zipfile then writes data descriptors, tarfile its stream mode."""

    def __init__(self):
        self._parts: list[bytes] = []
        self._offset = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._offset += len(chunk)
        return len(chunk)

    def tell(self) -> int:  # zipfile asks for positions, never seeks
        return self._offset

    def drain(self) -> bytes:
        out, self._parts = b"".join(self._parts), []
        return out


def _checked_chunks(version_id: int, member: ArchiveMember) -> Iterator[bytes]:
    digest = hashlib.sha256()
    with member.open() as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != member.sha256:
        raise ArtifactError(MSG_CHANGED.format(id=version_id, path=member.path, actual=digest.hexdigest(),
                                               expected=member.sha256))


def _zip_stream(version_id: int, root: str, members: list[ArchiveMember]) -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for member in members:
            info = zipfile.ZipInfo(f"{root}/{member.path}", date_time=time.localtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = member.size
            with archive.open(info, mode="w", force_zip64=member.size > 2**31) as target:
                for chunk in _checked_chunks(version_id, member):
                    target.write(chunk)
                    if out := pipe.drain():
                        yield out
            yield pipe.drain()
    yield pipe.drain()  # the central directory


def _tar_stream(version_id: int, root: str, members: list[ArchiveMember], *, gzip: bool) -> Iterator[bytes]:
    pipe = _Pipe()
    with tarfile.open(fileobj=pipe, mode="w|gz" if gzip else "w|", format=tarfile.PAX_FORMAT) as archive:
        for member in members:
            info = tarfile.TarInfo(f"{root}/{member.path}")
            info.size, info.mtime, info.mode = member.size, int(time.time()), 0o644
            header = info.tobuf(archive.format, archive.encoding, archive.errors)
            archive.fileobj.write(header)  # the body follows chunk by chunk (addfile would copy it whole)
            archive.offset += len(header)
            written = 0
            for chunk in _checked_chunks(version_id, member):
                archive.fileobj.write(chunk)
                written += len(chunk)
                if out := pipe.drain():
                    yield out
            if written != member.size:
                raise ArtifactError(MSG_CHANGED.format(id=version_id, path=member.path, actual=f"{written} bytes",
                                                       expected=f"{member.size} bytes"))
            padding = (-written) % tarfile.BLOCKSIZE
            archive.fileobj.write(tarfile.NUL * padding)
            archive.offset += written + padding
            yield pipe.drain()
    yield pipe.drain()  # end-of-archive blocks (and the gzip trailer)


def archive_stream(*, version, members: list[ArchiveMember], fmt: str) -> Iterator[bytes]:
    """The archive's bytes, piece by piece, for a StreamingHttpResponse."""
    if fmt not in FORMATS:
        raise ValueError(MSG_FORMAT.format(choices=", ".join(FORMATS), got=fmt))
    root = f"dataset-{version.pk}"
    if fmt == "zip":
        stream = _zip_stream(version.pk, root, members)
    else:
        stream = _tar_stream(version.pk, root, members, gzip=fmt == "tar.gz")
    return (piece for piece in stream if piece)
