"""Gold pairs: mixed into every stream, seen once by everyone, never recognisable, and an
annotator who fails them is paused until a reviewer says otherwise."""
import random
import uuid

import pytest

from annotation.models import AnnotatorState, AnnotatorStatus, Assignment, Pair
from annotation.selectors.invariants import annotation_invariant_violations
from annotation.services import leasing
from annotation.services.gold import GOLD_OVERLAP, pair_mark_gold
from annotation.services.leasing import assignment_lease_next
from annotation.services.submissions import Answer, judgment_submit
from demo import DIMENSIONS, SimulatedAnnotator
from studio_platform.errors import AnnotatorPaused
from tests.annotation.support import lease_next, submit_body
from tests.factories import CampaignFactory, UserFactory
from tests.quality_db.support import build_world, true_answers

pytestmark = pytest.mark.django_db


def _campaign_with_gold(n_gold: int, *, n_prompts: int = 3, **campaign_kwargs):
    campaign = CampaignFactory(**{"overlap": 1, **campaign_kwargs})
    world = build_world(campaign, n_prompts=n_prompts)
    gold = [pair_mark_gold(pair=pair, answers=true_answers(world, pair)) for pair in world.pairs[:n_gold]]
    return campaign, world, gold


def _answer(assignment, world, sim: SimulatedAnnotator) -> None:
    pair = assignment.pair
    strengths = sim.judge(world.truth[pair.video_a_id], world.truth[pair.video_b_id], DIMENSIONS)
    judgment_submit(assignment_id=assignment.pk, annotator=assignment.annotator, client_key=uuid.uuid4().hex,
                    video_a_id=pair.video_a_id, video_b_id=pair.video_b_id,
                    answers=[Answer(key, value) for key, value in strengths.items()])


def _work(campaign, world, user, sim, n: int) -> list[Assignment]:
    done = []
    for _ in range(n):
        assignment = assignment_lease_next(campaign=campaign, annotator=user)
        if assignment is None:
            break
        _answer(assignment, world, sim)
        done.append(assignment)
    return done


def test_gold_pairs_are_mixed_in_at_the_gold_rate(alice, monkeypatch):
    seeded = random.Random(7)
    monkeypatch.setattr(leasing.random, "SystemRandom", lambda: seeded)
    campaign, world, gold = _campaign_with_gold(20, n_prompts=8, gold_rate=0.3, min_gold_accuracy=0.0)
    done = _work(campaign, world, alice, SimulatedAnnotator(noise=0.05), 50)
    share = sum(a.pair.is_gold for a in done) / len(done)
    assert len(done) == 50 and 0.15 <= share <= 0.45


def test_qualification_serves_gold_first_and_every_annotator_sees_each_gold_pair_once(alice, bob):
    campaign, world, gold = _campaign_with_gold(3, qualification_gold_count=3, gold_rate=0.0)
    carl, dora = UserFactory(roles=["annotator"]), UserFactory(roles=["annotator"])
    for user in (alice, bob, carl, dora):
        done = _work(campaign, world, user, SimulatedAnnotator(noise=0.0), 4)
        assert {a.pair_id for a in done[:3]} == {p.pk for p in gold}
        assert not done[3].pair.is_gold
    for pair in Pair.objects.filter(is_gold=True):
        assert pair.taken == pair.completed == 4 and pair.overlap == GOLD_OVERLAP
    # campaign overlap is 1, yet four people judged every gold pair, and nothing is over-assigned
    assert annotation_invariant_violations(include_orphans=False) == {}


def test_a_gold_lease_looks_like_any_other_lease(alice, client_for):
    campaign, world, gold = _campaign_with_gold(1, qualification_gold_count=1)
    client = client_for(alice)
    first = lease_next(client, campaign.pk)
    assert first["video_a"]["id"] == gold[0].video_a_id  # qualification: the gold pair comes first
    # no real pair, not even a prefetched one, before the qualification gold is answered
    assert lease_next(client, campaign.pk, exclude=[first["assignment"]])["assignment"] is None
    assert client.post(f"/api/assignments/{first['assignment']}/submit/", submit_body(first),
                       format="json").status_code == 201
    second = lease_next(client, campaign.pk)
    assert not Pair.objects.get(video_a_id=second["video_a"]["id"], video_b_id=second["video_b"]["id"]).is_gold

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        return [shape(v) for v in value] if isinstance(value, list) else type(value).__name__

    assert shape(first) == shape(second)
    assert "gold" not in str(first).lower() and "overlap" not in str(first)


def test_an_annotator_who_fails_gold_is_paused_and_told_why(alice, bob, client_for):
    campaign, world, gold = _campaign_with_gold(8, qualification_gold_count=6, min_gold_answers=6,
                                                min_gold_accuracy=0.6)
    _work(campaign, world, alice, SimulatedAnnotator(noise=0.05, seed=1), 6)
    _work(campaign, world, bob, SimulatedAnnotator(bad=True, seed=2), 6)

    assert lease_next(client_for(alice), campaign.pk)["assignment"] is not None
    response = client_for(bob).post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "annotator_paused" and "gold accuracy" in body["reason"]
    status = AnnotatorStatus.objects.get(campaign=campaign, annotator=bob)
    assert status.state == AnnotatorState.PAUSED and status.changed_by is None
    assert not AnnotatorStatus.objects.filter(annotator=alice).exists()


def test_reviewers_override_resume_and_pause_by_hand(bob, rita, client_for):
    campaign, world, gold = _campaign_with_gold(8, qualification_gold_count=5, min_gold_answers=5)
    _work(campaign, world, bob, SimulatedAnnotator(bad=True, seed=2), 5)
    bob_client, rita_client = client_for(bob), client_for(rita)
    url = f"/api/campaigns/{campaign.pk}/annotators/{bob.pk}/status/"
    assert bob_client.post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json").status_code == 403

    assert rita_client.post(url, {"action": "override"}, format="json").json()["state"] == "override"
    assert lease_next(bob_client, campaign.pk)["assignment"] is not None

    # a resume judges only gold answered from now on, so bob is not paused again at once
    assert rita_client.post(url, {"action": "resume"}, format="json").status_code == 200
    assert lease_next(bob_client, campaign.pk)["assignment"] is not None

    refused = rita_client.post(url, {"action": "pause"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["detail"]
    rita_client.post(url, {"action": "pause", "reason": "Answers without watching."}, format="json")
    response = bob_client.post(f"/api/campaigns/{campaign.pk}/next/", {}, format="json")
    assert response.status_code == 403 and response.json()["reason"] == "Answers without watching."
    assert bob_client.post(url, {"action": "resume"}, format="json").status_code == 403


def test_the_annotators_report_gives_gold_accuracy_per_dimension_and_status(alice, bob, rita, client_for):
    campaign, world, gold = _campaign_with_gold(6, qualification_gold_count=6, min_gold_answers=6)
    _work(campaign, world, alice, SimulatedAnnotator(noise=0.0), 7)
    _work(campaign, world, bob, SimulatedAnnotator(bad=True, seed=3), 6)
    with pytest.raises(AnnotatorPaused):  # the check runs on bob's next request
        assignment_lease_next(campaign=campaign, annotator=bob)
    report = client_for(rita).get(f"/api/campaigns/{campaign.pk}/quality/annotators/").json()
    rows = {row["username"]: row for row in report["annotators"]}
    assert report["annotators"][0]["username"] == "bob"  # worst gold accuracy first
    assert rows["alice"]["gold"]["direction_accuracy"] == 1.0 and rows["alice"]["gold"]["exact_accuracy"] == 1.0
    assert set(rows["alice"]["gold"]["per_dimension"]) == set(DIMENSIONS)
    assert rows["alice"]["gold"]["n_pairs"] == 6 and rows["alice"]["assignments"]["submitted"] == 7
    assert rows["bob"]["gold"]["direction_accuracy"] < 0.6
    assert rows["bob"]["status"] == {**rows["bob"]["status"], "state": "paused", "automatic": True}
