"""A dataset build runs in a real Celery worker process over the real Redis broker."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.annotation.test_reaper_worker import _test_database_url
from tests.export.conftest import make_judged_campaign
from training.exports.services import dataset_version_create, version_folder
from training.models import DatasetStatus, DatasetVersion
from training.tasks import build_dataset_version

ROOT = Path(__file__).resolve().parents[2]


def test_builds_are_routed_to_the_media_queue():
    from config.celery import app

    for name in ("media.build_dataset_version", "media.fail_stale_dataset_builds"):
        assert app.amqp.router.route({}, name, args=(1,), kwargs={})["queue"].name == "media"


def test_stale_builds_are_failed_by_beat(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="media.fail_stale_dataset_builds")
    assert task.enabled and task.queue == "media" and task.interval.every == 5


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_builds_a_version_on_the_media_route(settings, tmp_path):
    assert build_dataset_version.name == "media.build_dataset_version"
    settings.DATASETS_ROOT = tmp_path / "datasets"  # what the worker derives from DATA_DIR
    campaign, _, _ = make_judged_campaign(n_images=3)
    version = dataset_version_create(campaigns=[campaign], enqueue=False)

    queue = f"export-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": settings.REDIS_URL,
           "DATA_DIR": str(tmp_path)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--concurrency", "1",
         "--pool", "solo", "--loglevel", "WARNING", "-n", f"{queue}@%h"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        build_dataset_version.apply_async(args=[version.pk], queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            version.refresh_from_db()
            if version.status in (DatasetStatus.READY, DatasetStatus.FAILED):
                break
            time.sleep(0.3)
        assert version.status == DatasetStatus.READY, version.error
        assert (version_folder(version.pk) / "README.md").is_file()
        # 6 tables x 2 splits x (Parquet + JSONL) + the card
        assert version.files.count() == 25 and version.attempts == 1
        assert connection.settings_dict["NAME"] in env["DATABASE_URL"]
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "Traceback" not in output, output
    assert DatasetVersion.objects.filter(status=DatasetStatus.READY).count() == 1
