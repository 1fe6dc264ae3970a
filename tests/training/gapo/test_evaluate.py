"""training/gapo/evaluate: base vs trained from the same noise, per-dimension rewards, browser-playable MP4s."""

import json

import torch

from media_io import probe_video
from training.gapo.evaluate import evaluate_samples, upscale, win_rates
from .test_onpolicy import BrightnessScorer, brightness_decode, tiny


def test_fresh_lora_ties_the_base_everywhere_and_writes_h264_videos(tmp_path):
    denoiser, noise, items = tiny("cogvideox")
    metrics = evaluate_samples(denoiser, noise, items[:2], BrightnessScorer(), brightness_decode, tmp_path,
                               steps=2, samples_per_prompt=2, min_side=16)
    assert metrics["samples"] == 4
    assert metrics["delta"] == {"appeal": 0.0, "overall": 0.0}  # lora_B = 0: same model, same noise
    assert metrics["win_rate"] == {"appeal": 0.5, "overall": 0.5}
    index = json.loads((tmp_path / "index.json").read_text())
    assert len(index["rows"]) == 4
    info = probe_video(tmp_path / index["rows"][0]["trained_video"])
    assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")
    assert info.width % 2 == 0 and info.height % 2 == 0 and info.width >= 16


def test_a_changed_adapter_changes_trained_samples_but_not_the_base(tmp_path):
    denoiser, noise, items = tiny("cogvideox")
    before = evaluate_samples(denoiser, noise, items, BrightnessScorer(), brightness_decode, tmp_path / "a", steps=2,
                              save_videos=False)
    with torch.no_grad():
        for name, param in denoiser.model.named_parameters():
            if "lora_B" in name:
                param.fill_(0.5)
    after = evaluate_samples(denoiser, noise, items, BrightnessScorer(), brightness_decode, tmp_path / "b", steps=2,
                             save_videos=False)
    assert after["base"] == before["base"]
    assert after["trained"] != before["trained"]


def test_win_rate_counts_ties_as_half():
    trained = {"overall": torch.tensor([0.9, 0.5, 0.1, 0.4])}
    base = {"overall": torch.tensor([0.1, 0.5, 0.9, 0.2])}
    assert win_rates(trained, base) == {"overall": (1 + 0.5 + 0 + 1) / 4}


def test_upscale_repeats_pixels_to_the_minimum_side():
    video = torch.arange(2 * 3 * 5 * 3).reshape(2, 3, 5, 3).numpy()
    big = upscale(video, 7)
    assert big.shape == (2, 9, 15, 3) and (big[:, ::3, ::3] == video).all()
