"""The demo generator: pretrained once per (config, clips) and cached whole; the studio's tiny preset
builds on its weights; the held-out interval of the score change counts prompts."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from training.gapo.config import GapoConfig
from training.gapo.demo_generator import (
    DemoGeneratorConfig,
    TrainingClip,
    cache_key,
    generator_config,
    generator_ensure,
    generator_transformer,
    warmup_cosine,
)
from training.gapo.evaluate import paired_interval
from training.gapo.studio import JobOptions, StudioPrompt, build_parts

TINY = DemoGeneratorConfig(size=16, frames=4, patch=8, heads=2, head_dim=8, layers=1, steps=3, batch=2)


def _clips(count: int = 2) -> list[TrainingClip]:
    rng = np.random.default_rng(0)
    clips = []
    for i in range(count):
        image = rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)
        frames = np.stack([np.roll(image, shift, axis=1) for shift in range(6)])  # the picture moves right
        clips.append(TrainingClip(f"sha-{i}", StudioPrompt(f"p{i}", f"a girl walks {i}", image), frames))
    return clips


def test_the_cache_key_changes_when_a_clip_s_frames_change_under_the_same_name():
    clips = _clips()
    again = _clips()
    assert cache_key(TINY, clips) == cache_key(TINY, list(reversed(again)))  # order does not matter
    again[1].frames = again[1].frames.copy()
    again[1].frames[0, 0, 0, 0] ^= 1  # the renderer changed one pixel; the clip's key did not
    assert cache_key(TINY, clips) != cache_key(TINY, again)


def test_the_schedule_warms_up_and_decays_for_any_length():
    assert warmup_cosine(0, 1) == 1.0
    assert [round(warmup_cosine(s, 2), 3) for s in range(2)] == [1.0, 1.0]
    factors = [warmup_cosine(s, 40) for s in range(40)]
    assert factors[0] == 0.5 and factors[1] == 1.0 and factors[-1] < 0.01
    assert all(a >= b for a, b in zip(factors[1:], factors[2:]))


def test_the_generator_is_trained_once_and_then_reused(tmp_path):
    logs: list[str] = []
    folder = generator_ensure(_clips(), TINY, tmp_path, log=logs.append)
    assert generator_config(folder) == TINY and any("pretraining step 3/3" in line for line in logs)
    mtime = (folder / "base.pt").stat().st_mtime_ns
    again = generator_ensure(_clips(), TINY, tmp_path, log=logs.append)
    assert again == folder and (folder / "base.pt").stat().st_mtime_ns == mtime and "reusing" in logs[-1]
    assert not list(tmp_path.glob(".tmp-*")), "no half-written folder is left behind"
    # other clips or another config are another generator
    assert generator_ensure(_clips(3), TINY, tmp_path, log=logs.append) != folder


def test_a_stop_request_interrupts_pretraining_and_caches_nothing(tmp_path):
    with pytest.raises(InterruptedError):
        generator_ensure(_clips(), TINY, tmp_path, log=lambda line: None, should_stop=lambda: True)
    assert not any(tmp_path.iterdir())


def test_the_tiny_preset_builds_on_the_pretrained_weights_with_an_identity_lora(tmp_path):
    folder = generator_ensure(_clips(), TINY, tmp_path, log=lambda line: None)
    config = GapoConfig(preset="tiny", lora_rank=4, lora_alpha=4)
    denoiser, noise, codec = build_parts(config, JobOptions(), folder)
    assert (codec.size, codec.frames, codec.patch) == (16, 4, 8), "the generator's geometry, not the options'"
    base = generator_transformer(folder).eval()
    item = codec.item(_clips()[0].prompt)
    x = torch.randn(1, 3, 4, 16, 16, generator=torch.Generator().manual_seed(1))
    t = torch.tensor([500])
    from training.gapo.denoiser import CogVideoXDenoiser, Condition

    cond = Condition(item.prompt_embeds[None], item.image_latents[None])
    with torch.no_grad():
        ours = denoiser(x, t, cond)
        theirs = CogVideoXDenoiser(base)(x, t, cond)
    torch.testing.assert_close(ours, theirs)  # a fresh LoRA (B = 0) leaves the pretrained model as it is
    with pytest.raises(ValueError, match="v-prediction"):
        build_parts(GapoConfig(preset="tiny", prediction="epsilon"), JobOptions(), folder)


def test_the_score_change_interval_counts_prompts_not_samples():
    base = torch.tensor([0.5, 0.5, 0.4, 0.4, 0.6, 0.6])
    trained = base + torch.tensor([0.1, 0.3, 0.2, 0.2, 0.1, 0.3])  # per prompt: +0.2 each
    result = paired_interval(trained, base, groups=3)
    assert result["prompts"] == 3 and result["mean"] == pytest.approx(0.2)
    assert result["low"] == pytest.approx(0.2) and result["high"] == pytest.approx(0.2)  # no spread across prompts
    noisy = paired_interval(base + torch.tensor([0.1, 0.1, -0.05, -0.05, 0.2, 0.2]), base, groups=3)
    from scipy import stats

    half = stats.t.ppf(0.975, 2) * np.std([0.1, -0.05, 0.2], ddof=1) / np.sqrt(3)
    assert noisy["high"] - noisy["mean"] == pytest.approx(half)
    assert paired_interval(trained[:2], base[:2], groups=1)["low"] is None
