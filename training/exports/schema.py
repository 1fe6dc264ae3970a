"""The exported tables: names, Arrow types and the one-line meaning of every column.

This is the dataset's contract (schema_version 1 in `description.SCHEMA_VERSION`); the card
renders these docs, the writer enforces these types. Column order is file order.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    name: str
    doc: str
    columns: tuple[tuple[str, pa.DataType, str], ...]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(name, type_) for name, type_, _ in self.columns])

    @property
    def column_names(self) -> list[str]:
        return [name for name, _, _ in self.columns]


_SPLIT = ("split", pa.string(), "`train` or `test` (grouped by initial image; see Splits)")

JUDGMENTS = TableSpec(
    "judgments",
    "One row per judgment: one annotator's preference strength on one dimension of one pair.",
    (
        ("judgment_id", pa.int64(), "judgment id in the studio database"),
        ("pair_id", pa.int64(), "pair id"),
        ("campaign_id", pa.int64(), "campaign id"),
        ("prompt_id", pa.int64(), "prompt (initial image + text) of the pair"),
        ("video_a_id", pa.int64(), "video A (the lower video id)"),
        ("video_b_id", pa.int64(), "video B"),
        ("dimension", pa.string(), "dimension key"),
        ("strength", pa.int8(), "-2 A much better, -1 A better, 0 same, +1 B better, +2 B much better"),
        ("annotator", pa.string(), "stable pseudonym: salted sha256 of the annotator id (salt kept secret)"),
        ("a_on_left", pa.bool_(), "whether A was shown on the left (for position-bias checks)"),
        ("time_spent_ms", pa.int32(), "time the annotator spent on the whole pair (all dimensions)"),
        ("created_at", _TS, "when the judgment was stored (UTC)"),
        ("is_gold", pa.bool_(), "gold (honeypot) pair"),
        _SPLIT,
    ),
)

CONSENSUS = TableSpec(
    "consensus",
    "One row per pair and dimension: the consensus of its judgments (annotation.quality.consensus).",
    (
        ("pair_id", pa.int64(), "pair id"),
        ("campaign_id", pa.int64(), "campaign id"),
        ("prompt_id", pa.int64(), "prompt of the pair"),
        ("video_a_id", pa.int64(), "video A"),
        ("video_b_id", pa.int64(), "video B"),
        ("dimension", pa.string(), "dimension key"),
        ("votes", pa.int16(), "number of judgments"),
        ("n_a", pa.int16(), "votes for A (strength < 0)"),
        ("n_tie", pa.int16(), "votes for 'same' (strength 0)"),
        ("n_b", pa.int16(), "votes for B (strength > 0)"),
        ("mean_strength", pa.float64(), "mean strength, -2..+2"),
        ("direction", pa.string(), "`a`, `b` or `tie` (tie when |mean| < tie_band or n_a == n_b)"),
        ("gap", pa.float64(), "|mean_strength| / 2 in [0, 1], the preference gap GAPO weights by"),
        ("confidence", pa.float64(), "posterior probability that `direction` is right (Dirichlet(1,1,1) prior)"),
        ("agreement", pa.float64(), "share of votes on the plurality side (A, same or B)"),
        ("is_gold", pa.bool_(), "gold (honeypot) pair"),
        _SPLIT,
    ),
)

VIDEO_SCORES = TableSpec(
    "video_scores",
    "One row per campaign, video and dimension: the studio's stored human scores (annotation.VideoScore).",
    (
        ("campaign_id", pa.int64(), "campaign the scores were fitted in (scores compare within one campaign)"),
        ("video_id", pa.int64(), "video id"),
        ("prompt_id", pa.int64(), "prompt of the video"),
        ("dimension", pa.string(), "dimension key"),
        ("bt_score", pa.float64(), "Bradley-Terry-with-ties latent score (Davidson, strength-weighted votes)"),
        ("bt_scaled", pa.float64(), "bt_score min-max scaled to [0, 1] over the campaign's fit (GAPO's s)"),
        ("mean_rating", pa.float64(), "mean 1-5 rating (null without ratings)"),
        ("n", pa.int32(), "pairwise votes involving this video on this dimension"),
        ("n_ratings", pa.int32(), "1-5 ratings of this video on this dimension"),
        ("computed_at", _TS, "when the studio computed these scores (UTC)"),
        _SPLIT,
    ),
)

VIDEOS = TableSpec(
    "videos",
    "Every video of an exported pair.",
    (
        ("video_id", pa.int64(), "video id"),
        ("prompt_id", pa.int64(), "prompt id"),
        ("generator", pa.string(), "generator name (hidden from annotators)"),
        ("seed", pa.int64(), "generation seed, if known"),
        ("file", pa.string(), "path of the source file in the studio's media storage"),
        ("fps", pa.float64(), "frames per second"),
        ("frame_count", pa.int32(), "number of frames"),
        ("width", pa.int32(), "width in pixels"),
        ("height", pa.int32(), "height in pixels"),
        ("duration_s", pa.float64(), "duration in seconds"),
        ("codec", pa.string(), "video codec"),
        ("size_bytes", pa.int64(), "file size in bytes"),
        ("sha256", pa.string(), "sha256 of the source file"),
        _SPLIT,
    ),
)

PROMPTS = TableSpec(
    "prompts",
    "Every prompt (initial image + text) of an exported pair.",
    (
        ("prompt_id", pa.int64(), "prompt id"),
        ("text", pa.string(), "prompt text"),
        ("initial_image", pa.string(), "path of the initial image in the studio's media storage"),
        ("initial_image_sha256", pa.string(), "sha256 of the initial image"),
        ("action_label", pa.string(), "action label"),
        ("split_key", pa.string(), "split group key (defaults to a hash of the initial image)"),
        _SPLIT,
    ),
)

SEGMENTS = TableSpec(
    "segments",
    "One row per marked artefact span (docs/segments.md): where in one video of a pair one annotator saw the "
    "dimension's artefact. Frames are 0-based and end-inclusive on the grid of the video's browser rendition "
    "(`frame_count` frames at `fps`; the source file in `videos` may have another frame count), so frame f "
    "starts at f / fps seconds. Only spans of kept pair-dimensions, from submissions stored before the cut-off. "
    "Exports made before this table existed have no `segments` folder.",
    (
        ("segment_id", pa.int64(), "segment id in the studio database"),
        ("pair_id", pa.int64(), "pair id"),
        ("campaign_id", pa.int64(), "campaign id"),
        ("prompt_id", pa.int64(), "prompt of the pair"),
        ("video_id", pa.int64(), "the video the span is on (the pair's video A or B)"),
        ("annotator", pa.string(), "stable pseudonym: salted sha256 of the annotator id (salt kept secret)"),
        ("dimension", pa.string(), "dimension key"),
        ("start_frame", pa.int32(), "first frame of the span (0-based, on the rendition's grid)"),
        ("end_frame", pa.int32(), "last frame of the span (inclusive; < frame_count)"),
        ("severity", pa.int8(), "1 mild, 2 clear, 3 severe; null when the annotator did not say"),
        ("note", pa.string(), "the annotator's note on the span (may be empty)"),
        ("frame_count", pa.int32(), "frames of the video's rendition, the grid the span is on"),
        ("fps", pa.float64(), "frames per second of the rendition"),
        ("is_gold", pa.bool_(), "gold (honeypot) pair"),
        _SPLIT,
    ),
)

# File and card order; the first is the card's default config. `segments` is last so the older
# tables keep their places.
TABLES: tuple[TableSpec, ...] = (JUDGMENTS, CONSENSUS, VIDEO_SCORES, VIDEOS, PROMPTS, SEGMENTS)
TABLES_BY_NAME = {table.name: table for table in TABLES}
