"""Building a version: splits, determinism, filters, consensus, failure, immutability, stale builds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotation.models import Dimension, Judgment, VideoScore
from annotation.quality import Vote, pair_consensus
from tests.export.conftest import judge
from tests.export.support import file_hashes, read_table
from training.exports import services
from training.exports.errors import DatasetStateConflict
from training.exports.services import (
    STALE_AFTER,
    dataset_version_build,
    dataset_version_create,
    dataset_version_rebuild,
    dataset_version_requeue,
    dataset_versions_fail_stale,
    version_folder,
)
from training.exports.writer import TableWriter
from training.models import DatasetFile, DatasetStatus, DatasetVersion

pytestmark = pytest.mark.usefixtures("datasets_root")


def _build(campaign, **kwargs) -> DatasetVersion:
    version = dataset_version_create(campaigns=[campaign], enqueue=False, **kwargs)
    return dataset_version_build(version_id=version.pk)


def test_no_initial_image_appears_in_both_splits(judged_campaign):
    campaign, pairs, _ = judged_campaign
    version = _build(campaign, test_fraction=0.5)
    assert version.status == DatasetStatus.READY, version.error
    train, test = read_table(version.pk, "prompts", "train"), read_table(version.pk, "prompts", "test")
    assert train.num_rows and test.num_rows
    for column in ("initial_image_sha256", "split_key", "initial_image"):
        assert not set(train.column(column).to_pylist()) & set(test.column(column).to_pylist())
    # Every other table follows its prompt's side.
    test_prompts = set(test.column("prompt_id").to_pylist())
    for table in ("judgments", "consensus", "videos"):
        for split in ("train", "test"):
            prompts = set(read_table(version.pk, table, split).column("prompt_id").to_pylist())
            assert (prompts <= test_prompts) if split == "test" else not (prompts & test_prompts)


def test_rebuilding_the_same_description_gives_identical_files_and_hash(judged_campaign):
    campaign, _, _ = judged_campaign
    first = _build(campaign, test_fraction=0.3)
    second = dataset_version_build(version_id=dataset_version_rebuild(version=first, enqueue=False).pk)
    assert second.pk != first.pk and second.status == DatasetStatus.READY
    assert second.description_sha256 == first.description_sha256
    assert file_hashes(second) == file_hashes(first)
    assert second.sha256 == first.sha256
    for path in file_hashes(first):
        assert (version_folder(first.pk) / path).read_bytes() == (version_folder(second.pk) / path).read_bytes()


def test_another_description_gives_another_hash(judged_campaign):
    campaign, _, _ = judged_campaign
    a = _build(campaign, test_fraction=0.3)
    b = _build(campaign, test_fraction=0.3, judged_before=a.judged_before, split_salt="another-salt")
    assert a.sha256 != b.sha256


def test_judgments_after_the_cut_off_never_change_a_version(judged_campaign):
    campaign, pairs, people = judged_campaign
    first = _build(campaign)
    late = Judgment.objects.filter(pair=pairs[0]).first()
    Judgment.objects.filter(pk=late.pk).update(created_at=timezone.now() + timedelta(hours=1))
    again = dataset_version_build(version_id=dataset_version_rebuild(version=first, enqueue=False).pk)
    assert again.row_counts["judgments"] != first.row_counts["judgments"]
    ids = read_table(again.pk, "judgments").column("judgment_id").to_pylist()
    assert late.pk not in ids


def test_row_counts_progress_and_files_are_recorded(judged_campaign):
    campaign, pairs, people = judged_campaign
    version = _build(campaign)
    n_judgments = len(pairs) * len(people) * 2
    assert sum(version.row_counts["judgments"].values()) == n_judgments
    assert sum(version.row_counts["consensus"].values()) == len(pairs) * 2
    assert sum(version.row_counts["videos"].values()) == 2 * len(pairs)
    assert version.rows_written == version.rows_total == sum(sum(c.values()) for c in version.row_counts.values())
    paths = set(file_hashes(version))
    assert "README.md" in paths and "data/judgments/train-00000-of-00001.parquet" in paths
    assert "jsonl/consensus/test-00000-of-00001.jsonl" in paths
    for record in version.files.all():
        assert (version_folder(version.pk) / record.path).stat().st_size == record.size_bytes
    assert not list(services.datasets_root().glob(".tmp-*"))


def test_consensus_rows_equal_pair_consensus_of_the_votes(judged_campaign):
    campaign, _, _ = judged_campaign
    version = _build(campaign)
    votes = [Vote(j.pair_id, j.annotator_id, j.dimension.key, j.strength)
             for j in Judgment.objects.filter(pair__campaign=campaign).select_related("dimension")]
    expected = {(c.pair_id, c.dimension): c for c in pair_consensus(votes)}
    rows = read_table(version.pk, "consensus").to_pylist()
    assert len(rows) == len(expected)
    for row in rows:
        c = expected[(row["pair_id"], row["dimension"])]
        assert (row["votes"], row["n_a"], row["n_tie"], row["n_b"], row["direction"]) == \
            (c.votes, c.n_a, c.n_tie, c.n_b, c.direction)
        assert row["mean_strength"] == pytest.approx(c.mean_strength)
        assert row["gap"] == pytest.approx(c.gap) and row["confidence"] == pytest.approx(c.confidence)
        assert row["agreement"] == pytest.approx(max(c.n_a, c.n_tie, c.n_b) / c.votes)
    dims = {a["dimension"] for a in version.agreement}
    assert dims == {"motion", "smoothness"}


def test_filters_drop_whole_pair_dimensions_from_every_table(judged_campaign):
    campaign, pairs, people = judged_campaign
    # One extra pair judged once: min_votes_per_pair=2 must drop it everywhere.
    from tests.factories import VideoFactory, PromptFactory
    from annotation.models import Pair

    prompt = PromptFactory()
    lonely = Pair.objects.create(campaign=campaign, video_a=VideoFactory(prompt=prompt),
                                 video_b=VideoFactory(prompt=prompt), overlap=3, random_key=0.1)
    judge(lonely, people[0], {"smoothness": -2, "motion": 1})
    version = _build(campaign, min_votes_per_pair=2, min_agreement=0.6)
    consensus = read_table(version.pk, "consensus").to_pylist()
    assert consensus and all(row["votes"] >= 2 and row["agreement"] >= 0.6 for row in consensus)
    kept = {(row["pair_id"], row["dimension"]) for row in consensus}
    judgments = read_table(version.pk, "judgments").to_pylist()
    assert {(row["pair_id"], row["dimension"]) for row in judgments} == kept
    assert lonely.pk not in {row["pair_id"] for row in judgments}
    assert prompt.pk not in set(read_table(version.pk, "prompts").column("prompt_id").to_pylist())


def test_annotators_are_pseudonymous_and_stable(judged_campaign):
    campaign, _, people = judged_campaign
    a, b = _build(campaign), _build(campaign, test_fraction=0.5)
    names_a = set(read_table(a.pk, "judgments").column("annotator").to_pylist())
    names_b = set(read_table(b.pk, "judgments").column("annotator").to_pylist())
    assert names_a == names_b and len(names_a) == len(people)
    raw = {str(p.pk) for p in people} | {p.username for p in people}
    assert not names_a & raw
    for path in ("jsonl/judgments/train-00000-of-00001.jsonl", "README.md"):
        text = (version_folder(a.pk) / path).read_text()
        assert not any(f'"{p.username}"' in text for p in people)


def test_stored_video_scores_are_exported_per_campaign(judged_campaign):
    campaign, pairs, _ = judged_campaign
    motion = Dimension.objects.get(key="motion")
    now = timezone.now()
    for i, pair in enumerate(pairs[:4]):
        VideoScore.objects.create(campaign=campaign, video=pair.video_a, dimension=motion, bt_score=i - 1.5,
                                  bt_scaled=i / 3, n=3, computed_at=now)
    version = _build(campaign)
    rows = read_table(version.pk, "video_scores").to_pylist()
    assert sorted(r["video_id"] for r in rows) == sorted(p.video_a_id for p in pairs[:4])
    assert {r["campaign_id"] for r in rows} == {campaign.pk} and {r["dimension"] for r in rows} == {"motion"}


def test_a_failure_mid_stream_leaves_no_ready_version_and_no_folder(judged_campaign, monkeypatch):
    campaign, _, _ = judged_campaign
    real_write, written = TableWriter.write, {"rows": 0}

    def failing_write(self, batch):
        if written["rows"] >= 40:  # the third batch of the judgments table
            raise OSError("disk full (injected)")
        written["rows"] += batch.num_rows
        return real_write(self, batch)

    monkeypatch.setattr(TableWriter, "write", failing_write)
    monkeypatch.setattr("training.exports.selectors.FETCH_ROWS", 8)
    version = dataset_version_create(campaigns=[campaign], enqueue=False)
    version = dataset_version_build(version_id=version.pk)
    assert version.status == DatasetStatus.FAILED
    assert "disk full (injected)" in version.error
    assert not DatasetVersion.objects.filter(status=DatasetStatus.READY).exists()
    assert not DatasetFile.objects.filter(version=version).exists()
    assert not version_folder(version.pk).exists()
    assert list(services.datasets_root().iterdir()) == []


def test_a_failed_version_can_be_built_again(judged_campaign, monkeypatch):
    campaign, _, _ = judged_campaign
    monkeypatch.setattr("training.exports.build.card_render", lambda **kw: 1 / 0)
    version = _build(campaign)
    assert version.status == DatasetStatus.FAILED and "ZeroDivisionError" in version.error
    monkeypatch.undo()
    version = dataset_version_requeue(version=version, enqueue=False)
    version = dataset_version_build(version_id=version.pk)
    assert version.status == DatasetStatus.READY and version.attempts == 2


def test_a_ready_version_is_immutable(judged_campaign):
    campaign, _, _ = judged_campaign
    version = _build(campaign)
    with pytest.raises(DatasetStateConflict, match="immutable"):
        dataset_version_requeue(version=version, enqueue=False)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        DatasetVersion.objects.filter(pk=version.pk).update(test_fraction=0.5)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        DatasetFile.objects.filter(version=version).update(sha256="0" * 64)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        DatasetFile.objects.create(version=version, path="extra.txt", format="card", size_bytes=0, sha256="0")
    # Only the creator may go (SET_NULL when a user is deleted).
    DatasetVersion.objects.filter(pk=version.pk).update(created_by=None)


def test_a_build_only_runs_once(judged_campaign):
    campaign, _, _ = judged_campaign
    version = _build(campaign)
    assert dataset_version_build(version_id=version.pk).sha256 == version.sha256  # already ready: untouched


def test_a_build_whose_worker_died_is_failed_and_its_temp_folder_removed(judged_campaign):
    campaign, _, _ = judged_campaign
    version = dataset_version_create(campaigns=[campaign], enqueue=False)
    DatasetVersion.objects.filter(pk=version.pk).update(
        status=DatasetStatus.BUILDING, heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))
    leftover = services.datasets_root() / f".tmp-{version.pk}-deadbeef"
    leftover.mkdir(parents=True)
    assert dataset_versions_fail_stale() == 1
    version.refresh_from_db()
    assert version.status == DatasetStatus.FAILED and "heartbeat" in version.error
    assert not leftover.exists()


def test_a_redelivered_task_takes_over_a_stale_build(judged_campaign):
    campaign, _, _ = judged_campaign
    version = dataset_version_create(campaigns=[campaign], enqueue=False)
    DatasetVersion.objects.filter(pk=version.pk).update(
        status=DatasetStatus.BUILDING, heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))
    assert dataset_version_build(version_id=version.pk).status == DatasetStatus.READY


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_visible_to_other_connections_while_building(monkeypatch):
    from django.db import connection

    from tests.export.conftest import make_judged_campaign

    monkeypatch.setattr(services, "PROGRESS_EVERY_S", 0.0)
    monkeypatch.setattr("training.exports.selectors.FETCH_ROWS", 10)
    campaign, _, _ = make_judged_campaign(n_images=2)
    version = dataset_version_create(campaigns=[campaign], enqueue=False)
    observer, seen = connection.copy(), []

    def watch(done, total):
        with observer.cursor() as cursor:
            cursor.execute("SELECT status, rows_written, rows_total FROM training_datasetversion WHERE id = %s",
                           [version.pk])
            seen.append(cursor.fetchone())

    try:
        version = dataset_version_build(version_id=version.pk, progress=watch)
    finally:
        observer.close()
    assert version.status == DatasetStatus.READY
    building = [row for row in seen if row[0] == "building"]
    assert len(building) == len(seen)
    assert any(0 < written < total for _, written, total in building)
    assert [w for _, w, _ in building] == sorted(w for _, w, _ in building)
