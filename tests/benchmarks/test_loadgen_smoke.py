"""Smoke test of the load generator against the live test server: a few simulated annotators
for ~3 s must finish with no errors, no invariant violations, every acknowledged submission
stored, and every simulated-timeout retry answered as a replay."""
import asyncio

import pytest
from rest_framework.authtoken.models import Token

from annotation.models import Assignment, AssignmentState
from annotation.selectors.invariants import annotation_invariant_violations
from benchmarks.annotation_scenario import verify_acknowledged
from benchmarks.loadgen import LoadConfig, NonLoopbackTarget, ensure_loopback, run_load
from tests.factories import CampaignFactory, UserFactory, make_pairs

N_CLIENTS = 4
N_PAIRS = 60  # 180 slots: more than 4 clients finish in 3 s on the threaded test server


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.timeout(60)
def test_loadgen_four_clients_no_errors_no_violations_nothing_lost(live_server):
    campaign = CampaignFactory(overlap=3)
    make_pairs(campaign, n_pairs=N_PAIRS)
    tokens = [Token.objects.create(user=UserFactory(roles=["annotator"])).key for _ in range(N_CLIENTS)]

    result = asyncio.run(run_load(LoadConfig(base_url=live_server.url, campaign_id=campaign.pk, tokens=tokens,
                                             seconds=3.0, retry_fraction=0.5, request_timeout_s=20)))

    assert result.errors == [] and result.error_count == 0
    assert result.cycles > 0
    assert result.latencies["next"].count >= result.cycles
    assert result.latencies["cycle"].count == result.cycles
    assert result.replays_ok == result.status_codes["replay"].get(200, 0) > 0  # the 2 retry clients replayed
    assert annotation_invariant_violations() == {}
    assert verify_acknowledged(result.acknowledged, n_dimensions=6) == []
    # nothing submitted that was not acknowledged (every cycle finished before the deadline stop)
    submitted = set(Assignment.objects.filter(state=AssignmentState.SUBMITTED).values_list("pk", flat=True))
    assert submitted == set(result.acknowledged)


@pytest.mark.parametrize("url", ["http://example.com", "http://10.0.0.1:8000", "http://8.8.8.8"])
def test_loadgen_refuses_non_loopback_targets(url):
    with pytest.raises(NonLoopbackTarget):
        ensure_loopback(url)
    ensure_loopback("http://127.0.0.1:8000")
    ensure_loopback("http://localhost:8000")
