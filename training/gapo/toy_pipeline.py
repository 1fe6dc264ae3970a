"""Test-sized image-to-video *pipeline folders* (random weights) written with the pipeline's own
``save_pretrained``: ``model_index.json`` plus ``transformer/``, ``vae/``, ``text_encoder/``, ``tokenizer/``,
``scheduler/`` (Wan also ``image_encoder/``, ``image_processor/``), what a real CogVideoX-5b-I2V or
Wan2.1-I2V folder holds, at toy size. ``CogVideoXImageToVideoPipeline.from_pretrained(folder)`` (or
``DiffusionPipeline.from_pretrained``) loads them, and the ``paper`` preset's loading and codec code runs
offline on them (tests, and a GPU smoke run of the studio GAPO job).

Toy geometry, CogVideoX: 16x16 pixels, 9 frames = 2x2x3 latents. Wan: the tiny Wan transformer of
``models.TINY_CONFIGS`` behind a 3-level Wan VAE (16 latent channels) and a 4-wide CLIP image encoder."""
from __future__ import annotations

from pathlib import Path

import torch

TOY_HEIGHT = TOY_WIDTH = 16
TOY_FRAMES = 9
TOY_WORDS = "a girl waves runs jumps smiles"


def _toy_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[PAD]": 0, "[UNK]": 1, **{w: i + 2 for i, w in enumerate(TOY_WORDS.split())}}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="[PAD]", unk_token="[UNK]")


def save_toy_cogvideox_pipeline(root: str | Path, *, seed: int = 0) -> Path:
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDDIMScheduler,
        CogVideoXImageToVideoPipeline,
        CogVideoXTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel

    from .models import TINY_CONFIGS

    root = Path(root)
    torch.manual_seed(seed)
    pipe = CogVideoXImageToVideoPipeline(
        tokenizer=_toy_tokenizer(),
        text_encoder=T5EncoderModel(T5Config(vocab_size=64, d_model=32, d_kv=8, d_ff=37, num_layers=1, num_heads=2)),
        vae=AutoencoderKLCogVideoX(in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
                                   up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8),
                                   latent_channels=4, layers_per_block=1, norm_num_groups=2,
                                   temporal_compression_ratio=4),
        transformer=CogVideoXTransformer3DModel(**TINY_CONFIGS["cogvideox"]),
        scheduler=CogVideoXDDIMScheduler(prediction_type="v_prediction"),
    )
    pipe.save_pretrained(root)
    return root


def save_toy_wan_pipeline(root: str | Path, *, seed: int = 0) -> Path:
    """A Wan 2.1 I2V folder at toy size (shapes after diffusers' own ``WanImageToVideoPipeline`` tests)."""
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanImageToVideoPipeline,
        WanTransformer3DModel,
    )
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel, UMT5Config, UMT5EncoderModel

    from .models import TINY_CONFIGS

    root = Path(root)
    torch.manual_seed(seed)
    image_dim = TINY_CONFIGS["wan"]["image_dim"]
    pipe = WanImageToVideoPipeline(
        tokenizer=_toy_tokenizer(),
        text_encoder=UMT5EncoderModel(UMT5Config(vocab_size=64, d_model=TINY_CONFIGS["wan"]["text_dim"], d_kv=8,
                                                 d_ff=37, num_layers=1, num_heads=2)),
        vae=AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                             temperal_downsample=[False, True, True]),
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        image_processor=CLIPImageProcessor(crop_size=32, size=32),
        image_encoder=CLIPVisionModel(CLIPVisionConfig(hidden_size=image_dim, projection_dim=image_dim,
                                                       num_hidden_layers=2, num_attention_heads=2, image_size=32,
                                                       intermediate_size=16, patch_size=1)),
        transformer=WanTransformer3DModel(**TINY_CONFIGS["wan"]),
    )
    pipe.save_pretrained(root)
    return root
