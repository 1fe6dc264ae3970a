"""The paper preset's loading path end to end, offline: backbones and tokenizers saved with save_pretrained
into local folders (test-sized, random weights) load through ``from_pretrained``, score, and train LoRA
adapters while the loaded weights stay frozen. Real checkpoints take the same path with their own folders."""

import json

import numpy as np
import pytest
import torch
from transformers import (CLIPConfig, CLIPModel, CLIPTokenizer, CLIPVisionConfig, CLIPVisionModel,
                          Qwen2VLForConditionalGeneration, XCLIPConfig, XCLIPModel)

from training.reward import DIMENSIONS, AnimeReward, RewardConfig
from training.reward.backbones import _vlm_config
from training.reward.models import is_head_parameter
from training.reward.train import RewardTrainer

SIDE, FRAMES = 32, 8
WORDS = ("a", "girl", "boy", "waves", "walks", "jumps", "video", "with", "large", "movement", "stationary")


def _text(vocab_size: int) -> dict:
    return dict(vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                num_attention_heads=4, max_position_embeddings=32, bos_token_id=0, eos_token_id=1, pad_token_id=1)


def _vision() -> dict:
    return dict(image_size=SIDE, patch_size=8, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                num_attention_heads=4)


def _tokenizer(folder) -> CLIPTokenizer:
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for w in WORDS:
        vocab[w + "</w>"] = len(vocab)
    for c in "abcdefghijklmnopqrstuvwxyz0123456789":
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"))


@pytest.fixture(scope="module")
def backbone_paths(tmp_path_factory):
    root = tmp_path_factory.mktemp("paper_backbones")
    tokenizer = _tokenizer(tmp_path_factory.mktemp("vocab"))
    vocab = len(tokenizer)
    torch.manual_seed(0)
    models = {
        "video_regression": CLIPVisionModel(CLIPVisionConfig(**_vision())),
        "video_text": CLIPModel(CLIPConfig(text_config=_text(vocab), vision_config=_vision(), projection_dim=32)),
        "video_image": CLIPModel(CLIPConfig(text_config=_text(vocab), vision_config=_vision(), projection_dim=32)),
        "character": CLIPModel(CLIPConfig(text_config=_text(vocab), vision_config=_vision(), projection_dim=32)),
        "video_text_motion": XCLIPModel(XCLIPConfig(
            text_config=_text(vocab), projection_dim=32, prompt_layers=1,
            vision_config=dict(_vision(), num_frames=FRAMES, mit_hidden_size=32, mit_intermediate_size=64,
                               mit_num_hidden_layers=1, mit_num_attention_heads=4))),
    }
    # released Qwen2-VL checkpoints are *ForConditionalGeneration folders; the scorer keeps the base model
    models["video_vlm"] = Qwen2VLForConditionalGeneration(_vlm_config(RewardConfig(preset="tiny")))
    paths = {}
    for kind, model in models.items():
        folder = root / kind
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        paths[kind] = str(folder)
    return paths


def paper(backbone_paths, **kw):
    return RewardConfig(**{"preset": "paper", "device": "cpu", "backbone_paths": backbone_paths, "frame_size": SIDE,
                           "num_frames": 12, "net_frames": 4, "motion_frames": FRAMES, "batch_size": 2,
                           "steps": 2, **kw})


def test_the_paper_preset_loads_local_folders_and_scores(demo_pairs, backbone_paths):
    video = next(iter(demo_pairs.videos.values()))
    reward = AnimeReward(paper(backbone_paths))
    assert reward.config.scorers["smoothness"] == reward.config.scorers["appeal"] == "video_vlm"
    assert type(reward.model.scorers["appeal"].backbone).__name__ == "Qwen2VLModel"
    frames = np.random.default_rng(1).integers(0, 255, (20, 48, 64, 3), dtype=np.uint8)
    rows = reward.score([video.path, frames], [video.prompt, "a boy jumps"], [video.initial_image, None])
    assert len(rows) == 2
    assert all(set(r) == set(DIMENSIONS) | {"overall"} and all(0 <= v <= 1 for v in r.values()) for r in rows)


def test_the_paper_preset_trains_lora_and_heads_only(demo_pairs, backbone_paths):
    trainer = RewardTrainer(paper(backbone_paths), demo_pairs)
    model = trainer.unwrapped()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n or is_head_parameter(n) for n in trainable)
    trainer.train()
    changed = {n for n, p in model.named_parameters() if not torch.equal(p.detach(), before[n])}
    assert changed <= trainable and any("lora_B" in n for n in changed)
