"""training/gapo/lora_io: GAPO checkpoints load through diffusers' ``pipe.load_lora_weights`` on toy
CogVideoX-I2V and Wan-I2V pipeline folders (``from_pretrained``), at the trained alpha; old
``lora.safetensors`` folders still resume and sample."""

import shutil

import pytest
import torch
from safetensors.torch import save_file

from training.gapo.config import GapoConfig
from training.gapo.data import batch_condition, collate_pairs, synthetic_pairs
from training.gapo.lora_io import LEGACY_LORA_WEIGHTS, LORA_WEIGHTS, load_lora
from training.gapo.models import DENOISER_CLASSES, build_denoiser, build_transformer
from training.gapo.toy_pipeline import save_toy_cogvideox_pipeline, save_toy_wan_pipeline
from training.gapo.trainer import GapoTrainer, latest_checkpoint

RANK, ALPHA = 4, 8  # scale alpha / rank = 2: a loader that drops alpha (scale 1) gets the output wrong
TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def pipeline_folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("toy_pipelines")
    return {"cogvideox": save_toy_cogvideox_pipeline(root / "cogvideox_i2v"),
            "wan": save_toy_wan_pipeline(root / "wan_i2v")}


def pipeline_class(family):
    from diffusers import CogVideoXImageToVideoPipeline, WanImageToVideoPipeline

    return {"cogvideox": CogVideoXImageToVideoPipeline, "wan": WanImageToVideoPipeline}[family]


def train_on_folder(family, folder, tmp_path, steps=3):
    config = GapoConfig(family=family, preset="paper", model_path=str(folder), lora_rank=RANK, lora_alpha=ALPHA,
                        batch_size=2, steps=steps, lr=1e-2, beta=500.0, device="cpu",
                        checkpoint_dir=str(tmp_path / "checkpoints"))
    denoiser = build_denoiser(config)
    pairs = synthetic_pairs(denoiser, 4, seed=3)
    trainer = GapoTrainer(config, denoiser, pairs)
    trainer.train()
    return trainer, pairs, latest_checkpoint(tmp_path / "checkpoints")


def probe_inputs(trainer, pairs):
    """A fixed noisy input, timestep and condition (one pair's winner, noised half way)."""
    batch = collate_pairs(pairs[:1])
    gen = torch.Generator().manual_seed(7)
    t = trainer.noise.sample_t(1, gen, torch.device("cpu"))
    noised = trainer.noise.prepare(batch["x_w"], torch.randn(batch["x_w"].shape, generator=gen), t)
    return noised.noisy, noised.timestep, batch_condition(batch)


@pytest.mark.parametrize("family", ["cogvideox", "wan"])
def test_pipe_load_lora_weights_reproduces_the_trained_model(family, pipeline_folders, tmp_path):
    from diffusers import DiffusionPipeline

    folder = pipeline_folders[family]
    cls = pipeline_class(family)
    assert type(DiffusionPipeline.from_pretrained(folder)) is cls  # model_index.json names the pipeline
    pipe = cls.from_pretrained(folder)

    trainer, pairs, checkpoint = train_on_folder(family, folder, tmp_path)
    assert (checkpoint / LORA_WEIGHTS).exists() and not (checkpoint / LEGACY_LORA_WEIGHTS).exists()
    noisy, timestep, cond = probe_inputs(trainer, pairs)
    with torch.no_grad():
        trained = trainer.denoiser(noisy, timestep, cond)
        with trainer.denoiser.reference():
            base = trainer.denoiser(noisy, timestep, cond)
        probe = DENOISER_CLASSES[family](pipe.transformer)
        before = probe(noisy, timestep, cond)
        pipe.load_lora_weights(checkpoint)
        after = probe(noisy, timestep, cond)

    assert torch.allclose(before, base, atol=TOLERANCE)
    assert (trained - base).abs().max() > 1000 * TOLERANCE, "the LoRA should have moved the output"
    assert torch.allclose(after, trained, atol=TOLERANCE), (after - trained).abs().max()
    scalings = {s for m in pipe.transformer.modules() if hasattr(m, "scaling") for s in m.scaling.values()}
    assert scalings == {ALPHA / RANK}


def test_old_lora_safetensors_folders_still_resume_and_sample(pipeline_folders, tmp_path):
    family, folder = "cogvideox", pipeline_folders["cogvideox"]
    trainer, pairs, checkpoint = train_on_folder(family, folder, tmp_path)
    legacy = tmp_path / "legacy" / "step-000003"  # what the trainer wrote before the diffusers format
    legacy.mkdir(parents=True)
    save_file(trainer.denoiser.lora_state_dict(), str(legacy / LEGACY_LORA_WEIGHTS))
    for name in ("config.json", "trainer_state.json", "optimizer.pt"):
        shutil.copy(checkpoint / name, legacy / name)

    resumed = GapoTrainer(trainer.config, build_denoiser(GapoConfig(**{**trainer.config.to_dict(), "seed": 5})),
                          pairs)
    resumed.load_checkpoint(legacy)
    saved, loaded = trainer.denoiser.lora_state_dict(), resumed.denoiser.lora_state_dict()
    assert saved.keys() == loaded.keys() and all(torch.equal(saved[k], loaded[k]) for k in saved)
    assert resumed.step == 3

    noisy, timestep, cond = probe_inputs(trainer, pairs)
    base_model = build_transformer(family, "paper", model_path=str(folder))
    load_lora(base_model, legacy, family)
    with torch.no_grad():
        assert torch.allclose(DENOISER_CLASSES[family](base_model)(noisy, timestep, cond),
                              trainer.denoiser(noisy, timestep, cond), atol=TOLERANCE)


def test_a_folder_without_lora_weights_names_both_file_names(tmp_path):
    model = build_transformer("cogvideox")
    with pytest.raises(FileNotFoundError, match=f"{LORA_WEIGHTS}.*{LEGACY_LORA_WEIGHTS}"):
        load_lora(model, tmp_path, "cogvideox")
