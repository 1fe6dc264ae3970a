"""Runs on a real Celery worker process over the real Redis broker: started from the API, killed
mid-run and resumed by a new worker, cancelled. Each test has its own queue (RUNS_QUEUE), so
workers of parallel test runs never take each other's messages."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.annotation.test_reaper_worker import _test_database_url
from tests.runs.conftest import TINY_REWARD, TRANSACTIONAL
from training.models import RewardModelVersion, RunMetric, RunState, TrainingRun
from training.tasks import requeue_stale_runs

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, TRANSACTIONAL]


@pytest.fixture
def run_queue(settings):
    settings.RUNS_QUEUE = f"runs-test-{uuid.uuid4().hex[:8]}"
    settings.RUN_HEARTBEAT_SECONDS = 1
    settings.RUN_STALE_SECONDS = 3
    return settings.RUNS_QUEUE


class Workers:
    """Start/kill real `celery worker -Q <queue>` processes that see this test's database and folders."""

    def __init__(self, queue: str, data_dir: Path, redis_url: str):
        self.queue, self.procs = queue, []
        self.env = {**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": redis_url, "DATA_DIR": str(data_dir),
                    "RUNS_QUEUE": queue, "RUN_HEARTBEAT_SECONDS": "1", "RUN_STALE_SECONDS": "3", "OMP_NUM_THREADS": "1"}

    def start(self) -> subprocess.Popen:
        name = f"{self.queue}-{len(self.procs)}@%h"
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", self.queue, "--concurrency", "1",
             "--pool", "solo", "--loglevel", "WARNING", "-n", name],
            env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> str:
        out = []
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
            try:
                out.append(proc.communicate(timeout=60)[0] or "")
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out.append(proc.communicate()[0] or "")
        return "\n".join(out)


@pytest.fixture
def workers(run_queue, run_roots, settings):
    pool = Workers(run_queue, run_roots, settings.REDIS_URL)
    yield pool
    output = pool.stop_all()
    assert "Traceback" not in output, output


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def run_state(run_id: int) -> TrainingRun:
    return TrainingRun.objects.get(pk=run_id)


def test_a_run_started_from_the_api_completes_on_a_worker_and_registers_one_version(
        workers, demo_dataset, admin_client):
    workers.start()
    response = admin_client.post("/api/runs/", {"kind": "reward", "config": TINY_REWARD,
                                                "dataset_version": demo_dataset.pk}, content_type="application/json")
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]

    run = wait_for(lambda: (r := run_state(run_id)).is_final and r, timeout=180, what="the run to finish")
    assert run.state == RunState.SUCCEEDED, run.error
    assert run.attempt == 1 and run.worker
    assert RewardModelVersion.objects.filter(run=run).count() == 1
    detail = admin_client.get(f"/api/runs/{run_id}/").json()
    assert detail["progress"] == 1.0 and len(detail["series"]) == TINY_REWARD["steps"]
    assert detail["reward_model_version"]["promoted"] is True


def test_a_killed_worker_s_run_resumes_from_its_checkpoint_on_a_new_worker(workers, demo_dataset):
    from training.runs.services import run_create

    first = workers.start()
    run = run_create(kind="reward", config={**TINY_REWARD, "steps": 300}, options={"checkpoint_every": 5},
                     dataset_version=demo_dataset)
    wait_for(lambda: run_state(run.pk).step >= 12, timeout=180, what="the run to pass step 12")
    workers.kill(first)
    killed_at = run_state(run.pk)
    assert killed_at.state == RunState.RUNNING and killed_at.step < 300

    time.sleep(3.5)  # heartbeat goes stale (RUN_STALE_SECONDS=3); beat's check re-queues it
    assert requeue_stale_runs() == [run.pk]
    assert run_state(run.pk).state == RunState.QUEUED
    workers.start()

    done = wait_for(lambda: (r := run_state(run.pk)).is_final and r, timeout=240, what="the resumed run to finish")
    assert done.state == RunState.SUCCEEDED, done.error
    assert done.attempt == 2
    assert "resuming from checkpoint step" in done.log_tail
    resumed_from = int(done.log_tail.split("resuming from checkpoint step ")[1].split()[0])
    assert 10 <= resumed_from <= killed_at.step and resumed_from % 5 == 0
    assert RewardModelVersion.objects.filter(run=done).count() == 1
    assert sorted(RunMetric.objects.filter(run=done).values_list("step", flat=True)) == list(range(1, 301))


def test_cancel_stops_a_running_run_and_frees_the_worker_for_the_next(workers, demo_dataset, admin_client):
    from training.runs.services import run_create

    workers.start()
    long_run = run_create(kind="reward", config={**TINY_REWARD, "steps": 5000}, dataset_version=demo_dataset)
    wait_for(lambda: run_state(long_run.pk).step >= 3, timeout=180, what="the run to start stepping")
    response = admin_client.post(f"/api/runs/{long_run.pk}/cancel/")
    assert response.status_code == 202

    cancelled = wait_for(lambda: (r := run_state(long_run.pk)).is_final and r, timeout=30, what="the cancel")
    assert cancelled.state == RunState.CANCELLED and cancelled.step < 5000
    assert not RewardModelVersion.objects.filter(run=cancelled).exists()
    assert admin_client.post(f"/api/runs/{long_run.pk}/cancel/").status_code == 409

    next_run = run_create(kind="reward", config=TINY_REWARD, dataset_version=demo_dataset)
    finished = wait_for(lambda: (r := run_state(next_run.pk)).is_final and r, timeout=180, what="the next run")
    assert finished.state == RunState.SUCCEEDED, finished.error


def test_an_export_started_while_a_reward_run_trains_finishes_without_waiting_for_it(workers, demo_dataset,
                                                                                      labelled_demo):
    """scripts/run's worker pair: the gpu worker holds the training run while the default,media one
    builds a dataset version at once (one worker for all queues made exports wait for training)."""
    from training.exports.services import dataset_version_create
    from training.models import DatasetStatus, DatasetVersion
    from training.runs.services import run_cancel, run_create

    import redis

    workers.start()  # the gpu worker (this test's RUNS_QUEUE)
    # earlier tests may have left tasks for ids of their own databases on the shared queues
    redis.Redis.from_url(workers.env["REDIS_URL"]).delete("default", "media")
    side = Workers("default,media", Path(workers.env["DATA_DIR"]), workers.env["REDIS_URL"])
    side.start()
    try:
        long_run = run_create(kind="reward", config={**TINY_REWARD, "steps": 5000}, dataset_version=demo_dataset)
        wait_for(lambda: run_state(long_run.pk).step >= 2, timeout=180, what="the reward run to start stepping")
        export = dataset_version_create(campaigns=[labelled_demo], test_fraction=0.34)  # queued after commit
        ready = wait_for(lambda: (v := DatasetVersion.objects.get(pk=export.pk)).status in
                         (DatasetStatus.READY, DatasetStatus.FAILED) and v, timeout=120, what="the export")
        assert ready.status == DatasetStatus.READY, ready.error
        assert run_state(long_run.pk).state == RunState.RUNNING, "the export did not wait for the training run"
        run_cancel(run=run_state(long_run.pk))
        wait_for(lambda: run_state(long_run.pk).is_final, timeout=60, what="the cancel")
    finally:
        output = side.stop_all()
    assert "Traceback" not in output, output
