"""The exported folder loads with Hugging Face `datasets`, offline, and round-trips row counts."""
from __future__ import annotations

import os

import pytest

from training.exports.services import dataset_version_build, dataset_version_create, version_folder

pytestmark = pytest.mark.usefixtures("datasets_root")


@pytest.fixture
def offline_datasets(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    import datasets  # a hard dependency of this check: a missing install must fail, not skip

    # datasets reads the variables at import; hold it offline even if something imported it earlier.
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    datasets.disable_progress_bars()
    return datasets, str(tmp_path / "hf-cache")


def _version_with_both_splits(campaign):
    """A ready version whose train and test splits both hold judgments. Which of the 8 image
    groups land in test depends on their keys, which contain database ids (so on which tests ran
    before); the first salt that leaves neither split empty is used."""
    for attempt in range(20):
        version = dataset_version_create(campaigns=[campaign], enqueue=False, test_fraction=0.4,
                                         split_salt=f"both-splits-{attempt}")
        version = dataset_version_build(version_id=version.pk)
        if all(version.row_counts["judgments"].get(split) for split in ("train", "test")):
            return version
    raise AssertionError("no salt out of 20 gave both splits judgments; check the split assignment")


def test_the_export_loads_offline_by_data_files_and_by_the_cards_configs(judged_campaign, offline_datasets):
    datasets, cache_dir = offline_datasets
    version = _version_with_both_splits(judged_campaign[0])
    folder = version_folder(version.pk)

    loaded = datasets.load_dataset("parquet", cache_dir=cache_dir, data_files={
        split: str(folder / "data" / "judgments" / f"{split}-00000-of-00001.parquet") for split in ("train", "test")
    })
    assert {split: loaded[split].num_rows for split in loaded} == version.row_counts["judgments"]
    assert loaded["train"].features["strength"].dtype == "int8"

    for table in ("consensus", "videos", "prompts", "judgments"):
        by_card = datasets.load_dataset(str(folder), table, cache_dir=cache_dir)
        assert {split: by_card[split].num_rows for split in by_card} == version.row_counts[table], table

    jsonl_file = folder / "jsonl" / "consensus" / "train-00000-of-00001.jsonl"
    jsonl = datasets.load_dataset("json", cache_dir=cache_dir, data_files={"train": str(jsonl_file)})
    assert jsonl["train"].num_rows == version.row_counts["consensus"]["train"]
    assert os.environ["HF_DATASETS_OFFLINE"] == "1" and datasets.config.HF_HUB_OFFLINE
