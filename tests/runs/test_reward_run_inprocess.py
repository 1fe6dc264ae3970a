"""A reward run executed in this process through the same entry point the gpu task calls."""
from __future__ import annotations

import pytest

from tests.runs.conftest import TINY_REWARD, TRANSACTIONAL
from training.models import RewardModelVersion, RunMetric, RunState
from training.runs.execution import run_execute
from training.runs.services import run_create

pytestmark = TRANSACTIONAL


def test_a_reward_run_trains_evaluates_registers_and_promotes_the_first_version(demo_dataset):
    run = run_create(kind="reward", config=TINY_REWARD, dataset_version=demo_dataset, enqueue=False)
    ended = run_execute(run.pk, worker="test:1")

    assert ended.state == RunState.SUCCEEDED, ended.error
    assert ended.step == ended.total_steps == 24 and ended.attempt == 1
    assert RunMetric.objects.filter(run=run).count() == 24
    version = RewardModelVersion.objects.get(run=run)
    assert version.promoted and "first reward model" in version.promotion_note
    assert version.dataset_sha256 == demo_dataset.sha256
    assert set(version.metrics["dimensions"]) == {"smoothness", "appeal", "image_video"}
    assert 0.0 <= version.accuracy <= 1.0
    assert ended.metrics["promotion"]["promoted"] is True
    assert (run_execute(run.pk) is None), "a duplicate delivery finds the run finished and does nothing"
    assert RewardModelVersion.objects.filter(run=run).count() == 1


def test_the_cli_runs_a_reward_run_with_a_progress_bar(demo_dataset, capsys):
    import json

    from django.core.management import call_command

    call_command("run_training", "--kind", "reward", "--dataset", str(demo_dataset.pk),
                 "--config", json.dumps({**TINY_REWARD, "steps": 6}))
    out, err = capsys.readouterr()
    assert "succeeded" in out and "held-out accuracy" in out
    assert "6/6" in err, err  # the tqdm bar reached the end


def test_bad_run_requests_are_refused_with_a_clear_message_and_nothing_stored(demo_dataset):
    from studio_platform.errors import ValidationFailed
    from training.models import TrainingRun

    bad = [
        ({"kind": "reward", "config": TINY_REWARD}, "needs a dataset version"),
        ({"kind": "reward", "config": {"preset": "huge"}, "dataset_version": demo_dataset}, "preset='huge'"),
        ({"kind": "reward", "config": {"stepz": 3}, "dataset_version": demo_dataset}, "unknown fields stepz"),
        ({"kind": "reward", "config": TINY_REWARD, "dataset_version": demo_dataset,
          "options": {"corrupt_labels": "invert"}}, "corrupt_labels"),
        ({"kind": "scoring"}, "No promoted reward model"),
        ({"kind": "dance"}, "kind must be one of"),
    ]
    for kwargs, message in bad:
        with pytest.raises(ValidationFailed, match=message):
            run_create(enqueue=False, **kwargs)
    assert not TrainingRun.objects.exists()


def test_the_api_refuses_annotators_and_validates_input(demo_dataset, client, alice, rita, carol):
    client.force_login(alice)
    assert client.get("/api/runs/").status_code == 403
    client.force_login(rita)
    assert client.get("/api/runs/").status_code == 200
    assert client.post("/api/runs/", {"kind": "reward"}, content_type="application/json").status_code == 403
    client.force_login(carol)
    response = client.post("/api/runs/", {"kind": "reward", "config": {"preset": "tiny", "steps": 0},
                                          "dataset_version": demo_dataset.pk}, content_type="application/json")
    assert response.status_code == 400 and "steps" in response.json()["detail"]
    assert client.get("/api/runs/999999/").status_code == 404


def test_config_types_and_sizes_are_checked_before_anything_is_stored(demo_dataset):
    from studio_platform.errors import ValidationFailed
    from training.models import TrainingRun

    for config, message in (({"steps": "abc"}, "steps must be an integer"),
                            ({"steps": 10**12}, "between 1 and"),
                            ({"handcrafted_features": "yes"}, "true or false"),
                            ({"lr": "fast"}, "lr must be a number"),
                            ({"head_l2": "strong"}, "head_l2 must be a number"),
                            ({"formula_prior": "on"}, "true or false"),
                            ({"net_frames": "eight"}, "net_frames must be an integer")):
        with pytest.raises(ValidationFailed, match=message):
            run_create(kind="reward", config={**TINY_REWARD, **config}, dataset_version=demo_dataset, enqueue=False)
    with pytest.raises(ValidationFailed, match="campaign_ids"):
        run_create(kind="reward", config=TINY_REWARD, dataset_version=demo_dataset, options={"campaign_ids": "x"},
                   enqueue=False)
    assert not TrainingRun.objects.exists()


def test_a_reward_run_on_two_processes_reports_every_step_and_registers_one_version(demo_dataset):
    """num_processes > 1: torchrun children train (gloo on CPU here, NCCL on GPUs), the worker stays the
    run's owner and records their steps."""
    run = run_create(kind="reward", config={**TINY_REWARD, "steps": 6}, dataset_version=demo_dataset,
                     options={"num_processes": 2}, enqueue=False)
    ended = run_execute(run.pk, worker="test:1")

    assert ended.state == RunState.SUCCEEDED, ended.error
    assert ended.step == 6 and "2 processes" in ended.log_tail
    assert sorted(RunMetric.objects.filter(run=run).values_list("step", flat=True)) == [1, 2, 3, 4, 5, 6]
    version = RewardModelVersion.objects.get(run=run)
    assert version.checkpoint_uri.endswith("step-6") and 0.0 <= version.accuracy <= 1.0


def test_process_counts_are_validated_before_anything_is_stored(demo_dataset):
    from studio_platform.errors import ValidationFailed
    from training.models import TrainingRun

    for options, message in (({"num_processes": 0}, "between 1 and 64"), ({"num_processes": "2"}, "integer"),
                             ({"num_processes": 2, "corrupt_labels": "shuffle"}, "one process")):
        with pytest.raises(ValidationFailed, match=message):
            run_create(kind="reward", config=TINY_REWARD, dataset_version=demo_dataset, options=options,
                       enqueue=False)
    assert not TrainingRun.objects.exists()


def test_cancelling_a_multi_process_reward_run_stops_its_training_processes(demo_dataset):
    import threading
    import time

    from django.db import connections

    from training.models import TrainingRun
    from training.runs.services import run_cancel

    run = run_create(kind="reward", config={**TINY_REWARD, "steps": 5000}, dataset_version=demo_dataset,
                     options={"num_processes": 2}, enqueue=False)
    ended = {}

    def execute():
        try:
            ended["run"] = run_execute(run.pk, worker="test:1")
        finally:
            connections.close_all()

    worker = threading.Thread(target=execute)
    worker.start()
    deadline = time.monotonic() + 120
    while not RunMetric.objects.filter(run=run).exists():
        assert time.monotonic() < deadline and worker.is_alive(), "the training processes never reported a step"
        time.sleep(0.2)
    assert _training_processes_of(run.pk), "the check below must be able to see the children"
    run_cancel(run=TrainingRun.objects.get(pk=run.pk))
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert TrainingRun.objects.get(pk=run.pk).state == RunState.CANCELLED
    assert TrainingRun.objects.get(pk=run.pk).step < 5000
    assert not _training_processes_of(run.pk), "torchrun children outlived the cancel"


def _training_processes_of(run_pk: int) -> list[str]:
    import subprocess

    alive = []
    for pid in subprocess.run(["pgrep", "-f", "reward_config.json"], capture_output=True, text=True).stdout.split():
        try:
            cmdline = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
        except OSError:  # exited between pgrep and the read
            continue
        if f"/{run_pk}/reward_config.json" in cmdline:
            alive.append(pid)
    return alive
