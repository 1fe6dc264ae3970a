"""training/gapo/data: cached latents round-trip through safetensors + JSONL."""

import pytest
import torch

from training.gapo.config import GapoConfig
from training.gapo.data import PreferencePairDataset, collate_pairs, synthetic_pairs, write_pairs
from training.gapo.models import build_denoiser


@pytest.fixture(scope="module")
def wan_pairs():
    return synthetic_pairs(build_denoiser(GapoConfig(family="wan", lora_rank=2, lora_alpha=2)), 3, seed=1)


def test_written_pairs_read_back_exactly(tmp_path, wan_pairs):
    write_pairs(tmp_path, wan_pairs)
    dataset = PreferencePairDataset(tmp_path)
    assert len(dataset) == 3
    for written, item in zip(wan_pairs, dataset):
        for key in ("x_w", "x_l", "prompt_embeds", "image_latents", "image_embeds", "s_w", "s_l"):
            assert torch.equal(torch.as_tensor(written[key]), item[key]), key
        assert item["s_w"] >= item["s_l"]


def test_batches_stack_on_a_leading_pair_dimension(wan_pairs):
    batch = collate_pairs(wan_pairs[:2])
    assert batch["x_w"].shape == (2, 16, 3, 4, 4)
    assert batch["image_latents"].shape == (2, 20, 3, 4, 4)  # 4 mask + 16 latent channels
    assert batch["s_w"].shape == (2,)


def test_unordered_pair_is_refused_on_write(tmp_path, wan_pairs):
    pair = dict(wan_pairs[0], s_w=0.2, s_l=0.7)
    with pytest.raises(ValueError, match="winner first"):
        write_pairs(tmp_path, [pair])


def test_existing_index_is_not_overwritten_silently(tmp_path, wan_pairs):
    write_pairs(tmp_path, wan_pairs[:1])
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_pairs(tmp_path, wan_pairs[:1])


def test_missing_folder_says_how_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="write_pairs"):
        PreferencePairDataset(tmp_path / "nothing")
