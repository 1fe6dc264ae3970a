"""What every executor needs: the run's folder, local media, a ready dataset version, freeing the GPU."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from training.exports.services import dataset_version_build, version_folder
from training.models import DatasetStatus, DatasetVersion
from training.runs.errors import MSG_DATASET_FAILED, RunFailure
from training.runs.reporter import RunReporter


def run_folder(run_id: int) -> Path:
    folder = Path(settings.RUNS_ROOT) / str(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def media_root() -> Path:
    """Where media paths of exports resolve: MEDIA_ROOT on filesystem storage, a local cache
    (filled by local_media) when media live in a bucket."""
    try:
        default_storage.path("")
        return Path(settings.MEDIA_ROOT)
    except NotImplementedError:
        return Path(settings.RUNS_ROOT) / "media-cache"


def local_media(names: list[str]) -> None:
    """Download media that only exist in the bucket into media_root() (a no-op on filesystem storage)."""
    root = media_root()
    if root == Path(settings.MEDIA_ROOT):
        return
    for name in sorted(set(names)):
        target = root / name
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        with default_storage.open(name, "rb") as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        partial.replace(target)


def ready_dataset(version: DatasetVersion, reporter: RunReporter, *, poll_seconds: float = 2.0) -> DatasetVersion:
    """The version, built if still queued (here, by this worker), waited for if another worker builds it."""
    while True:
        version.refresh_from_db()
        if version.status == DatasetStatus.READY:
            return version
        if version.status == DatasetStatus.FAILED:
            raise RunFailure(MSG_DATASET_FAILED.format(id=version.pk, error=version.error or "unknown error"))
        if version.status == DatasetStatus.QUEUED:
            reporter.log(f"building dataset version {version.pk}")
            dataset_version_build(version_id=version.pk)
            continue
        reporter.check()
        time.sleep(poll_seconds)


def dataset_folder(version: DatasetVersion) -> Path:
    """The version's folder on this host, fetched from the bucket when versions are published."""
    from training.exports.storage import dataset_version_local_folder

    return dataset_version_local_folder(version=version, folder=version_folder(version.pk))


def free_accelerator() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:  # the web image has no torch; executors only run on workers that do
        pass
