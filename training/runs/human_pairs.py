"""Human preference pairs of the platform for GAPO: consensus per pair (adjudications applied) and
per-video Bradley-Terry scores (VideoScore.bt_scaled), as the plain dicts training.gapo.human takes."""
from __future__ import annotations

from annotation.models import Campaign, Pair, VideoScore
from annotation.selectors.quality import campaign_consensus


def campaign_human_pair_inputs(*, campaign: Campaign) -> tuple[list[dict], dict[int, dict[str, float | None]]]:
    """(pairs, video_scores) of one campaign: `pairs` one dict per judged real pair with
    `prompt` = the prompt id as a string; scores only compare within a campaign, so callers build
    pairs campaign by campaign."""
    consensus = campaign_consensus(campaign=campaign)
    by_pair: dict[int, dict] = {}
    for (pair_id, dimension), c in consensus.items():
        by_pair.setdefault(pair_id, {})[dimension] = {"direction": c.direction, "gap": c.gap,
                                                      "confidence": c.confidence}
    rows = (Pair.objects.filter(pk__in=by_pair, is_gold=False)
            .values_list("id", "video_a_id", "video_b_id", "video_a__prompt_id"))
    pairs = [{"pair_id": pid, "video_a": a, "video_b": b, "prompt": str(prompt), "consensus": by_pair[pid]}
             for pid, a, b, prompt in rows]
    scores: dict[int, dict[str, float | None]] = {}
    for video_id, key, scaled in (VideoScore.objects.filter(campaign=campaign)
                                  .values_list("video_id", "dimension__key", "bt_scaled")):
        scores.setdefault(video_id, {})[key] = scaled
    return pairs, scores
