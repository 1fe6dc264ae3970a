"""Many real HTTP clients leasing and submitting at once against the live server on PostgreSQL."""
import threading
import time
import uuid
from collections import Counter

import httpx
import pytest
from rest_framework.authtoken.models import Token

from annotation.models import Assignment, AssignmentState, Judgment, Pair
from annotation.selectors.invariants import annotation_invariant_violations
from tests.factories import CampaignFactory, UserFactory, make_pairs

N_CLIENTS = 20
N_PAIRS = 24
OVERLAP = 3


def _annotate_until_done(base_url: str, token: str, campaign_id: int, acknowledged: list, errors: list) -> None:
    headers = {"Authorization": f"Token {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
        for _ in range(200):
            lease = http.post(f"/api/campaigns/{campaign_id}/next/", json={}).json()
            if lease.get("assignment") is None:
                if lease.get("reason") == "nothing_left":
                    return
                time.sleep(0.05)
                continue
            body = {
                "client_key": uuid.uuid4().hex,
                "video_a": lease["video_a"]["id"],
                "video_b": lease["video_b"]["id"],
                "answers": [{"dimension": d["key"], "strength": 1} for d in lease["dimensions"]],
            }
            url = f"/api/assignments/{lease['assignment']}/submit/"
            response = http.post(url, json=body)
            if response.status_code != 201:
                errors.append((response.status_code, response.text))
                continue
            acknowledged.append(lease["assignment"])
            # A client that did not see the answer retries: it must get the same result back.
            retry = http.post(url, json=body)
            if retry.status_code != 200 or retry.json()["assignment"] != lease["assignment"]:
                errors.append(("retry", retry.status_code, retry.text))
        errors.append("client did not finish in 200 rounds")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_clients_never_exceed_overlap_never_repeat_a_pair_and_lose_nothing(live_server):
    campaign = CampaignFactory(overlap=OVERLAP)
    make_pairs(campaign, n_pairs=N_PAIRS)
    tokens = [Token.objects.create(user=UserFactory(roles=["annotator"])).key for _ in range(N_CLIENTS)]
    acknowledged, errors = [], []
    threads = [
        threading.Thread(target=_annotate_until_done, args=(live_server.url, t, campaign.pk, acknowledged, errors))
        for t in tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    assert len(acknowledged) == N_PAIRS * OVERLAP
    submitted = Assignment.objects.filter(state=AssignmentState.SUBMITTED)
    assert set(submitted.values_list("pk", flat=True)) == set(acknowledged)
    per_pair = Counter(submitted.values_list("pair_id", flat=True))
    assert set(per_pair.values()) == {OVERLAP}
    pairs_by_annotator = list(submitted.values_list("pair_id", "annotator_id"))
    assert len(pairs_by_annotator) == len(set(pairs_by_annotator))
    assert Judgment.objects.count() == len(acknowledged) * 6
    assert all(p.completed == p.overlap == p.taken for p in Pair.objects.all())
    assert annotation_invariant_violations() == {}
