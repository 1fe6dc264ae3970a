"""training/gapo/trainer on tiny CogVideoX-I2V and Wan-I2V denoisers (CPU, random init, fresh LoRA)."""

import math

import pytest
import torch

from training.gapo.config import GapoConfig
from training.gapo.data import collate_pairs, synthetic_pairs
from training.gapo.models import build_denoiser, build_transformer
from training.gapo.trainer import GapoTrainer, latest_checkpoint

FAMILIES = ["cogvideox", "wan"]


def make_trainer(family, tmp_path=None, **overrides):
    options = dict(family=family, lora_rank=4, lora_alpha=4, batch_size=2, steps=2, lr=1e-2, device="cpu")
    if tmp_path is not None:
        options["checkpoint_dir"] = str(tmp_path / "checkpoints")
    options.update(overrides)
    config = GapoConfig(**options)
    denoiser = build_denoiser(config)
    pairs = synthetic_pairs(denoiser, 4, seed=3)
    return GapoTrainer(config, denoiser, pairs), pairs


@pytest.mark.parametrize("family", FAMILIES)
def test_fresh_lora_loss_is_ln2_times_mean_gap_weight(family):
    trainer, pairs = make_trainer(family, weight="pow2")
    batch = collate_pairs(pairs[:2])
    loss, metrics = trainer.compute_loss(batch)
    s_w, s_l = batch["s_w"].tolist(), batch["s_l"].tolist()
    mean_gap = ((2 ** s_w[0] - 2 ** s_l[0]) + (2 ** s_w[1] - 2 ** s_l[1])) / 2
    assert loss.item() == pytest.approx(math.log(2) * mean_gap, abs=1e-6)
    assert metrics["mean_dpo"].item() == pytest.approx(math.log(2), abs=1e-6)

    trainer.config.weight = "none"
    loss, _ = trainer.compute_loss(batch)
    assert loss.item() == pytest.approx(math.log(2), abs=1e-6)


@pytest.mark.parametrize("family", FAMILIES)
def test_two_steps_change_lora_weights_and_no_base_weight(family):
    trainer, _ = make_trainer(family)
    base = {k: v.detach().clone() for k, v in trainer.denoiser.base_parameters().items()}
    lora = trainer.denoiser.lora_state_dict()
    records = trainer.train()
    assert [r["step"] for r in records] == [1, 2]
    assert set(records[0]) >= {"loss", "implicit_acc", "mean_gap", "reward_margin"}
    after = trainer.denoiser.lora_state_dict()
    assert all(not torch.equal(lora[k], after[k]) for k in lora), "every LoRA matrix should move in 2 steps"
    for name, param in trainer.denoiser.base_parameters().items():
        assert torch.equal(base[name], param), f"base weight {name} changed"
    assert all(p.requires_grad for p in trainer.denoiser.lora_parameters())  # the reference pass re-enabled them


@pytest.mark.parametrize("family", FAMILIES)
def test_checkpoint_round_trips_lora_and_resume_continues_step_count(family, tmp_path):
    trainer, pairs = make_trainer(family, tmp_path)
    trainer.train()
    checkpoint = latest_checkpoint(tmp_path / "checkpoints")
    assert checkpoint.name == "step-000002"
    assert {p.name for p in checkpoint.iterdir()} == {
        "pytorch_lora_weights.safetensors", "config.json", "trainer_state.json", "optimizer.pt"
    }
    resumed, _ = make_trainer(family, tmp_path, steps=3, seed=99)  # other seed: a different fresh LoRA_A
    resumed.pairs = pairs
    resumed.load_checkpoint(checkpoint)
    saved, loaded = trainer.denoiser.lora_state_dict(), resumed.denoiser.lora_state_dict()
    assert saved.keys() == loaded.keys() and all(torch.equal(saved[k], loaded[k]) for k in saved)
    first_state = trainer.optimizer.state_dict()["state"][0]["exp_avg"]
    assert torch.equal(resumed.optimizer.state_dict()["state"][0]["exp_avg"], first_state)
    assert resumed.step == 2
    records = resumed.train()
    assert [r["step"] for r in records] == [3] and resumed.step == 3
    assert latest_checkpoint(tmp_path / "checkpoints").name == "step-000003"


def heldout_implicit_accuracy(trainer, pairs, seeds=range(100, 116)):
    """The trainer's own implicit accuracy, mean(delta < 0), on all pairs under noises and timesteps that
    training never drew (its generators are seeded from the config seed and the step)."""
    batch = collate_pairs(pairs)
    with torch.no_grad():
        accs = [trainer.compute_loss(batch, torch.Generator().manual_seed(s))[1]["implicit_acc"] for s in seeds]
    return float(torch.stack(accs).mean())


@pytest.mark.parametrize("family", FAMILIES)
def test_a_few_steps_on_separable_pairs_raise_implicit_accuracy(family):
    # synthetic pairs are separable: winners are temporally consistent, losers i.i.d. noise
    options = dict(weight="none", beta=500.0, batch_size=4, steps=4, lr=1e-2)
    trainer, pairs = make_trainer(family, **options)
    pairs = pairs + synthetic_pairs(trainer.denoiser, 4, seed=4)
    trainer.pairs = pairs
    assert heldout_implicit_accuracy(trainer, pairs) == 0.0  # fresh LoRA: delta is exactly 0, no pair counts
    trainer.train()
    assert heldout_implicit_accuracy(trainer, pairs) > 0.85
    # control: the same steps on the pairs with winner and loser swapped learn the opposite preference, so the
    # rise above is the preference being learned, not any change of the weights
    swapped, _ = make_trainer(family, **options)
    swapped.pairs = [{**p, "x_w": p["x_l"], "x_l": p["x_w"]} for p in pairs]
    swapped.train()
    assert heldout_implicit_accuracy(swapped, pairs) < 0.15


def test_pair_members_share_noise_timestep_and_condition():
    trainer, pairs = make_trainer("wan")
    seen = []
    forward = trainer.denoiser.__class__.__call__

    def spy(self, noisy, timestep, cond):
        seen.append((noisy, timestep, cond))
        return forward(self, noisy, timestep, cond)

    batch = collate_pairs(pairs[:2])
    batch["x_l"] = batch["x_w"].clone()  # identical videos must get identical inputs
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(trainer.denoiser.__class__, "__call__", spy)
        trainer.compute_loss(batch)
    noisy, timestep, cond = seen[-1]
    assert noisy.shape[0] == 4  # (2B, ...): winners first, losers second
    assert torch.equal(noisy[:2], noisy[2:]) and torch.equal(timestep[:2], timestep[2:])
    assert torch.equal(cond.prompt_embeds[:2], cond.prompt_embeds[2:])


def test_gradient_accumulation_counts_optimizer_steps():
    trainer, _ = make_trainer("cogvideox", grad_accum=2, steps=1, batch_size=1)
    records = trainer.train()
    assert trainer.step == 1 and len(records) == 1


def test_paper_preset_error_names_the_missing_path(tmp_path):
    missing = tmp_path / "no-such-checkpoint"
    with pytest.raises(FileNotFoundError, match="no-such-checkpoint"):
        build_transformer("cogvideox", "paper", model_path=str(missing))
