"""Dense (segment-weighted) GAPO, issue #22: frame weights, the weighted error against hand-computed values,
span -> latent-frame mapping, the config switch, plain GAPO unchanged when it is off, and the simulated marker."""

import json

import numpy as np
import pytest
import torch

from training.gapo.config import GapoConfig
from training.gapo.data import collate_pairs, synthetic_pairs
from training.gapo.decisive_video_marks import SpanMarker, clearly_worse, frame_l1, merge, runs, simulated_marks
from training.gapo.losses import gapo_loss
from training.gapo.losses.dense import (frame_marks, frame_weighted_error, latent_frames_for, loser_frame_weights,
                                        span_to_latent, winner_frame_weights)
from training.gapo.models import build_denoiser
from training.gapo.targets import denoising_error
from training.gapo.trainer import GapoTrainer


# -- weights and the weighted error --------------------------------------------------------------------------
def _three_frames():
    """pred 0, target 1, 2, 3 on three 1x1 frames: per-frame squared errors 1, 4, 9."""
    target = torch.tensor([1.0, 2.0, 3.0]).reshape(1, 1, 3, 1, 1)
    return torch.zeros_like(target), target


def test_the_losers_marked_frame_weighs_more_and_the_error_matches_the_hand_computed_value():
    pred, target = _three_frames()
    weights = loser_frame_weights(torch.tensor([[0.0, 1.0, 0.0]]), beta=2.0)
    # raw 1, 3, 1 (mean 5/3) -> 0.6, 1.8, 0.6; error (0.6 * 1 + 1.8 * 4 + 0.6 * 9) / 3 = 4.4
    assert torch.allclose(weights, torch.tensor([[0.6, 1.8, 0.6]]))
    assert frame_weighted_error(pred, target, weights).item() == pytest.approx(4.4, rel=1e-6)
    lam = torch.tensor([2.0])
    assert frame_weighted_error(pred, target, weights, lam).item() == pytest.approx(8.8, rel=1e-6)


def test_the_winners_marked_frame_weighs_less_and_the_error_matches_the_hand_computed_value():
    pred, target = _three_frames()
    weights = winner_frame_weights(torch.tensor([[0.0, 1.0, 0.0]]), beta=2.0)
    # raw 1, 1/3, 1 (mean 7/9) -> 9/7, 3/7, 9/7; error (9/7 * 1 + 3/7 * 4 + 9/7 * 9) / 3 = 102/21
    assert torch.allclose(weights, torch.tensor([[9 / 7, 3 / 7, 9 / 7]]))
    assert frame_weighted_error(pred, target, weights).item() == pytest.approx(102 / 21, rel=1e-6)


def test_weights_keep_mean_one_so_the_loss_scale_is_unchanged_and_no_marks_give_the_plain_error():
    marks = torch.rand(4, 5, generator=torch.Generator().manual_seed(0))
    for fn in (loser_frame_weights, winner_frame_weights):
        assert torch.allclose(fn(marks, 3.0).mean(1), torch.ones(4))
        assert torch.equal(fn(torch.zeros(4, 5), 3.0), torch.ones(4, 5))
        assert torch.equal(fn(marks, 0.0), torch.ones(4, 5))
    gen = torch.Generator().manual_seed(1)
    pred, target = torch.randn(4, 3, 5, 2, 2, generator=gen), torch.randn(4, 3, 5, 2, 2, generator=gen)
    lam = torch.rand(4, generator=gen)
    assert torch.allclose(frame_weighted_error(pred, target, torch.ones(4, 5), lam),
                          denoising_error(pred, target, lam), rtol=1e-6)


@pytest.mark.parametrize("marks, beta, match", [
    (torch.tensor([[0.0, 1.5]]), 1.0, r"\[0, 1\]"),
    (torch.tensor([0.0, 1.0]), 1.0, r"\(B, T_latent\)"),
    (torch.tensor([[0.0, 1.0]]), -1.0, ">= 0"),
])
def test_bad_marks_or_beta_are_refused(marks, beta, match):
    with pytest.raises(ValueError, match=match):
        loser_frame_weights(marks, beta)


def test_frame_weights_must_have_one_entry_per_latent_frame():
    pred, target = _three_frames()
    with pytest.raises(ValueError, match=r"shape \(1, 3\)"):
        frame_weighted_error(pred, target, torch.ones(1, 4))


# -- spans on the video grid -> latent frames ------------------------------------------------------------------
def test_cogvideox_latent_frame_zero_is_video_frame_zero_and_each_later_one_covers_four_frames():
    assert latent_frames_for(49, 4) == 13 and latent_frames_for(8, 1) == 8
    assert span_to_latent(0, 0, video_frames=49, temporal_ratio=4) == (0, 0)
    assert span_to_latent(1, 4, video_frames=49, temporal_ratio=4) == (1, 1)
    assert span_to_latent(4, 5, video_frames=49, temporal_ratio=4) == (1, 2)
    assert span_to_latent(0, 48, video_frames=49, temporal_ratio=4) == (0, 12)
    assert span_to_latent(2, 5, video_frames=8, temporal_ratio=1) == (2, 5)


@pytest.mark.parametrize("start, end, frames, ratio, match", [
    (3, 2, 49, 4, "not inside"), (0, 49, 49, 4, "not inside"), (-1, 2, 49, 4, "not inside"),
    (0, 3, 48, 4, "1 \\+ a multiple of 4"),
])
def test_spans_outside_the_video_or_a_grid_that_does_not_fit_the_ratio_are_refused(start, end, frames, ratio, match):
    with pytest.raises(ValueError, match=match):
        span_to_latent(start, end, video_frames=frames, temporal_ratio=ratio)


def test_marks_are_the_fraction_of_annotators_whose_span_touches_each_latent_frame():
    # two annotators judged the video, one marked frames 3-5 (latents 1-2), the other nothing; a third
    # marked frame 9 (latent 3)
    marks = frame_marks([[(3, 5)], [], [(9, 9)]], video_frames=13, temporal_ratio=4)
    assert torch.allclose(marks, torch.tensor([0.0, 1 / 3, 1 / 3, 1 / 3]))
    assert torch.equal(frame_marks([], video_frames=13, temporal_ratio=4), torch.zeros(4))


# -- config switch and the trainer ----------------------------------------------------------------------------
def test_config_frame_weighting_defaults_off_and_is_validated(tmp_path):
    config = GapoConfig()
    assert config.frame_weighting == "none" and config.dense_beta == 1.0
    with pytest.raises(ValueError, match="frame_weighting='frames' is not valid; valid values: none, segments"):
        GapoConfig(frame_weighting="frames")
    with pytest.raises(ValueError, match="dense_beta must be >= 0"):
        GapoConfig(dense_beta=-0.5)
    old = GapoConfig().to_dict()
    del old["frame_weighting"], old["dense_beta"]  # a config saved before dense GAPO
    (tmp_path / "config.json").write_text(json.dumps(old))
    assert GapoConfig.load(tmp_path / "config.json").frame_weighting == "none"


def _trainer(pairs=None, **overrides):
    options = dict(family="cogvideox", lora_rank=4, lora_alpha=4, batch_size=2, steps=2, lr=1e-2, device="cpu")
    config = GapoConfig(**{**options, **overrides})
    denoiser = build_denoiser(config)
    pairs = synthetic_pairs(denoiser, 4, seed=3) if pairs is None else pairs
    return GapoTrainer(config, denoiser, pairs), pairs


def _with_marks(pairs, seed=0):
    gen = torch.Generator().manual_seed(seed)
    frames = pairs[0]["x_w"].shape[1]
    return [{**p, "marks_w": torch.rand(frames, generator=gen), "marks_l": torch.rand(frames, generator=gen)}
            for p in pairs]


def _moved(trainer, batch):
    """One optimizer step so the LoRA is not the identity, then the loss on ``batch`` under a fixed noise."""
    trainer.train()
    return trainer.compute_loss(batch, torch.Generator().manual_seed(5))[0]


def test_plain_gapo_is_bit_identical_whether_or_not_the_pairs_carry_marks():
    plain, pairs = _trainer(steps=1)
    marked, _ = _trainer(_with_marks(pairs), steps=1)
    loss_plain = _moved(plain, collate_pairs(pairs[:2]))
    loss_marked = _moved(marked, collate_pairs(_with_marks(pairs)[:2]))
    assert torch.equal(loss_plain, loss_marked)
    # and it is the loss of the plain per-video mean error, computed by hand
    trainer, batch = plain, collate_pairs(pairs[:2])
    gen = torch.Generator().manual_seed(5)
    x0 = torch.cat([batch["x_w"], batch["x_l"]])
    eps = torch.randn(batch["x_w"].shape, generator=gen).repeat(2, 1, 1, 1, 1)
    t = trainer.noise.sample_t(2, gen, trainer.device).repeat(2)
    noised = trainer.noise.prepare(x0, eps, t)
    from training.gapo.data import batch_condition
    cond = batch_condition(batch).repeat_pairs()
    with torch.no_grad():
        with trainer.denoiser.reference():
            ref = denoising_error(trainer.denoiser(noised.noisy, noised.timestep, cond), noised.target,
                                  noised.weighting)
        err = denoising_error(trainer.denoiser(noised.noisy, noised.timestep, cond), noised.target, noised.weighting)
    expected, _ = gapo_loss(*err.chunk(2), *ref.chunk(2), batch["s_w"], batch["s_l"], beta=trainer.config.beta)
    assert torch.equal(loss_plain.detach(), expected)


def test_dense_gapo_with_empty_marks_matches_plain_and_with_marks_differs():
    plain, pairs = _trainer(steps=1)
    zeros = [{**p, "marks_w": torch.zeros(p["x_w"].shape[1]), "marks_l": torch.zeros(p["x_w"].shape[1])}
             for p in pairs]
    dense_empty, _ = _trainer(zeros, steps=1, frame_weighting="segments", dense_beta=2.0)
    dense, _ = _trainer(_with_marks(pairs), steps=1, frame_weighting="segments", dense_beta=2.0)
    base = _moved(plain, collate_pairs(pairs[:2])).item()
    assert _moved(dense_empty, collate_pairs(zeros[:2])).item() == pytest.approx(base, rel=1e-5)
    assert _moved(dense, collate_pairs(_with_marks(pairs)[:2])).item() != pytest.approx(base, rel=1e-4)


def test_dense_gapo_refuses_pairs_without_marks_or_with_one_mark_per_wrong_frame_count_before_training():
    _, pairs = _trainer()
    with pytest.raises(ValueError, match="needs marks_w in every pair"):
        _trainer(pairs, frame_weighting="segments")
    short = [{**p, "marks_w": torch.zeros(2), "marks_l": torch.zeros(2)} for p in pairs]
    with pytest.raises(ValueError, match="one entry per latent frame"):
        _trainer(short, frame_weighting="segments")


# -- the decisive benchmark's simulated marker ------------------------------------------------------------------
def _videos():
    """One prompt, three 6-frame candidates and their clean renderings: candidate 0 falls apart on frames 3-4,
    the other two are a little off everywhere (one slightly more than the other)."""
    clean = np.full((3, 6, 4, 4, 3), 100, np.uint8)
    videos = clean.copy()
    videos[:, 1:] += 10
    videos[1, 1:] += 2
    videos[0, 3:5] += 40
    return videos, clean


def test_frames_clearly_worse_than_the_prompts_typical_frame_are_flagged_and_frame_zero_never():
    videos, clean = _videos()
    l1 = frame_l1(videos, clean)
    assert l1.shape == (3, 6) and l1[0, 0] == 0
    flags = clearly_worse(l1, per_prompt=3, margin=1.0)
    assert flags[0].tolist() == [False, False, False, True, True, False] and not flags[1:].any()
    assert runs(flags[0]) == [(3, 4)] and merge([(5, 6), (1, 2), (2, 3)]) == [(1, 3), (5, 6)]
    with pytest.raises(ValueError, match="whole prompts"):
        clearly_worse(l1, per_prompt=2, margin=1.0)


def test_a_noiseless_marker_marks_exactly_the_clearly_worse_runs():
    videos, clean = _videos()
    marks, _ = simulated_marks(videos, clean, 3, raters=3, seed=0, marker=SpanMarker(miss=0.0, edge=0))
    assert marks[0].tolist() == [0, 0, 0, 1, 1, 0] and not marks[1:].any()


def test_the_marker_is_deterministic_and_its_noise_misses_and_moves_edges():
    videos, clean = _videos()
    videos, clean = np.tile(videos, (20, 1, 1, 1, 1)), np.tile(clean, (20, 1, 1, 1, 1))  # 20 prompts alike
    first, _ = simulated_marks(videos, clean, 3, raters=3, seed=4)
    again, _ = simulated_marks(videos, clean, 3, raters=3, seed=4)
    other, _ = simulated_marks(videos, clean, 3, raters=3, seed=5)
    first, again, other = first[::3], again[::3], other[::3]  # the candidate that falls apart, per prompt
    assert torch.equal(first, again) and not torch.equal(first, other)
    assert (first[:, 0] == 0).all(), "frame 0 (the given image) is never marked"
    assert (first[:, 3:5] < 1).any(), "some annotators miss a span or move its edges"
    assert (first[:, [2, 5]] > 0).any(), "some edges land early or late"
    with pytest.raises(ValueError, match="miss must be in"):
        SpanMarker(miss=1.0)


# -- the CLI ----------------------------------------------------------------------------------------------------
def test_cli_trains_dense_gapo_on_a_pair_folder_with_marks_and_refuses_synthetic_pairs(tmp_path):
    from training.gapo.__main__ import main
    from training.gapo.data import PreferencePairDataset, write_pairs

    trainer, pairs = _trainer()
    folder = write_pairs(tmp_path / "pairs", _with_marks(pairs))
    assert set(PreferencePairDataset(folder)[0]) >= {"marks_w", "marks_l"}, "the pair folder keeps the marks"
    out = tmp_path / "run"
    assert main(["train", "--steps", "1", "--batch-size", "2", "--lora-rank", "4", "--lora-alpha", "4",
                 "--device", "cpu", "--data", str(folder), "--out", str(out), "--frame-weighting", "segments",
                 "--dense-beta", "2"]) == 0
    saved = json.loads((out / "checkpoints" / "step-000001" / "config.json").read_text())
    assert saved["frame_weighting"] == "segments" and saved["dense_beta"] == 2.0
    with pytest.raises(SystemExit, match="needs --data"):
        main(["train", "--steps", "1", "--device", "cpu", "--out", str(tmp_path / "synthetic"),
              "--frame-weighting", "segments"])


def test_the_studio_job_refuses_dense_gapo_on_on_policy_pairs_before_any_sampling(tmp_path):
    from training.gapo.studio import StudioPrompt, run_studio_job

    prompt = StudioPrompt("p", "a girl waves", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match="needs human pairs.*on-policy pairs have none"):
        run_studio_job(GapoConfig(frame_weighting="segments"), train_prompts=[prompt], eval_prompts=[prompt],
                       scorer=None, out_dir=tmp_path / "job")
    assert not (tmp_path / "job").exists(), "nothing written"
