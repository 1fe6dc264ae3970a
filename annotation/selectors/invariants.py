"""Database invariants of the annotation core, checked after load and fault tests (and by
`manage.py check_invariants`). Each query returns offending rows; an empty report is healthy."""
from __future__ import annotations

from django.db import connection

CHECKS = {
    "pair_over_overlap": """
        SELECT p.id, count(a.id) FROM annotation_pair p
        JOIN annotation_assignment a ON a.pair_id = p.id AND a.state IN ('leased', 'submitted')
        GROUP BY p.id, p.overlap HAVING count(a.id) > p.overlap
    """,
    "pair_counter_drift": """
        SELECT p.id, p.taken, p.completed FROM annotation_pair p
        LEFT JOIN (
            SELECT pair_id,
                   count(*) FILTER (WHERE state IN ('leased', 'submitted')) AS taken,
                   count(*) FILTER (WHERE state = 'submitted') AS completed
            FROM annotation_assignment GROUP BY pair_id
        ) c ON c.pair_id = p.id
        WHERE p.taken <> coalesce(c.taken, 0) OR p.completed <> coalesce(c.completed, 0)
    """,
    "duplicate_judgment": """
        SELECT pair_id, annotator_id, dimension_id, count(*) FROM annotation_judgment
        GROUP BY pair_id, annotator_id, dimension_id HAVING count(*) > 1
    """,
    "judgment_without_submission": """
        SELECT j.id FROM annotation_judgment j JOIN annotation_assignment a ON a.id = j.assignment_id
        WHERE a.state <> 'submitted' OR a.annotator_id <> j.annotator_id OR a.pair_id <> j.pair_id
    """,
    "submitted_pairwise_without_judgments": """
        SELECT a.id FROM annotation_assignment a JOIN annotation_campaign c ON c.id = a.campaign_id
        WHERE a.state = 'submitted' AND c.protocol IN ('pairwise', 'both')
          AND (SELECT count(*) FROM annotation_judgment j WHERE j.assignment_id = a.id)
            <> (SELECT count(*) FROM annotation_campaign_dimensions cd WHERE cd.campaign_id = c.id)
    """,
    "orphan_lease": """
        SELECT a.id FROM annotation_assignment a
        WHERE a.state = 'leased' AND a.expires_at < now() - interval '10 minutes'
    """,
}


def annotation_invariant_violations(*, include_orphans: bool = True) -> dict[str, list[tuple]]:
    """Map of check name to offending rows, for every check that found something."""
    report = {}
    with connection.cursor() as cursor:
        for name, sql in CHECKS.items():
            if name == "orphan_lease" and not include_orphans:
                continue
            cursor.execute(sql)
            rows = cursor.fetchall()
            if rows:
                report[name] = rows
    return report
