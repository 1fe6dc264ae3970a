"""The frozen description of a dataset version and the hashes derived from it. No ORM.

The description is everything that decides a version's content: which campaigns and
dimensions, the filters, the split policy and the schema version. Its canonical JSON (sorted
keys, no spaces, ASCII) is what gets hashed, so two versions with equal descriptions built
from the same database rows produce the same files and the same version hash.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

# Bump when a table's columns or meaning change; it is part of every description (and hash).
SCHEMA_VERSION = 1
DEFAULT_SPLIT_SALT = "animereward-split-v1"
DEFAULT_TEST_FRACTION = 0.2
# annotation.quality.consensus.DEFAULT_TIE_BAND (a test keeps them equal); not imported so that
# models and the API do not load scipy.
DEFAULT_TIE_BAND = 0.5
# What a split group is made of (documented in the card): prompts sharing a split key, an
# initial image, or a pair always land on the same side.
SPLIT_GROUPING = "prompt.split_key | prompt.initial_image_sha256 | pair"

MSG_NO_CAMPAIGNS = "Name at least one campaign to export."
MSG_NO_DIMENSIONS = "Name at least one dimension to export (or leave it empty to take the campaigns' dimensions)."
MSG_MIN_VOTES = "min_votes_per_pair must be an integer >= 1 (1 keeps every judged pair), got {!r}."
MSG_MIN_AGREEMENT = "min_agreement must be in [0, 1] (share of votes on the plurality side; 0 keeps all), got {!r}."
MSG_TEST_FRACTION = "test_fraction must be in [0, 1) (e.g. 0.2 for a fifth of the initial images), got {!r}."
MSG_NAIVE_CUTOFF = "judged_before must be timezone-aware (e.g. 2026-05-01T00:00:00Z)."
MSG_SALT = "split_salt must be 1..64 printable characters, got {!r}."


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class DatasetDescription:
    """What a version contains; validated and normalised (sorted, de-duplicated) on creation."""

    campaign_ids: tuple[int, ...]
    dimension_keys: tuple[str, ...]
    judged_before: datetime
    min_votes_per_pair: int = 1
    min_agreement: float = 0.0
    test_fraction: float = DEFAULT_TEST_FRACTION
    split_salt: str = DEFAULT_SPLIT_SALT
    tie_band: float = DEFAULT_TIE_BAND
    schema_version: int = SCHEMA_VERSION
    split_grouping: str = field(default=SPLIT_GROUPING)

    def __post_init__(self) -> None:
        campaigns = tuple(sorted({int(c) for c in self.campaign_ids}))
        dimensions = tuple(sorted({str(k) for k in self.dimension_keys}))
        if not campaigns:
            raise ValueError(MSG_NO_CAMPAIGNS)
        if not dimensions:
            raise ValueError(MSG_NO_DIMENSIONS)
        if isinstance(self.min_votes_per_pair, bool) or not isinstance(self.min_votes_per_pair, int) \
                or self.min_votes_per_pair < 1:
            raise ValueError(MSG_MIN_VOTES.format(self.min_votes_per_pair))
        if not 0.0 <= float(self.min_agreement) <= 1.0:
            raise ValueError(MSG_MIN_AGREEMENT.format(self.min_agreement))
        if not 0.0 <= float(self.test_fraction) < 1.0:
            raise ValueError(MSG_TEST_FRACTION.format(self.test_fraction))
        if self.judged_before.tzinfo is None:
            raise ValueError(MSG_NAIVE_CUTOFF)
        if not 1 <= len(self.split_salt) <= 64 or not self.split_salt.isprintable():
            raise ValueError(MSG_SALT.format(self.split_salt))
        object.__setattr__(self, "campaign_ids", campaigns)
        object.__setattr__(self, "dimension_keys", dimensions)
        object.__setattr__(self, "min_agreement", float(self.min_agreement))
        object.__setattr__(self, "test_fraction", float(self.test_fraction))
        object.__setattr__(self, "tie_band", float(self.tie_band))
        object.__setattr__(self, "judged_before", self.judged_before.astimezone(timezone.utc))

    def as_dict(self) -> dict:
        return {
            "schema_version": self.schema_version,
            "campaign_ids": list(self.campaign_ids),
            "dimension_keys": list(self.dimension_keys),
            "filters": {
                "min_votes_per_pair": self.min_votes_per_pair,
                "min_agreement": self.min_agreement,
                "judged_before": _utc_iso(self.judged_before),
            },
            "split": {
                "grouping": self.split_grouping,
                "salt": self.split_salt,
                "test_fraction": self.test_fraction,
            },
            "consensus": {"tie_band": self.tie_band},
        }

    def canonical_json(self) -> str:
        return canonical_json(self.as_dict())

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("ascii")).hexdigest()


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def version_sha256(description_json: str, files: Iterable[tuple[str, str]]) -> str:
    """sha256 of the canonical description followed by a `sha256sum`-style listing of every
    file (`<sha256>  <path>` lines, sorted by path): equal content gives an equal hash."""
    digest = hashlib.sha256()
    digest.update(b"description\n")
    digest.update(description_json.encode("ascii"))
    digest.update(b"\nfiles\n")
    for path, sha in sorted(files):
        digest.update(f"{sha}  {path}\n".encode())
    return digest.hexdigest()
