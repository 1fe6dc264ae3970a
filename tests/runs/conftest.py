"""Orchestration fixtures: a demo campaign labelled by simulated annotators through the real
services, its media on disk, and every storage root of the run in tmp_path."""
from __future__ import annotations

from pathlib import Path

import pytest

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# A reward config that trains in seconds on CPU and still learns the demo's easy dimensions.
TINY_REWARD = {"preset": "tiny", "steps": 24, "batch_size": 8, "device": "cpu", "head_lr": 0.05,
               "dimensions": ["smoothness", "appeal", "image_video"]}


@pytest.fixture(scope="session")
def demo_clips(tmp_path_factory) -> Path:
    """6 prompts x 5 generators, 128x72, 24 frames (built once per session)."""
    from demo import build_demo_dataset

    out = tmp_path_factory.mktemp("runs_demo")
    build_demo_dataset(out, n_prompts=6, width=128, height=72, num_frames=24)
    return out


@pytest.fixture
def run_roots(tmp_path, settings) -> Path:
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATASETS_ROOT = tmp_path / "datasets"
    settings.RUNS_ROOT = tmp_path / "runs"
    settings.FRAME_CACHE_ROOT = tmp_path / "frame-cache"
    settings.MEDIA_ROOT.mkdir()
    return tmp_path


def seed_labelled_demo(demo_clips: Path, *, annotators: int = 3, max_submissions: int | None = None):
    """The demo campaign with the clips imported and simulated judgments (overlap 3)."""
    from annotation.models import Campaign
    from annotation.services.demo import demo_campaign_ensure, demo_videos_process
    from annotation.services.demo_simulation import demo_simulate_judgments
    from annotation.services.imports import videos_import_manifest

    campaign = demo_campaign_ensure()
    manifest = demo_clips / "manifest.jsonl"
    videos_import_manifest(text=manifest.read_text(), manifest_name=manifest.name, base_dir=demo_clips,
                           campaign=campaign, on_duplicate="skip")
    demo_videos_process(campaign=campaign)  # pairs are leased only once both videos are ready
    demo_simulate_judgments(campaign=campaign, dataset_dir=demo_clips, annotators=annotators, noise=0.05,
                            max_submissions=max_submissions)
    return Campaign.objects.get(pk=campaign.pk)


@pytest.fixture
def labelled_demo(run_roots, demo_clips, settings):
    settings.IMPORT_ROOTS = [demo_clips.resolve()]
    return seed_labelled_demo(demo_clips)


@pytest.fixture
def demo_dataset(labelled_demo):
    from training.exports.services import dataset_version_build, dataset_version_create

    version = dataset_version_create(campaigns=[labelled_demo], test_fraction=0.34, enqueue=False)
    return dataset_version_build(version_id=version.pk)
