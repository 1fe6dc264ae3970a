"""Cached preference pairs: latents encoded once, stored as safetensors files with a JSONL index.

Layout of a pair folder::

    index.jsonl            one line per pair: {"id", "file", "s_w", "s_l", "meta"}
    pair-000000.safetensors  tensors x_w, x_l (C, T, H, W), prompt_embeds (S, D), image_latents (C_cond, T, H, W)
                             and optionally image_embeds (N, D_img) and, for dense GAPO, marks_w / marks_l
                             (T_latent,): the fraction of annotators marking each latent frame (losses/dense.py);
                             no batch dimension

Scores are in [0, 1] and ordered (``s_w >= s_l``; winner first). A run restarts from these files without
re-encoding videos or prompts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import torch
from safetensors.torch import load_file, save_file
from torch.utils.data import Dataset

from .denoiser import Condition, Denoiser

TENSOR_KEYS = ("x_w", "x_l", "prompt_embeds", "image_latents")
OPTIONAL_KEYS = ("image_embeds", "marks_w", "marks_l")
INDEX = "index.jsonl"


def write_pairs(root: str | Path, pairs: Iterable[dict], *, overwrite: bool = False) -> Path:
    """Write pairs (dicts of the tensors above plus float ``s_w``, ``s_l`` and optional ``meta``)."""
    root = Path(root)
    if (root / INDEX).exists() and not overwrite:
        raise FileExistsError(f"{root / INDEX} exists; pass overwrite=True or choose another folder")
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    for number, pair in enumerate(pairs):
        s_w, s_l = float(pair["s_w"]), float(pair["s_l"])
        if not (0.0 <= s_l <= s_w <= 1.0):
            raise ValueError(f"pair {number}: need 0 <= s_l <= s_w <= 1 (winner first), got s_w={s_w}, s_l={s_l}")
        missing = [k for k in TENSOR_KEYS if k not in pair]
        if missing:
            raise ValueError(f"pair {number} lacks tensors {missing}; required: {', '.join(TENSOR_KEYS)}")
        name = f"pair-{number:06d}"
        keys = [k for k in TENSOR_KEYS + OPTIONAL_KEYS if pair.get(k) is not None]
        tensors = {k: pair[k].detach().cpu().contiguous() for k in keys}
        save_file(tensors, str(root / f"{name}.safetensors"))
        lines.append(json.dumps({"id": name, "file": f"{name}.safetensors", "s_w": s_w, "s_l": s_l,
                                 "meta": pair.get("meta", {})}))
    (root / INDEX).write_text("\n".join(lines) + "\n")
    return root


class PreferencePairDataset(Dataset):
    """Map-style dataset over a pair folder; items are dicts of tensors (see module docstring)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        index = self.root / INDEX
        if not index.exists():
            raise FileNotFoundError(f"{index} not found; write the pairs first with training.gapo.data.write_pairs")
        self.records = [json.loads(line) for line in index.read_text().splitlines() if line.strip()]
        if not self.records:
            raise ValueError(f"{index} lists no pairs")

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int) -> dict:
        record = self.records[i]
        item = load_file(str(self.root / record["file"]))
        item["s_w"] = torch.tensor(record["s_w"], dtype=torch.float32)
        item["s_l"] = torch.tensor(record["s_l"], dtype=torch.float32)
        return item


def collate_pairs(items: list[dict]) -> dict:
    """Stack items into a batch: tensors ``(B, ...)``, scores ``(B,)``; keys other than tensors are dropped."""
    keys = [k for k in TENSOR_KEYS + OPTIONAL_KEYS + ("s_w", "s_l") if items[0].get(k) is not None]
    return {k: torch.stack([torch.as_tensor(item[k], dtype=torch.float32) for item in items]) for k in keys}


def batch_condition(batch: dict) -> Condition:
    return Condition(batch["prompt_embeds"], batch["image_latents"], batch.get("image_embeds"))


def synthetic_pairs(denoiser: Denoiser, count: int, *, seed: int = 0) -> list[dict]:
    """Random pairs shaped for ``denoiser.spec`` with a learnable preference, as dataset items.

    Winners are temporally consistent (one random frame repeated, plus a little noise); losers are i.i.d.
    noise. Scores are random with ``s_w >= s_l`` so gap weights vary across pairs.
    """
    spec = denoiser.spec
    gen = torch.Generator().manual_seed(seed)
    pairs = []
    for _ in range(count):
        frame = torch.randn(spec.channels, 1, spec.height, spec.width, generator=gen)
        x_w = frame.expand(-1, spec.frames, -1, -1) + 0.1 * torch.randn(
            spec.channels, spec.frames, spec.height, spec.width, generator=gen
        )  # (C, 1, H, W) -> (C, T, H, W)
        x_l = torch.randn(spec.channels, spec.frames, spec.height, spec.width, generator=gen)
        # (C, 1, H, W) -> (1, C, 1, H, W) -> (1, C_cond, T, H, W) -> (C_cond, T, H, W)
        image_latents = denoiser.image_condition(frame[None], spec.frames)[0]
        s_w, s_l = torch.rand(2, generator=gen).sort(descending=True).values  # winner first
        pair = {
            "x_w": x_w.contiguous(),
            "x_l": x_l,
            "prompt_embeds": torch.randn(spec.text_len, spec.text_dim, generator=gen),
            "image_latents": image_latents,
            "s_w": s_w,
            "s_l": s_l,
        }
        if spec.image_tokens:
            pair["image_embeds"] = torch.randn(spec.image_tokens, spec.image_dim, generator=gen)
        pairs.append(pair)
    return pairs
