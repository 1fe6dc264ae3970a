"""Human preference pairs for GAPO from platform data, as plain dicts (no ORM: the Django selector builds them).

Input shapes
------------
``pairs``: one dict per judged pair (two videos of the same prompt and initial image)::

    {"pair_id": 7, "video_a": 11, "video_b": 12,            # video ids (any hashable)
     "prompt": "A girl waves ...", "initial_image": "initial/p7.png",   # carried through untouched
     "consensus": {"smoothness": {"direction": "a", "gap": 0.75, "confidence": 0.93},
                   "motion":     {"direction": "tie", "gap": 0.1, "confidence": 0.5}, ...}}

``consensus[dim]`` is ``annotation.quality.PairConsensus`` as a dict: ``direction`` is ``"a"``, ``"b"`` or
``"tie"``; ``gap = |mean strength| / 2`` in [0, 1]; ``confidence`` optional (1 when absent). Optional, for dense GAPO (docs/segments.md)::

     "annotators": [3, 4, 5],                                  # who submitted the pair (ids)
     "spans": {11: [{"annotator": 3, "dimension": "smoothness", "start_frame": 12, "end_frame": 20}]},
     "frame_counts": {11: 48, 12: 48}                          # the videos' rendition frame counts

``video_scores``: ``{video_id: {dim: bt_scaled or None}}``, the per-video Bradley-Terry scores in [0, 1]
(``annotation.models.VideoScore.bt_scaled``; a campaign's fit, so only compare videos of one campaign).

Output
------
``HumanPairs.records``: one dict per kept pair, winner first::

    {"pair_id", "winner", "loser", "s_w", "s_l", "dimension", "prompt", "initial_image",
     "consensus_gap", "confidence", "marks_w", "marks_l"}

with ``s_w > s_l`` (scores of the chosen dimension, or their weighted mean for ``"overall"``), and
``HumanPairs.dropped``: how many pairs were dropped and why (keys in ``DROP_REASONS``).

Direction comes from the consensus (what the annotators said about *this* pair); ``s_w``/``s_l`` from the
per-video scores (what GAPO's weight needs). When the two disagree (the consensus says A, the global
Bradley-Terry fit ranks B higher) the pair is dropped as ``order_conflict`` rather than flipped: neither
source is trusted over the other, and a flipped pair would teach the opposite of what annotators chose.
For ``"overall"`` the direction is the sign of ``sum_d w_d * (+gap_d for A, -gap_d for B, 0 for a tie)``
over the dimensions with a consensus, and the scores are ``sum_d w_d * s_d / sum_d w_d`` over all weighted
dimensions (a video lacking one of them is ``no_score``).

Marks (dense GAPO, ``losses/dense.py``): ``marks_w`` / ``marks_l`` are lists over the video's rendition frames
(``frame_counts``), each the fraction of the pair's annotators (``annotators``, the ones who submitted it: one
who saw the video and marked nothing counts, as in ``dense.frame_marks``) with a span covering that frame; an
empty list when the video's frame count is unknown (it takes no spans), all zeros when nobody marked it.
Which spans count: those of the job's dimension; for ``"overall"`` those of every dimension with a positive
weight, one frame marked once per annotator however many of those dimensions they marked it for. Why not
weight them by ``w_d``: a mark is "this annotator saw something wrong here", and the overall preference is
built from exactly those dimensions, so an artefact any of them names is part of why the loser lost; a
weighted mark would no longer be a fraction of annotators, which is what ``dense_beta`` is scaled for. A
dimension with weight 0 is not part of the preference, so its spans are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

DROP_REASONS = ("no_consensus", "tie", "no_score", "order_conflict", "below_min_gap", "low_confidence")
DIRECTIONS = ("a", "b", "tie")


@dataclass
class HumanPairs:
    records: list[dict]
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DROP_REASONS, 0))

    @property
    def total_dropped(self) -> int:
        return sum(self.dropped.values())


def _direction_and_gap(consensus: Mapping, dimension: str, weights: Mapping[str, float] | None):
    """(direction, gap, confidence) for one dimension or the weighted overall; None if there is no consensus."""
    if dimension != "overall":
        entry = consensus.get(dimension)
        if entry is None:
            return None
        if entry["direction"] not in DIRECTIONS:
            raise ValueError(f"consensus direction must be one of {DIRECTIONS}, got {entry['direction']!r}")
        return entry["direction"], float(entry["gap"]), float(entry.get("confidence", 1.0))
    present = [d for d in weights if d in consensus and weights[d] > 0]
    if not present:
        return None
    total = sum(weights[d] for d in present)
    sign = {"a": 1.0, "b": -1.0, "tie": 0.0}
    signed = sum(weights[d] * sign[consensus[d]["direction"]] * float(consensus[d]["gap"]) for d in present) / total
    confidence = min(float(consensus[d].get("confidence", 1.0)) for d in present)
    direction = "tie" if signed == 0 else ("a" if signed > 0 else "b")
    return direction, abs(signed), confidence


def _score(scores: Mapping | None, dimension: str, weights: Mapping[str, float] | None) -> float | None:
    if scores is None:
        return None
    if dimension != "overall":
        value = scores.get(dimension)
        return None if value is None else float(value)
    used = {d: w for d, w in weights.items() if w > 0}
    if any(scores.get(d) is None for d in used):
        return None
    return sum(w * float(scores[d]) for d, w in used.items()) / sum(used.values())


def video_marks(pair: Mapping, video, dimensions: set[str]) -> list[float]:
    """Fraction of the pair's annotators marking each rendition frame of ``video`` with a span of one of
    ``dimensions`` (module docstring)."""
    frame_count = (pair.get("frame_counts") or {}).get(video)
    spans = [s for s in (pair.get("spans") or {}).get(video, [])
             if s["dimension"] in dimensions]
    if not frame_count:
        if spans:
            raise ValueError(f"pair {pair.get('pair_id')}: video {video} has spans but no rendition frame count")
        return []
    frame_count = int(frame_count)
    marked: dict[object, set[int]] = {a: set() for a in pair.get("annotators") or []}
    for span in spans:
        start, end = int(span["start_frame"]), int(span["end_frame"])
        if not 0 <= start <= end < frame_count:
            raise ValueError(f"pair {pair.get('pair_id')}: span [{start}, {end}] on video {video} is not inside its "
                             f"{frame_count} rendition frames (docs/segments.md)")
        marked.setdefault(span["annotator"], set()).update(range(start, end + 1))
    if not marked:
        return [0.0] * frame_count
    counts = [0] * frame_count
    for frames in marked.values():
        for f in frames:
            counts[f] += 1
    return [c / len(marked) for c in counts]


def human_pairs(pairs: Iterable[Mapping], video_scores: Mapping, *, dimension: str = "overall",
                weights: Mapping[str, float] | None = None, min_gap: float = 0.05,
                min_confidence: float = 0.0) -> HumanPairs:
    """Winner/loser records for ``dimension`` (one of the consensus dimensions, or ``"overall"`` with
    ``weights``, e.g. ``{"smoothness": 1, "motion": 1, ...}``). Pairs whose score gap ``s_w - s_l`` is below
    ``min_gap`` or whose consensus confidence is below ``min_confidence`` are dropped and counted."""
    if dimension == "overall" and not weights:
        raise ValueError("dimension 'overall' needs weights per dimension, e.g. {'smoothness': 1.0, 'motion': 1.0}")
    if weights and (any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0):
        raise ValueError(f"weights must be >= 0 with a positive sum, got {dict(weights)}")
    if not 0.0 <= min_gap <= 1.0:
        raise ValueError(f"min_gap must be in [0, 1] (scores are in [0, 1]), got {min_gap}")
    result = HumanPairs(records=[])
    marked_dimensions = {d for d, w in weights.items() if w > 0} if dimension == "overall" else {dimension}
    for pair in pairs:
        judged = _direction_and_gap(pair.get("consensus") or {}, dimension, weights)
        if judged is None:
            result.dropped["no_consensus"] += 1
            continue
        direction, gap, confidence = judged
        if direction == "tie":
            result.dropped["tie"] += 1
            continue
        winner, loser = (pair["video_a"], pair["video_b"]) if direction == "a" else (pair["video_b"], pair["video_a"])
        s_w = _score(video_scores.get(winner), dimension, weights)
        s_l = _score(video_scores.get(loser), dimension, weights)
        if s_w is None or s_l is None:
            result.dropped["no_score"] += 1
            continue
        if not (0.0 <= s_l <= 1.0 and 0.0 <= s_w <= 1.0):
            raise ValueError(f"pair {pair.get('pair_id')}: scores must be in [0, 1] (bt_scaled), got {s_w}, {s_l}")
        if s_w <= s_l:
            result.dropped["order_conflict"] += 1
            continue
        if s_w - s_l < min_gap:
            result.dropped["below_min_gap"] += 1
            continue
        if confidence < min_confidence:
            result.dropped["low_confidence"] += 1
            continue
        result.records.append({
            "pair_id": pair.get("pair_id"), "winner": winner, "loser": loser, "s_w": s_w, "s_l": s_l,
            "dimension": dimension, "prompt": pair.get("prompt"), "initial_image": pair.get("initial_image"),
            "consensus_gap": gap, "confidence": confidence,
            "marks_w": video_marks(pair, winner, marked_dimensions),
            "marks_l": video_marks(pair, loser, marked_dimensions),
        })
    return result


def human_pair_tensors(records: Iterable[Mapping], encode) -> list[dict]:
    """Pair dicts for ``write_pairs``: ``encode(record)`` returns the tensors (``x_w``, ``x_l`` latents of the
    winner and loser videos, ``prompt_embeds``, ``image_latents``, optional ``image_embeds``); scores and the
    record itself (as ``meta``, written to ``index.jsonl``: keep video and pair ids ints or strings) are added
    here. The per-frame marks are not copied into ``meta`` (the pair file holds them on the latent grid);
    ``meta`` says how many rendition frames each video has marked instead."""
    out = []
    for record in records:
        tensors = dict(encode(record))
        meta = {k: v for k, v in record.items() if k not in ("marks_w", "marks_l")}
        for side in ("w", "l"):
            meta[f"marked_frames_{side}"] = sum(1 for m in record.get(f"marks_{side}") or [] if m > 0)
        out.append({**tensors, "s_w": record["s_w"], "s_l": record["s_l"], "meta": meta})
    return out
