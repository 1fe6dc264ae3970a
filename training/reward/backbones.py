"""Backbones from transformers, chosen by scorer kind and preset.

tiny / cpu: random-init CLIP / X-CLIP / Qwen2-VL configs (no download) and ``HashTokenizer``; paper: ``from_pretrained``
on ``config.backbone_paths[kind]`` (local folder or hub id) with its own tokenizer, and a clear error naming
the path when the weights are not there.
"""

from __future__ import annotations

import re
import zlib

import torch
from transformers import (CLIPConfig, CLIPModel, CLIPVisionConfig, CLIPVisionModel, Qwen2VLConfig, Qwen2VLModel,
                          XCLIPConfig, XCLIPModel)

from .config import RewardConfig

# CLIP's pixel normalisation; the paper backbones were trained with it and the tiny ones do not care.
PIXEL_MEAN = (0.48145466, 0.4578275, 0.40821073)
PIXEL_STD = (0.26862954, 0.26130258, 0.27577711)
TINY_VOCAB = 1000
TEXT_LENGTH = 16
ERR_MISSING = ("could not load the {kind} backbone from {path!r} ({error}); put the weights there or set "
               "backbone_paths[{kind!r}] to a local folder / hub id that holds them (offline: HF_HUB_OFFLINE=1 "
               "allows local folders and the local hub cache only)")


class HashTokenizer:
    """Word-hashing tokenizer for random-init text towers: bos=1, pad=0, eos=vocab-1, words -> [2, vocab-2].
    Deterministic across processes (crc32), so a saved tiny model scores the same after loading."""

    def __init__(self, vocab_size: int = TINY_VOCAB, max_length: int = TEXT_LENGTH):
        self.vocab_size, self.max_length = vocab_size, max_length

    def __call__(self, texts: list[str]) -> dict[str, torch.Tensor]:
        ids = torch.zeros(len(texts), self.max_length, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, text in enumerate(texts):
            words = re.findall(r"[a-z0-9]+", text.lower())[: self.max_length - 2]
            toks = [1] + [2 + zlib.crc32(w.encode()) % (self.vocab_size - 3) for w in words] + [self.vocab_size - 1]
            ids[row, : len(toks)] = torch.tensor(toks)
            mask[row, : len(toks)] = 1
        return {"input_ids": ids, "attention_mask": mask}


class HFTokenizer:
    """A pretrained tokenizer with the same call signature as HashTokenizer."""

    def __init__(self, path: str, max_length: int = 32):
        from transformers import AutoTokenizer

        self.tok, self.max_length = AutoTokenizer.from_pretrained(path), max_length

    def __call__(self, texts: list[str]) -> dict[str, torch.Tensor]:
        out = self.tok(list(texts), padding="max_length", truncation=True, max_length=self.max_length,
                       return_tensors="pt")
        return {"input_ids": out["input_ids"], "attention_mask": out["attention_mask"]}


def _text_config(c: RewardConfig) -> dict:
    return dict(vocab_size=TINY_VOCAB, hidden_size=c.hidden_size, intermediate_size=2 * c.hidden_size,
                num_hidden_layers=c.num_layers, num_attention_heads=4, max_position_embeddings=TEXT_LENGTH,
                bos_token_id=1, eos_token_id=TINY_VOCAB - 1, pad_token_id=0)


def _vision_config(c: RewardConfig) -> dict:
    return dict(image_size=c.frame_size, patch_size=max(4, c.frame_size // 4), hidden_size=c.hidden_size,
                intermediate_size=2 * c.hidden_size, num_hidden_layers=c.num_layers, num_attention_heads=4)


# Special token ids of the random-init Qwen2-VL: just past HashTokenizer's range (which ends at TINY_VOCAB - 1).
VLM_IMAGE, VLM_VIDEO, VLM_START, VLM_END = TINY_VOCAB, TINY_VOCAB + 1, TINY_VOCAB + 2, TINY_VOCAB + 3


def _vlm_config(c: RewardConfig) -> Qwen2VLConfig:
    """A test-sized Qwen2-VL: 4-px patches merged 2x2, frame pairs as temporal patches."""
    head_dim = c.hidden_size // 4
    quarter = head_dim // 8  # M-RoPE splits head_dim / 2 rotary pairs into (time, height, width) sections
    sections = [head_dim // 2 - 2 * quarter, quarter, quarter]
    return Qwen2VLConfig(
        text_config=dict(vocab_size=TINY_VOCAB + 8, hidden_size=c.hidden_size, intermediate_size=2 * c.hidden_size,
                         num_hidden_layers=c.num_layers, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=4096, bos_token_id=1, eos_token_id=TINY_VOCAB - 1, pad_token_id=0,
                         rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "mrope_section": sections}),
        vision_config=dict(depth=c.num_layers, embed_dim=c.hidden_size, hidden_size=c.hidden_size, num_heads=4,
                           patch_size=4, spatial_merge_size=2, temporal_patch_size=2, in_channels=3),
        image_token_id=VLM_IMAGE, video_token_id=VLM_VIDEO, vision_start_token_id=VLM_START,
        vision_end_token_id=VLM_END)


def _load_vlm(path: str) -> Qwen2VLModel:
    """The base model of a Qwen2-VL checkpoint (released as *ForConditionalGeneration; the LM head is dropped)."""
    from transformers import Qwen2VLForConditionalGeneration

    return Qwen2VLForConditionalGeneration.from_pretrained(path).model


def build_backbone(kind: str, config: RewardConfig):
    """(model, tokenizer or None) for one scorer kind."""
    needs_text = kind in ("video_text", "video_text_motion", "video_vlm")
    if config.preset == "paper":
        path = config.backbone_paths[kind]
        load = {"video_text_motion": XCLIPModel.from_pretrained, "video_regression": CLIPVisionModel.from_pretrained,
                "video_vlm": _load_vlm}.get(kind, CLIPModel.from_pretrained)
        try:
            model = load(path)
            tokenizer = HFTokenizer(path) if needs_text else None
        except (OSError, ValueError) as exc:
            raise FileNotFoundError(ERR_MISSING.format(kind=kind, path=path, error=type(exc).__name__)) from exc
        return model, tokenizer
    if kind == "video_vlm":
        return Qwen2VLModel(_vlm_config(config)), HashTokenizer()
    if kind == "video_text_motion":
        vision = dict(_vision_config(config), num_frames=config.motion_frames, mit_hidden_size=config.hidden_size,
                      mit_intermediate_size=2 * config.hidden_size, mit_num_hidden_layers=1,
                      mit_num_attention_heads=4)
        model = XCLIPModel(XCLIPConfig(text_config=_text_config(config), vision_config=vision,
                                       projection_dim=config.hidden_size, prompt_layers=1))
    elif kind == "video_regression":
        model = CLIPVisionModel(CLIPVisionConfig(**_vision_config(config)))
    else:
        model = CLIPModel(CLIPConfig(text_config=_text_config(config), vision_config=_vision_config(config),
                                     projection_dim=config.hidden_size))
    return model, (HashTokenizer() if needs_text else None)


def pooled(output) -> torch.Tensor:
    """transformers 5 returns a ModelOutput from get_*_features; older versions return the tensor."""
    return output.pooler_output if hasattr(output, "pooler_output") else output
