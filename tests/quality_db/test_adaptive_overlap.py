"""Adaptive overlap: the quality refresh closes pairs whose votes agree, opens contradicting pairs
to the campaign's overlap, never takes back a slot already handed out, and leaves campaigns that
did not turn it on alone."""
import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.db.models import F
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, Pair
from annotation.selectors.invariants import annotation_invariant_violations
from annotation.services.leasing import assignment_lease_next
from annotation.services.quality import campaign_quality_refresh, pair_overlaps_refresh
from annotation.services.submissions import Answer, judgment_submit
from tests.factories import CampaignFactory, UserFactory, make_pairs

pytestmark = pytest.mark.django_db

AGREE_A = {"motion": -2, "appeal": -1}
SAME = {"motion": 0, "appeal": -1}
PREFER_B = {"motion": 1, "appeal": -1}


def _lease(pair: Pair, user) -> Assignment:
    """A live lease of exactly this pair (the claim SQL's bookkeeping: one slot taken)."""
    now = timezone.now()
    Pair.objects.filter(pk=pair.pk).update(taken=F("taken") + 1)
    return Assignment.objects.create(pair=pair, campaign=pair.campaign, annotator=user, a_on_left=True,
                                     state=AssignmentState.LEASED, leased_at=now, heartbeat_at=now,
                                     expires_at=now + timedelta(minutes=10))


def _vote(pair: Pair, user, strengths: dict[str, int]) -> None:
    assignment = _lease(pair, user)
    judgment_submit(assignment_id=assignment.pk, annotator=user, client_key=f"k{assignment.pk}",
                    video_a_id=pair.video_a_id, video_b_id=pair.video_b_id,
                    answers=[Answer(key, strength) for key, strength in strengths.items()])


def _overlaps(pairs) -> list[int]:
    by_id = dict(Pair.objects.filter(pk__in=[p.pk for p in pairs]).values_list("id", "overlap"))
    return [by_id[p.pk] for p in pairs]


@pytest.fixture
def annotators(db):
    return [UserFactory(username=f"adaptive-{i}", roles=["annotator"]) for i in range(4)]


@pytest.fixture
def campaign(db):
    return CampaignFactory(overlap=4, adaptive_overlap=True, adaptive_min_votes=2, dimensions=["motion", "appeal"])


def test_it_closes_agreeing_pairs_and_opens_contradicting_ones_to_the_full_overlap(campaign, annotators):
    agree, same, split, one_vote, fresh = make_pairs(campaign, n_pairs=5)
    for user in annotators[:2]:
        _vote(agree, user, AGREE_A)
    _vote(same, annotators[0], AGREE_A)
    _vote(same, annotators[1], SAME)  # "same" contradicts neither side
    _vote(split, annotators[0], AGREE_A)
    _vote(split, annotators[1], PREFER_B)  # A better on motion, then B better: contradiction
    _vote(one_vote, annotators[0], AGREE_A)

    result = campaign_quality_refresh(campaign=campaign, warm_cache=False)

    assert _overlaps([agree, same, split, one_vote, fresh]) == [2, 2, 4, 2, 2]
    assert result["overlaps_changed"] == 4  # the split pair already had the campaign's overlap
    assert annotation_invariant_violations(include_orphans=False) == {}
    # a second refresh over the same votes changes nothing
    assert pair_overlaps_refresh(campaign=campaign) == 0


def test_the_reopened_pair_is_handed_out_before_fresh_pairs(campaign, annotators):
    split, *fresh = make_pairs(campaign, n_pairs=4)
    _vote(split, annotators[0], AGREE_A)
    _vote(split, annotators[1], PREFER_B)
    campaign_quality_refresh(campaign=campaign, warm_cache=False)
    assert assignment_lease_next(campaign=campaign, annotator=annotators[2]).pair_id == split.pk


def test_it_never_takes_back_a_slot_that_is_leased(campaign, annotators):
    agree, untouched = make_pairs(campaign, n_pairs=2)
    for user in annotators[:2]:
        _vote(agree, user, AGREE_A)
    _lease(agree, annotators[2])  # a third annotator is working on it right now
    for user in annotators[:3]:
        _lease(untouched, user)  # three live leases, no vote yet

    pair_overlaps_refresh(campaign=campaign)

    assert _overlaps([agree, untouched]) == [3, 3]
    assert annotation_invariant_violations(include_orphans=False) == {}


def test_votes_of_a_paused_annotator_are_replaced(campaign, annotators):
    from annotation.models import AnnotatorState, AnnotatorStatus

    (pair,) = make_pairs(campaign, n_pairs=1)
    for user in annotators[:2]:
        _vote(pair, user, AGREE_A)
    AnnotatorStatus.objects.create(campaign=campaign, annotator=annotators[1], state=AnnotatorState.PAUSED,
                                   changed_at=timezone.now())

    pair_overlaps_refresh(campaign=campaign)

    assert _overlaps([pair]) == [3]  # one counted vote + one discarded: room for one more counted vote


def test_campaigns_without_adaptive_overlap_keep_their_overlap(annotators):
    campaign = CampaignFactory(overlap=3, dimensions=["motion", "appeal"])
    agree, fresh = make_pairs(campaign, n_pairs=2)
    for user in annotators[:2]:
        _vote(agree, user, AGREE_A)
    assert campaign.adaptive_overlap is False
    assert campaign_quality_refresh(campaign=campaign, warm_cache=False)["overlaps_changed"] == 0
    assert _overlaps([agree, fresh]) == [3, 3]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_refreshes_racing_claims_never_exceed_overlap():
    campaign = CampaignFactory(overlap=3, adaptive_overlap=True, dimensions=["motion"])
    make_pairs(campaign, n_pairs=6)
    users = [UserFactory(username=f"racer-{i}", roles=["annotator"]) for i in range(6)]
    errors: list[BaseException] = []
    stop = threading.Event()

    def worker(user):
        try:
            for _ in range(4):
                assignment = assignment_lease_next(campaign=campaign, annotator=user)
                if assignment is None:
                    break
                pair = assignment.pair
                judgment_submit(assignment_id=assignment.pk, annotator=user, client_key=f"r{assignment.pk}",
                                video_a_id=pair.video_a_id, video_b_id=pair.video_b_id,
                                answers=[Answer("motion", -1 if user.pk % 2 else 1)])
        except BaseException as exc:  # noqa: BLE001  (re-raised in the main thread below)
            errors.append(exc)
        finally:
            close_old_connections()

    def refresher():
        try:
            while not stop.is_set():
                pair_overlaps_refresh(campaign=campaign)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(user,)) for user in users]
    background = threading.Thread(target=refresher)
    background.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    background.join()

    assert errors == []
    assert annotation_invariant_violations(include_orphans=False) == {}
    assert not Pair.objects.filter(campaign=campaign, taken__gt=F("overlap")).exists()
    assert Assignment.objects.filter(campaign=campaign, state=AssignmentState.SUBMITTED).count() > 0
