"""The `paper` preset's loading and codec code on a pipeline folder of test-sized random-init
diffusers/transformers parts saved with save_pretrained (what a real CogVideoX-5b-I2V folder holds,
at toy size): transformer/, vae/, text_encoder/, tokenizer/, scheduler/."""
from __future__ import annotations

import numpy as np
import pytest
import torch


@pytest.fixture(scope="module")
def cogvideox_folder(tmp_path_factory):
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXTransformer3DModel
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, T5Config, T5EncoderModel

    from training.gapo.models import TINY_CONFIGS

    root = tmp_path_factory.mktemp("cogvideox_i2v_toy")
    torch.manual_seed(0)
    CogVideoXTransformer3DModel(**TINY_CONFIGS["cogvideox"]).save_pretrained(root / "transformer")
    AutoencoderKLCogVideoX(in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
                           up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8),
                           latent_channels=4, layers_per_block=1, norm_num_groups=2,
                           temporal_compression_ratio=4).save_pretrained(root / "vae")
    T5EncoderModel(T5Config(vocab_size=64, d_model=32, d_kv=8, d_ff=37, num_layers=1, num_heads=2)).save_pretrained(
        root / "text_encoder")
    vocab = {"[PAD]": 0, "[UNK]": 1, **{w: i + 2 for i, w in enumerate("a girl waves runs jumps smiles".split())}}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="[PAD]", unk_token="[UNK]").save_pretrained(
        root / "tokenizer")
    CogVideoXDDIMScheduler(prediction_type="v_prediction").save_pretrained(root / "scheduler")
    return root


def test_a_paper_folder_runs_the_whole_studio_job(cogvideox_folder, tmp_path):
    from training.gapo.config import GapoConfig
    from training.gapo.rewards import HandcraftedReward
    from training.gapo.studio import JobOptions, StudioPrompt, run_studio_job
    from training.gapo import paper_codec

    rng = np.random.default_rng(0)
    prompts = [StudioPrompt(str(i), f"a girl {w}", rng.integers(0, 255, (40, 56, 3), dtype=np.uint8))
               for i, w in enumerate(["waves", "runs", "jumps"])]
    config = GapoConfig(family="cogvideox", preset="paper", model_path=str(cogvideox_folder), steps=2, device="cpu")
    original = paper_codec.PaperCodec.__init__

    def toy_size(self, config, **kwargs):  # 16x16 pixels, 9 frames = the toy transformer's 2x2x3 latents
        original(self, config, height=16, width=16, frames=9, device="cpu")

    paper_codec.PaperCodec.__init__ = toy_size
    try:
        result = run_studio_job(config, train_prompts=prompts[:2], eval_prompts=prompts[2:],
                                scorer=HandcraftedReward(), out_dir=tmp_path, options=JobOptions(k=2, sample_steps=2))
    finally:
        paper_codec.PaperCodec.__init__ = original
    assert result["status"] == "completed" and result["train"]["step"] == 2
    assert result["pairs"]["pairs"] == 2
    assert (tmp_path / "eval" / "videos").is_dir() and any((tmp_path / "eval" / "videos").glob("*.mp4"))


def test_a_missing_part_names_the_folder_to_provide(cogvideox_folder, tmp_path):
    import shutil

    from training.gapo.config import GapoConfig
    from training.gapo.paper_codec import PaperCodec

    partial = tmp_path / "pipeline"
    shutil.copytree(cogvideox_folder, partial)
    shutil.rmtree(partial / "vae")
    with pytest.raises(FileNotFoundError, match=r"could not load vae of cogvideox from .*pipeline"):
        PaperCodec(GapoConfig(family="cogvideox", preset="paper", model_path=str(partial)))
