"""On-policy preference pairs: sample K candidates per (prompt, initial image) with the current model, score
them with a reward callable, keep winner/loser pairs and cache them with ``write_pairs``.

    items = [PromptItem(key, prompt, prompt_embeds, image_latents, initial_image), ...]
    stats = write_onpolicy_pairs("runs/pairs-r1", denoiser, noise, items, scorer, decode,
                                 k=4, steps=20, select="best_worst", min_gap=0.05)

``decode(latents, cond)`` maps latents ``(B, C, T, H, W)`` and their batched ``Condition`` to uint8 videos
``(B, T, H, W, 3)`` (a VAE decode for real models, which ignores ``cond``; the reproduction's codec adds the
initial image from ``cond`` back). ``scorer`` follows ``training.gapo.rewards`` (the
``AnimeReward.score`` interface). Pairs store the candidates' *latents*, so training restarts without
sampling, decoding or scoring again; ``s_w``/``s_l`` are the chosen dimension's scores in [0, 1] that the
GAPO gap weight needs.

Selection (per prompt, on the chosen dimension):
* ``best_worst``: the best against the worst candidate (the paper's recipe), kept if the gap >= ``min_gap``;
* ``all``: every candidate pair whose gap is >= ``min_gap`` (K(K-1)/2 at most), winner first.
Exact ties never make a pair (a pair with s_w == s_l carries no preference).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .data import INDEX, write_pairs
from .denoiser import Condition, Denoiser
from .rewards import Scorer, score_table
from .sampling import sample
from .targets import NoiseProcess

SELECT_MODES = ("best_worst", "all")
CANDIDATES = "candidates.jsonl"
Decode = Callable[[torch.Tensor, Condition], np.ndarray]


@dataclass
class PromptItem:
    """One (prompt, initial image) to generate for; tensors have no batch dimension."""

    key: str
    prompt: str
    prompt_embeds: torch.Tensor  # (S, D_text)
    image_latents: torch.Tensor  # (C_cond, T, H, W), as Denoiser.image_condition builds it
    initial_image: np.ndarray  # (H, W, 3) uint8, what the scorer compares against
    image_embeds: torch.Tensor | None = None  # (N, D_img), Wan 2.1 I2V only


def stack_condition(items: list[PromptItem]) -> Condition:
    """Items -> batched ``Condition`` ``(B, ...)``."""
    embeds = None if items[0].image_embeds is None else torch.stack([i.image_embeds for i in items])
    return Condition(torch.stack([i.prompt_embeds for i in items]), torch.stack([i.image_latents for i in items]),
                     embeds)


def item_noise(denoiser: Denoiser, seed: int, index: int, count: int) -> torch.Tensor:
    """``(count, C, T, H, W)`` starting noise for item ``index``; independent of how items are batched."""
    spec = denoiser.spec
    gen = torch.Generator().manual_seed(seed * 1_000_003 + index)
    return torch.randn(count, spec.channels, spec.frames, spec.height, spec.width, generator=gen)


def generate(denoiser: Denoiser, noise: NoiseProcess, items: list[PromptItem], decode: Decode, *,
             k: int, steps: int, seed: int, batch_size: int = 8) -> tuple[torch.Tensor, np.ndarray]:
    """``k`` samples per item from the denoiser as it is: latents ``(N, k, C, T, H, W)`` (float32, CPU) and
    uint8 videos ``(N, k, T, H', W', 3)``."""
    rows = [(i, j) for i in range(len(items)) for j in range(k)]  # flat (item, candidate) order
    starts = {i: item_noise(denoiser, seed, i, k) for i in range(len(items))}
    latents, videos = [], []
    for start in range(0, len(rows), batch_size):
        chunk = rows[start : start + batch_size]
        cond = stack_condition([items[i] for i, _ in chunk])
        x_T = torch.stack([starts[i][j] for i, j in chunk])  # (b, C, T, H, W)
        x0 = sample(denoiser, noise, cond, x_T, steps=steps).cpu()
        latents.append(x0)
        videos.append(np.asarray(decode(x0, cond)))
    lat = torch.cat(latents).reshape(len(items), k, *latents[0].shape[1:])  # (N*k, ...) -> (N, k, ...)
    vid = np.concatenate(videos).reshape(len(items), k, *videos[0].shape[1:])
    return lat, vid


def select_pairs(scores: torch.Tensor, *, mode: str = "best_worst", min_gap: float = 0.0) -> list[tuple[int, int]]:
    """(winner, loser) candidate indices for one prompt's ``(K,)`` scores; see the module docstring."""
    if mode not in SELECT_MODES:
        raise ValueError(f"select={mode!r} is not valid; valid values: {', '.join(SELECT_MODES)}")
    if mode == "best_worst":
        best, worst = int(scores.argmax()), int(scores.argmin())
        gap = float(scores[best] - scores[worst])
        return [(best, worst)] if gap > 0 and gap >= min_gap else []
    pairs = []
    for a in range(len(scores)):
        for b in range(len(scores)):
            gap = float(scores[a] - scores[b])
            if gap > 0 and gap >= min_gap:
                pairs.append((a, b))
    return pairs


def onpolicy_pairs(denoiser: Denoiser, noise: NoiseProcess, items: list[PromptItem], scorer: Scorer,
                   decode: Decode, *, k: int = 4, steps: int = 20, select: str = "best_worst",
                   min_gap: float = 0.0, dimension: str = "overall", seed: int = 0,
                   batch_size: int = 8) -> tuple[list[dict], list[dict]]:
    """Generate, score and pair. Returns ``(pairs, candidates)``: pair dicts ready for ``write_pairs`` and one
    record per candidate ``{"key", "candidate", scores...}``."""
    if k < 2:
        raise ValueError(f"k must be >= 2 to form a pair, got {k}")
    if select not in SELECT_MODES:
        raise ValueError(f"select={select!r} is not valid; valid values: {', '.join(SELECT_MODES)}")
    latents, videos = generate(denoiser, noise, items, decode, k=k, steps=steps, seed=seed, batch_size=batch_size)
    flat_videos = [videos[i, j] for i in range(len(items)) for j in range(k)]
    table = score_table(scorer, flat_videos, [it.prompt for it in items for _ in range(k)],
                        [it.initial_image for it in items for _ in range(k)])
    if dimension not in table:
        raise ValueError(f"dimension {dimension!r} is not scored; the scorer returns {', '.join(table)}")
    table = {d: v.reshape(len(items), k) for d, v in table.items()}  # (N*k,) -> (N, k)
    pairs, candidates = [], []
    for i, item in enumerate(items):
        scores = table[dimension][i].clamp(0.0, 1.0)
        for j in range(k):
            candidates.append({"key": item.key, "candidate": j, **{d: float(v[i, j]) for d, v in table.items()}})
        for w, l in select_pairs(scores, mode=select, min_gap=min_gap):
            pair = {"x_w": latents[i, w], "x_l": latents[i, l], "prompt_embeds": item.prompt_embeds,
                    "image_latents": item.image_latents, "s_w": float(scores[w]), "s_l": float(scores[l]),
                    "meta": {"key": item.key, "prompt": item.prompt, "winner": w, "loser": l, "dimension": dimension,
                             "scores_w": {d: float(v[i, w]) for d, v in table.items()},
                             "scores_l": {d: float(v[i, l]) for d, v in table.items()}}}
            if item.image_embeds is not None:
                pair["image_embeds"] = item.image_embeds
            pairs.append(pair)
    return pairs, candidates


def write_onpolicy_pairs(root: str | Path, denoiser: Denoiser, noise: NoiseProcess, items: list[PromptItem],
                         scorer: Scorer, decode: Decode, **options) -> dict:
    """``onpolicy_pairs`` into a pair folder (plus ``candidates.jsonl``); an existing folder is reused as is.

    Returns ``{"pairs", "prompts", "candidates", "mean_gap", "reused"}``; ``options`` are ``onpolicy_pairs``'s.
    """
    root = Path(root)
    if (root / INDEX).exists():
        records = [json.loads(line) for line in (root / INDEX).read_text().splitlines() if line.strip()]
        return _summary(records, root, reused=True)
    pairs, candidates = onpolicy_pairs(denoiser, noise, items, scorer, decode, **options)
    if not pairs:
        raise ValueError("no candidate pair reached min_gap; lower min_gap, raise k or check the scorer's spread")
    write_pairs(root, pairs)
    (root / CANDIDATES).write_text("".join(json.dumps(c) + "\n" for c in candidates))
    records = [{"s_w": p["s_w"], "s_l": p["s_l"], "meta": p["meta"]} for p in pairs]
    return _summary(records, root, reused=False)


def _summary(records: list[dict], root: Path, *, reused: bool) -> dict:
    candidates = root / CANDIDATES
    count = sum(1 for line in candidates.read_text().splitlines() if line.strip()) if candidates.exists() else None
    return {"pairs": len(records), "prompts": len({r["meta"].get("key") for r in records}), "candidates": count,
            "mean_gap": float(np.mean([r["s_w"] - r["s_l"] for r in records])), "reused": reused}
