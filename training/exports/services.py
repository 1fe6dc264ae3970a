"""Writes for dataset versions: create, (re)queue, rebuild, build, fail stale builds.

A build is a small state machine: queued -> building (claimed by one conditional UPDATE, which
also takes over a build whose worker stopped sending heartbeats) -> ready | failed. Files are
written into a temporary folder next to the final one and renamed into place atomically, and
only then is the version marked ready with its file list and hashes. Any failure removes the
folder and records the error; nothing half-written is ever visible as a version. When media
live in a bucket (STORAGE_BACKEND=s3) the folder is also published there before the version is
marked ready (storage.py), and training reads it back through `dataset_version_local`.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from annotation.models import Campaign, Dimension, Judgment, Prompt
from studio_platform.errors import ValidationFailed
from training.dataset_description import DEFAULT_SPLIT_SALT, DEFAULT_TEST_FRACTION, DatasetDescription, version_sha256
from training.exports.build import BuildResult, dataset_build_files
from training.exports.errors import (
    MSG_NO_CAMPAIGNS,
    MSG_NOT_BUILDING,
    MSG_NOT_READY,
    MSG_NOT_REQUEUEABLE,
    MSG_STALE,
    MSG_TOO_FEW_PROMPTS,
    MSG_UNKNOWN_DIMENSIONS,
    DatasetNotReady,
    DatasetStateConflict,
)
from training.exports.splits import MIN_SPLIT_GROUPS, split_group_count
from training.exports.storage import (
    dataset_version_local_folder,
    dataset_version_publish,
    dataset_version_unpublish,
    datasets_published,
)
from training.models import DatasetFile, DatasetStatus, DatasetVersion
from training.signals import dataset_version_queued, queue_send

logger = logging.getLogger(__name__)

# A building version whose heartbeat is older than this lost its worker.
STALE_AFTER = timedelta(minutes=10)
PROGRESS_EVERY_S = 1.0


def datasets_root() -> Path:
    """DATASETS_ROOT (its default, DATA_DIR/datasets, is set in config/settings.py only)."""
    return Path(settings.DATASETS_ROOT)


def version_folder(version_id: int) -> Path:
    return datasets_root() / str(version_id)


def annotator_salt() -> str:
    """Secret salt of annotator pseudonyms: DATASET_ANNOTATOR_SALT, else derived from SECRET_KEY."""
    configured = getattr(settings, "DATASET_ANNOTATOR_SALT", None)
    return configured or hashlib.sha256(f"dataset-annotator:{settings.SECRET_KEY}".encode()).hexdigest()


def _enqueue(version_id: int) -> None:
    """media.build_dataset_version: training/tasks.py answers the signal (no import of the tasks here)."""
    queue_send(dataset_version_queued, version_id=version_id)


def _campaign_dimension_keys(campaigns: Sequence[Campaign]) -> list[str]:
    return sorted(set(Dimension.objects.filter(campaigns__in=campaigns).values_list("key", flat=True)))


def dataset_version_create(
    *,
    campaigns: Sequence[Campaign],
    dimension_keys: Sequence[str] | None = None,
    min_votes_per_pair: int = 1,
    min_agreement: float = 0.0,
    judged_before: datetime | None = None,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    split_salt: str = DEFAULT_SPLIT_SALT,
    name: str = "",
    created_by=None,
    enqueue: bool = True,
) -> DatasetVersion:
    """Freeze a description and queue its build (after commit). `judged_before` defaults to now,
    so the version is reproducible: later judgments never change it."""
    if not campaigns:
        raise ValidationFailed(MSG_NO_CAMPAIGNS)
    valid = _campaign_dimension_keys(campaigns)
    keys = sorted(set(dimension_keys)) if dimension_keys else valid
    unknown = sorted(set(keys) - set(valid))
    if unknown:
        raise ValidationFailed(MSG_UNKNOWN_DIMENSIONS.format(unknown=", ".join(unknown), valid=", ".join(valid)))
    try:
        description = DatasetDescription(
            campaign_ids=tuple(c.pk for c in campaigns), dimension_keys=tuple(keys),
            judged_before=judged_before or timezone.now(), min_votes_per_pair=min_votes_per_pair,
            min_agreement=min_agreement, test_fraction=test_fraction, split_salt=split_salt,
        )
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
    if description.test_fraction > 0:
        groups = _split_groups_judged(description)
        if groups < MIN_SPLIT_GROUPS:
            raise ValidationFailed(MSG_TOO_FEW_PROMPTS.format(groups=groups, need=MIN_SPLIT_GROUPS))
    return _create_from(description, name=name, created_by=created_by, enqueue=enqueue)


def _split_groups_judged(description: DatasetDescription) -> int:
    """Split groups among the prompts with judgments the version would select (before the vote and
    agreement filters, so a build can still find fewer; it then fails with the same message)."""
    prompt_ids = Judgment.objects.filter(
        pair__campaign_id__in=description.campaign_ids, dimension__key__in=description.dimension_keys,
        created_at__lt=description.judged_before).values("pair__video_a__prompt_id")
    prompts = Prompt.objects.filter(pk__in=prompt_ids).values_list("id", "split_key", "initial_image_sha256")
    return split_group_count(prompts)


def _create_from(description: DatasetDescription, *, name: str, created_by, enqueue: bool) -> DatasetVersion:
    with transaction.atomic():
        version = DatasetVersion.objects.create(
            name=name, campaign_ids=list(description.campaign_ids), dimension_keys=list(description.dimension_keys),
            min_votes_per_pair=description.min_votes_per_pair, min_agreement=description.min_agreement,
            judged_before=description.judged_before, split_salt=description.split_salt,
            test_fraction=description.test_fraction, tie_band=description.tie_band,
            schema_version=description.schema_version, description=description.as_dict(),
            description_sha256=description.sha256(), created_by=created_by,
        )
        if enqueue:
            transaction.on_commit(lambda: _enqueue(version.pk))
    return version


def dataset_version_rebuild(*, version: DatasetVersion, created_by=None, enqueue: bool = True) -> DatasetVersion:
    """A new version with the same description; with unchanged data it gets the same sha256."""
    name = f"rebuild of #{version.pk}" + (f" ({version.name})" if version.name else "")
    return _create_from(version.description_obj(), name=name[:120], created_by=created_by, enqueue=enqueue)


def dataset_version_requeue(*, version: DatasetVersion, enqueue: bool = True) -> DatasetVersion:
    """Queue a queued or failed version again (a ready one is immutable)."""
    with transaction.atomic():
        touched = DatasetVersion.objects.filter(
            pk=version.pk, status__in=[DatasetStatus.QUEUED, DatasetStatus.FAILED]
        ).update(status=DatasetStatus.QUEUED, error="", rows_written=0, rows_total=None, finished_at=None)
        if not touched:
            version.refresh_from_db()
            raise DatasetStateConflict(MSG_NOT_REQUEUEABLE.format(id=version.pk, status=version.status))
        if enqueue:
            transaction.on_commit(lambda: _enqueue(version.pk))
    version.refresh_from_db()
    return version


class _Progress:
    """Records rows written and the heartbeat at most once a second, on a connection of its own
    so readers see it while the build's snapshot transaction is still open.

    Not when the build runs inside a caller's transaction (tests, a shell): the claim's row lock
    would make the second connection wait for the first, and nobody could see progress anyway."""

    def __init__(self, version_id: int, callback: Callable[[int, int], None] | None):
        self.version_id, self.callback = version_id, callback
        self.side = None if connection.in_atomic_block else connection.copy()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if self.callback:
            self.callback(done, total)
        now = time.monotonic()
        if self.side is not None and now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            with self.side.cursor() as cursor:
                cursor.execute(
                    "UPDATE training_datasetversion SET rows_written = %s, rows_total = %s, heartbeat_at = now() "
                    "WHERE id = %s AND status = 'building'", [done, total, self.version_id])

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _claim(version_id: int) -> bool:
    now = timezone.now()
    return bool(DatasetVersion.objects.filter(pk=version_id).filter(
        Q(status=DatasetStatus.QUEUED) | Q(status=DatasetStatus.BUILDING, heartbeat_at__lt=now - STALE_AFTER)
    ).update(status=DatasetStatus.BUILDING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1,
             rows_written=0, rows_total=None, error=""))


def _remove_temp_folders(version_id: int) -> None:
    root = datasets_root()
    if root.is_dir():
        for leftover in root.glob(f".tmp-{version_id}-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def dataset_version_build(*, version_id: int, progress: Callable[[int, int], None] | None = None) -> DatasetVersion:
    """Build a queued version (called by the Celery task and `export_dataset --sync`).

    Returns the version in its final state; a version another worker holds is returned as it is."""
    if not _claim(version_id):
        logger.info("dataset version %s is not queued (or is building elsewhere); nothing to do", version_id)
        return DatasetVersion.objects.get(pk=version_id)
    version = DatasetVersion.objects.get(pk=version_id)
    _remove_temp_folders(version_id)
    temp = datasets_root() / f".tmp-{version_id}-{uuid.uuid4().hex[:8]}"
    final = version_folder(version_id)
    renamed = False
    reporter = _Progress(version_id, progress)
    try:
        temp.mkdir(parents=True)
        result = dataset_build_files(description=version.description_obj(), root=temp,
                                     annotator_salt=annotator_salt(), progress=reporter)
        if final.exists():  # left by a crash between the rename and the commit below
            shutil.rmtree(final)
        os.replace(temp, final)
        renamed = True
        if datasets_published():
            dataset_version_publish(version_id=version_id, folder=final,
                                    expected={f.path: f.sha256 for f in result.files})
        return _finish(version_id, result)
    except BaseException as exc:
        shutil.rmtree(temp, ignore_errors=True)
        if renamed:
            shutil.rmtree(final, ignore_errors=True)
            _unpublish_quietly(version_id)
        logger.exception("dataset version %s failed", version_id)
        _fail(version_id, f"{type(exc).__name__}: {exc}")
        if not isinstance(exc, Exception):
            raise
        return DatasetVersion.objects.get(pk=version_id)
    finally:
        reporter.close()


def _unpublish_quietly(version_id: int) -> None:
    """Remove a failed build's objects; a storage error here must not hide the build's own error."""
    try:
        dataset_version_unpublish(version_id=version_id)
    except Exception:  # noqa: BLE001
        logger.exception("dataset version %s: could not remove its objects from the bucket", version_id)


def dataset_version_local(*, version: DatasetVersion) -> Path:
    """A local folder with every file of a ready version, for training and other readers on this
    host: DATASETS_ROOT/<id>, fetched from the bucket first when versions are published there."""
    if version.status != DatasetStatus.READY:
        raise DatasetNotReady(MSG_NOT_READY.format(id=version.pk, status=version.status))
    return dataset_version_local_folder(version=version, folder=version_folder(version.pk))


def _finish(version_id: int, result: BuildResult) -> DatasetVersion:
    with transaction.atomic():
        version = DatasetVersion.objects.select_for_update().get(pk=version_id)
        if version.status != DatasetStatus.BUILDING:
            raise DatasetStateConflict(MSG_NOT_BUILDING.format(id=version_id, status=version.status))
        DatasetFile.objects.bulk_create(
            DatasetFile(version=version, path=f.path, format=f.format, table=f.table, split=f.split, rows=f.rows,
                        size_bytes=f.size_bytes, sha256=f.sha256)
            for f in sorted(result.files, key=lambda f: f.path)
        )
        version.sha256 = version_sha256(version.description_obj().canonical_json(),
                                        [(f.path, f.sha256) for f in result.files])
        version.row_counts = result.row_counts
        version.agreement = [a.__dict__ for a in result.agreement]
        version.rows_written = version.rows_total = result.rows_written
        version.status = DatasetStatus.READY
        version.finished_at = version.heartbeat_at = timezone.now()
        version.save()
    return version


def _fail(version_id: int, error: str) -> None:
    DatasetVersion.objects.filter(pk=version_id).exclude(status=DatasetStatus.READY).update(
        status=DatasetStatus.FAILED, error=error[:4000], finished_at=timezone.now())


def dataset_versions_fail_stale(*, now: datetime | None = None) -> int:
    """Fail builds whose worker died (no heartbeat for STALE_AFTER) and remove their temp folders."""
    now = now or timezone.now()
    stale = list(DatasetVersion.objects.filter(
        status=DatasetStatus.BUILDING, heartbeat_at__lt=now - STALE_AFTER).values_list("pk", flat=True))
    for version_id in stale:
        touched = DatasetVersion.objects.filter(
            pk=version_id, status=DatasetStatus.BUILDING, heartbeat_at__lt=now - STALE_AFTER
        ).update(status=DatasetStatus.FAILED, finished_at=now,
                 error=MSG_STALE.format(minutes=int(STALE_AFTER.total_seconds() // 60)))
        if touched:
            _remove_temp_folders(version_id)
            _unpublish_quietly(version_id)
    return len(stale)
