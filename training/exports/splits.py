"""Deterministic train/test splits by initial-image group. Pure: no ORM, no randomness.

A split group is a connected set of prompts: two prompts belong together when they share a
`split_key`, share an initial image (`initial_image_sha256`), or are linked by a pair (a pair's
two videos should share one prompt, but a link keeps a pair whole even if they do not). So no
initial image, and no pair, can appear on both sides, even when a manifest gave two prompts of
one image different split keys.

A group goes to `test` when `H(salt, key) < test_fraction`, where `key` is the smallest split
key in the group and `H` maps the first 8 bytes of sha256("<salt>\\0<key>") to [0, 1). The same
prompts, salt and fraction always give the same assignment; changing the salt reshuffles.
The realised test share is close to, not exactly, `test_fraction` (groups are indivisible).
"""
from __future__ import annotations

import hashlib
from typing import Hashable, Iterable

TRAIN, TEST = "train", "test"
SPLITS = (TRAIN, TEST)


def unit_hash(salt: str, key: str) -> float:
    """A stable number in [0, 1) for `key` under `salt`."""
    digest = hashlib.sha256(f"{salt}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_for_key(key: str, *, salt: str, test_fraction: float) -> str:
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction!r}")
    return TEST if unit_hash(salt, key) < test_fraction else TRAIN


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}

    def find(self, item: Hashable) -> Hashable:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: Hashable, b: Hashable) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def split_assign(
    prompts: Iterable[tuple[int, str, str]],
    *,
    salt: str,
    test_fraction: float,
    links: Iterable[tuple[int, int]] = (),
) -> dict[int, str]:
    """`{prompt_id: "train" | "test"}` for `(prompt_id, split_key, initial_image_sha256)` rows.

    `links` are extra `(prompt_id, prompt_id)` edges (pairs across prompts); ids not among
    `prompts` are ignored.
    """
    groups = _UnionFind()
    keys: dict[int, str] = {}
    first_by_value: dict[tuple[str, str], int] = {}
    for prompt_id, split_key, image_sha in prompts:
        # A prompt without a split key still needs a stable key of its own.
        keys[prompt_id] = split_key or (f"image:{image_sha}" if image_sha else f"prompt:{prompt_id}")
        groups.find(prompt_id)
        for value in (("key", split_key), ("image", image_sha)):
            if value[1]:
                groups.union(first_by_value.setdefault(value, prompt_id), prompt_id)
    for a, b in links:
        if a in keys and b in keys:
            groups.union(a, b)
    group_key: dict[Hashable, str] = {}
    for prompt_id, split_key in keys.items():
        root = groups.find(prompt_id)
        if root not in group_key or split_key < group_key[root]:
            group_key[root] = split_key
    group_split = {root: split_for_key(key, salt=salt, test_fraction=test_fraction) for root, key in group_key.items()}
    return {prompt_id: group_split[groups.find(prompt_id)] for prompt_id in keys}
