"""Helpers for reading a built version back."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from training.exports.services import version_folder
from training.exports.writer import parquet_path


def read_table(version_id: int, table: str, split: str | None = None) -> pa.Table:
    splits = [split] if split else ["train", "test"]
    return pa.concat_tables(pq.read_table(version_folder(version_id) / parquet_path(table, s)) for s in splits)


def file_hashes(version) -> dict[str, str]:
    return dict(version.files.values_list("path", "sha256"))
