"""Prompt words as fixed random vectors (feature hashing): a text representation that needs no training and
no vocabulary, for models too small or too fresh to have learnt their own. Never imports Django."""

from __future__ import annotations

import zlib

import numpy as np


def prompt_words(text: str) -> list[str]:
    """Lower-case alphanumeric words in order ("A girl, waving!" -> ["a", "girl", "waving"])."""
    return "".join(c.lower() if c.isalnum() else " " for c in text).split()


def bag_of_words(text: str, dim: int = 64) -> np.ndarray:
    """(dim,) float32, unit length: the mean of one fixed gaussian vector per word (seeded by the word's crc32,
    so every process and machine agrees); zeros for a prompt without words."""
    words = prompt_words(text)
    if not words:
        return np.zeros(dim, np.float32)
    vec = np.mean([np.random.default_rng(zlib.crc32(w.encode())).standard_normal(dim) for w in words], axis=0)
    return (vec / max(np.linalg.norm(vec), 1e-12)).astype(np.float32)
