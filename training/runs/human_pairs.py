"""Human preference pairs of the platform for GAPO: consensus per pair (adjudications applied),
per-video Bradley-Terry scores (VideoScore.bt_scaled) and the pair's submitted artefact spans
(docs/segments.md; dense GAPO reads them), as the plain dicts training.gapo.human takes."""
from __future__ import annotations

from annotation.models import Assignment, AssignmentState, Campaign, Pair, Segment, VideoScore
from annotation.selectors.quality import campaign_consensus


def _pair_spans(pair_ids) -> tuple[dict[int, list[int]], dict[int, dict[int, list[dict]]]]:
    """(pair id -> ids of the annotators who submitted it, pair id -> video id -> their spans). Only submitted
    assignments count, as for the consensus: a leased, skipped or expired assignment's spans (none are stored
    before a submit, but an edit cannot resurrect a skipped one) say nothing about the judged pair."""
    annotators: dict[int, list[int]] = {}
    for pair_id, annotator_id in (Assignment.objects.filter(pair_id__in=pair_ids, state=AssignmentState.SUBMITTED)
                                  .order_by("pair_id", "annotator_id").values_list("pair_id", "annotator_id")):
        annotators.setdefault(pair_id, []).append(annotator_id)
    spans: dict[int, dict[int, list[dict]]] = {}
    rows = (Segment.objects.filter(assignment__pair_id__in=pair_ids, assignment__state=AssignmentState.SUBMITTED)
            .order_by("assignment__pair_id", "video_id", "annotator_id", "dimension__order", "start_frame")
            .values_list("assignment__pair_id", "video_id", "annotator_id", "dimension__key", "start_frame",
                         "end_frame"))
    for pair_id, video_id, annotator_id, key, start, end in rows:
        spans.setdefault(pair_id, {}).setdefault(video_id, []).append(
            {"annotator": annotator_id, "dimension": key, "start_frame": start, "end_frame": end})
    return annotators, spans


def campaign_human_pair_inputs(*, campaign: Campaign) -> tuple[list[dict], dict[int, dict[str, float | None]]]:
    """(pairs, video_scores) of one campaign: `pairs` one dict per judged real pair with
    `prompt` = the prompt id as a string, `annotators` = the ids of the annotators who submitted it,
    `spans` = {video id: [{"annotator", "dimension", "start_frame", "end_frame"}]} of their submitted
    assignments (rendition frames, end inclusive) and `frame_counts` = {video id: rendition frame count or
    None}; scores only compare within a campaign, so callers build pairs campaign by campaign."""
    consensus = campaign_consensus(campaign=campaign)
    by_pair: dict[int, dict] = {}
    for (pair_id, dimension), c in consensus.items():
        by_pair.setdefault(pair_id, {})[dimension] = {"direction": c.direction, "gap": c.gap,
                                                      "confidence": c.confidence}
    rows = list(Pair.objects.filter(pk__in=by_pair, is_gold=False)
                .values_list("id", "video_a_id", "video_b_id", "video_a__prompt_id",
                             "video_a__rendition_frame_count", "video_b__rendition_frame_count"))
    annotators, spans = _pair_spans([row[0] for row in rows])
    pairs = [{"pair_id": pid, "video_a": a, "video_b": b, "prompt": str(prompt), "consensus": by_pair[pid],
              "annotators": annotators.get(pid, []), "spans": spans.get(pid, {}),
              "frame_counts": {a: frames_a, b: frames_b}}
             for pid, a, b, prompt, frames_a, frames_b in rows]
    scores: dict[int, dict[str, float | None]] = {}
    for video_id, key, scaled in (VideoScore.objects.filter(campaign=campaign)
                                  .values_list("video_id", "dimension__key", "bt_scaled")):
        scores.setdefault(video_id, {})[key] = scaled
    return pairs, scores


def judged_pair_counts(*, campaign_ids) -> tuple[int, int]:
    """(judged pairs, judged pairs with at least one span) of the campaigns: real (non-gold) pairs with a
    submitted assignment, the pairs the human pair source can order; a dense GAPO run is refused up front
    when either count is zero (training/runs/gapo_setup.py)."""
    submitted = Assignment.objects.filter(pair__campaign_id__in=campaign_ids, pair__is_gold=False,
                                          state=AssignmentState.SUBMITTED)
    judged = submitted.values("pair_id").distinct().count()
    marked = (Segment.objects.filter(assignment__in=submitted).values("assignment__pair_id").distinct().count()
              if judged else 0)
    return judged, marked
