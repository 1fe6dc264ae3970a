"""The frozen description and the version hash: pure."""
from datetime import datetime, timezone

import pytest

from annotation.quality.consensus import DEFAULT_TIE_BAND
from training.dataset_description import (
    DEFAULT_TIE_BAND as EXPORT_TIE_BAND,
    MSG_MIN_AGREEMENT,
    MSG_NAIVE_CUTOFF,
    DatasetDescription,
    version_sha256,
)

CUTOFF = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


def test_equal_descriptions_in_any_order_hash_alike():
    a = DatasetDescription(campaign_ids=(3, 1), dimension_keys=("motion", "appeal"), judged_before=CUTOFF)
    b = DatasetDescription(campaign_ids=[1, 3, 3], dimension_keys=["appeal", "motion"], judged_before=CUTOFF)
    assert a.canonical_json() == b.canonical_json()
    assert a.sha256() == b.sha256()
    assert a.as_dict()["filters"]["judged_before"] == "2026-05-01T12:00:00.000000Z"


def test_any_change_of_the_description_changes_the_hash():
    base = dict(campaign_ids=(1,), dimension_keys=("motion",), judged_before=CUTOFF)
    hashes = {
        DatasetDescription(**base).sha256(),
        DatasetDescription(**base, min_votes_per_pair=2).sha256(),
        DatasetDescription(**base, min_agreement=0.5).sha256(),
        DatasetDescription(**base, test_fraction=0.1).sha256(),
        DatasetDescription(**base, split_salt="other").sha256(),
        DatasetDescription(**{**base, "judged_before": CUTOFF.replace(minute=1)}).sha256(),
    }
    assert len(hashes) == 6


def test_invalid_descriptions_are_refused_with_a_fix():
    with pytest.raises(ValueError, match="min_agreement"):
        DatasetDescription(campaign_ids=(1,), dimension_keys=("m",), judged_before=CUTOFF, min_agreement=1.5)
    with pytest.raises(ValueError) as naive:
        DatasetDescription(campaign_ids=(1,), dimension_keys=("m",), judged_before=datetime(2026, 1, 1))
    assert str(naive.value) == MSG_NAIVE_CUTOFF
    assert MSG_MIN_AGREEMENT.startswith("min_agreement must be in [0, 1]")


def test_the_version_hash_ignores_file_order_but_not_content():
    files = [("data/a.parquet", "11"), ("README.md", "22")]
    assert version_sha256("{}", files) == version_sha256("{}", list(reversed(files)))
    assert version_sha256("{}", files) != version_sha256("{}", [("data/a.parquet", "12"), ("README.md", "22")])
    assert version_sha256("{}", files) != version_sha256('{"x":1}', files)


def test_the_tie_band_default_matches_the_consensus_module():
    assert EXPORT_TIE_BAND == DEFAULT_TIE_BAND


def test_agreement_figures_match_hand_computed_values():
    import pyarrow as pa

    from training.exports.card import AgreementTally

    # motion: (A, A, B) and (same); smoothness: (B, B, B)
    batch = pa.RecordBatch.from_pydict({
        "dimension": ["motion", "motion", "smoothness"], "votes": pa.array([3, 1, 3], pa.int16()),
        "n_a": pa.array([2, 0, 0], pa.int16()), "n_tie": pa.array([0, 1, 0], pa.int16()),
        "n_b": pa.array([1, 0, 3], pa.int16()), "agreement": [2 / 3, 1.0, 1.0], "confidence": [0.6, 0.5, 0.9],
    })
    tally = AgreementTally()
    tally.add_batch(batch)
    motion, smoothness = tally.results()
    assert (motion.pairs, motion.votes) == (2, 4)
    assert motion.mean_agreement == pytest.approx((2 / 3 + 1) / 2)
    assert motion.unanimous_share == 0.0  # the single-vote pair does not count
    assert motion.pairwise_agreement == pytest.approx(1 / 3)  # 1 agreeing pair of 3
    assert motion.mean_confidence == pytest.approx(0.55)
    assert (smoothness.unanimous_share, smoothness.pairwise_agreement) == (1.0, 1.0)
