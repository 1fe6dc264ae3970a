"""One build: snapshot queries -> Arrow batches -> TableWriter files + dataset card.

Runs inside one REPEATABLE READ transaction (when it owns the transaction), so all
tables come from the same snapshot even while annotators keep submitting. Rows stream through
server-side cursors in `FETCH_ROWS` batches and become Arrow arrays column by column; the only
per-row Python work is psycopg's tuples and, for consensus, one cached summary per pair.
The caller (services.dataset_version_build) owns the folder: temp dir, atomic rename, cleanup.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import pyarrow as pa
import pyarrow.compute as pc
from django.apps import apps
from django.db import connection, transaction

from training.dataset_description import DatasetDescription
from training.exports import schema, selectors
from training.exports.card import AgreementTally, DimensionAgreement, card_render
from training.exports.errors import MSG_TOO_FEW_PROMPTS
from training.exports.splits import MIN_SPLIT_GROUPS, TEST, split_assign, split_group_count
from training.exports.writer import TableWriter, WrittenFile, file_digest

ProgressFn = Callable[[int, int], None]
CARD_PATH = "README.md"
VIDEO_SCORES_FROM_MODEL = "annotation.VideoScore, as last computed by the studio (see computed_at)"
VIDEO_SCORES_MISSING = "not available in this studio version (annotation.VideoScore is missing); the table is empty"


@dataclass
class BuildResult:
    files: list[WrittenFile] = field(default_factory=list)
    row_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    agreement: list[DimensionAgreement] = field(default_factory=list)
    rows_total: int = 0
    rows_written: int = 0


def annotator_pseudonym(salt: str, annotator_id: int) -> str:
    """Stable across versions for one salt; not reversible without the (secret) salt."""
    return hashlib.sha256(f"{salt}:annotator:{annotator_id}".encode()).hexdigest()[:16]


@contextmanager
def snapshot():
    """One consistent view of the database for the whole build."""
    owns_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if owns_transaction:  # inside a caller's transaction (tests) its snapshot is used as it is
            with connection.cursor() as cursor:
                # Not READ ONLY: the selection is materialised in temp tables.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _column(values, type_: pa.DataType) -> pa.Array:
    if pa.types.is_timestamp(type_):  # the queries send microseconds since the epoch
        return pa.array(values, pa.int64()).cast(type_)
    return pa.array(values, type=type_)


class _Build:
    def __init__(self, description: DatasetDescription, root: Path, annotator_salt: str, progress: ProgressFn):
        self.description, self.root, self.salt, self.progress = description, root, annotator_salt, progress
        self.selection: selectors.Selection | None = None
        self.result = BuildResult()
        self.pseudonyms: dict[int, str] = {}
        self.test_prompts = pa.array([], pa.int64())
        self.tally = AgreementTally()

    # -- helpers --
    def _split_column(self, prompt_ids: pa.Array) -> pa.Array:
        return pc.if_else(pc.is_in(prompt_ids, value_set=self.test_prompts), "test", "train")

    def _stream(self, spec: schema.TableSpec, sql: str, to_batch) -> None:
        self._write(spec, (to_batch(rows) for rows in self.selection.rows(sql)))

    def _write(self, spec: schema.TableSpec, batches: Iterable[pa.RecordBatch]) -> None:
        writer = TableWriter(self.root, spec)
        try:
            for batch in batches:
                self._advance(writer.write(batch))
        except BaseException:
            writer.abort()
            raise
        self.result.files += writer.close()
        self.result.row_counts[spec.name] = writer.rows

    def _advance(self, rows: int) -> None:
        self.result.rows_written += rows
        self.progress(self.result.rows_written, self.result.rows_total)

    # -- steps --
    def run(self) -> BuildResult:
        scores_model = _video_score_model()
        scores_table = scores_model._meta.db_table if scores_model else None
        with snapshot(), selectors.selection_materialised(self.description, scores_table=scores_table) as selection:
            self.selection = selection
            judgments, groups, videos, prompts = selection.all(selectors.COUNTS_SQL)[0]
            scores = selection.all(selectors.VIDEO_SCORES_COUNT_SQL)[0][0] if scores_model else 0
            spans = selection.all(selectors.SEGMENTS_COUNT_SQL)[0][0]
            self.result.rows_total = judgments + groups + videos + prompts + scores + spans
            self.progress(0, self.result.rows_total)
            self._assign_splits()
            self._stream(schema.JUDGMENTS, selectors.JUDGMENTS_SQL, self._judgments_batch)
            self._stream(schema.CONSENSUS, selectors.CONSENSUS_SQL, self._consensus_batch)
            self._stream(schema.VIDEOS, selectors.VIDEOS_SQL, self._plain(schema.VIDEOS, "prompt_id"))
            self._stream(schema.PROMPTS, selectors.PROMPTS_SQL, self._plain(schema.PROMPTS, "prompt_id"))
            if scores_model:
                self._stream(schema.VIDEO_SCORES, selectors.VIDEO_SCORES_SQL,
                             self._plain(schema.VIDEO_SCORES, "prompt_id"))
            else:
                self._write(schema.VIDEO_SCORES, [])
            self._stream(schema.SEGMENTS, selectors.SEGMENTS_SQL, self._segments_batch)
        self._write_card(VIDEO_SCORES_FROM_MODEL if scores_model else VIDEO_SCORES_MISSING)
        return self.result

    def _assign_splits(self) -> None:
        d = self.description
        prompts = self.selection.all(selectors.SPLIT_KEYS_SQL)
        links = self.selection.all(selectors.PROMPT_LINKS_SQL)
        groups = split_group_count(prompts, links)
        if d.test_fraction > 0 and groups < MIN_SPLIT_GROUPS:
            raise ValueError(MSG_TOO_FEW_PROMPTS.format(groups=groups, need=MIN_SPLIT_GROUPS))
        dimensions_of: dict[int, set[str]] = {}
        for prompt_id, key in self.selection.all(selectors.PROMPT_DIMENSIONS_SQL):
            dimensions_of.setdefault(prompt_id, set()).add(key)
        split_of = split_assign(prompts, salt=d.split_salt, test_fraction=d.test_fraction, links=links,
                                dimensions_of=dimensions_of)
        self.test_prompts = pa.array(sorted(p for p, s in split_of.items() if s == TEST), pa.int64())

    def _pseudonym_column(self, annotators) -> pa.Array:
        """The `annotator` column of every table: each id's pseudonym, computed once per build."""
        annotator_ids = _column(annotators, pa.int64())
        distinct = pc.unique(annotator_ids).to_pylist()
        for annotator_id in distinct:
            if annotator_id not in self.pseudonyms:
                self.pseudonyms[annotator_id] = annotator_pseudonym(self.salt, annotator_id)
        return pc.take(pa.array([self.pseudonyms[a] for a in distinct], pa.string()),
                       pc.index_in(annotator_ids, value_set=pa.array(distinct, pa.int64())))

    def _judgments_batch(self, rows: list[tuple]) -> pa.RecordBatch:
        (ids, pairs, campaigns, prompts, video_a, video_b, dims, strengths, annotators, a_on_left, spent,
         created, gold) = zip(*rows)
        prompt_ids = _column(prompts, pa.int64())
        names = self._pseudonym_column(annotators)
        return pa.RecordBatch.from_arrays([
            _column(ids, pa.int64()), _column(pairs, pa.int64()), _column(campaigns, pa.int64()), prompt_ids,
            _column(video_a, pa.int64()), _column(video_b, pa.int64()), _column(dims, pa.string()),
            _column(strengths, pa.int8()), names, _column(a_on_left, pa.bool_()), _column(spent, pa.int32()),
            _column(created, pa.timestamp("us", tz="UTC")), _column(gold, pa.bool_()), self._split_column(prompt_ids),
        ], schema=schema.JUDGMENTS.schema)

    def _segments_batch(self, rows: list[tuple]) -> pa.RecordBatch:
        (ids, pairs, campaigns, prompts, videos, annotators, dims, starts, ends, severities, notes, frame_counts,
         fps, gold) = zip(*rows)
        prompt_ids = _column(prompts, pa.int64())
        return pa.RecordBatch.from_arrays([
            _column(ids, pa.int64()), _column(pairs, pa.int64()), _column(campaigns, pa.int64()), prompt_ids,
            _column(videos, pa.int64()), self._pseudonym_column(annotators), _column(dims, pa.string()),
            _column(starts, pa.int32()), _column(ends, pa.int32()), _column(severities, pa.int8()),
            _column(notes, pa.string()), _column(frame_counts, pa.int32()), _column(fps, pa.float64()),
            _column(gold, pa.bool_()), self._split_column(prompt_ids),
        ], schema=schema.SEGMENTS.schema)

    def _consensus_batch(self, rows: list[tuple]) -> pa.RecordBatch:
        (pairs, campaigns, prompts, video_a, video_b, dims, gold, *counts) = zip(*rows)
        # One code per vote multiset (counts of -2..+2, each < 2**12), summarised once per distinct code.
        code = _column(counts[0], pa.int64())
        for column in counts[1:]:
            code = pc.add(pc.multiply(code, 1 << 12), _column(column, pa.int64()))
        distinct = pc.unique(code)
        summaries = [_summary(_decode_votes(c), self.description.tie_band) for c in distinct.to_pylist()]
        index = pc.index_in(code, value_set=distinct)
        summary_types = [pa.int16()] * 4 + [pa.float64(), pa.string()] + [pa.float64()] * 3
        summary_columns = [pc.take(pa.array(values, type_), index)
                           for values, type_ in zip(zip(*summaries), summary_types)]
        prompt_ids = _column(prompts, pa.int64())
        batch = pa.RecordBatch.from_arrays([
            _column(pairs, pa.int64()), _column(campaigns, pa.int64()), prompt_ids, _column(video_a, pa.int64()),
            _column(video_b, pa.int64()), _column(dims, pa.string()), *summary_columns,
            _column(gold, pa.bool_()), self._split_column(prompt_ids),
        ], schema=schema.CONSENSUS.schema)
        self.tally.add_batch(batch)
        return batch

    def _plain(self, spec: schema.TableSpec, prompt_column: str):
        """Batch builder for tables whose SQL returns every column but `split`, in order."""
        types = [f.type for f in spec.schema][:-1]
        prompt_index = spec.column_names.index(prompt_column)

        def to_batch(rows: list[tuple]) -> pa.RecordBatch:
            arrays = [_column(values, type_) for values, type_ in zip(zip(*rows), types)]
            return pa.RecordBatch.from_arrays([*arrays, self._split_column(arrays[prompt_index])], schema=spec.schema)

        return to_batch

    def _write_card(self, source: str) -> None:
        self.result.agreement = self.tally.results()
        text = card_render(
            description=self.description.as_dict(), description_sha256=self.description.sha256(),
            row_counts=self.result.row_counts, files=[f for f in self.result.files if f.format == "parquet"],
            agreement=self.result.agreement, video_scores_source=source,
        )
        path = self.root / CARD_PATH
        path.write_text(text, encoding="utf-8")
        sha, size = file_digest(path)
        self.result.files.append(WrittenFile(CARD_PATH, "card", "", "", None, size, sha))


def _video_score_model():
    """annotation.VideoScore, or None in a studio without it (the table is then exported empty)."""
    try:
        return apps.get_model("annotation", "VideoScore")
    except LookupError:
        return None


def _decode_votes(code: int) -> tuple[int, ...]:
    """The sorted strengths of a vote-multiset code (see _consensus_batch)."""
    strengths: list[int] = []
    for strength in (2, 1, 0, -1, -2):
        strengths[:0] = [strength] * (code & 0xFFF)
        code >>= 12
    return tuple(strengths)


@lru_cache(maxsize=65536)
def _summary(strengths: tuple[int, ...], tie_band: float) -> tuple:
    """Consensus of one sorted vote multiset, in CONSENSUS column order: (votes, n_a, n_tie, n_b,
    mean_strength, direction, gap, confidence, agreement). Cached: few distinct multisets exist."""
    from annotation.quality.consensus import summarize_strengths  # scipy: only when building

    s = summarize_strengths(0, "", list(strengths), tie_band=tie_band)
    agreement = max(s.n_a, s.n_tie, s.n_b) / s.votes
    return (s.votes, s.n_a, s.n_tie, s.n_b, s.mean_strength, s.direction, s.gap, s.confidence, agreement)


def dataset_build_files(
    *, description: DatasetDescription, root: Path, annotator_salt: str, progress: ProgressFn = lambda done, total: None
) -> BuildResult:
    """Write every table and the card of `description` into the (empty) folder `root`."""
    return _Build(description, Path(root), annotator_salt, progress).run()
