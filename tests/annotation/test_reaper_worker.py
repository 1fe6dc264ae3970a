"""The lease reaper runs in a real Celery worker process over the real Redis broker."""
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from annotation.models import Assignment, AssignmentState
from annotation.services.leasing import assignment_lease_next
from annotation.tasks import reap_expired_leases
from tests.factories import CampaignFactory, UserFactory, make_pairs

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{db['USER']}@{quote(host, safe='')}{port}/{db['NAME']}"


def test_the_reaper_is_scheduled_by_beat(db):
    task = PeriodicTask.objects.get(task="annotation.tasks.reap_expired_leases")
    assert task.enabled and task.interval.every == 30


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_reaps_expired_leases_and_frees_the_slot(settings):
    campaign = CampaignFactory(overlap=1)
    (pair,) = make_pairs(campaign, n_pairs=1)
    lease = assignment_lease_next(campaign=campaign, annotator=UserFactory(roles=["annotator"]))
    Assignment.objects.filter(pk=lease.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    queue = f"reaper-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": settings.REDIS_URL}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--concurrency", "1",
         "--pool", "solo", "--loglevel", "WARNING", "-n", f"{queue}@%h"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        reap_expired_leases.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Assignment.objects.get(pk=lease.pk).state == AssignmentState.EXPIRED:
                break
            time.sleep(0.3)
        assert Assignment.objects.get(pk=lease.pk).state == AssignmentState.EXPIRED
        pair.refresh_from_db()
        assert pair.taken == 0
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "Traceback" not in output, output
