"""training/gapo/human: platform pairs + per-video Bradley-Terry scores -> ordered GAPO pairs, with drop counts."""

import pytest

from training.gapo.human import human_pair_tensors, human_pairs

SCORES = {
    1: {"smoothness": 0.9, "motion": 0.2},
    2: {"smoothness": 0.3, "motion": 0.6},
    3: {"smoothness": 0.5, "motion": None},
    4: {"smoothness": 0.52, "motion": 0.4},
}


def pair(pair_id, a, b, **consensus):
    return {"pair_id": pair_id, "video_a": a, "video_b": b, "prompt": f"p{pair_id}", "initial_image": f"i{pair_id}.png",
            "consensus": {d: {"direction": c[0], "gap": c[1], "confidence": c[2] if len(c) > 2 else 1.0}
                          for d, c in consensus.items()}}


def test_winner_comes_first_with_its_own_score_whichever_side_it_was_shown_on():
    result = human_pairs([pair(1, 1, 2, smoothness=("a", 1.0)), pair(2, 2, 1, smoothness=("b", 0.5))],
                         SCORES, dimension="smoothness")
    assert [(r["winner"], r["loser"], r["s_w"], r["s_l"]) for r in result.records] == [
        (1, 2, 0.9, 0.3), (1, 2, 0.9, 0.3)]
    assert result.records[0]["prompt"] == "p1" and result.records[1]["consensus_gap"] == 0.5
    assert result.total_dropped == 0


def test_ties_missing_scores_conflicts_and_small_gaps_are_dropped_and_counted():
    pairs = [
        pair(1, 1, 2, smoothness=("tie", 0.0)),      # tie
        pair(2, 1, 2, motion=("a", 0.5)),            # no smoothness consensus
        pair(3, 1, 9, smoothness=("a", 0.5)),        # video 9 has no score
        pair(4, 2, 1, smoothness=("a", 0.5)),        # annotators say 2, BT ranks 1 higher
        pair(5, 4, 3, smoothness=("a", 0.5)),        # 0.52 vs 0.5: below min_gap
        pair(6, 1, 3, smoothness=("a", 0.5, 0.4)),   # confident too little
        pair(7, 1, 3, smoothness=("a", 0.5, 0.9)),   # kept
    ]
    result = human_pairs(pairs, SCORES, dimension="smoothness", min_gap=0.05, min_confidence=0.5)
    assert [r["pair_id"] for r in result.records] == [7]
    assert result.dropped == {"no_consensus": 1, "tie": 1, "no_score": 1, "order_conflict": 1, "below_min_gap": 1,
                              "low_confidence": 1}


def test_overall_direction_and_scores_are_weighted_over_dimensions():
    # smoothness says A (1) by 1.0, motion says B (2) by 0.5; weights 1:3 -> (1*1.0 - 3*0.5) / 4 < 0: B wins.
    pairs = [pair(1, 1, 2, smoothness=("a", 1.0), motion=("b", 0.5))]
    weights = {"smoothness": 1.0, "motion": 3.0}
    result = human_pairs(pairs, SCORES, dimension="overall", weights=weights, min_gap=0.0)
    (record,) = result.records
    assert (record["winner"], record["loser"]) == (2, 1)
    assert record["s_w"] == pytest.approx((0.3 + 3 * 0.6) / 4) and record["s_l"] == pytest.approx((0.9 + 3 * 0.2) / 4)
    assert record["consensus_gap"] == pytest.approx(0.125)
    # a video lacking a weighted dimension's score cannot get an overall score
    assert human_pairs([pair(2, 1, 3, smoothness=("a", 1.0))], SCORES, dimension="overall",
                       weights=weights).dropped["no_score"] == 1


def test_overall_needs_weights_and_scores_must_be_in_unit_range():
    with pytest.raises(ValueError, match="needs weights"):
        human_pairs([], SCORES, dimension="overall")
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        human_pairs([pair(1, 1, 2, smoothness=("a", 1.0))], {1: {"smoothness": 3.0}, 2: {"smoothness": 0.1}},
                    dimension="smoothness")


def test_records_become_write_pairs_dicts_with_scores_and_meta():
    records = human_pairs([pair(1, 1, 2, smoothness=("a", 1.0))], SCORES, dimension="smoothness").records
    out = human_pair_tensors(records, lambda r: {"x_w": f"latent {r['winner']}", "x_l": f"latent {r['loser']}"})
    meta = {k: v for k, v in records[0].items() if k not in ("marks_w", "marks_l")}
    meta.update(marked_frames_w=0, marked_frames_l=0)  # the per-frame marks go to the pair file, not the index
    assert out == [{"x_w": "latent 1", "x_l": "latent 2", "s_w": 0.9, "s_l": 0.3, "meta": meta}]
