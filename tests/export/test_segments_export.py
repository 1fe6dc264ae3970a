"""Temporal segments in the dataset export (docs/segments.md): a `segments` table with one row per
span of the kept pair-dimensions, the same annotator pseudonym as `judgments`, the rendition's
frame grid, described in the card, and a round trip through `datasets.load_dataset`."""
from __future__ import annotations

from datetime import timedelta

import pytest

from annotation.models import Assignment, Dimension, Segment, Video
from tests.export.support import read_table
from tests.export.test_load_with_datasets import offline_datasets  # noqa: F401  (fixture)
from training.exports.services import dataset_version_build, dataset_version_create, version_folder

pytestmark = pytest.mark.usefixtures("datasets_root")


def _mark(assignment, video_id, dimension, start, end, severity=None, note=""):
    return Segment.objects.create(assignment=assignment, video_id=video_id, annotator=assignment.annotator,
                                  dimension=Dimension.objects.get(key=dimension), start_frame=start, end_frame=end,
                                  severity=severity, note=note)


@pytest.fixture
def marked_campaign(judged_campaign):
    """The judged campaign with spans from two annotators on the first pair, one on the second,
    one on a dimension the export leaves out, and one submitted after the export's cut-off."""
    campaign, pairs, people = judged_campaign
    first = Assignment.objects.get(pair=pairs[0], annotator=people[0])
    second = Assignment.objects.get(pair=pairs[0], annotator=people[1])
    other = Assignment.objects.get(pair=pairs[1], annotator=people[2])
    Video.objects.filter(pk=pairs[1].video_b_id).update(rendition_frame_count=48, rendition_fps=12.0)
    kept = [
        _mark(first, pairs[0].video_a_id, "smoothness", 2, 9, severity=3, note='a "stutter"\nat the turn'),
        _mark(first, pairs[0].video_b_id, "motion", 0, 0),
        _mark(second, pairs[0].video_a_id, "smoothness", 5, 12, severity=1),
        _mark(other, pairs[1].video_b_id, "motion", 30, 47, severity=2),
    ]
    _mark(first, pairs[0].video_a_id, "appeal", 1, 3)  # not an exported dimension
    late = Assignment.objects.get(pair=pairs[2], annotator=people[0])
    _mark(late, pairs[2].video_a_id, "motion", 1, 2)
    Assignment.objects.filter(pk=late.pk).update(finished_at=late.finished_at + timedelta(days=1))
    cutoff = late.finished_at + timedelta(hours=1)
    return campaign, pairs, people, kept, cutoff


def _build(campaign, cutoff):
    version = dataset_version_create(campaigns=[campaign], enqueue=False, judged_before=cutoff)
    return dataset_version_build(version_id=version.pk)


def test_the_export_writes_one_row_per_kept_span_with_the_judgments_pseudonym(marked_campaign):
    campaign, pairs, people, kept, cutoff = marked_campaign
    version = _build(campaign, cutoff)

    rows = sorted(read_table(version.pk, "segments").to_pylist(), key=lambda r: r["segment_id"])
    assert [r["segment_id"] for r in rows] == [s.pk for s in kept]
    first = rows[0]
    assert {k: first[k] for k in ("pair_id", "campaign_id", "prompt_id", "video_id", "dimension", "start_frame",
                                  "end_frame", "severity", "note", "frame_count", "fps", "is_gold")} == {
        "pair_id": pairs[0].pk, "campaign_id": campaign.pk, "prompt_id": pairs[0].video_a.prompt_id,
        "video_id": pairs[0].video_a_id, "dimension": "smoothness", "start_frame": 2, "end_frame": 9,
        "severity": 3, "note": 'a "stutter"\nat the turn', "frame_count": 24, "fps": 12.0, "is_gold": False}
    assert rows[1]["severity"] is None
    assert (rows[3]["frame_count"], rows[3]["end_frame"]) == (48, 47)
    judgments = read_table(version.pk, "judgments").to_pylist()
    pseudonym = {(r["pair_id"], r["split"]): r["annotator"] for r in judgments if r["time_spent_ms"] == 1000}
    assert first["annotator"] == pseudonym[(pairs[0].pk, first["split"])], "the same pseudonym as in judgments"
    assert rows[0]["annotator"] != rows[2]["annotator"]
    assert {r["split"] for r in rows} <= {"train", "test"}
    assert sum(version.row_counts["segments"].values()) == 4


def test_the_card_describes_the_segments_table_and_declares_its_config(marked_campaign):
    campaign, _, _, _, cutoff = marked_campaign
    card = (version_folder(_build(campaign, cutoff).pk) / "README.md").read_text()
    assert "config_name: segments" in card and "path: data/segments/" in card
    assert "### `segments`" in card and "| start_frame | int32 |" in card
    assert "end-inclusive on the grid of the video's browser rendition" in card


def test_segments_round_trip_through_load_dataset(marked_campaign, offline_datasets):  # noqa: F811
    datasets, cache_dir = offline_datasets
    campaign, _, _, kept, cutoff = marked_campaign
    folder = version_folder(_build(campaign, cutoff).pk)

    loaded = datasets.load_dataset(str(folder), "segments", cache_dir=cache_dir)

    spans = sorted((r["segment_id"], r["video_id"], r["dimension"], r["start_frame"], r["end_frame"], r["severity"],
                    r["frame_count"]) for split in loaded for r in loaded[split])
    assert spans == [(s.pk, s.video_id, s.dimension.key, s.start_frame, s.end_frame, s.severity,
                      Video.objects.get(pk=s.video_id).rendition_frame_count) for s in kept]
    split = next(iter(loaded))
    assert loaded[split].features["severity"].dtype == "int8"
    assert loaded[split].features["start_frame"].dtype == "int32"


def test_an_export_without_spans_keeps_the_empty_files_but_declares_no_segments_config(judged_campaign,
                                                                                      offline_datasets):
    """`datasets` cannot build an empty split, so the card leaves the empty table out of its configs;
    the other tables load as before."""
    datasets, cache_dir = offline_datasets
    version = dataset_version_build(
        version_id=dataset_version_create(campaigns=[judged_campaign[0]], enqueue=False).pk)
    folder = version_folder(version.pk)
    assert version.row_counts["segments"] == {"train": 0, "test": 0}
    assert read_table(version.pk, "segments").num_rows == 0
    assert "config_name: segments" not in (folder / "README.md").read_text()
    with pytest.raises(ValueError, match="segments"):
        datasets.load_dataset(str(folder), "segments", cache_dir=cache_dir)
    assert datasets.load_dataset(str(folder), "consensus", cache_dir=cache_dir)
