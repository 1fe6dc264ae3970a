"""The streaming writer, without a database: determinism, row groups, JSONL = Parquet."""
import json
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from training.exports.schema import PROMPTS, JUDGMENTS
from training.exports.writer import TableWriter, jsonl_encode, parquet_path, jsonl_path

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _judgments(n: int, start: int = 0) -> pa.RecordBatch:
    ids = list(range(start, start + n))
    return pa.RecordBatch.from_pydict({
        "judgment_id": ids, "pair_id": [i // 3 for i in ids], "campaign_id": [1] * n,
        "prompt_id": [i // 6 for i in ids], "video_a_id": [2 * i for i in ids], "video_b_id": [2 * i + 1 for i in ids],
        "dimension": ["motion" if i % 2 else "smoothness" for i in ids], "strength": [i % 5 - 2 for i in ids],
        "annotator": [f"{i % 7:016x}" for i in ids], "a_on_left": [i % 2 == 0 for i in ids],
        "time_spent_ms": [None if i % 11 == 0 else i for i in ids],
        "created_at": [T0 + timedelta(microseconds=i) for i in ids], "is_gold": [False] * n,
        "split": ["test" if (i // 6) % 4 == 0 else "train" for i in ids],
    }, schema=JUDGMENTS.schema)


def _write(root, batch_sizes, total=1000, row_group_size=128):
    writer = TableWriter(root, JUDGMENTS, row_group_size=row_group_size)
    start = 0
    while start < total:
        for size in batch_sizes:
            size = min(size, total - start)
            if size:
                writer.write(_judgments(size, start))
            start += size
    return {f.path: f.sha256 for f in writer.close()}


def test_files_are_byte_identical_whatever_the_batch_sizes(tmp_path):
    one = _write(tmp_path / "a", [1000])
    many = _write(tmp_path / "b", [7, 300, 1, 64])
    assert one == many
    assert len(one) == 4  # parquet + jsonl for train and test


def test_row_groups_have_the_fixed_size(tmp_path):
    _write(tmp_path, [333], total=1000, row_group_size=128)
    meta = pq.ParquetFile(tmp_path / parquet_path("judgments", "train")).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert all(size == 128 for size in sizes[:-1]) and 0 < sizes[-1] <= 128


def test_rows_go_to_their_split_and_jsonl_matches_parquet(tmp_path):
    _write(tmp_path, [250])
    for split in ("train", "test"):
        table = pq.read_table(tmp_path / parquet_path("judgments", split))
        assert set(table.column("split").to_pylist()) == {split}
        lines = (tmp_path / jsonl_path("judgments", split)).read_text().splitlines()
        assert len(lines) == table.num_rows
        for line, row in zip(lines, table.to_pylist()):
            parsed = json.loads(line)
            row["created_at"] = row["created_at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            assert parsed == row


def test_json_encoding_escapes_what_json_requires():
    batch = pa.RecordBatch.from_pydict({
        "prompt_id": [1, 2], "text": ['quote " backslash \\ newline \n tab \t bell \x07 ü', None],
        "initial_image": ["a.png", "b.png"], "initial_image_sha256": ["x", "y"], "action_label": ["", "wave"],
        "split_key": ["k1", "k2"], "split": ["train", "test"],
    }, schema=PROMPTS.schema)
    lines = bytes(jsonl_encode(batch)).decode().splitlines()
    assert [json.loads(line) for line in lines] == batch.to_pylist()


def test_a_batch_with_the_wrong_schema_is_refused(tmp_path):
    writer = TableWriter(tmp_path, JUDGMENTS)
    with pytest.raises(TypeError, match="differs from the table schema"):
        writer.write(pa.RecordBatch.from_pydict({"judgment_id": [1]}))
    writer.abort()


def test_an_empty_split_is_a_valid_empty_file(tmp_path):
    writer = TableWriter(tmp_path, JUDGMENTS)
    batch = _judgments(6)
    writer.write(batch.filter(pa.array([s == "test" for s in batch.column("split").to_pylist()])))
    files = {f.path: f for f in writer.close()}
    assert files[parquet_path("judgments", "train")].rows == 0
    assert pq.read_table(tmp_path / parquet_path("judgments", "train")).schema.equals(JUDGMENTS.schema)
