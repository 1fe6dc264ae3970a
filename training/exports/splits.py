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

Something is always held out: with few groups the hash can send none to `test` (8 demo prompts at
0.25 did), and a model measured on an empty split has no accuracy. So when the hash leaves a
dimension without a test group, the train groups nearest the threshold (smallest hash first) move to
`test` until every dimension has one, as long as train keeps at least one group with that dimension.
Data with fewer than two groups cannot be split at all (`MIN_SPLIT_GROUPS`); callers refuse it.
"""
from __future__ import annotations

import hashlib
from typing import Collection, Hashable, Iterable, Mapping

TRAIN, TEST = "train", "test"
SPLITS = (TRAIN, TEST)
MIN_SPLIT_GROUPS = 2  # one to train on, one to hold out


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


def _groups(prompts: Iterable[tuple[int, str, str]], links: Iterable[tuple[int, int]]) -> dict[int, str]:
    """`{prompt_id: group key}`: the smallest split key of the prompt's connected group."""
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
    return {prompt_id: group_key[groups.find(prompt_id)] for prompt_id in keys}


def split_group_count(prompts: Iterable[tuple[int, str, str]], links: Iterable[tuple[int, int]] = ()) -> int:
    """How many indivisible split groups these prompts form."""
    return len(set(_groups(prompts, links).values()))


def split_assign(
    prompts: Iterable[tuple[int, str, str]],
    *,
    salt: str,
    test_fraction: float,
    links: Iterable[tuple[int, int]] = (),
    dimensions_of: Mapping[int, Collection[str]] | None = None,
) -> dict[int, str]:
    """`{prompt_id: "train" | "test"}` for `(prompt_id, split_key, initial_image_sha256)` rows.

    `links` are extra `(prompt_id, prompt_id)` edges (pairs across prompts); ids not among
    `prompts` are ignored. `dimensions_of`: the dimensions each prompt has judgments on (default:
    one shared dimension), for the "every dimension holds something out" rule of the module doc.
    """
    group_of = _groups(prompts, links)
    split_key_of = {key: split_for_key(key, salt=salt, test_fraction=test_fraction) for key in set(group_of.values())}
    if test_fraction > 0 and len(split_key_of) >= MIN_SPLIT_GROUPS:
        dims: dict[str, set[str]] = {key: set() for key in split_key_of}
        for prompt_id, key in group_of.items():
            dims[key].update(dimensions_of.get(prompt_id, ()) if dimensions_of is not None else ("",))
        for key in sorted((k for k, s in split_key_of.items() if s == TRAIN), key=lambda k: unit_hash(salt, k)):
            held = set().union(*(dims[k] for k, s in split_key_of.items() if s == TEST))
            trained = [dims[k] for k, s in split_key_of.items() if s == TRAIN and k != key]
            left_in_train = set().union(*trained) if trained else set()
            # move it if it brings a dimension test lacks, and train keeps every dimension it moves
            if trained and dims[key] - held and dims[key] <= left_in_train:
                split_key_of[key] = TEST
    return {prompt_id: split_key_of[key] for prompt_id, key in group_of.items()}
