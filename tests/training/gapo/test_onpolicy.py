"""training/gapo/onpolicy: K candidates per prompt from the model, scored, paired winner first, cached on disk."""

import numpy as np
import pytest
import torch

from training.gapo.config import GapoConfig
from training.gapo.data import PreferencePairDataset, synthetic_pairs
from training.gapo.models import build_denoiser, default_alphas_cumprod
from training.gapo.onpolicy import PromptItem, onpolicy_pairs, select_pairs, write_onpolicy_pairs
from training.gapo.rewards import score_table
from training.gapo.targets import NoiseProcess


def brightness_decode(latents, cond):
    """Latents (B, C, T, H, W) -> uint8 (B, T, H, W, 3) from the first channel: a stand-in VAE."""
    grey = ((latents[:, 0].clamp(-2, 2) + 2) * 63.75).round().to(torch.uint8)  # (B, T, H, W)
    return grey[..., None].expand(*grey.shape, 3).numpy()


class BrightnessScorer:
    """AnimeReward.score-shaped scorer: brighter is better; counts its calls."""

    calls = 0

    def __call__(self, videos, prompts, initial_images):
        BrightnessScorer.calls += 1
        return [{"appeal": float(v.mean()) / 255, "overall": float(v.mean()) / 255} for v in videos]


def tiny(family):
    config = GapoConfig(family=family, lora_rank=2, lora_alpha=2, device="cpu")
    denoiser = build_denoiser(config)
    alphas = None if config.prediction == "flow" else default_alphas_cumprod(family)
    items = []
    for n, pair in enumerate(synthetic_pairs(denoiser, 3, seed=5)):
        items.append(PromptItem(f"p{n}", f"prompt {n}", pair["prompt_embeds"], pair["image_latents"],
                                np.zeros((4, 4, 3), np.uint8), pair.get("image_embeds")))
    return denoiser, NoiseProcess(config.prediction, alphas), items


def test_best_worst_keeps_one_pair_and_all_keeps_every_ordered_gap():
    scores = torch.tensor([0.5, 0.9, 0.1, 0.5])
    assert select_pairs(scores, mode="best_worst") == [(1, 2)]
    assert select_pairs(scores, mode="best_worst", min_gap=0.9) == []
    assert sorted(select_pairs(scores, mode="all", min_gap=0.3)) == [(0, 2), (1, 0), (1, 2), (1, 3), (3, 2)]
    assert (0, 3) not in select_pairs(scores, mode="all")  # an exact tie is no preference
    with pytest.raises(ValueError, match="best_worst, all"):
        select_pairs(scores, mode="random")


@pytest.mark.parametrize("family", ["cogvideox", "wan"])
def test_pairs_hold_the_scored_candidates_latents_winner_first(family):
    denoiser, noise, items = tiny(family)
    pairs, candidates = onpolicy_pairs(denoiser, noise, items, BrightnessScorer(), brightness_decode, k=3, steps=2,
                                       select="all", seed=1)
    assert len(candidates) == 9 and pairs
    for pair in pairs:
        assert pair["s_w"] > pair["s_l"]
        video_w = brightness_decode(pair["x_w"][None], None)[0]
        assert pair["s_w"] == pytest.approx(video_w.mean() / 255)  # the score belongs to the stored latent
        item = items[int(pair["meta"]["key"][1:])]
        assert torch.equal(pair["prompt_embeds"], item.prompt_embeds)
        assert (pair.get("image_embeds") is None) == (item.image_embeds is None)


def test_same_seed_gives_the_same_candidates_whatever_the_batch_size():
    denoiser, noise, items = tiny("cogvideox")
    a, _ = onpolicy_pairs(denoiser, noise, items, BrightnessScorer(), brightness_decode, k=2, steps=2, batch_size=1)
    b, _ = onpolicy_pairs(denoiser, noise, items, BrightnessScorer(), brightness_decode, k=2, steps=2, batch_size=5)
    assert len(a) == len(b) and all(torch.allclose(p["x_w"], q["x_w"], atol=1e-5) for p, q in zip(a, b))


def test_written_pairs_train_ready_and_a_restart_reuses_them_without_scoring(tmp_path):
    denoiser, noise, items = tiny("wan")
    stats = write_onpolicy_pairs(tmp_path, denoiser, noise, items, BrightnessScorer(), brightness_decode, k=2,
                                 steps=2)
    assert stats["reused"] is False and stats["candidates"] == 6
    assert stats["pairs"] == len(PreferencePairDataset(tmp_path))
    item = PreferencePairDataset(tmp_path)[0]
    assert item["s_w"] >= item["s_l"] and item["x_w"].shape == item["x_l"].shape
    calls = BrightnessScorer.calls
    again = write_onpolicy_pairs(tmp_path, denoiser, noise, items, BrightnessScorer(), brightness_decode, k=2, steps=2)
    assert again["reused"] is True and again["pairs"] == stats["pairs"] and BrightnessScorer.calls == calls


def test_score_table_accepts_both_scorer_shapes_and_rejects_a_missing_overall():
    videos = [np.zeros((3, 2, 2, 3), np.uint8)] * 2
    as_rows = score_table(lambda v, p, i: [{"overall": 0.25}, {"overall": 0.75}], videos, ["a", "b"], [None, None])
    as_table = score_table(lambda v, p, i: {"overall": torch.tensor([0.25, 0.75])}, videos, ["a", "b"], [None, None])
    assert torch.equal(as_rows["overall"], as_table["overall"])
    with pytest.raises(ValueError, match="overall"):
        score_table(lambda v, p, i: {"motion": [0.1, 0.2]}, videos, ["a", "b"], [None, None])
