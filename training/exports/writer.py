"""Streaming, deterministic writer of one export table into Parquet and JSONL. No ORM.

Layout under a version folder (a Hugging Face `datasets` folder; the card lists it):

    data/<table>/<split>-00000-of-00001.parquet
    jsonl/<table>/<split>-00000-of-00001.jsonl

Memory stays flat: record batches go straight to the JSONL file and into a Parquet row group
buffer that is flushed every `ROW_GROUP_SIZE` rows. Determinism: the same rows in the same order
give byte-identical files, whatever batch sizes they arrive in, because row groups are cut at
fixed row counts, each row group is written from one contiguous chunk, the Parquet options are
fixed, and nothing time-dependent is written. JSONL is encoded column-wise with Arrow compute
kernels (no Python object per row).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from training.exports.schema import TableSpec
from training.exports.splits import SPLITS

ROW_GROUP_SIZE = 50_000
# Fixed so a rebuild is byte-identical; change only with a schema_version bump.
PARQUET_OPTIONS = {
    "version": "2.6",
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_size": 1 << 20,
    "data_page_version": "1.0",
    "write_page_index": False,
    "store_schema": True,
}
SHARD = "{split}-00000-of-00001"


@dataclass(frozen=True)
class WrittenFile:
    path: str  # POSIX, relative to the version folder
    format: str  # "parquet" | "jsonl" | "card"
    table: str
    split: str
    rows: int | None
    size_bytes: int
    sha256: str


def file_digest(path: Path) -> tuple[str, int]:
    """(sha256 hex, size in bytes), read in 1 MiB chunks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def parquet_path(table: str, split: str) -> str:
    return f"data/{table}/{SHARD.format(split=split)}.parquet"


def jsonl_path(table: str, split: str) -> str:
    return f"jsonl/{table}/{SHARD.format(split=split)}.jsonl"


# --- JSONL: column-wise encoding ------------------------------------------------------------

_CONTROL_ESCAPES = [(chr(c), json.dumps(chr(c))[1:-1]) for c in range(0x20)]
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'  # RE2 class: a quote, a backslash or a control character


def _json_strings(array: pa.Array) -> pa.Array:
    escaped = array
    if pc.any(pc.match_substring_regex(array, _NEEDS_ESCAPE)).as_py():  # most id/key columns need nothing
        escaped = pc.replace_substring(escaped, "\\", "\\\\")
        escaped = pc.replace_substring(escaped, '"', '\\"')
        for raw, code in _CONTROL_ESCAPES:
            escaped = pc.replace_substring(escaped, raw, code)
    return pc.binary_join_element_wise('"', escaped, '"', "")


def _json_timestamps(array: pa.Array) -> pa.Array:
    """`"YYYY-MM-DDTHH:MM:SS.ffffffZ"`. Formatting the UTC-aware type is ~50x slower in Arrow than
    the naive one, and the naive cast keeps the UTC wall time, so cast first."""
    if array.type.tz not in ("UTC", "+00:00"):
        raise TypeError(f"only UTC timestamps are exported, got {array.type}")
    text = pc.cast(pc.cast(array, pa.timestamp(array.type.unit)), pa.string())  # "YYYY-MM-DD HH:MM:SS.ffffff"
    return pc.binary_join_element_wise('"', pc.replace_substring(text, " ", "T", max_replacements=1), 'Z"', "")


def _json_values(array: pa.Array) -> pa.Array:
    """Each value as a JSON text; nulls as `null`."""
    kind = array.type
    if pa.types.is_string(kind):
        encoded = _json_strings(array)
    elif pa.types.is_timestamp(kind):
        encoded = _json_timestamps(array)
    elif pa.types.is_floating(kind):
        if pc.any(pc.or_(pc.is_nan(array), pc.is_inf(array))).as_py():
            raise ValueError("NaN or infinity cannot be written to JSON; store null instead")
        encoded = pc.cast(array, pa.string())
    elif pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        encoded = pc.cast(array, pa.string())
    else:
        raise TypeError(f"no JSON encoding for Arrow type {kind}; add one in writer._json_values")
    return pc.fill_null(encoded, "null")


def jsonl_encode(batch: pa.RecordBatch) -> memoryview:
    """The batch as JSON Lines (UTF-8, keys in column order, `\\n` after every row)."""
    if batch.num_rows == 0:
        return memoryview(b"")
    parts: list = []
    for i, name in enumerate(batch.schema.names):
        parts.append(("{" if i == 0 else ",") + json.dumps(name) + ":")
        parts.append(_json_values(batch.column(i)))
    parts.append("}\n")
    lines = pc.binary_join_element_wise(*parts, "")
    # Every line is non-null, so the values buffer between the first and last offset is the text.
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset: lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0]: offsets[-1]]


# --- one split of one table -----------------------------------------------------------------

class _SplitSink:
    def __init__(self, root: Path, spec: TableSpec, split: str, row_group_size: int):
        self.split = split
        self.rows = 0
        self.row_group_size = row_group_size
        self.parquet_rel, self.jsonl_rel = parquet_path(spec.name, split), jsonl_path(spec.name, split)
        for rel in (self.parquet_rel, self.jsonl_rel):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
        self.parquet = pq.ParquetWriter(root / self.parquet_rel, spec.schema, **PARQUET_OPTIONS)
        self.jsonl = open(root / self.jsonl_rel, "wb")
        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0

    def add(self, batch: pa.RecordBatch) -> None:
        self.jsonl.write(jsonl_encode(batch))
        self.pending.append(batch)
        self.pending_rows += batch.num_rows
        self.rows += batch.num_rows
        if self.pending_rows >= self.row_group_size:
            self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        table = pa.Table.from_batches(self.pending, schema=self.parquet.schema)
        full = table.num_rows if final else table.num_rows - table.num_rows % self.row_group_size
        if full:
            # One contiguous chunk per row group: page boundaries then never depend on batch sizes.
            self.parquet.write_table(table.slice(0, full).combine_chunks(), row_group_size=self.row_group_size)
        rest = table.slice(full)
        self.pending, self.pending_rows = rest.to_batches(), rest.num_rows

    def close(self) -> None:
        if self.pending_rows:
            self._flush(final=True)
        self.parquet.close()
        self.jsonl.close()

    def abort(self) -> None:
        for handle in (self.parquet, self.jsonl):
            try:
                handle.close()
            except Exception:  # noqa: BLE001 - aborting after another error; the folder is deleted next
                pass


class TableWriter:
    """Writes one table's record batches, routed by their `split` column, into every split's files."""

    def __init__(self, root: Path, spec: TableSpec, *, row_group_size: int = ROW_GROUP_SIZE):
        self.root, self.spec = Path(root), spec
        self.sinks = {split: _SplitSink(self.root, spec, split, row_group_size) for split in SPLITS}

    def write(self, batch: pa.RecordBatch) -> int:
        """Write a batch; returns its row count."""
        if not batch.schema.equals(self.spec.schema):
            raise TypeError(f"{self.spec.name}: batch schema {batch.schema} differs from the table schema "
                            f"{self.spec.schema}; build batches with schema.{self.spec.name.upper()}.schema")
        routed = 0
        split_column = batch.column("split")
        for split, sink in self.sinks.items():
            part = batch.filter(pc.equal(split_column, split))
            if part.num_rows:
                sink.add(part)
                routed += part.num_rows
        if routed != batch.num_rows:
            raise ValueError(f"{self.spec.name}: {batch.num_rows - routed} rows have a split other than {SPLITS}")
        return batch.num_rows

    def close(self) -> list[WrittenFile]:
        written = []
        for split, sink in self.sinks.items():
            sink.close()
            for rel, fmt in ((sink.parquet_rel, "parquet"), (sink.jsonl_rel, "jsonl")):
                sha, size = file_digest(self.root / rel)
                written.append(WrittenFile(rel, fmt, self.spec.name, split, sink.rows, size, sha))
        return written

    def abort(self) -> None:
        for sink in self.sinks.values():
            sink.abort()

    @property
    def rows(self) -> dict[str, int]:
        return {split: sink.rows for split, sink in self.sinks.items()}
