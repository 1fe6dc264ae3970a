"""Finding 10: a run's config is validated completely when the run is created. Model weights load
only from folders under MODEL_ROOTS (reward backbones also from the shipped hub ids), sizes have
upper bounds, the chained GAPO config is checked at creation, and the fields the studio manages
per run are refused with a clear 400 instead of being dropped silently."""
from __future__ import annotations

import pytest

from training.models import TrainingRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def model_roots(tmp_path, settings):
    settings.MODEL_ROOTS = [tmp_path / "models"]
    return tmp_path / "models"


@pytest.fixture
def dataset(carol, datasets_root):
    from tests.factories import CampaignFactory
    from training.exports.services import dataset_version_create

    return dataset_version_create(campaigns=[CampaignFactory()], test_fraction=0.0, enqueue=False, created_by=carol)


def _create(client, **body):
    return client.post("/api/runs/", body, format="json")


@pytest.mark.parametrize(("kind", "config", "message"), [
    ("gapo", {"preset": "paper", "model_path": "/etc"}, "model_path='/etc' is not allowed"),
    ("gapo", {"preset": "paper", "model_path": "../../etc"}, "not allowed"),
    ("reward", {"preset": "paper", "backbone_paths": {"video_regression": "/root/.cache/huggingface"}},
     "backbone_paths['video_regression']"),
    ("reward", {"preset": "paper", "backbone_paths": {"video_text": "/models-elsewhere/clip"}}, "not allowed"),
    ("reward", {"hidden_size": 1_000_000}, "hidden_size must be <= 4096"),
    ("reward", {"num_layers": 10_000}, "num_layers must be <= 48"),
    ("reward", {"batch_size": 100_000}, "batch_size must be <= 1024"),
    ("reward", {"num_frames": 100_000}, "num_frames must be <= 256"),
    ("gapo", {"batch_size": 100_000}, "batch_size must be <= 256"),
    ("reward", {"output_dir": "/etc/cron.d"}, "output_dir are set by the studio"),
    ("reward", {"cache_dir": "/tmp/x"}, "cache_dir are set by the studio"),
    ("gapo", {"checkpoint_dir": "/srv"}, "checkpoint_dir are set by the studio"),
])
def test_bad_configs_are_refused_at_creation(client_for, carol, dataset, model_roots, kind, config, message):
    if kind == "reward":
        response = _create(client_for(carol), kind="reward", config=config, dataset_version=dataset.pk)
    else:  # a GAPO config, as the GAPO run chained after the reward run's promotion (same validation)
        response = _create(client_for(carol), kind="reward", config={"preset": "tiny"}, dataset_version=dataset.pk,
                           options={"chain_gapo": True, "gapo_config": config})
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert not TrainingRun.objects.exists()


def test_the_chained_gapo_config_is_checked_when_the_reward_run_is_created(client_for, carol, dataset, model_roots):
    for gapo_config, message in (({"preset": "paper", "model_path": "/"}, "not allowed"),
                                 ({"beta": -1}, "beta must be > 0"),
                                 ({"no_such_field": 1}, "unknown fields no_such_field")):
        response = _create(client_for(carol), kind="reward", config={"preset": "tiny"}, dataset_version=dataset.pk,
                           options={"chain_gapo": True, "gapo_config": gapo_config})
        assert response.status_code == 400, response.content
        assert message in response.json()["detail"]
    assert not TrainingRun.objects.exists()


@pytest.fixture
def promoted(dataset):
    """A promoted model's registry row: what a GAPO or scoring run needs to be created."""
    from training.models import RewardModelVersion, RunKind, RunState

    run = TrainingRun.objects.create(kind=RunKind.REWARD, state=RunState.SUCCEEDED, dataset_version=dataset)
    return RewardModelVersion.objects.create(run=run, dataset_version=dataset, dataset_sha256="0" * 64,
                                             checkpoint_uri="nowhere", metrics={}, accuracy=0.8, promoted=True)


@pytest.mark.parametrize(("kind", "options", "message"), [
    ("gapo", {"k": 10_000}, "option k must be an integer between 1 and 16"),
    ("gapo", {"frames": 100_000}, "option frames must be"),
    ("gapo", {"max_prompts": 10**9}, "option max_prompts must be"),
    ("scoring", {"batch_size": 10**9}, "option batch_size must be"),
])
def test_job_options_have_upper_bounds(client_for, carol, promoted, kind, options, message):
    config = {"preset": "tiny", "steps": 2, "device": "cpu"} if kind == "gapo" else {}
    response = _create(client_for(carol), kind=kind, config=config, options=options)
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not TrainingRun.objects.filter(kind=kind).exists()


def test_model_folders_under_model_roots_and_shipped_hub_ids_are_accepted(client_for, carol, dataset, model_roots):
    response = _create(client_for(carol), kind="reward", dataset_version=dataset.pk, config={
        "preset": "paper", "backbone_paths": {"video_regression": "clip-anime",
                                              "video_text": "openai/clip-vit-base-patch32",
                                              "video_image": "attacker/clip-with-remote-code"}},
        options={"chain_gapo": True, "gapo_config": {"preset": "paper", "model_path": str(model_roots / "cogvideox")}})
    assert response.status_code == 201, response.content
    stored = TrainingRun.objects.get().config["backbone_paths"]
    assert stored["video_regression"] == str((model_roots / "clip-anime").resolve())  # no later reinterpretation
    assert stored["video_text"] == "openai/clip-vit-base-patch32"
    # any other hub-shaped name is a folder under the first root: the worker never asks the hub for it
    assert stored["video_image"] == str((model_roots / "attacker/clip-with-remote-code").resolve())
