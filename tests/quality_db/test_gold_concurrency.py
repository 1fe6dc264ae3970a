"""Many annotators leasing at once from a campaign with gold: every gold pair still reaches
every annotator exactly once and no real pair exceeds its overlap."""
import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import connection

from annotation.models import Assignment, AssignmentState, Dimension, Pair
from annotation.selectors.campaigns import campaign_empty_reason
from annotation.selectors.invariants import annotation_invariant_violations
from annotation.services.gold import pair_mark_gold
from annotation.services.leasing import assignment_lease_next
from annotation.services.submissions import Answer, judgment_submit
from tests.factories import CampaignFactory, UserFactory, make_pairs

N_ANNOTATORS = 8
N_GOLD = 3
N_REAL = 12
OVERLAP = 2


def _work(campaign, user, errors: list) -> None:
    keys = list(Dimension.objects.values_list("key", flat=True))
    try:
        for _ in range(500):
            assignment = assignment_lease_next(campaign=campaign, annotator=user)
            if assignment is None:
                # a gold row can be locked by another claim for a moment: the client is told to retry
                if campaign_empty_reason(campaign=campaign, annotator=user)["reason"] == "nothing_left":
                    return
                time.sleep(0.02)
                continue
            pair = assignment.pair
            judgment_submit(assignment_id=assignment.pk, annotator=user, client_key=uuid.uuid4().hex,
                            video_a_id=pair.video_a_id, video_b_id=pair.video_b_id,
                            answers=[Answer(key, 1) for key in keys])
        errors.append("did not finish")
    except Exception as exc:  # noqa: BLE001 - reported to the main thread
        errors.append(repr(exc))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_leasing_with_gold_keeps_every_guarantee():
    campaign = CampaignFactory(overlap=OVERLAP, gold_rate=0.3, qualification_gold_count=1, min_gold_accuracy=0.0)
    pairs = make_pairs(campaign, n_pairs=N_GOLD + N_REAL)
    keys = list(Dimension.objects.values_list("key", flat=True))
    for pair in pairs[:N_GOLD]:
        pair_mark_gold(pair=pair, answers=dict.fromkeys(keys, 1))
    users = [UserFactory(roles=["annotator"]) for _ in range(N_ANNOTATORS)]
    errors: list = []
    threads = [threading.Thread(target=_work, args=(campaign, user, errors)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    submitted = Assignment.objects.filter(state=AssignmentState.SUBMITTED)
    per_pair = Counter(submitted.values_list("pair_id", flat=True))
    assert {per_pair[p.pk] for p in pairs[:N_GOLD]} == {N_ANNOTATORS}
    assert {per_pair[p.pk] for p in pairs[N_GOLD:]} == {OVERLAP}
    assert all(p.taken == p.completed for p in Pair.objects.all())
    assert annotation_invariant_violations() == {}
