"""The reviewer queue: pairs whose judgments disagree, with every answer, for adjudication.

A (pair, dimension) is disputed when at least two votes of annotators who are not paused either
point in opposite directions (someone says A, someone says B) or spread more than `min_std`
strength units (population standard deviation), and no reviewer has adjudicated it yet. One SQL
aggregate finds them, cached per data version and never served stale, so an adjudicated pair
leaves the queue at once.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from django.db import connection

from annotation.models import Adjudication, Campaign, Judgment, Pair
from annotation.quality import summarize_strengths
from annotation.selectors.quality import campaign_dimension_keys, campaign_paused_annotator_ids
from annotation.selectors.quality_cache import quality_report_cached

DEFAULT_MIN_STD = 1.0
REASON_OPPOSITE = "opposite_directions"
REASON_SPREAD = "spread"


# One aggregate over the campaign's judgments: paused annotators and adjudicated (pair,
# dimension)s left out, disputed groups kept. The consensus is computed for the shown page only.
_DISPUTES_SQL = """
SELECT j.pair_id, j.dimension_id, min(j.strength), max(j.strength), stddev_pop(j.strength)
FROM annotation_judgment j
JOIN annotation_pair p ON p.id = j.pair_id
WHERE p.campaign_id = %(campaign_id)s AND NOT p.is_gold
  AND j.dimension_id = ANY(%(dimension_ids)s)
  AND j.annotator_id NOT IN (
      SELECT annotator_id FROM annotation_annotatorstatus WHERE campaign_id = %(campaign_id)s AND state = 'paused')
  AND NOT EXISTS (
      SELECT 1 FROM annotation_adjudication ad WHERE ad.pair_id = j.pair_id AND ad.dimension_id = j.dimension_id)
GROUP BY j.pair_id, j.dimension_id
HAVING count(*) >= 2 AND ((min(j.strength) < 0 AND max(j.strength) > 0) OR stddev_pop(j.strength) > %(min_std)s)
"""


@lru_cache(maxsize=8192)
def _summary(strengths: tuple[int, ...]):
    """Consensus of a sorted strength tuple; few distinct tuples exist (n <= overlap, -2..2)."""
    return summarize_strengths(0, "", list(strengths))


def review_disputes(*, campaign: Campaign, min_std: float = DEFAULT_MIN_STD) -> list[dict]:
    """Disputed pairs, most contested first: [{pair, score, disputes: [...]}], for the current
    data version (cached per version, never served stale)."""
    return quality_report_cached(kind="disputes", campaign_id=campaign.pk, params=f"std={min_std}",
                                 compute=lambda: {"entries": _disputes(campaign, min_std)})["entries"]


def _disputes(campaign: Campaign, min_std: float) -> list[dict]:
    keys = campaign_dimension_keys(campaign=campaign)
    with connection.cursor() as cursor:
        cursor.execute(_DISPUTES_SQL, {"campaign_id": campaign.pk, "dimension_ids": list(keys), "min_std": min_std})
        rows = cursor.fetchall()
    by_pair: dict[int, list[dict]] = defaultdict(list)
    for pair_id, dim_id, lowest, highest, std in rows:
        opposite = lowest < 0 < highest
        by_pair[pair_id].append({"dimension": keys[dim_id], "reason": REASON_OPPOSITE if opposite else REASON_SPREAD,
                                 "std": float(std)})
    # most contested first: opposite-direction dimensions count most, then the widest spread
    entries = [
        {"pair": pair_id,
         "score": max(d["std"] for d in disputes) + sum(d["reason"] == REASON_OPPOSITE for d in disputes),
         "disputes": sorted(disputes, key=lambda d: d["dimension"])}
        for pair_id, disputes in by_pair.items()
    ]
    entries.sort(key=lambda e: (-e["score"], e["pair"]))
    return entries


def _video(video) -> dict:
    """Reviewers see what annotators saw: the rendition (originals are for admins only)."""
    return {"id": video.pk, "url": video.rendition.url if video.rendition else None}


def _page_details(*, campaign: Campaign, pair_ids: list[int]) -> dict[int, dict]:
    """Videos, prompt, every answer and any adjudication of the given pairs (four queries)."""
    pairs = Pair.objects.filter(pk__in=pair_ids).select_related("video_a__prompt", "video_b")
    paused = campaign_paused_annotator_ids(campaign=campaign)
    details = {}
    for pair in pairs:
        prompt = pair.video_a.prompt
        details[pair.pk] = {
            "video_a": _video(pair.video_a), "video_b": _video(pair.video_b),
            "prompt": {"id": prompt.pk, "text": prompt.text, "initial_image_url": prompt.initial_image.url},
            "answers": {}, "adjudications": [],
        }
    rows = (
        Judgment.objects.filter(pair_id__in=pair_ids).order_by("assignment_id", "dimension__order")
        .values_list("pair_id", "assignment_id", "annotator_id", "annotator__username", "assignment__a_on_left",
                     "assignment__time_spent_ms", "dimension__key", "strength")
    )
    for pair_id, assignment_id, annotator_id, username, a_on_left, time_ms, key, strength in rows:
        answer = details[pair_id]["answers"].setdefault(assignment_id, {
            "assignment": assignment_id, "annotator": {"id": annotator_id, "username": username},
            "paused": annotator_id in paused, "a_on_left": a_on_left, "time_spent_ms": time_ms, "strengths": {},
        })
        answer["strengths"][key] = strength
    adjudications = (
        Adjudication.objects.filter(pair_id__in=pair_ids).order_by("dimension__order")
        .values_list("pair_id", "dimension__key", "strength", "reviewer__username", "note", "updated_at")
    )
    for pair_id, key, strength, reviewer, note, updated_at in adjudications:
        details[pair_id]["adjudications"].append({"dimension": key, "strength": strength, "reviewer": reviewer,
                                                  "note": note, "updated_at": updated_at.isoformat()})
    for entry in details.values():
        entry["answers"] = list(entry["answers"].values())
    return details


def _with_consensus(disputes: list[dict], answers: list[dict]) -> list[dict]:
    """Each disputed dimension plus the consensus of the answers that count (not paused)."""
    out = []
    for dispute in disputes:
        strengths = [a["strengths"][dispute["dimension"]] for a in answers
                     if not a["paused"] and dispute["dimension"] in a["strengths"]]
        consensus = _summary(tuple(sorted(strengths)))
        out.append({**dispute, "votes": consensus.votes, "mean_strength": consensus.mean_strength,
                    "direction": consensus.direction, "confidence": consensus.confidence,
                    "n_a": consensus.n_a, "n_b": consensus.n_b, "n_tie": consensus.n_tie})
    return out


def review_queue(*, campaign: Campaign, min_std: float = DEFAULT_MIN_STD, limit: int = 20, offset: int = 0) -> dict:
    """One page of the queue with everything a reviewer needs to adjudicate each pair."""
    disputes = review_disputes(campaign=campaign, min_std=min_std)
    page = disputes[offset:offset + limit]
    details = _page_details(campaign=campaign, pair_ids=[e["pair"] for e in page])
    results = []
    for entry in page:
        detail = details[entry["pair"]]
        results.append({**entry, **detail, "disputes": _with_consensus(entry["disputes"], detail["answers"])})
    return {"campaign": campaign.pk, "count": len(disputes), "offset": offset, "limit": limit, "min_std": min_std,
            "results": results}
