"""Agreement over time: the hourly snapshot records what the agreement dashboard and the review
queue show, skips campaigns whose data did not change, and the history endpoint serves the
series to reviewers only."""
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from annotation.models import CampaignStatus, Dimension
from annotation.models.quality import AgreementSnapshot
from annotation.selectors.quality import campaign_agreement
from annotation.selectors.quality_history import MAX_HISTORY_POINTS, campaign_agreement_history, thin_evenly
from annotation.services.adjudication import pair_adjudicate
from annotation.services.agreement_history import agreement_snapshot_take
from annotation.tasks import snapshot_agreement
from tests.factories import CampaignFactory, make_pairs

from tests.quality_db.support import submitted_vote  # noqa: E402

pytestmark = pytest.mark.django_db


_vote = submitted_vote


@pytest.fixture
def judged(alice, bob):
    """Three pairs judged by alice and bob: they split on motion in pair 0 (the review queue),
    agree everywhere else."""
    campaign = CampaignFactory(overlap=2)
    pairs = make_pairs(campaign, n_pairs=3)
    _vote(pairs[0], alice, {"motion": -2}, default=1)
    _vote(pairs[0], bob, {"motion": 1}, default=1)
    for pair, strength in ((pairs[1], -1), (pairs[2], 2)):
        _vote(pair, alice, {}, default=strength)
        _vote(pair, bob, {}, default=strength)
    return campaign, pairs


def test_a_snapshot_records_the_dashboards_agreement_and_the_queue_per_dimension(judged):
    campaign, _ = judged
    rows = {row.dimension.key: row for row in agreement_snapshot_take(campaign=campaign)}
    report = {d["dimension"]: d for d in campaign_agreement(campaign=campaign)["dimensions"]}
    assert set(rows) == set(report) == set(campaign.dimensions.values_list("key", flat=True))
    for key, row in rows.items():
        assert row.alpha == report[key]["alpha_ordinal"]
        assert row.kappa == report[key]["kappa_direction"]["mean"]
        assert row.n_judgments == 6  # 3 pairs x 2 annotators
        assert row.queue_size == 1
        assert row.n_disputed == (1 if key == "motion" else 0)
    # alice and bob agree exactly on every pair outside motion: perfect agreement there
    assert rows["appeal"].alpha == pytest.approx(1.0)
    assert rows["motion"].alpha < rows["appeal"].alpha
    assert len({row.computed_at for row in rows.values()}) == 1


def test_an_unchanged_campaign_is_skipped_and_an_adjudication_makes_a_new_snapshot(judged, rita):
    campaign, pairs = judged
    first = agreement_snapshot_take(campaign=campaign)
    assert agreement_snapshot_take(campaign=campaign) == []
    pair_adjudicate(pair_id=pairs[0].pk, reviewer=rita, answers=[("motion", 1)])
    second = agreement_snapshot_take(campaign=campaign)
    assert len(second) == len(first)
    assert {row.queue_size for row in second} == {0}
    assert AgreementSnapshot.objects.filter(campaign=campaign).count() == 2 * len(first)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overlapping_runs_write_one_snapshot_of_one_version(judged):
    campaign, _ = judged
    start = threading.Barrier(2)
    written, errors = [], []

    def run(offset: int) -> None:
        try:
            start.wait(timeout=10)
            written.append(len(agreement_snapshot_take(campaign=campaign,
                                                       now=timezone.now() + timedelta(seconds=offset))))
        except Exception as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(offset,)) for offset in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(written) == [0, campaign.dimensions.count()]
    assert AgreementSnapshot.objects.filter(campaign=campaign).count() == campaign.dimensions.count()


def test_the_task_snapshots_every_active_campaign_and_no_other(judged):
    campaign, _ = judged
    paused = CampaignFactory(status=CampaignStatus.PAUSED)
    assert snapshot_agreement() == campaign.dimensions.count()
    assert AgreementSnapshot.objects.filter(campaign=campaign).count() == campaign.dimensions.count()
    assert not AgreementSnapshot.objects.filter(campaign=paused).exists()
    assert snapshot_agreement(campaign_id=paused.pk) == paused.dimensions.count()


def test_the_task_is_scheduled_hourly():
    task = PeriodicTask.objects.get(task="annotation.tasks.snapshot_agreement")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "hours")


def _snapshot(campaign, at, alpha, queue_size):
    AgreementSnapshot.objects.bulk_create(
        AgreementSnapshot(campaign=campaign, dimension=dim, alpha=alpha, kappa=None, n_judgments=4,
                          n_disputed=queue_size, queue_size=queue_size, data_version=str(at), computed_at=at)
        for dim in campaign.dimensions.all())


def test_history_lists_each_dimension_in_time_order_within_the_window():
    campaign = CampaignFactory(dimensions=["motion", "appeal"])
    now = timezone.now()
    _snapshot(campaign, now - timedelta(days=40), 0.1, 9)
    _snapshot(campaign, now - timedelta(hours=2), 0.5, 3)
    _snapshot(campaign, now - timedelta(hours=5), 0.3, 4)
    history = campaign_agreement_history(campaign=campaign, days=30, now=now)
    order = list(Dimension.objects.filter(key__in=["motion", "appeal"]).order_by("order", "key")
                 .values_list("key", flat=True))
    assert [d["dimension"] for d in history["dimensions"]] == order
    for dim in history["dimensions"]:
        assert [p["alpha"] for p in dim["points"]] == [0.3, 0.5]
        assert dim["points"][0]["kappa"] is None and dim["points"][0]["n_judgments"] == 4
    assert [q["size"] for q in history["queue"]] == [4, 3]
    assert len(campaign_agreement_history(campaign=campaign, days=60, now=now)["queue"]) == 3


def test_a_long_history_is_thinned_to_evenly_spaced_points_keeping_the_newest():
    assert thin_evenly(list(range(10)), 4) == [0, 3, 6, 9]
    assert thin_evenly([1, 2], 4) == [1, 2]
    thinned = thin_evenly(list(range(8760)), MAX_HISTORY_POINTS)
    assert len(thinned) == MAX_HISTORY_POINTS and thinned[0] == 0 and thinned[-1] == 8759
    with pytest.raises(ValueError, match="at least 2"):
        thin_evenly([1, 2, 3], 1)


def test_reviewers_read_the_history_and_annotators_are_refused(judged, alice, rita, client_for):
    campaign, _ = judged
    agreement_snapshot_take(campaign=campaign)
    url = f"/api/campaigns/{campaign.pk}/quality/agreement/history/"
    assert client_for(alice).get(url).status_code == 403
    assert client_for(None).get(url).status_code in {401, 403}
    body = client_for(rita).get(url).json()
    motion = next(d for d in body["dimensions"] if d["dimension"] == "motion")
    assert len(motion["points"]) == 1 and motion["points"][0]["n_disputed"] == 1
    assert body["queue"][0]["size"] == 1 and body["days"] == 30
    assert client_for(rita).get(url + "?days=0").status_code == 400
    assert client_for(rita).get("/api/campaigns/999999/quality/agreement/history/").status_code == 404
