"""JSON round trip shared by the training config dataclasses (GapoConfig, RewardConfig).

Each config keeps its own `to_dict` (tuples become lists); loading refuses unknown keys so a
typo in a hand-edited config fails loudly, listing the valid keys. Never imports Django.
"""
from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def save_config(config, path: str | Path) -> None:
    Path(path).write_text(json.dumps(config.to_dict(), indent=2, sort_keys=True))


def load_config(cls: type[T], path: str | Path, defaults: dict | None = None) -> T:
    """``defaults`` fill keys the file lacks (fields added after it was saved), before the dataclass's own."""
    data = {**(defaults or {}), **json.loads(Path(path).read_text())}
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{path}: unknown config keys {unknown}; valid keys: {sorted(known)}")
    return cls(**data)
