"""Reads for exports: the snapshot queries a build streams (raw SQL, server-side cursors) and
the list/detail reads of the API.

A build first materialises its selection as three temp tables in its own transaction: `kept`
(the (pair, dimension) groups that pass the description's filters, with their vote count),
`videos` and `prompts` (those of the kept pairs). Every table query joins them, so the tables
always agree with each other, the filter runs once, and the planner sees real row counts.
Orders are total and collation-independent (`COLLATE "C"` on text keys), so a rebuild streams
rows in the same order. Timestamps come as integer microseconds since the epoch (UTC), which
Arrow turns into timestamps without a Python datetime per row.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

from django.db import connection
from django.db.models import QuerySet

from studio_platform.roles import REVIEWER, user_has_role
from training.dataset_description import DatasetDescription
from training.models import DatasetVersion

FETCH_ROWS = 50_000
# Per sort node of the build's queries (a 1M-judgment sort then stays in memory).
BUILD_WORK_MEM = "64MB"

_SELECTION_SQL = [
    """CREATE TEMP TABLE {kept} ON COMMIT DROP AS
    SELECT j.pair_id, j.dimension_id, count(*) AS votes
    FROM annotation_judgment j
    JOIN annotation_pair p ON p.id = j.pair_id
    JOIN annotation_dimension d ON d.id = j.dimension_id
    WHERE p.campaign_id = ANY(%(campaign_ids)s)
      AND d.key = ANY(%(dimension_keys)s)
      AND j.created_at < %(judged_before)s
    GROUP BY j.pair_id, j.dimension_id
    HAVING count(*) >= %(min_votes)s
       AND greatest(count(*) FILTER (WHERE j.strength < 0), count(*) FILTER (WHERE j.strength = 0),
                    count(*) FILTER (WHERE j.strength > 0))::float8 / count(*) >= %(min_agreement)s""",
    """CREATE TEMP TABLE {videos} ON COMMIT DROP AS
    SELECT DISTINCT unnest(ARRAY[p.video_a_id, p.video_b_id]) AS video_id
    FROM annotation_pair p WHERE p.id IN (SELECT pair_id FROM {kept})""",
    """CREATE TEMP TABLE {prompts} ON COMMIT DROP AS
    SELECT DISTINCT v.prompt_id FROM annotation_video v JOIN {videos} k ON k.video_id = v.id""",
    "ANALYZE {kept}",
    "ANALYZE {videos}",
    "ANALYZE {prompts}",
]

COUNTS_SQL = """SELECT (SELECT coalesce(sum(votes), 0) FROM {kept}), (SELECT count(*) FROM {kept}),
       (SELECT count(*) FROM {videos}), (SELECT count(*) FROM {prompts})"""

SPLIT_KEYS_SQL = """SELECT pr.id, pr.split_key, pr.initial_image_sha256
FROM annotation_prompt pr JOIN {prompts} k ON k.prompt_id = pr.id
ORDER BY pr.id"""

# Pairs whose two videos have different prompts (should not exist; kept whole if they do).
PROMPT_LINKS_SQL = """SELECT DISTINCT va.prompt_id, vb.prompt_id
FROM annotation_pair p
JOIN annotation_video va ON va.id = p.video_a_id
JOIN annotation_video vb ON vb.id = p.video_b_id
WHERE p.id IN (SELECT pair_id FROM {kept}) AND va.prompt_id <> vb.prompt_id"""

# Which dimensions each prompt has kept judgments on (every dimension must hold something out).
PROMPT_DIMENSIONS_SQL = """SELECT DISTINCT va.prompt_id, d.key
FROM {kept} k
JOIN annotation_pair p ON p.id = k.pair_id
JOIN annotation_video va ON va.id = p.video_a_id
JOIN annotation_dimension d ON d.id = k.dimension_id"""

_EPOCH_US = "(extract(epoch FROM {column}) * 1000000)::int8"

JUDGMENTS_SQL = f"""SELECT j.id, j.pair_id, p.campaign_id, va.prompt_id, p.video_a_id, p.video_b_id, d.key,
       j.strength, j.annotator_id, a.a_on_left, a.time_spent_ms, {_EPOCH_US.format(column="j.created_at")}, p.is_gold
FROM annotation_judgment j
JOIN {{kept}} k ON k.pair_id = j.pair_id AND k.dimension_id = j.dimension_id
JOIN annotation_pair p ON p.id = j.pair_id
JOIN annotation_video va ON va.id = p.video_a_id
JOIN annotation_assignment a ON a.id = j.assignment_id
JOIN annotation_dimension d ON d.id = j.dimension_id
WHERE j.created_at < %(judged_before)s
ORDER BY j.id"""

# Each group's votes as counts per strength -2..+2: the multiset decides the consensus, and the
# builder summarises each distinct multiset once.
CONSENSUS_SQL = """SELECT g.pair_id, p.campaign_id, va.prompt_id, p.video_a_id, p.video_b_id, d.key, p.is_gold,
       g.n_m2, g.n_m1, g.n_0, g.n_p1, g.n_p2
FROM (
    SELECT j.pair_id, j.dimension_id,
           count(*) FILTER (WHERE j.strength = -2) AS n_m2, count(*) FILTER (WHERE j.strength = -1) AS n_m1,
           count(*) FILTER (WHERE j.strength = 0) AS n_0, count(*) FILTER (WHERE j.strength = 1) AS n_p1,
           count(*) FILTER (WHERE j.strength = 2) AS n_p2
    FROM annotation_judgment j
    JOIN {kept} k ON k.pair_id = j.pair_id AND k.dimension_id = j.dimension_id
    WHERE j.created_at < %(judged_before)s
    GROUP BY j.pair_id, j.dimension_id
) g
JOIN annotation_pair p ON p.id = g.pair_id
JOIN annotation_video va ON va.id = p.video_a_id
JOIN annotation_dimension d ON d.id = g.dimension_id
ORDER BY g.pair_id, d.key COLLATE "C\""""

VIDEOS_SQL = """SELECT v.id, v.prompt_id, v.generator, v.seed, v.file, v.fps, v.frame_count, v.width, v.height,
       v.duration_s, v.codec, v.size_bytes, v.sha256
FROM annotation_video v JOIN {videos} k ON k.video_id = v.id
ORDER BY v.id"""

PROMPTS_SQL = """SELECT pr.id, pr.text, pr.initial_image, pr.initial_image_sha256, pr.action_label, pr.split_key
FROM annotation_prompt pr JOIN {prompts} k ON k.prompt_id = pr.id
ORDER BY pr.id"""

# Marked artefact spans (issue #22) of the kept (pair, dimension) groups, from submissions
# finished before the cut-off (the time their judgments were stored), on the rendition's grid.
_SEGMENTS_FROM = """
FROM annotation_segment s
JOIN annotation_assignment a ON a.id = s.assignment_id
JOIN {kept} k ON k.pair_id = a.pair_id AND k.dimension_id = s.dimension_id
JOIN annotation_pair p ON p.id = a.pair_id
JOIN annotation_video v ON v.id = s.video_id
JOIN annotation_dimension d ON d.id = s.dimension_id
WHERE a.state = 'submitted' AND a.finished_at < %(judged_before)s"""

SEGMENTS_SQL = f"""SELECT s.id, a.pair_id, p.campaign_id, v.prompt_id, s.video_id, s.annotator_id, d.key,
       s.start_frame, s.end_frame, s.severity, s.note, v.rendition_frame_count, v.rendition_fps, p.is_gold
{_SEGMENTS_FROM}
ORDER BY s.id"""

SEGMENTS_COUNT_SQL = f"SELECT count(*) {_SEGMENTS_FROM}"

# {scores} is annotation.VideoScore's table (owned by the quality code; named by its model).
_VIDEO_SCORES_FROM = """
FROM {scores} s
JOIN {videos} k ON k.video_id = s.video_id
JOIN annotation_video v ON v.id = s.video_id
JOIN annotation_dimension d ON d.id = s.dimension_id
WHERE s.campaign_id = ANY(%(campaign_ids)s) AND d.key = ANY(%(dimension_keys)s)"""

VIDEO_SCORES_SQL = f"""SELECT s.campaign_id, s.video_id, v.prompt_id, d.key, s.bt_score, s.bt_scaled, s.mean_rating,
       s.n, s.n_ratings, {_EPOCH_US.format(column="s.computed_at")} {_VIDEO_SCORES_FROM}
ORDER BY s.campaign_id, s.video_id, d.key COLLATE "C\""""

VIDEO_SCORES_COUNT_SQL = f"SELECT count(*) {_VIDEO_SCORES_FROM}"


class Selection:
    """One build's selection, materialised in the current transaction; runs the table queries."""

    def __init__(self, description: DatasetDescription, *, scores_table: str | None = None):
        tag = uuid.uuid4().hex[:12]
        self.names = {"kept": f"export_kept_{tag}", "videos": f"export_videos_{tag}",
                      "prompts": f"export_prompts_{tag}", "scores": scores_table or "-"}
        self.params = {
            "campaign_ids": list(description.campaign_ids),
            "dimension_keys": list(description.dimension_keys),
            "judged_before": description.judged_before,
            "min_votes": description.min_votes_per_pair,
            "min_agreement": description.min_agreement,
        }

    def sql(self, template: str) -> str:
        return template.format(**self.names)

    def rows(self, template: str, *, fetch_rows: int | None = None) -> Iterator[list[tuple]]:
        """Batches of rows through a server-side (named) cursor: memory holds one batch at a time."""
        with connection.chunked_cursor() as cursor:
            cursor.execute(self.sql(template), self.params)
            while rows := cursor.fetchmany(fetch_rows or FETCH_ROWS):
                yield rows

    def all(self, template: str) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql(template), self.params)
            return cursor.fetchall()


@contextmanager
def selection_materialised(description: DatasetDescription, *, scores_table: str | None = None):
    """Create the selection's temp tables (call inside the build's transaction); drop them after."""
    selection = Selection(description, scores_table=scores_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{BUILD_WORK_MEM}'")
        for statement in _SELECTION_SQL:
            cursor.execute(selection.sql(statement), selection.params if "%(" in statement else None)
    yield selection
    # Only on success: after an error the rollback removes them (and the aborted transaction
    # would refuse the DROP, hiding the real error).
    with connection.cursor() as cursor:
        for name in ("kept", "videos", "prompts"):
            cursor.execute(f"DROP TABLE IF EXISTS {selection.names[name]}")


# --- API reads ------------------------------------------------------------------------------

def dataset_version_list(*, user) -> QuerySet[DatasetVersion]:
    """Every version, newest first, for reviewers and admins; nothing for anybody else."""
    if not user_has_role(user, REVIEWER):
        return DatasetVersion.objects.none()
    return DatasetVersion.objects.select_related("created_by").prefetch_related("files")


def dataset_version_get(*, user, version_id: int) -> DatasetVersion | None:
    return dataset_version_list(user=user).filter(pk=version_id).first()


def dataset_file_get(*, version: DatasetVersion, path: str):
    """The DatasetFile named `path` of a ready version, or None (only listed files are served)."""
    return version.files.filter(path=path).first()
