"""Reading a DatasetVersion folder (training/exports layout) into pairs, and the demo pair set."""

import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from training.reward import RewardConfig
from training.reward.data import load_dataset_version
from training.reward.train import RewardTrainer


def _write(folder, table, split, rows):
    path = folder / "data" / table / f"{split}-00000-of-00001.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


@pytest.fixture()
def version(demo_pairs, tmp_path):
    """A minimal export: two videos of one prompt, one pair judged on two dimensions (one a tie)."""
    a, b = list(demo_pairs.videos.values())[:2]
    media = tmp_path / "media"
    media.mkdir()
    for v in (a, b):
        shutil.copy(v.path, media / f"{v.generator}.mp4")
    shutil.copy(a.initial_image, media / "init.png")
    folder = tmp_path / "version"
    _write(folder, "prompts", "train", [{"prompt_id": 1, "text": a.prompt, "initial_image": "init.png",
                                         "split": "train"}])
    _write(folder, "videos", "train", [
        {"video_id": 10, "prompt_id": 1, "generator": a.generator, "file": f"{a.generator}.mp4", "split": "train"},
        {"video_id": 11, "prompt_id": 1, "generator": b.generator, "file": f"{b.generator}.mp4", "split": "train"}])
    common = {"pair_id": 5, "prompt_id": 1, "video_a_id": 10, "video_b_id": 11, "is_gold": False, "split": "train"}
    _write(folder, "consensus", "train", [
        {**common, "dimension": "motion", "mean_strength": 1.5, "direction": "b", "gap": 0.75},
        {**common, "dimension": "smoothness", "mean_strength": 0.2, "direction": "tie", "gap": 0.1}])
    _write(folder, "video_scores", "train", [
        {"video_id": 10, "dimension": "motion", "bt_scaled": 0.2, "mean_rating": None},
        {"video_id": 11, "dimension": "motion", "bt_scaled": 0.9, "mean_rating": 4.0}])
    return folder, media


def test_consensus_rows_become_one_pair_with_per_dimension_strengths(version):
    folder, media = version
    pairs = load_dataset_version(folder, media)
    assert len(pairs.pairs) == 1
    pair = pairs.pairs[0]
    assert (pair.video_a, pair.video_b) == ("10", "11")
    assert pair.strength == {"motion": 1.5, "smoothness": 0.0}  # direction 'tie' wins over a small mean
    assert pairs.videos["10"].path == str(media / pairs.videos["10"].generator) + ".mp4"
    assert pairs.videos["11"].truth == {"motion": 0.75}  # a mean rating (4 -> 0.75) beats the BT scale
    assert len(pairs.version) == 64 and load_dataset_version(folder, media).version == pairs.version


def test_a_folder_without_consensus_says_what_it_needs(tmp_path):
    with pytest.raises(FileNotFoundError, match="DatasetVersion"):
        load_dataset_version(tmp_path)


def test_trainer_runs_on_an_export_and_on_ratings(version, tmp_path):
    folder, media = version
    pairs = load_dataset_version(folder, media)
    cfg = {"preset": "tiny", "device": "cpu", "steps": 1, "batch_size": 2, "dimensions": ("motion", "smoothness")}
    assert RewardTrainer(RewardConfig(**cfg), pairs).train()["step"] == 1
    assert RewardTrainer(RewardConfig(**cfg, loss="mse"), pairs).train()["step"] == 1


def test_demo_pairs_never_share_a_prompt_across_splits(demo_dir):
    from training.reward.data import demo_pairset

    pairs = demo_pairset(demo_dir, test_fraction=0.5, seed=3)
    train = {v.prompt_key for v in pairs.split("train").videos.values()}
    test = {v.prompt_key for v in pairs.split("test").videos.values()}
    assert not train & test
    assert len(pairs.pairs) == 20 and all(p.video_a != p.video_b for p in pairs.pairs)
