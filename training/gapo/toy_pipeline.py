"""A test-sized CogVideoX image-to-video *pipeline folder* (transformer/, vae/, text_encoder/,
tokenizer/, scheduler/ written with save_pretrained, random weights): what a real
CogVideoX-5b-I2V folder holds, at toy size, so the `paper` preset's loading and codec code runs
offline (tests, and a GPU smoke run of the studio GAPO job). Toy geometry: 16x16 pixels, 9 frames
= 2x2x3 latents."""
from __future__ import annotations

from pathlib import Path

import torch

TOY_HEIGHT = TOY_WIDTH = 16
TOY_FRAMES = 9
TOY_WORDS = "a girl waves runs jumps smiles"


def save_toy_cogvideox_pipeline(root: str | Path, *, seed: int = 0) -> Path:
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXTransformer3DModel
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, T5Config, T5EncoderModel

    from .models import TINY_CONFIGS

    root = Path(root)
    torch.manual_seed(seed)
    CogVideoXTransformer3DModel(**TINY_CONFIGS["cogvideox"]).save_pretrained(root / "transformer")
    AutoencoderKLCogVideoX(in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
                           up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8),
                           latent_channels=4, layers_per_block=1, norm_num_groups=2,
                           temporal_compression_ratio=4).save_pretrained(root / "vae")
    T5EncoderModel(T5Config(vocab_size=64, d_model=32, d_kv=8, d_ff=37, num_layers=1, num_heads=2)).save_pretrained(
        root / "text_encoder")
    vocab = {"[PAD]": 0, "[UNK]": 1, **{w: i + 2 for i, w in enumerate(TOY_WORDS.split())}}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="[PAD]", unk_token="[UNK]").save_pretrained(
        root / "tokenizer")
    CogVideoXDDIMScheduler(prediction_type="v_prediction").save_pretrained(root / "scheduler")
    return root
